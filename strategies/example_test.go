package strategies_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// fastest is an out-of-tree strategy: it sends each task to the node with
// the shortest expected wait per unit of speed, (in system + 1) / speed.
// It implements sim.Picker and nothing else.
type fastest struct{}

func (fastest) Name() string { return "example-fastest" }

func (fastest) Pick(v *sim.View, _ *sim.Task) int {
	best, bestCost := sim.Drop, 0.0
	for i := 0; i < v.Len(); i++ {
		cost := float64(v.InSystem(i)+1) / v.Spec(i).Speed
		if best == sim.Drop || cost < bestCost {
			best, bestCost = i, cost
		}
	}
	return best
}

// A researcher's strategy, registered from their own module and run like a
// built-in one (scenario files and the CLI then know its name too).
func Example_outOfTreeStrategy() {
	err := strategies.Register(strategies.Info{
		Name:        "example-fastest",
		Description: "shortest expected wait per unit of speed",
		New:         func(strategies.Args, *sim.Rand) (sim.Strategy, error) { return fastest{}, nil },
	})
	if err != nil {
		panic(err)
	}
	nodes := []sim.NodeSpec{
		{Name: "slow", Slots: 1, Speed: 0.5},
		{Name: "fast", Slots: 1, Speed: 2},
	}
	for _, name := range []string{"round-robin", "example-fastest"} {
		st, _ := strategies.New(name, nil, sim.NewRand(1, "strategy/"+name))
		gen := traces.NewGenerator(traces.Poisson{Rate: 1.5}, traces.Exponential{Mean: sim.Second / 2}, 1)
		e, _ := sim.NewEngine(sim.Config{Nodes: nodes, StopTasks: 100_000}, gen, st)
		if err := e.Run(); err != nil {
			panic(err)
		}
		r := e.Result()
		fmt.Printf("%-16s mean sojourn %.2fs, tasks on slow node %d\n", name, r.Latency.Mean, r.Nodes[0].Tasks)
	}
	// Output:
	// round-robin      mean sojourn 1.76s, tasks on slow node 50000
	// example-fastest  mean sojourn 0.38s, tasks on slow node 2488
}
