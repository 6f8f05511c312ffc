package sim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
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

// recordingObserver keeps a copy of every task the strategy is told of.
type recordingObserver struct {
	sim.Strategy
	started, finished []sim.Task
}

func (o *recordingObserver) Pick(v *sim.View, t *sim.Task) int { return int(t.ID) % v.Len() }
func (o *recordingObserver) Started(_ *sim.View, t *sim.Task, _ int) {
	o.started = append(o.started, *t)
}
func (o *recordingObserver) Finished(_ *sim.View, t *sim.Task, _ int, _ sim.Time) {
	o.finished = append(o.finished, *t)
}
func (o *recordingObserver) Failed(*sim.View, *sim.Task, int) {}

// TestTasksComeBackWhole: a slot holds only what the event loop reads of
// a task and keeps the rest aside for the tasks that have any (slab.go);
// every field of every task still reaches the strategy's hooks and the
// records as the source gave it, for tasks with and without the other
// fields, interleaved so that kept-aside copies are recycled.
func TestTasksComeBackWhole(t *testing.T) {
	var tasks []sim.Task
	for i := range 200 {
		tk := sim.Task{ID: int64(i), Arrival: sim.Time(i) * sim.Millisecond, Work: sim.Time(1+i%7) * sim.Millisecond, CPU: int64(i % 3), Memory: int64(i % 5 * 1024)}
		switch i % 4 {
		case 1:
			tk.Class, tk.Tenant, tk.Priority = "gold", "t-"+string(rune('a'+i%26)), int32(i)
		case 2:
			tk.Region, tk.Estimate, tk.PromptTokens, tk.OutputTokens = "eu", sim.Time(i), int32(i), 3
		case 3:
			tk.GPUSpec, tk.MemoryUse, tk.Workflow = "V100", int64(i), ""
		}
		tasks = append(tasks, tk)
	}
	st, _ := strategies.New("round-robin", nil, nil)
	obs := &recordingObserver{Strategy: st}
	var recs []sim.Task
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1}, {Name: "b", Slots: 2, Speed: 2}, {Name: "c", Slots: 1, Speed: 0.5}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes, OnRecord: func(r *sim.Record) { recs = append(recs, *r.Task) }}, &sliceSource{tasks: tasks}, obs)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]sim.Task{"started": obs.started, "finished": obs.finished, "records": recs} {
		if len(got) != len(tasks) {
			t.Fatalf("%s: %d tasks, want %d", name, len(got), len(tasks))
		}
		byID := map[int64]sim.Task{}
		for _, tk := range got {
			byID[tk.ID] = tk
		}
		for _, want := range tasks {
			if byID[want.ID] != want {
				t.Errorf("%s: task %d came back as %+v, want %+v", name, want.ID, byID[want.ID], want)
			}
		}
	}
}

// plainHidden hides a generator's NextPlain from the engine.
type plainHidden struct{ sim.Source }

// TestPlainSourceSameResult: a generator read through NextPlain (the
// engine keeps the task's other fields zero) and through Next give the
// same Result.
func TestPlainSourceSameResult(t *testing.T) {
	var res [2]sim.Result
	for k := range res {
		nodes := make([]sim.NodeSpec, 50)
		for i := range nodes {
			nodes[i] = sim.NodeSpec{Name: "n", Slots: 1, Speed: 1}
		}
		st, _ := strategies.New("p2c", nil, sim.NewRand(1, "strategy/p2c"))
		var src sim.Source = traces.NewGenerator(traces.Poisson{Rate: 45}, traces.Exponential{Mean: sim.Second}, 1)
		if k == 1 {
			src = plainHidden{src}
		}
		e, err := sim.NewEngine(sim.Config{Nodes: nodes, StopTasks: 100_000, WarmupTasks: 10_000}, src, st)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		res[k] = e.Result()
	}
	if !reflect.DeepEqual(res[0], res[1]) {
		t.Errorf("NextPlain and Next give different results:\n%+v\n%+v", res[0], res[1])
	}
}
