package strategies_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// TestLeastConnectionsIndexMatchesScan: least-connections with its load
// index makes exactly the choices of the O(n) scan it replaced (scan:
// true, the oracle), plain and weighted, on random clusters through the
// engine's dynamics that change loads and health behind the strategy's
// back: scheduled failures and drains, lagged health checks, random
// failures and an autoscaled group, at loads below and above capacity.
// The runs' records must be identical task by task.
func TestLeastConnectionsIndexMatchesScan(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
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
		cfg := sim.Config{Nodes: nodes, StopTasks: 20000, Seed: seed,
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
		for _, weighted := range []bool{false, true} {
			run := func(scan bool) []sim.Record {
				var recs []sim.Record
				c := cfg
				c.OnRecord = func(rec *sim.Record) {
					x := *rec
					x.Task = nil
					recs = append(recs, x)
				}
				src := traces.NewGenerator(traces.Poisson{Rate: load * capacity}, traces.Exponential{Mean: sim.Second}, seed)
				runEngine(t, "least-connections", strategies.Args{"weighted": weighted, "scan": scan}, c, src)
				return recs
			}
			fast, oracle := run(false), run(true)
			if len(fast) != len(oracle) || len(fast) == 0 {
				t.Fatalf("seed %d weighted %v: %d records with the index, %d with the scan", seed, weighted, len(fast), len(oracle))
			}
			for k := range fast {
				if !reflect.DeepEqual(fast[k], oracle[k]) {
					t.Fatalf("seed %d (%d nodes, load %.2f) weighted %v: record %d differs:\nindex %+v\nscan  %+v", seed, n, load, weighted, k, fast[k], oracle[k])
				}
			}
		}
	}
}

// indexed are the balancers with an index and a scan: true oracle.
var indexed = []struct {
	name string
	args strategies.Args
}{
	{"least-connections", nil}, {"least-connections", strategies.Args{"weighted": true}},
	{"jsq", nil}, {"least-request", nil}, {"weighted-round-robin", nil}, {"geo", nil},
}

// scaleRun runs name with args on n single-slot nodes at 90 % load for
// tasks requests (a tenth of them warm-up).
func scaleRun(tb testing.TB, name string, args strategies.Args, nodes []sim.NodeSpec, tasks int64) {
	st, err := strategies.New(name, args, sim.NewRand(1, "strategy/"+name))
	if err != nil {
		tb.Fatal(err)
	}
	gen := traces.NewGenerator(traces.Poisson{Rate: 0.9 * float64(len(nodes))}, traces.Exponential{Mean: sim.Second}, 1)
	e, err := sim.NewEngine(sim.Config{Nodes: nodes, StopTasks: tasks, WarmupTasks: tasks / 10}, gen, st)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Run(); err != nil {
		tb.Fatal(err)
	}
}

func unitNodes(n int) []sim.NodeSpec {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	return nodes
}

// TestIndexedBalancersAllocateNothingPerRequest: the indexed balancers
// allocate nothing per request in steady state: a run of 40,000 requests
// on 300 nodes allocates at most 50 more times than one of 20,000 (the
// set-up is the same; the slack covers a queue growing to a new peak),
// counted by testing.AllocsPerRun.
func TestIndexedBalancersAllocateNothingPerRequest(t *testing.T) {
	nodes := unitNodes(300)
	for _, b := range indexed {
		short := testing.AllocsPerRun(2, func() { scaleRun(t, b.name, b.args, nodes, 20000) })
		long := testing.AllocsPerRun(2, func() { scaleRun(t, b.name, b.args, nodes, 40000) })
		t.Logf("%s %v: %.0f allocations for 20,000 requests, %.0f for 40,000", b.name, b.args, short, long)
		if long-short > 50 {
			t.Errorf("%s %v: %.0f allocations for 20,000 more requests, want 0 per request", b.name, b.args, long-short)
		}
	}
}

// BenchmarkBalancerScale: the indexed balancers and their O(n) oracles
// (scan: true) at 90 % load on 10^3 to 10^5 single-slot nodes (the scans
// only to 10^4: at 10^5 they take minutes). One op is one run of 500,000
// requests; req/s is requests per wall second. make bench-scale.
func BenchmarkBalancerScale(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		nodes := unitNodes(n)
		for _, x := range indexed {
			for _, scan := range []bool{false, true} {
				if scan && n > 10_000 {
					continue
				}
				args := strategies.Args{"scan": scan}
				label := x.name
				for k, v := range x.args {
					args[k] = v
					label += fmt.Sprintf("{%s=%v}", k, v)
				}
				mode := "index"
				if scan {
					mode = "scan"
				}
				b.Run(fmt.Sprintf("%s/%s/nodes=%d", label, mode, n), func(b *testing.B) {
					const tasks = 500_000
					b.ReportAllocs()
					for b.Loop() {
						scaleRun(b, x.name, args, nodes, tasks)
					}
					b.ReportMetric(float64(tasks)*float64(b.N)/b.Elapsed().Seconds(), "req/s")
				})
			}
		}
	}
}
