package strategies_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// A diamond workflow (a → b, a → c, b and c → d) on two one-core nodes,
// under HEFT. Each edge carries 1 MB over 1 MB/s (1 s between nodes).
// b and c run in parallel: c on the other node after a 1 s transfer; d
// then finishes first on n1 (max(7, 6+1) + 2 = 9; on n0 max(6, 7+1) + 2 = 10).
func Example_heft() {
	nodes := []sim.NodeSpec{
		{Name: "n0", Slots: 1, Speed: 1, CPU: 1000},
		{Name: "n1", Slots: 1, Speed: 1, CPU: 1000},
	}
	edge := func(ids ...int64) *sim.Deps {
		d := &sim.Deps{}
		for _, id := range ids {
			d.Parents = append(d.Parents, sim.Edge{Parent: id, Bytes: 1e6})
		}
		return d
	}
	work := []float64{2, 4, 4, 2}
	deps := []*sim.Deps{nil, edge(0), edge(0), edge(1, 2)}
	var tasks []sim.Task
	for k := range work {
		tasks = append(tasks, sim.Task{ID: int64(k), Workflow: "diamond", CPU: 1000, Work: sim.FromSeconds(work[k]), Deps: deps[k]})
	}
	s, _ := strategies.New("heft", nil, nil)
	cfg := sim.Config{Nodes: nodes, Central: sim.Central{Transfer: sim.Transfer{Bandwidth: 1e6}}}
	cfg.OnRecord = func(r *sim.Record) {
		fmt.Printf("task %d on %s: %g-%g s\n", r.Task.ID, nodes[r.Node].Name, r.Start.Seconds(), r.Finish.Seconds())
	}
	e, _ := sim.NewScheduler(cfg, &wfTasks{ts: tasks}, s)
	if err := e.Run(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("makespan %g s, data moved %d bytes\n", e.Result().MakespanS, e.Result().Workflow.DataMovedBytes)
	// Output:
	// task 0 on n0: 0-2 s
	// task 1 on n0: 2-6 s
	// task 2 on n1: 3-7 s
	// task 3 on n1: 7-9 s
	// makespan 9 s, data moved 2000000 bytes
}
