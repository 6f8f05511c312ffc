package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// dagTask is a workflow task of the hand-worked schedules: id, workflow,
// arrival, work (s), CPUs, output bytes and parents (id, or id:bytes as an
// Edge with its own amount).
func dagTask(id int64, wf string, at, work, cpus float64, out int64, parents ...sim.Edge) sim.Task {
	return sim.Task{ID: id, Workflow: wf, Arrival: sim.FromSeconds(at), Work: sim.FromSeconds(work),
		CPU: int64(cpus * 1000), OutputBytes: out, Deps: deps(parents)}
}

func p(id int64) sim.Edge               { return sim.Edge{Parent: id, Bytes: -1} }
func pb(id int64, bytes int64) sim.Edge { return sim.Edge{Parent: id, Bytes: bytes} }

// dagCluster is node A (1 CPU, speed 1) and node B (1 CPU, speed 2, a
// 5 B/s link); transfers take 1 s plus bytes over 10 B/s, or over B's
// 5 B/s when B is an end.
func dagCluster() sim.Config {
	return sim.Config{
		Nodes: []sim.NodeSpec{
			{Name: "A", Group: "a", Slots: 1, Speed: 1, CPU: 1000},
			{Name: "B", Group: "b", Slots: 1, Speed: 2, CPU: 1000, Link: 5},
		},
		Central: sim.Central{Backfill: sim.Greedy, Transfer: sim.Transfer{Latency: sim.Second, Bandwidth: 10}},
	}
}

// TestDAGTransferSchedule checks every start and finish of two workflows
// under first-fit against the schedule worked by hand (dag.go's model):
//
//	w1 at 0: T1 (work 4, out 20) → T2 (work 2, out 10), T1 → T3 (50 bytes on the edge, work 6, out 30);
//	         T2, T3 → T4 (work 2)
//	w2 at 5: U1 (work 1, out 100) → U2 (work 1); U3 (99 CPUs: fits nowhere) → U4
//
//	T1  A  0-4    the only task ready
//	T2  A  4-6    ready at 4 with T3; first-fit: A, same node as T1, no transfer
//	T3  B  15-18  placed on B at 4; 50 B from A: 1 + 50/5 (B's link) = 11 s → work from 15, 6/2 = 3 s
//	U1  A  6-7    arrives at 5: A runs T2, B is held by T3's staging; A frees at 6
//	U2  A  7-8    same node as U1: no transfer although U1 outputs 100 B
//	U3  dropped   fits no node; U4 dropped with it
//	T4  A  25-27  ready at 18; first-fit A; T2's data is local, T3's 30 B from B: 1 + 30/5 = 7 → 25
//
// Data moved: 50 + 30 = 80 bytes in 2 transfers; w1 responds in 27 s.
func TestDAGTransferSchedule(t *testing.T) {
	tasks := []sim.Task{
		dagTask(1, "w1", 0, 4, 1, 20),
		dagTask(2, "w1", 0, 2, 1, 10, p(1)),
		dagTask(3, "w1", 0, 6, 1, 30, pb(1, 50)),
		dagTask(4, "w1", 0, 2, 1, 0, p(2), p(3)),
		dagTask(5, "w2", 5, 1, 1, 100),
		dagTask(6, "w2", 5, 1, 1, 0, p(5)),
		dagTask(7, "w2", 5, 1, 99, 0),
		dagTask(8, "w2", 5, 1, 1, 0, p(7)),
	}
	cfg := dagCluster()
	var res sim.Result
	got := scheduleWith(t, cfg, tasks, firstFit(), &res)
	want := "1:0-4 2:4-6 3:15-18 4:25-27 5:6-7 6:7-8 7:dropped 8:dropped"
	if got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	w := res.Workflow
	if w == nil {
		t.Fatal("no workflow figures")
	}
	if w.DataMovedBytes != 80 || w.Transfers != 2 {
		t.Errorf("data moved %d bytes in %d transfers, want 80 in 2", w.DataMovedBytes, w.Transfers)
	}
	// w2 lost tasks, so only w1 counts: response 27 s; its critical path
	// at the shortest runtimes (B, speed 2) is T1 2 + T3 3 + T4 1 = 6 s.
	if w.Workflows != 1 || w.MeanResponseS != 27 || w.CriticalPathS != 6 || w.MeanSLR != 27.0/6 {
		t.Errorf("workflow figures %+v, want 1 workflow, response 27 s, critical path 6 s, SLR 4.5", *w)
	}
	if res.Tasks.Completed != 6 || res.Tasks.Dropped != 2 {
		t.Errorf("tasks %+v, want 6 completed and 2 dropped", res.Tasks)
	}
}

