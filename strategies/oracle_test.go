package strategies_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// oracleConfig is a random cluster of 1–200 nodes (1–3 slots, speeds 0.5
// to 2) for seed, with the engine's dynamics that change loads and health
// behind a strategy's back: scheduled failures and drains, lagged health
// checks, random failures (even seeds) and an autoscaled group (seeds 1
// mod 4), at 50 %, 95 % or 130 % of capacity (by seed mod 3). It returns
// the configuration and its arrival rate.
func oracleConfig(seed uint64, tasks int64) (sim.Config, float64) {
	r := sim.NewRand(seed, "index-test")
	n := 1 + r.IntN(200)
	var nodes []sim.NodeSpec
	speeds := []float64{0.5, 1, 1, 2}
	capacity := 0.0
	for i := 0; i < n; i++ {
		s := sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Group: "g", Slots: 1 + r.IntN(3), Speed: speeds[r.IntN(len(speeds))]}
		capacity += s.Speed * float64(s.Slots)
		nodes = append(nodes, s)
	}
	load := []float64{0.5, 0.95, 1.3}[seed%3]
	cfg := sim.Config{Nodes: nodes, StopTasks: tasks, Seed: seed,
		Health: &sim.Health{Interval: sim.Second, Threshold: 2, Rise: 1}}
	for k := 0; k < 1+n/20; k++ {
		cfg.Faults = append(cfg.Faults, sim.Fault{Node: r.IntN(n), At: sim.Time(1+r.IntN(60)) * sim.Second, For: sim.Time(1+r.IntN(30)) * sim.Second, Drain: r.IntN(3) == 0})
	}
	if seed%2 == 0 {
		cfg.RandomFaults = []sim.RandomFaults{{Nodes: []int{0, n / 2}, MTBF: 20 * sim.Second, MTTR: 5 * sim.Second}}
	}
	if seed%4 == 1 && n >= 4 {
		var group []int
		for i := n - n/4; i < n; i++ {
			group = append(group, i)
		}
		cfg.Autoscale = []sim.Autoscaler{{Nodes: group, Initial: 1, Min: 1, Max: len(group), Target: 0.6, Interval: 5 * sim.Second, Cooldown: 10 * sim.Second, Provision: 2 * sim.Second}}
	}
	return cfg, load * capacity
}

// lockstep runs a strategy and its oracle side by side in one run: at
// every arrival both pick from the same View, with their random streams
// in the same state (the oracle's is set to the strategy's before each
// pick), and the run goes on with the strategy's choice; both see every
// outcome. differ decides whether a disagreement is allowed (nil: never).
type lockstep struct {
	fast, oracle       sim.Picker
	fastRng, oracleRng *sim.Rand
	differ             func(v *sim.View, fast, oracle int) error
	picks, differed    int
	failures           int // Failed calls
	err                error
}

func (l *lockstep) Name() string { return l.fast.Name() }

