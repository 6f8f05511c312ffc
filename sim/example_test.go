package sim_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// An engine run: 10 single-slot nodes behind random routing at 80 % load,
// which theory says is M/M/1 per node with mean sojourn 1/(1−0.8) = 5 s.
func ExampleEngine() {
	nodes := make([]sim.NodeSpec, 10)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	st, _ := strategies.New("random", nil, sim.NewRand(1, "strategy/random"))
	gen := traces.NewGenerator(traces.Poisson{Rate: 8}, traces.Exponential{Mean: sim.Second}, 1)
	cfg := sim.Config{Nodes: nodes, StopTasks: 500_000, WarmupTasks: 50_000}
	e, err := sim.NewEngine(cfg, gen, st)
	if err != nil {
		panic(err)
	}
	for done := false; !done; {
		if done, err = e.Step(1 << 16); err != nil {
			panic(err)
		}
	}
	r := e.Result()
	fmt.Printf("measured %d tasks, mean sojourn %.2fs, utilization %.2f\n", r.Tasks.Completed, r.Latency.Mean, r.Utilization)
	// Output:
	// measured 450000 tasks, mean sojourn 4.95s, utilization 0.80
}
