package external_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies/external"
)

// A strategy in three lines of shell: it answers the hello, then sends
// every task to node 1. Any program that reads and writes lines will do.
func ExampleStart() {
	script := `read hello
echo '{"type":"hello","protocol":1,"ops":["pick"]}'
n=0; while read msg; do n=$((n+1)); echo "{\"seq\":$n,\"node\":1}"; done`
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1}, {Name: "b", Slots: 1, Speed: 1}}
	st, x, err := external.Start(external.Config{Command: []string{"sh", "-c", script}, Name: "second"},
		external.Spec{Nodes: nodes, Seed: 1, Stream: "strategy/second"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	v := sim.NewView(nodes)
	for id := int64(0); id < 3; id++ {
		fmt.Println(st.Name(), "sends task", id, "to node", st.(sim.Picker).Pick(v, &sim.Task{ID: id}))
	}
	// Output:
	// second sends task 0 to node 1
	// second sends task 1 to node 1
	// second sends task 2 to node 1
}