func (l *lockstep) Init(v *sim.View) error {
	for _, s := range []sim.Picker{l.fast, l.oracle} {
		if in, ok := s.(sim.Initializer); ok {
			if err := in.Init(v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *lockstep) Pick(v *sim.View, t *sim.Task) int {
	*l.oracleRng = *l.fastRng
	want := l.oracle.Pick(v, t)
	got := l.fast.Pick(v, t)
	l.picks++
	if got != want {
		l.differed++
	}
	if got != want && l.err == nil {
		if l.differ == nil {
			l.err = fmt.Errorf("pick %d at %v: index chose %d, oracle %d", l.picks, v.Now(), got, want)
		} else if err := l.differ(v, got, want); err != nil {
			l.err = fmt.Errorf("pick %d at %v: %v", l.picks, v.Now(), err)
		}
	}
	return got
}

func (l *lockstep) Started(v *sim.View, t *sim.Task, i int) {
	for _, s := range []sim.Picker{l.fast, l.oracle} {
		if o, ok := s.(sim.Observer); ok {
			o.Started(v, t, i)
		}
	}
}

func (l *lockstep) Finished(v *sim.View, t *sim.Task, i int, lat sim.Time) {
	for _, s := range []sim.Picker{l.fast, l.oracle} {
		if o, ok := s.(sim.Observer); ok {
			o.Finished(v, t, i, lat)
		}
	}
}

func (l *lockstep) Failed(v *sim.View, t *sim.Task, i int) {
	l.failures++
	for _, s := range []sim.Picker{l.fast, l.oracle} {
		if o, ok := s.(sim.Observer); ok {
			o.Failed(v, t, i)
		}
	}
}

// runLockstep runs name with args (the strategy) and with args plus
// oracle (its oracle) in lockstep on the random clusters of seeds 1..seeds
// and returns the picks and the picks where they differed (allowed by
// differ). prep, when not nil, may change each run's configuration and
// source.
func runLockstep(t *testing.T, name string, args, oracle strategies.Args, seeds uint64, tasks int64,
	differ func(v *sim.View, fast, oracle int) error, prep func(seed uint64, cfg *sim.Config, src sim.Source) sim.Source) (picks, differed, failures int) {
	t.Helper()
	return runLockstepArgs(t, name, func(uint64, int) strategies.Args { return args }, oracle, seeds, tasks, differ, prep)
}

// runLockstepArgs is runLockstep with the strategy's arguments chosen per
// seed and cluster size.
func runLockstepArgs(t *testing.T, name string, argsFor func(seed uint64, nodes int) strategies.Args, oracle strategies.Args, seeds uint64, tasks int64,
	differ func(v *sim.View, fast, oracle int) error, prep func(seed uint64, cfg *sim.Config, src sim.Source) sim.Source) (picks, differed, failures int) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		cfg, rate := oracleConfig(seed, tasks)
		args := argsFor(seed, len(cfg.Nodes))
		oa := strategies.Args{}
		for k, v := range args {
			oa[k] = v
		}
		for k, v := range oracle {
			oa[k] = v
		}
		l := &lockstep{fastRng: sim.NewRand(seed, "strategy/"+name), oracleRng: sim.NewRand(seed, "strategy/"+name), differ: differ}
		var err error
		st, err := strategies.New(name, args, l.fastRng)
		if err != nil {
			t.Fatal(err)
		}
		l.fast = st.(sim.Picker)
		if st, err = strategies.New(name, oa, l.oracleRng); err != nil {
			t.Fatal(err)
		}
		l.oracle = st.(sim.Picker)
		var src sim.Source = traces.NewGenerator(traces.Poisson{Rate: rate}, traces.Exponential{Mean: sim.Second}, seed)
		if prep != nil {
			src = prep(seed, &cfg, src)
		}
		e, err := sim.NewEngine(cfg, src, l)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		if l.err != nil {
			t.Fatalf("%s %v, seed %d (%d nodes): %v", name, args, seed, len(cfg.Nodes), l.err)
		}
		if l.picks == 0 {
			t.Fatalf("%s seed %d: no picks", name, seed)
		}
		picks += l.picks
		differed += l.differed
		failures += l.failures
	}
	return picks, differed, failures
}

// ties is the healthy nodes of the fewest tasks in system, by a scan.
func ties(v *sim.View) []int {
	var tied []int
	best := -1
	for i := 0; i < v.Len(); i++ {
		if !v.Healthy(i) {
			continue
		}
		switch q := v.InSystem(i); {
		case best < 0 || q < best:
			best, tied = q, append(tied[:0], i)
		case q == best:
			tied = append(tied, i)
		}
	}
	return tied
}

// TestJSQIndexMatchesScan: jsq on the load index against its O(n) scan
// (scan: true, the oracle with the reservoir tie rule), decision by
// decision on random clusters through failures, drains, lagged health and
// autoscaling, their random streams in the same state before every pick.
// With one node of the fewest tasks both must choose it; with ties they
// may differ (the rules draw differently), but both must choose among the
// tied nodes (their distribution is TestJSQTieDistribution's).
func TestJSQIndexMatchesScan(t *testing.T) {
	wide := 0
	picks, differed, _ := runLockstep(t, "jsq", nil, strategies.Args{"scan": true}, 12, 20000,
		func(v *sim.View, fast, oracle int) error {
			tied := ties(v)
			if len(tied) < 2 {
				return fmt.Errorf("%d tied nodes %v, yet the index chose %d and the scan %d", len(tied), tied, fast, oracle)
			}
			in := func(x int) bool {
				for _, i := range tied {
					if i == x {
						return true
					}
				}
				return false
			}
			if !in(fast) || !in(oracle) {
				return fmt.Errorf("tied nodes %v, the index chose %d and the scan %d", tied, fast, oracle)
			}
			wide++
			return nil
		}, nil)
	t.Logf("%d picks, %d differed (on ties)", picks, differed)
	if wide == 0 {
		t.Fatal("no decision differed on ties: the test did not exercise the tie rule")
	}
	if differed == picks {
		t.Fatal("every pick differed")
	}
}

// TestJSQTieDistribution: with k = 5 healthy nodes tied for the fewest
// tasks (among 12: others busier, one tied node unhealthy), both tie rules
// choose each tied node with probability 1/k. 50,000 picks per rule on a
// View that does not change; Pearson's χ² against the uniform counts must
// stay below 18.47, the 0.999 quantile of χ² with k−1 = 4 degrees of
// freedom (fixed seeds: the test is deterministic).
func TestJSQTieDistribution(t *testing.T) {
	specs := make([]sim.NodeSpec, 12)
	for i := range specs {
		specs[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	v := sim.NewView(specs)
	loads := []int32{3, 1, 4, 1, 5, 1, 2, 1, 6, 1, 1, 7}
	for i, q := range loads {
		v.SetLoad(i, sim.NodeLoad{Active: 1, Queued: q - 1, Down: i == 10})
	}
	want := []int{1, 3, 5, 7, 9}
	for _, scan := range []bool{false, true} {
		p := ready(t, "jsq", strategies.Args{"scan": scan}, 7, v)
		count := map[int]int{}
		const picks = 50000
		for k := 0; k < picks; k++ {
			count[p.Pick(v, &sim.Task{})]++
		}
		chi := 0.0
		exp := float64(picks) / float64(len(want))
		total := 0
		for _, i := range want {
			d := float64(count[i]) - exp
			chi += d * d / exp
			total += count[i]
		}
		if total != picks {
			t.Fatalf("scan %v: %d of %d picks outside the tied nodes %v: %v", scan, picks-total, picks, want, count)
		}
		t.Logf("scan %v: counts %v, χ² %.2f", scan, count, chi)
		if chi > 18.47 {
			t.Errorf("scan %v: χ² %.2f above 18.47 (4 degrees of freedom, p = 0.001): %v", scan, chi, count)
		}
	}
}

// TestLeastRequestIndexMatchesScan: least-request on its index against
// its O(n) scan (scan: true, the oracle), decision by decision on random
// clusters through failures (tasks lost on failing nodes charge the
// penalty), drains, lagged health and autoscaling, with the default decay
// and penalty and with a short decay and long penalty (penalties that
// outlast the estimates and expire during the run). Every choice must be
// the same.
func TestLeastRequestIndexMatchesScan(t *testing.T) {
	for _, args := range []strategies.Args{nil, {"decay": 0.5, "penalty": 20.0}, {"penalty": 0.0}} {
		picks, _, failures := runLockstep(t, "least-request", args, strategies.Args{"scan": true}, 12, 20000, nil, nil)
		t.Logf("%v: %d picks, all the same; %d failed tasks", args, picks, failures)
		if failures == 0 {
			t.Fatal("no task failed: the penalty path was not exercised")
		}
	}
}

// TestGeoIndexMatchesScan: geo on its per-region indexes against its scan
// (scan: true, the oracle), decision by decision on the random clusters
// spread over four regions (one of them without nodes on odd seeds) with
// random RTTs, tasks from every region and, one in five, from none (the
// least-connections fallback), at thresholds 0.8 and 0.3. Every choice
// must be the same.
func TestGeoIndexMatchesScan(t *testing.T) {
	regions := []string{"eu", "us", "ap", "sa"}
	prep := func(seed uint64, cfg *sim.Config, src sim.Source) sim.Source {
		r := sim.NewRand(seed, "geo-test")
		nodes := append([]sim.NodeSpec(nil), cfg.Nodes...)
		use := len(regions) - int(seed%2)
		for i := range nodes {
			nodes[i].Region = regions[r.IntN(use)]
		}
		cfg.Nodes = nodes
		rtt := make([]sim.Time, len(regions)*len(regions))
		for a := range regions {
			for b := 0; b < a; b++ {
				d := sim.Time(r.IntN(4)) * 20 * sim.Millisecond // ties between regions too
				rtt[a*len(regions)+b], rtt[b*len(regions)+a] = d, d
			}
		}
		cfg.Network = &sim.Network{Regions: regions, RTT: rtt}
		return regionSource{src, append(append([]string(nil), regions...), "")}
	}
	for _, args := range []strategies.Args{nil, {"threshold": 0.3}} {
		picks, _, _ := runLockstep(t, "geo", args, strategies.Args{"scan": true}, 12, 20000, nil, prep)
		t.Logf("%v: %d picks, all the same", args, picks)
	}
	// Without a network geo is least-connections, on its load index.
	picks, _, _ := runLockstep(t, "geo", nil, strategies.Args{"scan": true}, 6, 20000, nil, nil)
	t.Logf("no network: %d picks, all the same", picks)
}

// TestWeightedRoundRobinIndexMatchesScan: weighted-round-robin on its
// kinetic tree against nginx's scan (scan: true, the oracle), decision by
// decision on the random clusters (weights speed × slots: 0.5 to 6, so
// halves), with and without health, with explicit integer weights 0–9
// (zeros never chosen), and with weights of 0.1 (no common power of two:
// the scan from the start). Nodes leave and rejoin through failures,
// drains and autoscaling. Every choice must be the same.
func TestWeightedRoundRobinIndexMatchesScan(t *testing.T) {
	for _, args := range []strategies.Args{nil, {"health": true}} {
		picks, _, _ := runLockstep(t, "weighted-round-robin", args, strategies.Args{"scan": true}, 12, 20000, nil, nil)
		t.Logf("%v: %d picks, all the same", args, picks)
	}
	for _, tenth := range []bool{false, true} {
		picks, _, _ := runLockstepArgs(t, "weighted-round-robin", func(seed uint64, n int) strategies.Args {
			r := sim.NewRand(seed, "wrr-weights")
			ws := make([]any, n)
			for i := range ws {
				ws[i] = float64(r.IntN(10))
				if tenth {
					ws[i] = ws[i].(float64) / 10
				}
			}
			ws[0] = 1.0
			return strategies.Args{"weights": ws}
		}, strategies.Args{"scan": true}, 12, 20000, nil, nil)
		t.Logf("explicit weights (tenths %v): %d picks, all the same", tenth, picks)
	}
}

// placerLockstep drives a placement strategy and its oracle on one View
// of a random GPU cluster of 1 to 400 nodes (randomCluster's node kinds,
// more of them) through steps random arrivals and departures: before each
// placement both decide, and the decisions (node and GPUs) must be the
// same; the strategy's is applied. It returns the placements made.
func placerLockstep(t *testing.T, name string, args, oracle strategies.Args, seed uint64, steps int) int {
	t.Helper()
	r := sim.NewRand(seed, "placer-lockstep")
	var nodes []sim.NodeSpec
	var shapes []sim.TaskShape
	for len(nodes) < 1+r.IntN(400) {
		more, s := randomCluster(r)
		nodes = append(nodes, more...)
		if shapes == nil {
			shapes = s
		}
	}
	for i := range nodes {
		nodes[i].Name = fmt.Sprintf("n%d", i)
	}
	v := sim.NewView(nodes)
	v.SetShapes(shapes) // the target workload, for fgd
	oa := strategies.Args{}
	for k, x := range args {
		oa[k] = x
	}
	for k, x := range oracle {
		oa[k] = x
	}
	mk := func(a strategies.Args) sim.Placer {
		st, err := strategies.New(name, a, sim.NewRand(seed, "strategy/"+name))
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := st.(sim.Initializer); ok {
			if err := in.Init(v); err != nil {
				t.Fatal(err)
			}
		}
		return st.(sim.Placer)
	}
	fast, slow := mk(args), mk(oa)
	var run []running
	placed := 0
	var p, q sim.Placement
	for k := 0; k < steps; k++ {
		if len(run) > 0 && r.IntN(10) < 4 {
			j := r.IntN(len(run))
			d := run[j]
			v.Release(d.node, &d.task, d.gpus)
			run[j] = run[len(run)-1]
			run = run[:len(run)-1]
			continue
		}
		task := randomTask(r, int64(k))
		p.Node, p.GPUs = -1, p.GPUs[:0]
		q.Node, q.GPUs = -1, q.GPUs[:0]
		okS := slow.Place(v, &task, &q)
		okF := fast.Place(v, &task, &p)
		if okF != okS || (okF && (p.Node != q.Node || !slices.Equal(p.GPUs, q.GPUs))) {
			t.Fatalf("%s seed %d step %d (%d nodes), task %+v: index %v %d %v, scan %v %d %v", name, seed, k, len(nodes), task, okF, p.Node, p.GPUs, okS, q.Node, q.GPUs)
		}
		if !okF {
			continue
		}
		if err := v.Allocate(p.Node, &task, p.GPUs); err != nil {
			t.Fatalf("%s seed %d step %d: %v", name, seed, k, err)
		}
		placed++
		run = append(run, running{p.Node, task, slices.Clone(p.GPUs)})
	}
	return placed
}

// TestFirstFitIndexMatchesScan: first-fit on its tree of largest free
// resources places every task where the scan (scan: true, the oracle)
// does, node and GPUs, on 30 random GPU clusters through 5,000 random
// arrivals and departures each (tasks of CPU only, GPU shares, whole GPUs,
// GPU model restrictions).
func TestFirstFitIndexMatchesScan(t *testing.T) {
	placed := 0
	for seed := uint64(1); seed <= 30; seed++ {
		placed += placerLockstep(t, "first-fit", nil, strategies.Args{"scan": true}, seed, 5000)
	}
	t.Logf("%d placements, all the same", placed)
	if placed == 0 {
		t.Fatal("nothing placed")
	}
}

// TestTopologyFitIndexMatchesScan: topology-fit places single-node tasks
// on first-fit's tree where its scan (scan: true, the oracle) does, on 30
// random GPU clusters through 5,000 random arrivals and departures each.
func TestTopologyFitIndexMatchesScan(t *testing.T) {
	placed := 0
	for seed := uint64(1); seed <= 30; seed++ {
		placed += placerLockstep(t, "topology-fit", nil, strategies.Args{"scan": true}, seed, 5000)
	}
	t.Logf("%d placements, all the same", placed)
	if placed == 0 {
		t.Fatal("nothing placed")
	}
}

// TestBestFitIndexMatchesScan: best-fit's branch and bound places every
// task where its scan (scan: true, the oracle) does, node and GPUs, with
// the seeded tie order (the default) and lowest-index ties, on 30 random
// GPU clusters through 5,000 random arrivals and departures each.
func TestBestFitIndexMatchesScan(t *testing.T) {
	for _, ties := range []string{"order", "index"} {
		placed := 0
		for seed := uint64(1); seed <= 30; seed++ {
			placed += placerLockstep(t, "best-fit", strategies.Args{"ties": ties}, strategies.Args{"scan": true}, seed, 5000)
		}
		t.Logf("ties %s: %d placements, all the same", ties, placed)
		if placed == 0 {
			t.Fatal("nothing placed")
		}
	}
}

// TestFGDIndexMatchesScan: fgd's trees per demand, caught up from the
// changed nodes, place every task where its scan (scan: true, the oracle,
// every fitting node offered to the argmax) does, node and GPUs, with the
// seeded tie order (the default) and lowest-index ties, with the
// artifact's integer score and the exact one, on 30 random GPU clusters
// with a target workload through 5,000 random arrivals and departures
// each.
func TestFGDIndexMatchesScan(t *testing.T) {
	for _, exact := range []bool{false, true} {
		for _, ties := range []string{"order", "index"} {
			placed := 0
			for seed := uint64(1); seed <= 30; seed++ {
				placed += placerLockstep(t, "fgd", strategies.Args{"ties": ties, "exact": exact}, strategies.Args{"scan": true}, seed, 5000)
			}
			t.Logf("exact %v, ties %s: %d placements, all the same", exact, ties, placed)
			if placed == 0 {
				t.Fatal("nothing placed")
			}
		}
	}
}

// TestDemandIndexMatchesScan: worst-fit, dot-product and gpu-packing on
// their trees per demand (demandIndex) place every task where their scans
// (scan: true, the oracles) do, node and GPUs, with the seeded tie order
// (the default) and lowest-index ties, on 30 random GPU clusters through
// 5,000 random arrivals and departures each.
func TestDemandIndexMatchesScan(t *testing.T) {
	for _, name := range []string{"worst-fit", "dot-product", "gpu-packing"} {
		for _, ties := range []string{"order", "index"} {
			placed := 0
			for seed := uint64(1); seed <= 30; seed++ {
				placed += placerLockstep(t, name, strategies.Args{"ties": ties}, strategies.Args{"scan": true}, seed, 5000)
			}
			t.Logf("%s, ties %s: %d placements, all the same", name, ties, placed)
			if placed == 0 {
				t.Fatal("nothing placed")
			}
		}
	}
}
