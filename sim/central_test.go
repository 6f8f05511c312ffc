package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// firstFit is the simplest placement: the lowest-indexed node that fits.
func firstFit() sim.Strategy {
	s, err := strategies.New("first-fit", nil, nil)
	if err != nil {
		panic(err)
	}
	return s
}

// job is a task of the hand-worked schedules: arrival, CPUs, true and
// estimated run time, in seconds.
type job struct{ at, cpus, work, est float64 }

func jobs(js ...job) []sim.Task {
	ts := make([]sim.Task, len(js))
	for i, j := range js {
		ts[i] = sim.Task{ID: int64(i + 1), Arrival: sim.FromSeconds(j.at), CPU: int64(j.cpus * 1000),
			Work: sim.FromSeconds(j.work), Estimate: sim.FromSeconds(j.est)}
	}
	return ts
}

// schedule runs tasks through a Scheduler and returns "id:start-finish"
// (seconds) per task in id order, "id:dropped" for those never placed.
func schedule(t *testing.T, cfg sim.Config, tasks []sim.Task, s sim.Strategy) string {
	t.Helper()
	out := make([]string, len(tasks))
	cfg.OnRecord = func(r *sim.Record) {
		if r.Status == sim.Dropped {
			out[r.Task.ID-1] = fmt.Sprintf("%d:dropped", r.Task.ID)
			return
		}
		out[r.Task.ID-1] = fmt.Sprintf("%d:%g-%g", r.Task.ID, r.Start.Seconds(), r.Finish.Seconds())
	}
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// TestBackfillingSchedules checks the three backfilling rules on a schedule
// worked by hand. One node of 4 CPUs; jobs (arrival, CPUs, run, estimate):
//
//	J1  0  1  10 10   starts at once, ends at 10
//	J2  1  4   5  5   the head: needs the whole node; J1's estimate ends at 10,
//	                  so EASY reserves the node for J2 at 10 (nothing spare)
//	J3  2  2   6  8   fits now and its estimate ends by 10: EASY backfills it (2–8)
//	J4  3  1   2 20   fits now, but its estimate ends at 23 > 10 and the node has
//	                  nothing spare beside J2: EASY must not backfill it
//	J5  4  1  10 10   fits from 5 under greedy, estimate ends at 15 > 10: not under EASY
//
// No backfilling: J2 holds the queue until J1 ends at 10, then J3..J5 start
// when J2 ends at 15 (2+1+1 = 4 CPUs). EASY: J3 backfills (2–8); J2 starts at
// its reservation, 10; J4 and J5 start at 15. Greedy: J3 (2–8) and J4 (3–5)
// start at once, J5 takes J4's CPU at 5 and runs to 15, so J2, which needs
// all 4 CPUs, is delayed from 10 to 15: the starvation EASY prevents.
func TestBackfillingSchedules(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 4000, Memory: 1 << 30}}
	tasks := jobs(job{0, 1, 10, 10}, job{1, 4, 5, 5}, job{2, 2, 6, 8}, job{3, 1, 2, 20}, job{4, 1, 10, 10})
	for _, tc := range []struct {
		backfill sim.Backfill
		want     string
	}{
		{sim.NoBackfill, "1:0-10 2:10-15 3:15-21 4:15-17 5:15-25"},
		{sim.EASY, "1:0-10 2:10-15 3:2-8 4:15-17 5:15-25"},
		{sim.Greedy, "1:0-10 2:15-20 3:2-8 4:3-5 5:5-15"},
	} {
		t.Run(tc.backfill.String(), func(t *testing.T) {
			cfg := sim.Config{Nodes: node, Central: sim.Central{Backfill: tc.backfill}}
			if got := schedule(t, cfg, tasks, firstFit()); got != tc.want {
				t.Errorf("schedule\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestEASYOnTwoNodes: a backfill candidate on another node than the
// reservation's may run past the reservation.
//
//	nodes a, b: 2 CPUs each
//	J1 0 2cpu 10 (on a)   J2 0 1cpu 10 (on b)
//	J3 1 2cpu 5: blocked; J1 ends first (10) on a: reserved a at 10
//	J4 2 1cpu 30: fits only on b (a is full), a different node: backfills at 2
func TestEASYOnTwoNodes(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1, CPU: 2000}, {Name: "b", Slots: 1, Speed: 1, CPU: 2000}}
	tasks := jobs(job{0, 2, 10, 10}, job{0, 1, 12, 12}, job{1, 2, 5, 5}, job{2, 1, 30, 30})
	cfg := sim.Config{Nodes: nodes, Central: sim.Central{Backfill: sim.EASY}}
	want := "1:0-10 2:0-12 3:10-15 4:2-32"
	if got := schedule(t, cfg, tasks, firstFit()); got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
}

// TestTimeoutAndNeverFits: a task larger than every node is given up at
// once; one that waits longer than the timeout is given up then, and the
// queue behind it moves.
func TestTimeoutAndNeverFits(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 2000}}
	tasks := jobs(job{0, 2, 10, 10}, job{1, 8, 1, 1}, job{2, 1, 1, 1}, job{6, 1, 1, 1})
	tasks[2].CPU = 2000 // J3 needs the whole node: waits for J1 (10), times out at 2+5
	cfg := sim.Config{Nodes: node, Central: sim.Central{Timeout: 5 * sim.Second}}
	// J2 never fits (8 CPUs); J3 blocks the queue until it times out at
	// 2+5 = 7; J4 (arrived at 6, times out at 11) still waits for J1's CPUs
	// and starts at 10.
	want := "1:0-10 2:dropped 3:dropped 4:10-11"
	if got := schedule(t, cfg, tasks, firstFit()); got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	e, _ := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if got := e.Result().Placement.Unschedulable; got != 2 {
		t.Errorf("unschedulable = %d, want 2", got)
	}
}

// overcommit places every task on node 0, fit or not.
type overcommit struct{}

func (overcommit) Name() string { return "overcommit" }
func (overcommit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	p.Node, p.GPUs = 0, append(p.GPUs[:0], 0)
	return true
}

// TestPlacementIsChecked: a strategy cannot corrupt the model; the run
// stops with an error naming it and what does not fit.
func TestPlacementIsChecked(t *testing.T) {
	node := []sim.NodeSpec{{Name: "g0", Slots: 1, Speed: 1, CPU: 8000, GPUs: 1, GPUModel: "T4"}}
	tasks := []sim.Task{{ID: 1, GPUMilli: 600, Work: sim.Second}, {ID: 2, GPUMilli: 600, Work: sim.Second}}
	e, err := sim.NewScheduler(sim.Config{Nodes: node}, &sliceSource{tasks: tasks}, overcommit{})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Run()
	if err == nil || !strings.Contains(err.Error(), "overcommit placed task 2") || !strings.Contains(err.Error(), "400 free") {
		t.Fatalf("err = %v, want overcommit placing task 2 on a GPU with 400 free", err)
	}
}

// TestHoldCurve: with no departures, the curve records allocation against
// arrived GPU request. Two 1-GPU nodes; tasks of 0.5 GPU arrive one by one:
// after k tasks the arrived request is k/4 of capacity and all of it is
// allocated until the cluster is full (4 tasks); the 5th is dropped.
func TestHoldCurve(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 1, GPUs: 1}, {Name: "b", Slots: 1, Speed: 1, GPUs: 1}}
	var tasks []sim.Task
	for k := 1; k <= 5; k++ {
		tasks = append(tasks, sim.Task{ID: int64(k), Arrival: sim.Time(k), GPUMilli: 500})
	}
	cfg := sim.Config{Nodes: nodes, Central: sim.Central{Hold: true, DropUnplaceable: true}}
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	p := e.Result().Placement
	if p.GPUAllocRatio != 1 || p.GPUAllocRatioAtFull != 1 || p.Unschedulable != 1 || p.UnallocatedGPUs != 0 {
		t.Errorf("placement = %+v, want full allocation, 1 unschedulable", p)
	}
	// Marks 0..125 %: the point at 25 % is taken after the first task.
	if len(p.Curve) != 126 || p.Curve[25].GPUAllocRatio != 0.25 || p.Curve[125].GPUAllocRatio != 1 {
		t.Errorf("curve has %d points, [25] = %+v", len(p.Curve), p.Curve[25])
	}
}

// TestSeries samples the no-backfilling schedule of
// TestBackfillingSchedules every 5 s: J1 alone (1 of 4 CPUs) at 0 and 5,
// J2 (4 CPUs) at 10, J3+J4+J5 (2+1+1) at 15, J3+J5 at 20 (J4 ended at 17);
// the last event is J5's end at 25, so sampling stops before it.
func TestSeries(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 4000, Memory: 1 << 30}}
	tasks := jobs(job{0, 1, 10, 10}, job{1, 4, 5, 5}, job{2, 2, 6, 8}, job{3, 1, 2, 20}, job{4, 1, 10, 10})
	cfg := sim.Config{Nodes: node, Central: sim.Central{SampleEvery: 5 * sim.Second}}
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range e.Result().Placement.Series {
		got = append(got, fmt.Sprintf("%g:%g/%d", p.T, p.CPU, p.Pending))
	}
	want := "0:0.25/0 5:0.25/4 10:1/3 15:1/0 20:0.75/0"
	if strings.Join(got, " ") != want {
		t.Errorf("series %v, want %s", got, want)
	}
}
