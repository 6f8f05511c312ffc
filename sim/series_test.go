package sim_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// seriesString renders a series as "t:util/active/queued" per sample for
// the cluster (node -1) or one node.
func seriesString(s *sim.Series, node int) string {
	var b []string
	for k := 0; k < s.Len(); k++ {
		u, a, q := s.At(k, node)
		b = append(b, fmt.Sprintf("%g:%.3g/%d/%d", s.T[k].Seconds(), u, a, q))
	}
	return strings.Join(b, " ")
}

// TestSeriesNodeQueueing checks samples against a schedule worked by hand:
// one node with one slot; A arrives at 0 with 3 s of work, B at 1 with 1 s.
// A runs 0–3, B waits 1–3 and runs 3–4. Sampling every second from the
// first event (0): at 1 and 2 the node has been busy the whole interval,
// A runs and B waits; at 3 (after A ends and B starts) the interval 2–3
// was busy, B runs and nothing waits. The last event is at 4, so 3 is the
// last sample.
func TestSeriesNodeQueueing(t *testing.T) {
	tasks := []sim.Task{{ID: 1, Arrival: 0, Work: 3 * sim.Second}, {ID: 2, Arrival: sim.Second, Work: sim.Second}}
	rr, err := strategies.New("round-robin", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(smp sim.Sampling) *sim.Series {
		cfg := sim.Config{Nodes: []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}}, Series: smp}
		e, err := sim.NewEngine(cfg, &sliceSource{tasks: tasks}, rr)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		return e.Result().Series
	}
	s := run(sim.Sampling{Every: sim.Second})
	if want, got := "1:1/1/1 2:1/1/1 3:1/1/0", seriesString(s, -1); got != want {
		t.Errorf("cluster series\n got %s\nwant %s", got, want)
	}
	if want, got := "1:1/1/1 2:1/1/1 3:1/1/0", seriesString(s, 0); got != want {
		t.Errorf("node series\n got %s\nwant %s", got, want)
	}
	// Max 1: at two samples (1 and 2) they merge into one at 2 over a 2 s
	// interval; the next is due at 4, the last event, so none follows.
	s = run(sim.Sampling{Every: sim.Second, Max: 1})
	if want, got := "2:1/1/1", seriesString(s, -1); got != want || s.Every != 2*sim.Second {
		t.Errorf("halved series\n got %s every %v\nwant %s every 2s", got, s.Every, want)
	}
	if run(sim.Sampling{}) != nil {
		t.Error("a run without sampling has a series")
	}
}

// TestSeriesHalfBusy: two nodes of one slot, one task of 2 s on node 0 at
// time 0 and a 0.5 s one on node 1 at 0.5 (round robin). Sampled every
// second: at 1, node 0 was busy all of 0–1, node 1 half of it (0.5–1), so
// the cluster's 2 slots were 3/4 busy. The last event (node 0's end at 2)
// takes no sample at 2.
func TestSeriesHalfBusy(t *testing.T) {
	tasks := []sim.Task{{ID: 1, Arrival: 0, Work: 2 * sim.Second}, {ID: 2, Arrival: sim.Second / 2, Work: sim.Second}}
	rr, _ := strategies.New("round-robin", nil, nil)
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1}, {Name: "b", Slots: 1, Speed: 1}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes, Series: sim.Sampling{Every: sim.Second}}, &sliceSource{tasks: tasks}, rr)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	s := e.Result().Series
	for _, c := range []struct {
		node int
		want string
	}{{-1, "1:0.75/2/0"}, {0, "1:1/1/0"}, {1, "1:0.5/1/0"}} {
		if got := seriesString(s, c.node); got != c.want {
			t.Errorf("node %d: got %s, want %s", c.node, got, c.want)
		}
	}
}

// TestSeriesCentral checks central queueing's samples by hand: one node of
// 4 CPUs; A (2 CPUs, 0–2) and B (4 CPUs, arrives at 1, waits for A, runs
// 2–3). The node's most allocated resource is CPU: half allocated over 0–1
// and 1–2. At 1 A runs and B is pending (a cluster-wide count; the node's
// own queue is 0); at 2 B runs and nothing is pending.
func TestSeriesCentral(t *testing.T) {
	tasks := jobs(job{0, 2, 2, 2}, job{1, 4, 1, 1})
	cfg := sim.Config{Nodes: []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 4000}}, Series: sim.Sampling{Every: sim.Second}}
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	s := e.Result().Series
	if want, got := "1:0.5/1/1 2:0.5/1/0", seriesString(s, -1); got != want {
		t.Errorf("cluster series\n got %s\nwant %s", got, want)
	}
	if want, got := "1:0.5/1/0 2:0.5/1/0", seriesString(s, 0); got != want {
		t.Errorf("node series\n got %s\nwant %s", got, want)
	}
}

