package sim_test

import (
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// TestTimeOverflowIsAnError: a task whose service on a very slow node would
// end past the largest representable time stops the run with an error, not
// with a wrapped-around negative time.
func TestTimeOverflowIsAnError(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "glacial", Slots: 1, Speed: 1e-15}}
	st, _ := strategies.New("round-robin", nil, nil)
	src := &sliceSource{tasks: []sim.Task{{ID: 7, Arrival: 0, Work: 1000 * sim.Second}}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes}, src, st)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Run()
	if err == nil || !strings.Contains(err.Error(), "task 7 would finish after the end of representable time") {
		t.Fatalf("got %v", err)
	}
}

// TestOutOfOrderSourceIsAnError: a workload going back in time is refused
// with the task's id, never silently reordered.
func TestOutOfOrderSourceIsAnError(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n", Slots: 1, Speed: 1}}
	st, _ := strategies.New("round-robin", nil, nil)
	src := &sliceSource{tasks: []sim.Task{{ID: 1, Arrival: 5 * sim.Second, Work: 1}, {ID: 2, Arrival: 3 * sim.Second, Work: 1}}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes}, src, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err == nil || !strings.Contains(err.Error(), "task 2 arrives at 3s, before the previous task (5s)") {
		t.Fatalf("got %v", err)
	}
}

// badPicker picks a node that does not exist.
type badPicker struct{}

func (badPicker) Name() string                      { return "bad" }
func (badPicker) Pick(v *sim.View, _ *sim.Task) int { return v.Len() }

func TestStrategyCannotCorruptTheModel(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n", Slots: 1, Speed: 1}}
	src := &sliceSource{tasks: []sim.Task{{ID: 1, Work: 1}}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes}, src, badPicker{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err == nil || !strings.Contains(err.Error(), "strategy bad picked node 1 for task 1; valid nodes are 0..0") {
		t.Fatalf("got %v", err)
	}
}
