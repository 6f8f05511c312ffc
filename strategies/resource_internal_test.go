package strategies

import (
	"math"
	"sort"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestFreeScore checks the scraped free score against its definition on
// hand-computed nodes.
func TestFreeScore(t *testing.T) {
	v := sim.NewView([]sim.NodeSpec{
		{Name: "bg", Slots: 4, Speed: 1, Background: 0.2},                           // cpu .2 + .8 × 2/4 = .6, mem .5
		{Name: "cpu", Slots: 4, Speed: 1, CPU: 1000, Memory: 1000, Background: 0.1}, // cpu .1 + .3, mem .5
		{Name: "gpu", Slots: 2, Speed: 1, GPUs: 8},                                  // cpu .5, mem .5, gpu .5
		{Name: "over", Slots: 1, Speed: 1, CPU: 1000, Background: 0.5},              // cpu .5 + 1 → 1, mem 1
		{Name: "idle", Slots: 3, Speed: 1, Background: 0.3},                         // cpu .3, mem 0
	})
	v.SetLoad(0, sim.NodeLoad{Active: 2, Queued: 5})
	v.SetLoad(1, sim.NodeLoad{Active: 1})
	v.SetUsed(1, 300, 500)
	v.SetLoad(2, sim.NodeLoad{Active: 1})
	v.SetLoad(3, sim.NodeLoad{Active: 1})
	v.SetUsed(3, 1000, 0)
	for i, want := range []float64{(0.4 + 0.5) / 2, (0.6 + 0.5) / 2, 0.5, 0, (0.7 + 1) / 2} {
		if got := freeScore(v, i); math.Abs(got-want) > 1e-12 {
			t.Errorf("node %s: free score %g, want %g", v.Spec(i).Name, got, want)
		}
	}
}

// TestResourceDrawMatchesSearch: the guide-table draw gives, for every u,
// the node the binary search over the prefix sums gave (the first prefix
// sum above u), on random weights with many zeros (full nodes) and values
// of u at, just below and just above every prefix sum.
func TestResourceDrawMatchesSearch(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := sim.NewRand(seed, "resource-draw")
		n := 1 + rng.IntN(500)
		r := &ResourceBased{w: make([]float64, n), cum: make([]float64, n), guide: make([]int32, n)}
		for i := range r.w {
			if rng.IntN(10) < 7 {
				r.w[i] = []float64{0.1, 0.3, 1, 1e-9, 7}[rng.IntN(5)]
			}
		}
		r.sum()
		total := r.cum[n-1]
		if total == 0 {
			continue
		}
		search := func(u float64) int {
			i := sort.SearchFloat64s(r.cum, u)
			for i < n && r.cum[i] <= u {
				i++
			}
			return i
		}
		us := []float64{0, math.Nextafter(total, 0)}
		for _, c := range r.cum {
			us = append(us, c, math.Nextafter(c, 0), math.Nextafter(c, math.Inf(1)))
		}
		for k := 0; k < 2000; k++ {
			us = append(us, rng.Float64()*total)
		}
		for _, u := range us {
			if u < 0 || u >= total {
				continue
			}
			if got, want := r.draw(u, total), search(u); got != want {
				t.Fatalf("seed %d (%d nodes): u %v: draw %d, binary search %d", seed, n, u, got, want)
			}
		}
	}
}
