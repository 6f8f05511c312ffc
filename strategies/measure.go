package strategies

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// MeasureDecision measures what one decision of the strategy info costs on
// a cluster of the given nodes: wall-clock nanoseconds per decision, and
// the bytes of state the strategy keeps per node.
//
// It is a measurement, not a model: the time is read from the machine's
// clock around the whole loop (time.Now before and after, no per-call
// timing) and varies with the machine, its load, the Go version and the
// CPU's frequency; compare numbers taken on one machine in one session.
//
// The cluster is a View of nodes with a plausible, fixed random load drawn
// from a stream seeded 1: each node serves and queues uniformly 0..Slots
// tasks and holds the matching share of its CPU and memory; every node is
// healthy. When nodes name regions the View gets a network model, the
// regions in order of first appearance with a synthetic RTT of 10 ms per
// step of region index, and each task an origin drawn uniformly. The
// strategy is built with args and a stream seeded 1, initialised
// (sim.Initializer) and, if it is a sim.Ticker, ticked once. Then it
// decides decisions times on varying tasks (ids, tenants, classes and
// origins change from task to task, so hashing strategies do not hit one
// key): a Pick for a sim.Picker, a Place for a sim.Placer, or scoring every
// node (after sim.Filter, if any) for a sim.Scorer. The View does not
// change between decisions: nothing is placed.
//
// The state per node is (A(2n) − A(n)) / n, where A(k) is the bytes
// allocated (runtime.MemStats.TotalAlloc) while building, initialising and
// ticking the strategy and making its first decision on k nodes, the 2n
// nodes being nodes twice over under new names: the part of the state that
// grows with the cluster, not fixed tables (a Maglev table's size does not
// depend on n). Each A is the least of three tries after runtime.GC, since
// the counter is process-wide. It is never below 0.
func MeasureDecision(info Info, args Args, nodes []sim.NodeSpec, decisions int) (nsPerDecision float64, stateBytesPerNode float64, err error) {
	if info.New == nil {
		return 0, 0, fmt.Errorf("strategies: MeasureDecision: %q has no factory", info.Name)
	}
	if decisions <= 0 {
		return 0, 0, fmt.Errorf("strategies: MeasureDecision: decisions must be > 0, got %d", decisions)
	}
	if len(nodes) == 0 {
		return 0, 0, fmt.Errorf("strategies: MeasureDecision: no nodes")
	}
	for k := range args {
		if !info.hasParam(k) {
			return 0, 0, &ParamError{Strategy: info.Name, Param: k, Msg: "unknown parameter (allowed: " + info.paramList() + ")"}
		}
	}
	n := len(nodes)
	double := make([]sim.NodeSpec, 2*n)
	copy(double, nodes)
	for i, nd := range nodes {
		nd.Name += "#2"
		double[n+i] = nd
	}
	m1, v1 := newMeasureCluster(nodes)
	m2, v2 := newMeasureCluster(double)

	// State per node.
	a1, err := m1.allocs(info, args, v1)
	if err != nil {
		return 0, 0, err
	}
	a2, err := m2.allocs(info, args, v2)
	if err != nil {
		return 0, 0, err
	}
	stateBytesPerNode = max(float64(a2)-float64(a1), 0) / float64(n)

	// Time per decision.
	decide, err := m1.build(info, args, v1)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for k := 0; k < decisions; k++ {
		decide(k)
	}
	elapsed := time.Since(start)
	return float64(elapsed.Nanoseconds()) / float64(decisions), stateBytesPerNode, nil
}

// measureCluster is the fixed workload of MeasureDecision.
type measureCluster struct {
	tasks   []sim.Task
	origins []int
}

