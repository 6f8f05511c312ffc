package sim_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// Endpoints driven by a caller's clock: two endpoint slots of one request
// at a time, requests every 0.5 s (0.5 s to 4.5 s) needing 0.8 s, round
// robin, one retry. Both pods are Ready at 0; slot 0's container dies at
// 2.2 s while the Service still lists it, and it leaves the Service at
// 3 s. Worked by hand: round robin sends 0.5 s and 1.5 s to pod-0, 1 s and
// 2 s to pod-1; pod-0 loses the 1.5 s request at 2.2 s, and its retry,
// sent to pod-0 (round robin's turn, still listed), is lost too: failed.
// 2.5 s goes to pod-1, and from 3 s on everything does: pod-0 served 1,
// pod-1 7.
func ExampleEndpoints() {
	slots := []sim.NodeSpec{{Name: "pod-0", Slots: 1, Speed: 1}, {Name: "pod-1", Slots: 1, Speed: 1}}
	rr, _ := strategies.New("round-robin", nil, nil)
	gen := traces.NewGenerator(traces.Deterministic{Rate: 2}, traces.Constant{Value: 800 * sim.Millisecond}, 1)
	cfg := sim.Config{Nodes: slots, StopTime: 5 * sim.Second, Client: sim.Client{Retries: 1}}
	ep, err := sim.NewEndpoints(cfg, gen, rr, nil)
	if err != nil {
		panic(err)
	}
	ep.Set(0, true, true)
	ep.Set(1, true, true)
	at := func(t sim.Time, f func()) { // run the requests up to t, then change a slot
		if err := ep.RunUntil(t - 1); err != nil {
			panic(err)
		}
		ep.Advance(t)
		f()
	}
	at(2200*sim.Millisecond, func() { ep.Set(0, false, true) }) // the container dies
	at(3*sim.Second, func() { ep.Set(0, false, false) })        // not Ready: out of the Service
	for {
		t, ok := ep.Next()
		if !ok {
			break
		}
		if err := ep.RunUntil(t); err != nil {
			panic(err)
		}
	}
	r := ep.Result()
	fmt.Printf("requests %d, served %d, failed %d, lost attempts %d, retries %d\n",
		r.Tasks.Arrived, r.Tasks.Completed, r.Tasks.Failed, r.Faults.LostAttempts, r.Faults.Retries)
	fmt.Printf("served by pod-0 %d, by pod-1 %d\n", r.Nodes[0].Tasks, r.Nodes[1].Tasks)
	// Output:
	// requests 9, served 8, failed 1, lost attempts 2, retries 1
	// served by pod-0 1, by pod-1 7
}
