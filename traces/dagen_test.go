package traces_test

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// TestDAGGenShapes checks the generated structure: task and edge counts
// of fork-join (Stages × (Width+2) tasks, 2·Width edges per stage plus
// one between stages), every task after its parents and in its workflow,
// every non-entry layered task with a parent in the layer before, and
// arrivals shared within a workflow and non-decreasing across them.
func TestDAGGenShapes(t *testing.T) {
	fj := traces.DAGGen{Shape: traces.ForkJoin, Width: 4, Stages: 3, MeanWork: sim.Second, CCR: 1, Bandwidth: 1e6, Workflows: 5, Interarrival: 10 * sim.Second, Seed: 1}
	src, err := fj.Source()
	if err != nil {
		t.Fatal(err)
	}
	ts, err := readAll(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 5*3*6 {
		t.Fatalf("%d tasks, want 5 workflows x 3 stages x (4+2) = 90", len(ts))
	}
	edges := 0
	for _, task := range ts {
		edges += len(task.ParentEdges())
	}
	if want := 5 * (3*2*4 + 2); edges != want {
		t.Errorf("%d edges, want %d", edges, want)
	}
	checkDAGStream(t, ts)

	ly := traces.DAGGen{Shape: traces.Layered, Tasks: 100, Layers: 7, EdgeProb: 0.2, MeanWork: sim.Second, CCR: 0.5, Bandwidth: 1e6, Workflows: 20, Interarrival: sim.Second, Seed: 2}
	src, err = ly.Source()
	if err != nil {
		t.Fatal(err)
	}
	ts, err = readAll(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2000 {
		t.Fatalf("%d tasks, want 20 x 100", len(ts))
	}
	checkDAGStream(t, ts)
	// Layer widths are 15,15,14,14,14,14,14: tasks 15.. have parents.
	for k, task := range ts {
		if k%100 >= 15 && len(task.ParentEdges()) == 0 {
			t.Errorf("task %d in a later layer has no parent", task.ID)
		}
		if k%100 < 15 && len(task.ParentEdges()) != 0 {
			t.Errorf("task %d in the first layer has parents", task.ID)
		}
	}
}

func checkDAGStream(t *testing.T, ts []sim.Task) {
	t.Helper()
	where := map[int64]sim.Task{}
	for k, task := range ts {
		if k > 0 && task.Arrival < ts[k-1].Arrival {
			t.Fatalf("task %d arrives before the previous task", task.ID)
		}
		for _, e := range task.ParentEdges() {
			p, ok := where[e.Parent]
			if !ok || p.Workflow != task.Workflow || p.Arrival != task.Arrival {
				t.Fatalf("task %d: parent %d is not an earlier task of its workflow", task.ID, e.Parent)
			}
		}
		where[task.ID] = task
	}
}

// TestDAGGenCCR checks the communication-to-computation ratio: mean edge
// transfer time (bytes / bandwidth) over mean work is CCR within 3 % over
// ~30,000 edges and 10,000 tasks (each a uniform on [0.5, 1.5] × mean:
// relative standard error about 0.29/sqrt(n), under 0.6 % for the tasks).
func TestDAGGenCCR(t *testing.T) {
	for _, ccr := range []float64{0.1, 1, 5} {
		g := traces.DAGGen{Shape: traces.Layered, Tasks: 100, Layers: 10, EdgeProb: 0.3, MeanWork: 2 * sim.Second, CCR: ccr, Bandwidth: 1e8, Workflows: 100, Seed: 3}
		src, err := g.Source()
		if err != nil {
			t.Fatal(err)
		}
		ts, err := readAll(src)
		if err != nil {
			t.Fatal(err)
		}
		var work, comm float64
		var edges int
		for _, task := range ts {
			work += task.Work.Seconds()
			for _, e := range task.ParentEdges() {
				comm += float64(e.Bytes) / g.Bandwidth
				edges++
			}
		}
		got := (comm / float64(edges)) / (work / float64(len(ts)))
		if math.Abs(got-ccr) > 0.03*ccr {
			t.Errorf("CCR %g: measured %.4f over %d edges", ccr, got, edges)
		}
	}
}

// TestDAGGenValidate checks that bad parameters are refused.
func TestDAGGenValidate(t *testing.T) {
	for _, g := range []traces.DAGGen{
		{Shape: "ring", Tasks: 1, Layers: 1, MeanWork: 1, Workflows: 1},
		{Shape: traces.Layered, Tasks: 2, Layers: 3, MeanWork: 1, Workflows: 1},
		{Shape: traces.ForkJoin, Width: 0, Stages: 1, MeanWork: 1, Workflows: 1},
		{Shape: traces.ForkJoin, Width: 1, Stages: 1, MeanWork: 1, CCR: 1, Workflows: 1},
		{Shape: traces.ForkJoin, Width: 1, Stages: 1, MeanWork: 1, CCR: math.NaN(), Bandwidth: 1, Workflows: 1},
	} {
		if _, err := g.Source(); err == nil {
			t.Errorf("%+v accepted", g)
		}
	}
}