// TestSeriesHalvingAverages checks bounded sampling against unbounded
// sampling of the same run: every kept sample sits on a multiple of the
// doubled interval, and its utilization is the mean of the fine samples
// in that interval (busy time adds up), its counts the fine sample's at
// the same instant.
func TestSeriesHalvingAverages(t *testing.T) {
	var tasks []sim.Task
	x := uint64(1)
	at := sim.Time(0)
	for i := 0; i < 400; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		at += sim.Time(x>>40) % (300 * sim.Millisecond)
		tasks = append(tasks, sim.Task{ID: int64(i + 1), Arrival: at, Work: sim.Time(x>>20) % (900 * sim.Millisecond)})
	}
	nodes := []sim.NodeSpec{{Name: "a", Slots: 2, Speed: 1}, {Name: "b", Slots: 1, Speed: 0.5}}
	run := func(smp sim.Sampling) *sim.Series {
		rr, _ := strategies.New("round-robin", nil, nil)
		e, err := sim.NewEngine(sim.Config{Nodes: nodes, Series: smp}, &sliceSource{tasks: tasks}, rr)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		return e.Result().Series
	}
	every := 100 * sim.Millisecond
	fine := run(sim.Sampling{Every: every})
	coarse := run(sim.Sampling{Every: every, Max: 8})
	if coarse.Len() > 16 || coarse.Len() < 8 {
		t.Fatalf("bounded series has %d samples, want 8..16", coarse.Len())
	}
	ratio := int(coarse.Every / every)
	if coarse.Every%every != 0 || ratio&(ratio-1) != 0 || ratio < 2 {
		t.Fatalf("interval %v is not a power-of-two multiple of %v", coarse.Every, every)
	}
	at0 := map[sim.Time]int{}
	for k, tm := range fine.T {
		at0[tm] = k
	}
	for k, tm := range coarse.T {
		if tm%coarse.Every != 0 || (k > 0 && tm-coarse.T[k-1] != coarse.Every) {
			t.Fatalf("sample %d at %v: not the next multiple of %v", k, tm, coarse.Every)
		}
		f, ok := at0[tm]
		if !ok {
			t.Fatalf("coarse sample at %v has no fine sample", tm)
		}
		for i := -1; i < 2; i++ {
			var sum float64
			for j := f - ratio + 1; j <= f; j++ {
				if j >= 0 {
					u, _, _ := fine.At(j, i)
					sum += u
				}
			}
			u, a, q := coarse.At(k, i)
			_, fa, fq := fine.At(f, i)
			if math.Abs(u-sum/float64(ratio)) > 1e-9 || a != fa || q != fq {
				t.Errorf("t=%v node %d: coarse %.6f/%d/%d, fine mean %.6f/%d/%d", tm, i, u, a, q, sum/float64(ratio), fa, fq)
			}
		}
	}
}

// TestSeriesNodeStates checks each node's state sample by sample against
// the schedule the configuration sets (every sample sees every event of
// its instant): n0 fails at 2 s for 3 s (down at 2, 3 and 4, up from 5);
// n1 is drained for maintenance at 1 s for 2 s (drained at 1 and 2); the
// group w starts with w-0 alone, its autoscaler asks for w-1 at its first
// round (10 s, w-0 fully busy: ceil(1 × 1 / 0.5) = 2 nodes) and w-1 joins
// the pool after its 30 s provisioning, so it is off up to 39 and up from
// 40. The cluster entry is always up.
func TestSeriesNodeStates(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}, {Name: "n1", Slots: 1, Speed: 1},
		{Name: "w-0", Slots: 1, Speed: 1}, {Name: "w-1", Slots: 1, Speed: 1}}
	var tasks []sim.Task
	for a := sim.Time(0); a < 50*sim.Second; a += 250 * ms {
		tasks = append(tasks, sim.Task{ID: int64(len(tasks)), Arrival: a, Work: 900 * ms})
	}
	cfg := sim.Config{Nodes: nodes, Series: sim.Sampling{Every: sim.Second},
		Faults: []sim.Fault{{Node: 0, At: 2 * sim.Second, For: 3 * sim.Second}, {Node: 1, At: sim.Second, For: 2 * sim.Second, Drain: true}},
		Autoscale: []sim.Autoscaler{{Group: "w", Nodes: []int{2, 3}, Initial: 1, Min: 1, Max: 2,
			Target: 0.5, Interval: 10 * sim.Second, Cooldown: sim.Hour, Provision: 30 * sim.Second}}}
	rr, _ := strategies.New("round-robin", nil, nil)
	e, err := sim.NewEngine(cfg, &sliceSource{tasks: tasks}, rr)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	s := e.Result().Series
	want := func(i int, t sim.Time) sim.NodeState {
		switch {
		case i == 0 && t >= 2*sim.Second && t < 5*sim.Second:
			return sim.NodeDown
		case i == 1 && t >= sim.Second && t < 3*sim.Second:
			return sim.NodeDrained
		case i == 3 && t < 40*sim.Second:
			return sim.NodeOff
		}
		return sim.NodeUp
	}
	if s.Len() < 45 {
		t.Fatalf("%d samples, want at least 45 (to 45 s)", s.Len())
	}
	for k := 0; k < s.Len(); k++ {
		if got := s.StateAt(k, -1); got != sim.NodeUp {
			t.Errorf("cluster at %v: %v", s.T[k], got)
		}
		for i := range nodes {
			if got, w := s.StateAt(k, i), want(i, s.T[k]); got != w {
				t.Errorf("%s at %v: %v, want %v", nodes[i].Name, s.T[k], got, w)
			}
		}
	}
}
