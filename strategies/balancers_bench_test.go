package strategies_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// scaleBalancers are every registered balancer as BenchmarkBalancers runs
// them: each name of the registry whose Kind includes Balancer, weighted
// least-connections beside the plain one, power-of-d with d = 3 beside
// p2c, consistent-hash keyed by task id on a Maglev table larger than
// 10^5 nodes (its default of 65,537 entries refuses more nodes) and geo
// on one region and on four. TestScaleBalancersCoverRegistry checks that
// no registered balancer is missing.
var scaleBalancers = []struct {
	name    string
	args    strategies.Args
	regions int // geo: nodes and task origins spread over this many regions
}{
	{name: "random"},
	{name: "round-robin"},
	{name: "weighted-round-robin"},
	{name: "least-connections"},
	{name: "least-connections", args: strategies.Args{"weighted": true}},
	{name: "jsq"},
	{name: "p2c"},
	{name: "power-of-d", args: strategies.Args{"d": 3}},
	{name: "geo"},
	{name: "geo", regions: 4},
	{name: "resource-based"},
	{name: "adaptive"},
	{name: "least-request"},
	{name: "consistent-hash", args: strategies.Args{"key": "id", "table": 1000003}},
	{name: "queue"},
}

// TestScaleBalancersCoverRegistry: BenchmarkBalancers runs every
// registered balancer (the registry's names whose Kind includes Balancer).
func TestScaleBalancersCoverRegistry(t *testing.T) {
	have := map[string]bool{}
	for _, b := range scaleBalancers {
		have[b.name] = true
	}
	for _, name := range strategies.Names() {
		if info, _ := strategies.Lookup(name); info.Of()&strategies.Balancer != 0 && !have[name] {
			t.Errorf("balancer %q is registered but BenchmarkBalancers does not run it", name)
		}
	}
}

// regionNodes are n single-slot nodes of speed 1 spread over k regions
// (r0, r1, …; none when k ≤ 1) in blocks.
func regionNodes(n, k int) []sim.NodeSpec {
	nodes := unitNodes(n)
	if k > 1 {
		for i := range nodes {
			nodes[i].Region = "r" + strconv.Itoa(i*k/n)
		}
	}
	return nodes
}

// fourRegions are the round-trip times of scripts/bench-scale.sh's four
// regions, 20 ms per hop.
func fourRegions() *sim.Network {
	nw := &sim.Network{Regions: []string{"r0", "r1", "r2", "r3"}, RTT: make([]sim.Time, 16)}
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			nw.RTT[a*4+b] = sim.Time([]int{0, 20, 40, 80}[max(a-b, b-a)]) * sim.Millisecond
		}
	}
	return nw
}

// originSource stamps generated tasks with an origin region in turn.
type originSource struct {
	sim.Source
	regions []string
	k       int
}

func (s *originSource) Next(t *sim.Task) error {
	if err := s.Source.Next(t); err != nil {
		return err
	}
	t.Region = s.regions[s.k]
	if s.k++; s.k == len(s.regions) {
		s.k = 0
	}
	return nil
}

// balancerRun runs one balancer as BenchmarkBalancers does: n single-slot
// nodes at 90 % load, tasks Poisson requests of exponential 1 s work, a
// tenth of them warm-up.
func balancerRun(tb testing.TB, name string, args strategies.Args, regions int, nodes []sim.NodeSpec, tasks int64) {
	st, err := strategies.New(name, args, sim.NewRand(1, "strategy/"+name))
	if err != nil {
		tb.Fatal(err)
	}
	var src sim.Source = traces.NewGenerator(traces.Poisson{Rate: 0.9 * float64(len(nodes))}, traces.Exponential{Mean: sim.Second}, 1)
	cfg := sim.Config{Nodes: nodes, StopTasks: tasks, WarmupTasks: tasks / 10}
	if regions > 1 {
		o := &originSource{Source: src}
		for r := 0; r < regions; r++ {
			o.regions = append(o.regions, "r"+strconv.Itoa(r))
		}
		src, cfg.Network = o, fourRegions()
	}
	e, err := sim.NewEngine(cfg, src, st)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Run(); err != nil {
		tb.Fatal(err)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBalancers: every registered balancer (scaleBalancers) on 10^5
// single-slot nodes at 90 % load, one op a whole run (set-up included) of
// 500,000 requests (5 per node: the set-up is a large share) and of
// 5,000,000 (50 per node, closer to steady state). req/s is requests per
// wall second, req/cpu-s per CPU second of the process (user + system,
// getrusage), the figure to read on a shared machine. BALANCERS_NODES
// overrides the size (e.g. 1000000). make bench-scale; README and
// docs/performance.md quote it.
func BenchmarkBalancers(b *testing.B) {
	n := 100_000
	if s := os.Getenv("BALANCERS_NODES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("BALANCERS_NODES=%q: expected a positive integer", s)
		}
	}
	plain := regionNodes(n, 1)
	for _, x := range scaleBalancers {
		label := x.name
		for _, k := range slices.Sorted(maps.Keys(x.args)) {
			label += fmt.Sprintf("{%s=%v}", k, x.args[k])
		}
		nodes := plain
		if x.regions > 1 {
			label += fmt.Sprintf("{regions=%d}", x.regions)
			nodes = regionNodes(n, x.regions)
		}
		for _, tasks := range []int64{500_000, 5_000_000} {
			b.Run(fmt.Sprintf("%s/nodes=%d/requests=%d", label, n, tasks), func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					balancerRun(b, x.name, x.args, x.regions, nodes, tasks)
				}
				cpu = cpuTime() - cpu
				req := float64(tasks) * float64(b.N)
				b.ReportMetric(req/b.Elapsed().Seconds(), "req/s")
				if cpu > 0 {
					b.ReportMetric(req/cpu.Seconds(), "req/cpu-s")
				}
			})
		}
	}
}

// TestBalancersAllocateNothingPerRequest: every balancer of
// BenchmarkBalancers allocates nothing per request in steady state: a run
// of 40,000 requests on 300 nodes allocates at most 50 more times than
// one of 20,000 (the set-up is the same; the slack covers queues and
// buckets growing to a new peak), counted by testing.AllocsPerRun.
func TestBalancersAllocateNothingPerRequest(t *testing.T) {
	for _, b := range scaleBalancers {
		nodes := regionNodes(300, b.regions)
		short := testing.AllocsPerRun(2, func() { balancerRun(t, b.name, b.args, b.regions, nodes, 20000) })
		long := testing.AllocsPerRun(2, func() { balancerRun(t, b.name, b.args, b.regions, nodes, 40000) })
		t.Logf("%s %v regions %d: %.0f allocations for 20,000 requests, %.0f for 40,000", b.name, b.args, b.regions, short, long)
		if long-short > 50 {
			t.Errorf("%s %v regions %d: %.0f allocations for 20,000 more requests, want 0 per request", b.name, b.args, b.regions, long-short)
		}
	}
}