// scheduleWith is schedule that also returns the Result.
func scheduleWith(t *testing.T, cfg sim.Config, tasks []sim.Task, s sim.Strategy, res *sim.Result) string {
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
	*res = e.Result()
	return strings.Join(out, " ")
}

// TestDAGRuntimeTable checks that a runtime table entry replaces work at
// the node's speed, on the node's group: class x runs 7 s on group a and
// 3 s on group b, whatever its work.
func TestDAGRuntimeTable(t *testing.T) {
	cfg := dagCluster()
	cfg.Central.Runtimes = map[string]map[string]sim.Time{"x": {"a": 7 * sim.Second, "b": 3 * sim.Second}}
	a := dagTask(1, "w", 0, 100, 1, 0)
	a.Class = "x"
	b := dagTask(2, "w", 0, 100, 1, 0)
	b.Class = "x"
	var res sim.Result
	if got, want := scheduleWith(t, cfg, []sim.Task{a, b}, firstFit(), &res), "1:0-7 2:0-3"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestDAGDispatchSchedule checks the dispatch model (Central.Dispatch,
// dag.go) against a schedule worked by hand: node A has 4 CPUs, each start
// takes 2 s and A starts one task at a time; first-fit.
//
//	w at 0: T1, T2, T3 (work 5 each, no parents); T4 (work 1) child of T1
//	U at 1: a task outside any workflow (work 1)
//
//	T1  placed 0, its start 0-2   runs 2-7
//	T2  placed 0, start 2-4       runs 4-9
//	T3  placed 0, start 4-6       runs 6-11
//	U   placed 1, start 6-8       runs 8-9   (waits for T3's start)
//	T4  ready 7, start 8-10       runs 10-11 (waits for U's start)
func TestDAGDispatchSchedule(t *testing.T) {
	cfg := sim.Config{
		Nodes:   []sim.NodeSpec{{Name: "A", Group: "a", Slots: 1, Speed: 1, CPU: 4000}},
		Central: sim.Central{Backfill: sim.Greedy, Dispatch: 2 * sim.Second},
	}
	tasks := []sim.Task{
		dagTask(1, "w", 0, 5, 1, 0),
		dagTask(2, "w", 0, 5, 1, 0),
		dagTask(3, "w", 0, 5, 1, 0),
		dagTask(4, "w", 0, 1, 1, 0, p(1)),
		dagTask(5, "", 1, 1, 1, 0),
	}
	var res sim.Result
	if got, want := scheduleWith(t, cfg, tasks, firstFit(), &res), "1:2-7 2:4-9 3:6-11 4:10-11 5:8-9"; got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	if w := res.Workflow; w == nil || w.Workflows != 1 || w.MaxResponseS != 11 {
		t.Errorf("workflow figures %+v, want 1 workflow responding in 11 s", w)
	}
	// Starts so long that three of them pass the end of representable
	// time stop the run with an error, not a wrapped clock.
	cfg.Central.Dispatch = sim.MaxTime / 8
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err == nil {
		err = e.Run()
	}
	if err == nil || !strings.Contains(err.Error(), "would start after the end of representable time") {
		t.Errorf("dispatch of MaxTime/8: error %v", err)
	}
}

// TestDAGSerialLinks checks contention (Transfer.Serial) against a
// schedule worked by hand: node A (1 CPU, speed 1), node B (4 CPUs, speed
// 2, a 5 B/s link); transfers take 1 s plus bytes over B's 5 B/s. T1 (1
// CPU, work 4) runs on A 0-4; its children T2 (work 2) and T3 (work 6),
// 2 CPUs each, fit only on B and each needs 20 B from A: 1 + 20/5 = 5 s.
//
//	without contention both transfers run 4-9: T2 9-10, T3 9-12
//	serial links: T2's transfer 4-9, T3's waits for it, 9-14: T3 14-17
func TestDAGSerialLinks(t *testing.T) {
	tasks := []sim.Task{
		dagTask(1, "w", 0, 4, 1, 20),
		dagTask(2, "w", 0, 2, 2, 0, p(1)),
		dagTask(3, "w", 0, 6, 2, 0, p(1)),
	}
	for _, c := range []struct {
		serial bool
		want   string
	}{
		{false, "1:0-4 2:9-10 3:9-12"},
		{true, "1:0-4 2:9-10 3:14-17"},
	} {
		cfg := sim.Config{
			Nodes: []sim.NodeSpec{
				{Name: "A", Group: "a", Slots: 1, Speed: 1, CPU: 1000},
				{Name: "B", Group: "b", Slots: 1, Speed: 2, CPU: 4000, Link: 5},
			},
			Central: sim.Central{Backfill: sim.Greedy, Transfer: sim.Transfer{Latency: sim.Second, Bandwidth: 10, Serial: c.serial}},
		}
		var res sim.Result
		if got := scheduleWith(t, cfg, tasks, firstFit(), &res); got != c.want {
			t.Errorf("serial %v: got %s, want %s", c.serial, got, c.want)
		}
		if w := res.Workflow; w == nil || w.DataMovedBytes != 40 || w.Transfers != 2 {
			t.Errorf("serial %v: workflow figures %+v, want 40 bytes in 2 transfers", c.serial, w)
		}
	}
}

// TestDAGBadWorkflows checks the engine's refusals: a parent that is not
// an earlier task of the workflow, a workflow split by another, a
// workflow whose tasks arrive at different times.
func TestDAGBadWorkflows(t *testing.T) {
	for _, c := range []struct {
		tasks []sim.Task
		want  string
	}{
		{[]sim.Task{dagTask(1, "w", 0, 1, 1, 0, p(9))}, "names parent 9, which is not an earlier task"},
		{[]sim.Task{dagTask(1, "w", 0, 1, 1, 0), dagTask(2, "v", 0, 1, 1, 0), dagTask(3, "w", 0, 1, 1, 0)}, "must follow one another"},
		{[]sim.Task{dagTask(1, "w", 0, 1, 1, 0), dagTask(2, "w", 1, 1, 1, 0, p(1))}, "arrives whole"},
		{[]sim.Task{dagTask(1, "", 0, 1, 1, 0, p(1))}, "names parents but no workflow"},
	} {
		e, err := sim.NewScheduler(dagCluster(), &sliceSource{tasks: c.tasks}, firstFit())
		if err == nil {
			err = e.Run()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one saying %q", err, c.want)
		}
	}
}

func deps(ps []sim.Edge) *sim.Deps {
	if len(ps) == 0 {
		return nil
	}
	return &sim.Deps{Parents: ps}
}

// pinned places task id on node pin[id] when it fits there now, else
// leaves it waiting; in Init it records the mean transfer time of 12
// bytes (View.MeanTransferTime).
type pinned struct {
	pin    map[int64]int
	mean12 sim.Time
}

func (*pinned) Name() string { return "pinned" }
func (s *pinned) Init(v *sim.View) error {
	s.mean12 = v.MeanTransferTime(12)
	return nil
}
func (s *pinned) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	i := s.pin[t.ID]
	if !v.Fits(i, t) {
		return false
	}
	p.Node, p.GPUs = i, p.GPUs[:0]
	return true
}

// TestDAGRegionTransfers checks transfers over the network model per region
// pair (dag.go) against a schedule worked by hand. Nodes, 1 CPU and speed 1
// each: E1 and E2 in region east (E2 with a 4 B/s link), W1 in west, N in
// no region. Network: RTT east–east 2 s, east–west 10 s, west–west 4 s;
// bandwidth east→east 10 B/s, east→west 2 B/s, west→east 3 B/s (each
// direction its own), west→west unset. Transfer (what pairs with N use, and
// the bandwidth where the network sets none): latency 3 s, 1 B/s. Each task
// is pinned to its node.
//
//	T1 E1 work 2, out 20     0-2     root
//	T2 E1 work 1, ← T1       2-3     same node: no transfer
//	T3 E2 work 3, ← T1, out 10   8-11    east→east: 2/2 + 20 / min(10, E2's link 4) = 1 + 5 = 6 → 2 + 6 = 8
//	T4 W1 work 1, ← T1, out 6    17-18   east→west: 10/2 + 20/2 = 5 + 10 = 15 → 17
//	T5 N  work 1, ← T1, out 8    25-26   N has no region: 3 + 20/1 = 23 → 25
//	T6 E1 work 2, ← T3, T4   25-27   T3 east→east: 11 + 1 + 10/4 = 14.5; T4 west→east: 18 + 5 + 6/3 = 25
//	T7 W1 work 1, ← T4, T5   37-38   T4 same node (18); T5 from N: 26 + 3 + 8/1 = 37
//
// Data moved: 20 + 20 + 20 + 10 + 6 + 8 = 84 bytes in 6 transfers; the
// workflow responds in 38 s. MeanTransferTime(12), over the 12 ordered
// pairs of distinct nodes: latencies 2×1 (E1↔E2) + 2×5 (east→west) + 2×5
// (west→east) + 6×3 (with N) = 40 s, so 40/12 s; 1/bandwidth 2×0.1 + 2×0.5
// + 2×(1/3) + 6×1 = 7.8667, so 12 bytes take 12 × 7.8667/12 s: 40/12 +
// 7.8667 = 11.2 s.
func TestDAGRegionTransfers(t *testing.T) {
	tasks := []sim.Task{
		dagTask(1, "w", 0, 2, 1, 20),
		dagTask(2, "w", 0, 1, 1, 0, p(1)),
		dagTask(3, "w", 0, 3, 1, 10, p(1)),
		dagTask(4, "w", 0, 1, 1, 6, p(1)),
		dagTask(5, "w", 0, 1, 1, 8, p(1)),
		dagTask(6, "w", 0, 2, 1, 0, p(3), p(4)),
		dagTask(7, "w", 0, 1, 1, 0, p(4), p(5)),
	}
	cfg := sim.Config{
		Nodes: []sim.NodeSpec{
			{Name: "E1", Group: "e", Region: "east", Slots: 1, Speed: 1, CPU: 1000},
			{Name: "E2", Group: "e", Region: "east", Slots: 1, Speed: 1, CPU: 1000, Link: 4},
			{Name: "W1", Group: "w", Region: "west", Slots: 1, Speed: 1, CPU: 1000},
			{Name: "N", Group: "n", Slots: 1, Speed: 1, CPU: 1000},
		},
		Network: &sim.Network{
			Regions:   []string{"east", "west"},
			RTT:       []sim.Time{2 * sim.Second, 10 * sim.Second, 10 * sim.Second, 4 * sim.Second},
			Bandwidth: []float64{10, 2, 3, 0},
		},
		Central: sim.Central{Backfill: sim.Greedy, Transfer: sim.Transfer{Latency: 3 * sim.Second, Bandwidth: 1}},
	}
	s := &pinned{pin: map[int64]int{1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 0, 7: 2}}
	var res sim.Result
	got := scheduleWith(t, cfg, tasks, s, &res)
	want := "1:0-2 2:2-3 3:8-11 4:17-18 5:25-26 6:25-27 7:37-38"
	if got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	if w := res.Workflow; w == nil || w.DataMovedBytes != 84 || w.Transfers != 6 || w.MaxResponseS != 38 {
		t.Errorf("workflow figures %+v, want 84 bytes in 6 transfers, response 38 s", w)
	}
	if s.mean12 != sim.FromSeconds(11.2) {
		t.Errorf("MeanTransferTime(12) = %v, want 11.2 s", s.mean12)
	}

	// Spikes and regions the network does not list are refused.
	bad := cfg
	bad.Network = &sim.Network{Regions: []string{"east", "west"}, RTT: cfg.Network.RTT, Spikes: []sim.Spike{{Region: 0, For: sim.Second, Add: sim.Second}}}
	if _, err := sim.NewScheduler(bad, &sliceSource{tasks: tasks}, s); err == nil || !strings.Contains(err.Error(), "spikes apply to node queueing only") {
		t.Errorf("spikes under central queueing: error %v", err)
	}
	bad.Network = &sim.Network{Regions: []string{"east"}, RTT: []sim.Time{0}}
	if _, err := sim.NewScheduler(bad, &sliceSource{tasks: tasks}, s); err == nil || !strings.Contains(err.Error(), `node W1 is in region "west"`) {
		t.Errorf("unlisted region: error %v", err)
	}
	bad.Network = &sim.Network{Regions: []string{"east", "west"}, RTT: cfg.Network.RTT, Bandwidth: []float64{1}}
	if _, err := sim.NewScheduler(bad, &sliceSource{tasks: tasks}, s); err == nil || !strings.Contains(err.Error(), "2×2 bandwidth matrix") {
		t.Errorf("short bandwidth matrix: error %v", err)
	}
}
