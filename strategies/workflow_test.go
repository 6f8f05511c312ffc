package strategies_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

type wfTasks struct {
	ts []sim.Task
	i  int
}

func (l *wfTasks) Next(t *sim.Task) error {
	if l.i >= len(l.ts) {
		return io.EOF
	}
	*t = l.ts[l.i]
	l.i++
	return nil
}

// heftCosts and heftEdges are the HEFT paper's example DAG (Fig. 2;
// ../shared/notes/heft.md): computation cost of each task on P0, P1, P2,
// and the communication cost of each edge between distinct processors.
var heftCosts = [10][3]int64{
	{14, 16, 9}, {13, 19, 18}, {11, 13, 19}, {13, 8, 17}, {12, 13, 10},
	{13, 16, 9}, {7, 15, 11}, {5, 11, 14}, {18, 12, 20}, {21, 7, 16},
}

var heftEdges = []struct{ from, to, cost int64 }{
	{0, 1, 18}, {0, 2, 12}, {0, 3, 9}, {0, 4, 11}, {0, 5, 14}, {1, 7, 19}, {1, 8, 16}, {2, 6, 23},
	{3, 7, 27}, {3, 8, 23}, {4, 8, 13}, {5, 7, 15}, {6, 9, 17}, {7, 9, 11}, {8, 9, 13},
}

// heftExample is the paper's model in fleetsim's terms: three one-core
// nodes P0-P2 (groups p0-p2), a runtime table of the computation costs
// (seconds) by task class T0-T9, edges carrying their cost in bytes over
// 1 B/s with no latency, one workflow of ten tasks at time 0.
func heftExample() (sim.Config, []sim.Task) {
	cfg := sim.Config{Central: sim.Central{Transfer: sim.Transfer{Bandwidth: 1}, Runtimes: map[string]map[string]sim.Time{}}}
	for p := 0; p < 3; p++ {
		cfg.Nodes = append(cfg.Nodes, sim.NodeSpec{Name: fmt.Sprintf("P%d", p), Group: fmt.Sprintf("p%d", p), Slots: 1, Speed: 1, CPU: 1000})
	}
	ts := make([]sim.Task, 10)
	for k := range ts {
		class := fmt.Sprintf("T%d", k)
		row := map[string]sim.Time{}
		for p := 0; p < 3; p++ {
			row[fmt.Sprintf("p%d", p)] = sim.Time(heftCosts[k][p]) * sim.Second
		}
		cfg.Central.Runtimes[class] = row
		ts[k] = sim.Task{ID: int64(k), Workflow: "fig2", Class: class, CPU: 1000, Work: sim.Second}
	}
	for _, e := range heftEdges {
		t := &ts[e.to]
		if t.Deps == nil {
			t.Deps = &sim.Deps{}
		}
		t.Deps.Parents = append(t.Deps.Parents, sim.Edge{Parent: e.from, Bytes: e.cost})
	}
	return cfg, ts
}

