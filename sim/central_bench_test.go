package sim_test

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// BenchmarkCentral times central queueing: 50,000 Poisson jobs of 1 core
// through least-allocated on 100 nodes of 8 cores at 90 % load, greedy
// backfilling under the priority queue. It guards the central scheduler's
// speed (GOMAXPROCS=1 go test -run '^$' -bench Central ./sim/).
func BenchmarkCentral(b *testing.B) {
	const n, tasks = 100, 50_000
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1, CPU: 8000, Memory: 32 << 30}
	}
	b.ReportAllocs()
	for b.Loop() {
		st, err := strategies.New("least-allocated", nil, sim.NewRand(1, "strategy"))
		if err != nil {
			b.Fatal(err)
		}
		q, _ := strategies.New("priority", nil, sim.NewRand(1, "queue"))
		gen := traces.NewGenerator(traces.Poisson{Rate: 0.9 * 8 * n}, traces.Exponential{Mean: sim.Second}, 1)
		shaped, err := traces.NewWithShapes(gen, []sim.TaskShape{{CPU: 1000, Weight: 1}}, sim.NewRand(1, "shapes"))
		if err != nil {
			b.Fatal(err)
		}
		cfg := sim.Config{Nodes: nodes, StopTasks: tasks, Central: sim.Central{Queue: q.(sim.QueueSorter), Backfill: sim.Greedy}}
		e, err := sim.NewScheduler(cfg, shaped, st)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(tasks)*float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}
