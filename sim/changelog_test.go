package sim_test

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestChangeLog: every change of a node's load or health through the View
// is listed, in order, until Reset; past the bound the log says it
// overflowed instead of listing, and Reset clears that too.
func TestChangeLog(t *testing.T) {
	v := sim.NewView(make([]sim.NodeSpec, 4))
	c := v.TrackChanges()
	if len(c.Nodes()) != 0 || c.Overflow() {
		t.Fatal("a new log is not empty")
	}
	v.SetLoad(2, sim.NodeLoad{Active: 1})
	v.SetLoad(0, sim.NodeLoad{Down: true})
	v.SetLoad(2, sim.NodeLoad{Active: 1, Queued: 1})
	if got := fmt.Sprint(c.Nodes()); got != "[2 0 2]" {
		t.Errorf("nodes %s, want [2 0 2]", got)
	}
	c.Reset()
	if len(c.Nodes()) != 0 {
		t.Errorf("after Reset: %v", c.Nodes())
	}
	for k := 0; k < 1000; k++ {
		v.SetLoad(k%4, sim.NodeLoad{Active: int32(k)})
	}
	if !c.Overflow() {
		t.Errorf("1,000 changes listed without overflow: %d nodes", len(c.Nodes()))
	}
	c.Reset()
	v.SetLoad(3, sim.NodeLoad{})
	if c.Overflow() || fmt.Sprint(c.Nodes()) != "[3]" {
		t.Errorf("after Reset: overflow %v, nodes %v", c.Overflow(), c.Nodes())
	}
}

// ExampleView_TrackChanges: a strategy that predicted the View checks
// only the nodes that changed.
func ExampleView_TrackChanges() {
	v := sim.NewView(make([]sim.NodeSpec, 1000))
	log := v.TrackChanges()
	// The executor sends a task to node 7 and node 9 goes down.
	v.SetLoad(7, sim.NodeLoad{Active: 1})
	v.SetLoad(9, sim.NodeLoad{Down: true})
	for _, i := range log.Nodes() {
		fmt.Println("node", i, "healthy:", v.Healthy(int(i)), "in system:", v.InSystem(int(i)))
	}
	log.Reset()
	// Output:
	// node 7 healthy: true in system: 1
	// node 9 healthy: false in system: 0
}
