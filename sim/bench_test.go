package sim_test

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// benchEngine builds the acceptance benchmark's run: Poisson requests
// through strategy on n single-slot speed-1 nodes at load rho, exponential
// service of mean 1 s, with every metric on (histograms, utilization,
// imbalance, Little's law area) and no records.
func benchEngine(tb testing.TB, strategy string, n int, rho float64, tasks int64) *sim.Engine {
	return benchEngineWith(tb, strategy, n, rho, tasks, nil)
}

// benchNodes is n single-slot speed-1 nodes named n-0, n-1, ... (the names
// fmt.Sprintf("n-%d", i) gives), the names substrings of one string: at
// 10^6 nodes a million small allocations were a good part of the set-up,
// which the benchmarks count (the scenario names a group's nodes the same
// way, scenario.indexedNames).
func benchNodes(n int) []sim.NodeSpec {
	var sb strings.Builder
	sb.Grow(n * 9) // "n-" and up to 7 digits below 10^7
	var num [20]byte
	ends := make([]int, n)
	for i := range ends {
		sb.WriteString("n-")
		sb.Write(strconv.AppendInt(num[:0], int64(i), 10))
		ends[i] = sb.Len()
	}
	all := sb.String()
	nodes := make([]sim.NodeSpec, n)
	for i, at := range ends {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		nodes[i] = sim.NodeSpec{Name: all[start:at], Slots: 1, Speed: 1}
	}
	return nodes
}

// faultsOn is the dynamics of the faults benchmark: every node fails at
// random (MTBF 1 h, MTTR 1 min), health checks every 5 s with threshold 3,
// and clients that time out after 30 s and retry twice with backoff.
func faultsOn(cfg *sim.Config) {
	all := make([]int, len(cfg.Nodes))
	for i := range all {
		all[i] = i
	}
	cfg.Seed = 1
	cfg.RandomFaults = []sim.RandomFaults{{Nodes: all, MTBF: sim.Hour, MTTR: sim.Minute}}
	cfg.Health = &sim.Health{Interval: 5 * sim.Second, Threshold: 3, Rise: 1}
	cfg.Client = sim.Client{Retries: 2, Timeout: 30 * sim.Second, Backoff: 100 * sim.Millisecond, Multiplier: 2}
}

func benchEngineWith(tb testing.TB, strategy string, n int, rho float64, tasks int64, dyn func(*sim.Config)) *sim.Engine {
	tb.Helper()
	nodes := benchNodes(n)
	st, err := strategies.New(strategy, nil, sim.NewRand(1, "strategy/"+strategy))
	if err != nil {
		tb.Fatal(err)
	}
	gen := traces.NewGenerator(traces.Poisson{Rate: rho * float64(n)}, traces.Exponential{Mean: sim.Second}, 1)
	cfg := sim.Config{Nodes: nodes, StopTasks: tasks, WarmupTasks: tasks / 10}
	if dyn != nil {
		dyn(&cfg)
	}
	e, err := sim.NewEngine(cfg, gen, st)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// cpuTime is the process's user plus system CPU time so far. On a shared
// machine it is a steadier measure than wall time: a run's CPU time does not
// grow while it waits for a core.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func maxRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// BenchmarkEndToEnd is the Foundation's acceptance benchmark: 10 M Poisson
// requests through p2c on 1,000 single-slot nodes at 90 % load. The
// +faults case adds random failures of every node, health checks and
// client retries (faultsOn): issue 5 asks it to stay within 25 % of p2c. One op is
// one whole run; req/s is requests per wall second, allocs/op the whole
// run's allocations (a constant for setup: none per request). Run with
// GOMAXPROCS=1 (make bench-e2e).
func BenchmarkEndToEnd(b *testing.B) {
	for _, c := range []struct {
		strategy string
		tasks    int64
		dyn      func(*sim.Config)
		label    string
	}{{"p2c", 10_000_000, nil, ""}, {"random", 10_000_000, nil, ""}, {"round-robin", 10_000_000, nil, ""},
		{"p2c", 10_000_000, faultsOn, "+faults"}} {
		b.Run(fmt.Sprintf("%s%s/nodes=1000/tasks=%dM", c.strategy, c.label, c.tasks/1_000_000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e := benchEngineWith(b, c.strategy, 1000, 0.9, c.tasks, c.dyn)
				if err := e.Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.tasks)*float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(maxRSSMiB(), "peak-RSS-MiB")
		})
	}
}

// TestSteadyStateAllocatesNothing checks the design's claim: once the slab,
// the event queue and the node queues have grown to the work in flight, the
// engine allocates nothing per event.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	for _, s := range []string{"p2c", "random", "round-robin", "least-connections", "jsq", "weighted-round-robin"} {
		e := benchEngine(t, s, 100, 0.9, 0)
		if _, err := e.Step(2_000_000); err != nil { // warm up
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() {
			if _, err := e.Step(50_000); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations per 50,000 events in steady state, want 0", s, n)
		}
	}
}

// BenchmarkReplay compares a trace replay with the same workload
// generated (issue 22: replay at least 0.8× the generated speed): 2 M
// Poisson requests through p2c on 1,000 single-slot nodes at 90 % load,
// once from the generator and once read back from the native CSV (and
// JSONL, and the binary trace cache) the generator's tasks were written
// to, held in memory so that the disk does not count. One op is one whole run; req/s is requests per wall
// second, cpu-ns/req the process's CPU time per request (steadier on a
// shared machine). Run with GOMAXPROCS=1.
func BenchmarkReplay(b *testing.B) {
	const n, tasks = 1000, 2_000_000
	for _, format := range []string{"generated", "csv", "jsonl", "cache"} {
		var data []byte
		if format != "generated" {
			var buf bytes.Buffer
			var w interface {
				Write(*sim.Task) error
				Flush() error
			}
			switch format {
			case "csv":
				w = traces.NewCSVWriter(&buf)
			case "cache":
				w = traces.NewCacheWriter(&buf)
			default:
				w = traces.NewJSONLWriter(&buf)
			}
			gen := traces.NewGenerator(traces.Poisson{Rate: 0.9 * n}, traces.Exponential{Mean: sim.Second}, 1)
			var t sim.Task
			for range tasks {
				gen.Next(&t)
				if err := w.Write(&t); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			data = buf.Bytes()
		}
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				nodes := make([]sim.NodeSpec, n)
				for i := range nodes {
					nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
				}
				st, err := strategies.New("p2c", nil, sim.NewRand(1, "strategy/p2c"))
				if err != nil {
					b.Fatal(err)
				}
				var src sim.Source
				switch format {
				case "generated":
					src = traces.NewGenerator(traces.Poisson{Rate: 0.9 * n}, traces.Exponential{Mean: sim.Second}, 1)
				case "csv":
					src, err = traces.NewCSVReader(bytes.NewReader(data), "replay.csv")
				case "cache":
					src, err = traces.NewCacheReader(bytes.NewReader(data), "replay.fsc")
				default:
					src, err = traces.NewJSONLReader(bytes.NewReader(data), "replay.jsonl")
				}
				if err != nil {
					b.Fatal(err)
				}
				e, err := sim.NewEngine(sim.Config{Nodes: nodes, StopTasks: tasks, WarmupTasks: tasks / 10}, src, st)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tasks)*float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(processCPU()-cpu0)/float64(tasks)/float64(b.N), "cpu-ns/req")
		})
	}
}
