package strategies_test

import (
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// geoCluster: regions a, b, c with RTT a–b 20 ms, b–c 30 ms, a–c 50 ms, so
// from c the nearest other region is b (not a, the lower index). Nodes 0, 1
// in a, 2, 3 in b, 4 in c, two slots each.
func geoCluster() *sim.View {
	nodes := []sim.NodeSpec{
		{Name: "a0", Region: "a", Slots: 2, Speed: 1}, {Name: "a1", Region: "a", Slots: 2, Speed: 1},
		{Name: "b0", Region: "b", Slots: 2, Speed: 1}, {Name: "b1", Region: "b", Slots: 2, Speed: 1},
		{Name: "c0", Region: "c", Slots: 2, Speed: 1},
	}
	v := sim.NewView(nodes)
	ms := sim.Millisecond
	v.SetNetwork([]string{"a", "b", "c"}, []int32{0, 0, 1, 1, 2}, []sim.Time{
		0, 20 * ms, 50 * ms,
		20 * ms, 0, 30 * ms,
		50 * ms, 30 * ms, 0,
	})
	return v
}

func setInSystem(v *sim.View, loads ...int) {
	for i, q := range loads {
		l := v.Load(i)
		l.Active, l.Queued = int32(min(q, 2)), int32(max(q-2, 0))
		v.SetLoad(i, l)
	}
}

func geoPick(p sim.Picker, v *sim.View, origin int) int {
	v.SetOrigin(origin)
	return p.Pick(v, &sim.Task{})
}

// TestGeoOwnRegionUnderThreshold: while a region's load is below
// threshold (0.8 of its slots) every task from it stays in it, and its
// nodes share the work in turn when equally loaded.
func TestGeoOwnRegionUnderThreshold(t *testing.T) {
	v := geoCluster()
	p := ready(t, "geo", nil, 1, v)
	setInSystem(v, 1, 1, 0, 1, 1) // a: 2/4 = 0.5, b: 1/4, c: 1/2
	want := map[int][]int{0: {0, 1, 0, 1}, 1: {2, 2, 2}, 2: {4, 4}}
	for origin, nodes := range want {
		for k, w := range nodes {
			if got := geoPick(p, v, origin); got != w {
				t.Errorf("origin %d, task %d: node %d, want %d", origin, k, got, w)
			}
		}
	}
}

// TestGeoSpillsToNextNearest: a region at or above threshold spills to the
// next-nearest by RTT (c → b, though a has the lower index), then the next;
// when all are above, the nearest region with a healthy node takes it, on
// its least-loaded node; a region with no healthy node is passed over.
func TestGeoSpillsToNextNearest(t *testing.T) {
	v := geoCluster()
	cases := []struct {
		loads  []int
		down   []int
		origin int
		want   []int
	}{
		{[]int{0, 0, 0, 0, 2}, nil, 2, []int{2, 3}},      // c full (2/2): to b, in turn
		{[]int{0, 0, 2, 2, 2}, nil, 2, []int{0, 1}},      // c, b full: to a
		{[]int{2, 2, 0, 1, 0}, nil, 0, []int{2}},         // a at 4/4: to b's idle node
		{[]int{2, 1, 0, 0, 0}, nil, 0, []int{1}},         // a at 3/4 < 0.8: stays, on its less loaded node
		{[]int{4, 3, 3, 4, 5}, nil, 2, []int{4}},         // all above: nearest (own) region
		{[]int{4, 3, 3, 4, 5}, []int{4}, 2, []int{2}},    // c down: b is nearest, least loaded node 2
		{[]int{0, 0, 0, 0, 0}, []int{0, 1}, 0, []int{2}}, // a has no healthy node: to b
		{[]int{3, 4, 2, 2, 0}, []int{2, 3}, 0, []int{4}}, // a full, b down: to c
		{[]int{3, 4, 2, 2, 2}, []int{2, 3}, 0, []int{0}}, // all above: nearest healthy region a, node 0 (3 < 4)
	}
	for k, c := range cases {
		p := ready(t, "geo", nil, 1, v) // fresh turn state
		for i := 0; i < v.Len(); i++ {
			v.SetLoad(i, sim.NodeLoad{})
		}
		setInSystem(v, c.loads...)
		for _, i := range c.down {
			v.SetLoad(i, sim.NodeLoad{Down: true})
		}
		for j, w := range c.want {
			if got := geoPick(p, v, c.origin); got != w {
				t.Errorf("case %d (loads %v, down %v, origin %d), task %d: node %d, want %d", k, c.loads, c.down, c.origin, j, got, w)
			}
		}
	}
}

// TestGeoThresholdParam: threshold 0.5 makes a at 2/4 full; the name says so.
func TestGeoThresholdParam(t *testing.T) {
	v := geoCluster()
	st := mustNew(t, "geo", strategies.Args{"threshold": 0.5}, 1)
	if st.Name() != "geo(threshold=0.5)" {
		t.Errorf("name %q", st.Name())
	}
	p := st.(sim.Picker)
	setInSystem(v, 1, 1, 0, 0, 0)
	if got := geoPick(p, v, 0); got != 2 {
		t.Errorf("a at 0.5 with threshold 0.5: node %d, want 2 (b)", got)
	}
}

// TestGeoUnknownOrigin: a task with no origin, or a run with no network
// model, goes to the least loaded healthy node of all, ties in turn.
func TestGeoUnknownOrigin(t *testing.T) {
	v := geoCluster()
	p := ready(t, "geo", nil, 1, v)
	setInSystem(v, 3, 2, 4, 1, 2)
	if got := geoPick(p, v, -1); got != 3 {
		t.Errorf("unknown origin: node %d, want 3 (least loaded)", got)
	}
	v.SetLoad(3, sim.NodeLoad{Down: true})
	// Ties in turn from the node after the last choice (3): 4, then 1.
	for k, w := range []int{4, 1, 4} {
		if got := geoPick(p, v, -1); got != w {
			t.Errorf("unknown origin, node 3 down, task %d: node %d, want %d", k, got, w)
		}
	}

	plain := sim.NewView(equalNodes(4))
	q := ready(t, "geo", nil, 1, plain)
	setInSystem(plain, 2, 0, 1, 0)
	for k, w := range []int{1, 3, 1} {
		if got := q.Pick(plain, &sim.Task{}); got != w {
			t.Errorf("no network, task %d: node %d, want %d", k, got, w)
		}
	}
}