// runWorkflow runs tasks under strategy name and returns "Tk:Pn start-end"
// per task in id order, and the makespan in seconds.
func runWorkflow(t *testing.T, name string, cfg sim.Config, ts []sim.Task) (string, float64) {
	t.Helper()
	s, err := strategies.New(name, nil, sim.NewRand(1, "strategy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ts))
	cfg.OnRecord = func(r *sim.Record) {
		out[r.Task.ID] = fmt.Sprintf("T%d:P%d %g-%g", r.Task.ID, r.Node, r.Start.Seconds(), r.Finish.Seconds())
	}
	e, err := sim.NewScheduler(cfg, &wfTasks{ts: ts}, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " "), e.Result().MakespanS
}

// TestHEFTPaperExample runs HEFT and CPOP on the HEFT paper's example DAG
// and checks the paper's schedule lengths (80 and 86) and every task's
// processor, start and finish against the schedules worked by hand:
//
// HEFT, in decreasing upward rank T0 T2 T3 T1 T4 T5 T8 T6 T7 T9 (T2 before
// T3 at the tie of 80), each on the processor of earliest finish, gaps
// allowed (EFT on P0, P1, P2):
//
//	T0  14, 16, 9                                           → P2 0-9
//	T2  9+12+11=32, 21+13=34, 9+19=28                        → P2 9-28
//	T3  18+13=31, 18+8=26, 28+17=45                          → P1 18-26
//	T1  27+13=40, 27+19=46, 28+18=46                         → P0 27-40
//	T4  40+12=52, 26+13=39, 28+10=38                         → P2 28-38
//	T5  40+13=53, 26+16=42, 38+9=47                          → P1 26-42
//	T8  max(40,49,51)+18=69, max(56,26,51)+12=68, 56+20=76   → P1 56-68
//	T6  51+7=58, 68+15=83 (gap 42-56 too short), 38+11=49    → P2 38-49
//	T7  max(40,53,57)+5=62, 68+11=79, 59+14=73               → P0 57-62
//	T9  81+21=102, max(66,73,68)+7=80, 81+16=97              → P1 73-80
//
// CPOP: the critical path T0 T1 T8 T9 (priority 108) runs on P1, whose sum
// of their costs (54) is the smallest; the others by EFT in priority order:
//
//	T0 P1 0-16, T1 P1 16-35 (local data)
//	T2  16+12=28 on P0, +11                                  → P0 28-39
//	T3  P0 39+13=52, P1 35+8=43, P2 16+9+17=42                → P2 25-42
//	T4  P0 39+12=51, P1 35+13=48 (local), P2 42+10=52         → P1 35-48
//	T5  P0 39+13=52, P1 48+16=64, P2 42+9=51                  → P2 42-51
//	T6  P0 39+7=46 (local)                                    → P0 39-46
//	T7  P0 69+5=74, P1 69+11=80, P2 max(35+19,42,51)+14=68    → P2 54-68
//	T8  P1 max(35, 42+23, 48)+12=77                           → P1 65-77
//	T9  P1 max(46+17, 68+11, 77)+7=86                         → P1 79-86
func TestHEFTPaperExample(t *testing.T) {
	for _, c := range []struct {
		name     string
		makespan float64
		want     string
	}{
		{"heft", 80, "T0:P2 0-9 T1:P0 27-40 T2:P2 9-28 T3:P1 18-26 T4:P2 28-38 T5:P1 26-42 T6:P2 38-49 T7:P0 57-62 T8:P1 56-68 T9:P1 73-80"},
		{"cpop", 86, "T0:P1 0-16 T1:P1 16-35 T2:P0 28-39 T3:P2 25-42 T4:P1 35-48 T5:P2 42-51 T6:P0 39-46 T7:P2 54-68 T8:P1 65-77 T9:P1 79-86"},
	} {
		cfg, ts := heftExample()
		got, m := runWorkflow(t, c.name, cfg, ts)
		if m != c.makespan {
			t.Errorf("%s: makespan %g, the paper's is %g", c.name, m, c.makespan)
		}
		if got != c.want {
			t.Errorf("%s schedule\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestWorkflowPrecedence checks, for every workflow strategy on the paper's
// DAG and on a generated one, the model's invariants: every task starts no
// earlier than each parent's finish plus the transfer from the parent's
// node (0 on the same node), and a one-core node never runs two tasks at
// once.
func TestWorkflowPrecedence(t *testing.T) {
	for _, name := range []string{"heft", "cpop", "critical-path", "ready-fifo", "min-min", "max-min"} {
		cfg, ts := heftExample()
		type rec struct {
			node          int
			start, finish sim.Time
		}
		recs := map[int64]rec{}
		cfg.OnRecord = func(r *sim.Record) {
			if r.Status != sim.Completed {
				t.Errorf("%s: task %d %v", name, r.Task.ID, r.Status)
			}
			recs[r.Task.ID] = rec{r.Node, r.Start, r.Finish}
		}
		s, err := strategies.New(name, nil, sim.NewRand(1, "strategy/"+name))
		if err != nil {
			t.Fatal(err)
		}
		e, err := sim.NewScheduler(cfg, &wfTasks{ts: ts}, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(ts) {
			t.Fatalf("%s: %d records for %d tasks", name, len(recs), len(ts))
		}
		for _, task := range ts {
			r := recs[task.ID]
			if want := sim.Time(heftCosts[task.ID][r.node]) * sim.Second; r.finish-r.start != want {
				t.Errorf("%s: T%d ran %v on P%d, its cost there is %v", name, task.ID, r.finish-r.start, r.node, want)
			}
			for _, e := range task.ParentEdges() {
				p := recs[e.Parent]
				ready := p.finish
				if p.node != r.node {
					ready += sim.Time(e.Bytes) * sim.Second
				}
				if r.start < ready {
					t.Errorf("%s: T%d starts at %v on P%d before T%d's data is there (%v)", name, task.ID, r.start, r.node, e.Parent, ready)
				}
			}
			for _, o := range ts {
				q := recs[o.ID]
				if o.ID != task.ID && q.node == r.node && q.start < r.finish && r.start < q.finish {
					t.Errorf("%s: T%d and T%d overlap on P%d", name, task.ID, o.ID, r.node)
				}
			}
		}
	}
}

// TestHEFTDispatch checks that HEFT plans with the dispatch model
// (Central.Dispatch: each start on a node takes 2 s, one at a time),
// against a schedule worked by hand. Nodes A and B, 4 cores each, speed 1,
// free transfers; T0, T1, T2 (work 1 s each, no parents) and T3 (work 1 s)
// a child of T0. Upward ranks: T0 2, the others 1, so the plan takes T0,
// T1, T2, T3 in turn, each start booked in its node's first free 2 s slot
// from when its parents finish:
//
//	T0  A: start slot 0-2, finish 3; B: the same → A (lower index)
//	T1  A: slot 2-4, finish 5; B: slot 0-2, finish 3 → B
//	T2  A: slot 2-4, finish 5; B: slot 2-4, finish 5 → A
//	T3  parents done at 3; A: slot 4-6 (2-4 taken), finish 7; B: slot 3-5, finish 6 → B
//
// The engine then starts T0 on A (its start 0-2, work 2-3), T1 on B (2-3)
// and T2 on A (start 2-4, work 4-5) at 0, and T3 on B at 3 (start 3-5,
// work 5-6): makespan 6. Planning without the starts put all four on A,
// whose starts end at 2, 4, 6 and 8: makespan 9.
func TestHEFTDispatch(t *testing.T) {
	cfg := sim.Config{
		Nodes: []sim.NodeSpec{
			{Name: "A", Group: "n", Slots: 1, Speed: 1, CPU: 4000},
			{Name: "B", Group: "n", Slots: 1, Speed: 1, CPU: 4000},
		},
		Central: sim.Central{Backfill: sim.Greedy, Dispatch: 2 * sim.Second},
	}
	ts := make([]sim.Task, 4)
	for k := range ts {
		ts[k] = sim.Task{ID: int64(k), Workflow: "w", Work: sim.Second, CPU: 1000}
	}
	ts[3].Deps = &sim.Deps{Parents: []sim.Edge{{Parent: 0, Bytes: -1}}}
	got, m := runWorkflow(t, "heft", cfg, ts)
	if want := "T0:P0 2-3 T1:P1 2-3 T2:P0 4-5 T3:P1 5-6"; got != want || m != 6 {
		t.Errorf("schedule %s (makespan %g)\nwant %s (makespan 6)", got, m, want)
	}
}