// newMeasureCluster builds the loaded View of nodes and the tasks to
// decide, all from a stream seeded 1.
func newMeasureCluster(nodes []sim.NodeSpec) (*measureCluster, *sim.View) {
	rng := sim.NewRand(1, "measure")
	v := sim.NewView(nodes)
	for i, nd := range nodes {
		slots := max(nd.Slots, 0)
		active := rng.IntN(slots + 1)
		v.SetLoad(i, sim.NodeLoad{Active: int32(active), Queued: int32(rng.IntN(slots + 1))})
		if slots > 0 {
			v.SetUsed(i, nd.CPU*int64(active)/int64(slots), nd.Memory*int64(active)/int64(slots))
		}
	}
	var regions []string
	index := map[string]int{}
	nodeRegion := make([]int32, len(nodes))
	for i, nd := range nodes {
		nodeRegion[i] = -1
		if nd.Region == "" {
			continue
		}
		r, ok := index[nd.Region]
		if !ok {
			r = len(regions)
			index[nd.Region] = r
			regions = append(regions, nd.Region)
		}
		nodeRegion[i] = int32(r)
	}
	if len(regions) > 0 {
		rtt := make([]sim.Time, len(regions)*len(regions))
		for a := range regions {
			for b := range regions {
				rtt[a*len(regions)+b] = 10 * sim.Millisecond * sim.Time(max(a-b, b-a))
			}
		}
		v.SetNetwork(regions, nodeRegion, rtt)
	}
	const kinds = 4096
	m := &measureCluster{tasks: make([]sim.Task, kinds), origins: make([]int, kinds)}
	for k := range m.tasks {
		t := sim.Task{ID: int64(k), Work: sim.Second, CPU: 100 * int64(1+rng.IntN(8)), Memory: int64(1+rng.IntN(8)) << 20,
			Tenant: "tenant-" + strconv.Itoa(rng.IntN(1000)), Class: "class-" + strconv.Itoa(rng.IntN(16))}
		m.origins[k] = -1
		if len(regions) > 0 {
			m.origins[k] = rng.IntN(len(regions))
			t.Region = regions[m.origins[k]]
		}
		m.tasks[k] = t
	}
	return m, v
}

// build makes the strategy ready on v and returns a function making the
// k-th decision.
func (m *measureCluster) build(info Info, args Args, v *sim.View) (func(k int), error) {
	st, err := info.New(args, sim.NewRand(1, "strategy/"+info.Name))
	if err != nil {
		return nil, err
	}
	if in, ok := st.(sim.Initializer); ok {
		if err := in.Init(v); err != nil {
			return nil, err
		}
	}
	if tk, ok := st.(sim.Ticker); ok {
		tk.Tick(v)
	}
	next := func(k int) *sim.Task {
		k %= len(m.tasks)
		v.SetOrigin(m.origins[k])
		return &m.tasks[k]
	}
	switch s := st.(type) {
	case sim.Picker:
		return func(k int) { s.Pick(v, next(k)) }, nil
	case sim.Placer:
		var p sim.Placement
		return func(k int) { p.GPUs = p.GPUs[:0]; s.Place(v, next(k), &p) }, nil
	case sim.Scorer:
		f, _ := st.(sim.Filter)
		return func(k int) {
			t := next(k)
			for i := 0; i < v.Len(); i++ {
				if f == nil || f.Filter(v, t, i) {
					s.Score(v, t, i)
				}
			}
		}, nil
	}
	return nil, fmt.Errorf("strategies: MeasureDecision: %s is neither a Picker, a Placer nor a Scorer", st.Name())
}

// allocs is the least, over three tries, of the bytes allocated building
// the strategy on v and making its first decision.
func (m *measureCluster) allocs(info Info, args Args, v *sim.View) (uint64, error) {
	var least uint64
	var ms runtime.MemStats
	for try := 0; try < 3; try++ {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		decide, err := m.build(info, args, v)
		if err != nil {
			return 0, err
		}
		decide(0)
		runtime.ReadMemStats(&ms)
		if a := ms.TotalAlloc - before; try == 0 || a < least {
			least = a
		}
	}
	return least, nil
}
