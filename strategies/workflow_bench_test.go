package strategies_test

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// BenchmarkWorkflowStream is the performance case: 10,000
// workflows of 100 layered tasks (1 M tasks; 10 layers, CCR 0.5) arriving
// 10 s apart through heft on 1,000 one-core nodes of two kinds, and a
// 200-workflow stream through heft and ready-fifo. tasks/s is reported.
func BenchmarkWorkflowStream(b *testing.B) {
	for _, c := range []struct {
		strategy  string
		workflows int
	}{{"heft", 10000}, {"heft", 200}, {"ready-fifo", 200}} {
		b.Run(fmt.Sprintf("%s/%d", c.strategy, c.workflows), func(b *testing.B) {
			nodes := make([]sim.NodeSpec, 1000)
			for i := range nodes {
				nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n%d", i), Group: []string{"fast", "slow"}[i%2], Slots: 1, Speed: []float64{2, 1}[i%2], CPU: 1000, Memory: 1 << 40}
			}
			for n := 0; n < b.N; n++ {
				g := traces.DAGGen{Shape: traces.Layered, Tasks: 100, Layers: 10, EdgeProb: 0.1, MeanWork: 10 * sim.Second, CCR: 0.5, Bandwidth: 1e9, Workflows: c.workflows, Interarrival: 10 * sim.Second, Seed: 1}
				src, err := g.Source()
				if err != nil {
					b.Fatal(err)
				}
				s, _ := strategies.New(c.strategy, nil, sim.NewRand(1, "x"))
				e, err := sim.NewScheduler(sim.Config{Nodes: nodes, Central: sim.Central{Transfer: sim.Transfer{Latency: sim.Millisecond, Bandwidth: 1e9}}}, src, s)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Run(); err != nil {
					b.Fatal(err)
				}
				if r := e.Result(); r.Tasks.Completed != int64(100*c.workflows) {
					b.Fatalf("%d tasks completed", r.Tasks.Completed)
				}
			}
			b.ReportMetric(float64(100*c.workflows*b.N)/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}
