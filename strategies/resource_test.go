package strategies_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

func resourceNodes() []sim.NodeSpec {
	return []sim.NodeSpec{
		{Name: "a", Slots: 4, Speed: 1, CPU: 4000, Memory: 8 << 30},
		{Name: "b", Slots: 4, Speed: 1, CPU: 4000, Memory: 8 << 30},
		{Name: "c", Slots: 4, Speed: 2, CPU: 4000, Memory: 8 << 30},
		{Name: "d", Slots: 2, Speed: 1},
	}
}

func countPicks(p sim.Picker, v *sim.View, picks int) []int {
	counts := make([]int, v.Len())
	for k := 0; k < picks; k++ {
		counts[p.Pick(v, &sim.Task{})]++
	}
	return counts
}

// TestResourceBasedIsStaleBetweenScrapes: two instances with the same
// stream scrape the same cluster; then the live load of one cluster changes
// (node c becomes fully busy, node a idle). Until the next scrape both make
// exactly the same choices, so the live change is invisible; after a Tick
// the busy node, now scraped with no free capacity, gets no work at all.
func TestResourceBasedIsStaleBetweenScrapes(t *testing.T) {
	nodes := resourceNodes()
	live, ref := sim.NewView(nodes), sim.NewView(nodes)
	for _, v := range []*sim.View{live, ref} {
		v.SetLoad(0, sim.NodeLoad{Active: 3})
		v.SetUsed(0, 3000, 6<<30)
	}
	a := ready(t, "resource-based", nil, 5, live)
	b := ready(t, "resource-based", nil, 5, ref)
	a.(sim.Ticker).Tick(live)
	b.(sim.Ticker).Tick(ref)

	live.SetLoad(0, sim.NodeLoad{})
	live.SetUsed(0, 0, 0)
	live.SetLoad(2, sim.NodeLoad{Active: 4, Queued: 10})
	live.SetUsed(2, 4000, 8<<30)
	for k := 0; k < 5000; k++ {
		if x, y := a.Pick(live, &sim.Task{}), b.Pick(ref, &sim.Task{}); x != y {
			t.Fatalf("pick %d: %d with the changed load, %d without: the strategy read live load between scrapes", k, x, y)
		}
	}
	before := countPicks(a, live, 4000)
	a.(sim.Ticker).Tick(live)
	after := countPicks(a, live, 4000)
	if before[2] < 1000 || after[2] != 0 {
		t.Errorf("picks of node c (busy since the last scrape): %d before the next scrape, %d after; want many, then 0", before[2], after[2])
	}
	if after[0] <= before[0] {
		t.Errorf("picks of node a (idle since the last scrape): %d before, %d after the next scrape; want more", before[0], after[0])
	}
}

// TestResourceBasedProportional: before any scrape every node is free and
// picks follow capacity (speed × slots = 4, 4, 8, 2 of 18); after a scrape
// they follow free score × capacity. Each count is checked within 5
// binomial standard deviations.
func TestResourceBasedProportional(t *testing.T) {
	v := sim.NewView(resourceNodes())
	p := ready(t, "resource-based", nil, 6, v)
	const picks = 36000
	check := func(when string, weights []float64) {
		t.Helper()
		total := 0.0
		for _, w := range weights {
			total += w
		}
		counts := countPicks(p, v, picks)
		for i, w := range weights {
			q := w / total
			mean, sd := picks*q, math.Sqrt(picks*q*(1-q))
			if d := float64(counts[i]) - mean; d > 5*sd || d < -5*sd {
				t.Errorf("%s: node %d got %d picks, want %.0f ± %.0f", when, i, counts[i], mean, 5*sd)
			}
		}
	}
	check("before the first scrape", []float64{4, 4, 8, 2})

	// a: 2 of 4 slots, half its CPU and a quarter of its memory: free
	// (0.5 + 0.75)/2. b: idle. c: 1 slot busy, tasks declare nothing:
	// cpu and memory 1/4 used. d: no CPU or memory declared, 1 of 2
	// slots busy.
	v.SetLoad(0, sim.NodeLoad{Active: 2})
	v.SetUsed(0, 2000, 2<<30)
	v.SetLoad(2, sim.NodeLoad{Active: 1})
	v.SetLoad(3, sim.NodeLoad{Active: 1})
	p.(sim.Ticker).Tick(v)
	check("after a scrape", []float64{0.625 * 4, 4, 0.75 * 8, 0.5 * 2})
}

// TestResourceBasedScrapeParam: scrape reads durations (sim.Time from the
// scenario loader, seconds from Go) and sets Every.
func TestResourceBasedScrapeParam(t *testing.T) {
	for _, c := range []struct {
		arg  any
		want sim.Time
		name string
	}{
		{nil, 10 * sim.Second, "resource-based"},
		{2 * sim.Second, 2 * sim.Second, "resource-based(scrape=2s)"},
		{0.5, 500 * sim.Millisecond, "resource-based(scrape=0.5s)"},
		{3, 3 * sim.Second, "resource-based(scrape=3s)"},
	} {
		args := strategies.Args{}
		if c.arg != nil {
			args["scrape"] = c.arg
		}
		st := mustNew(t, "resource-based", args, 1)
		if got := st.(sim.Ticker).Every(); got != c.want || st.Name() != c.name {
			t.Errorf("scrape %v: Every %v, name %q; want %v, %q", c.arg, got, st.Name(), c.want, c.name)
		}
	}
	_, err := strategies.New("resource-based", strategies.Args{"scrape": "soon"}, nil)
	if want := "strategy resource-based: parameter scrape: expected a duration in [0.001s, 31536000s], got soon"; fmt.Sprint(err) != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
