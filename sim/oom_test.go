package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestOOMKillFormula checks OOMKill against its formula,
// kill = d · (Memory / MemoryRate) / Work, on cases worked by hand.
func TestOOMKillFormula(t *testing.T) {
	const mi = 1 << 20
	s := sim.Second
	for _, tc := range []struct {
		name string
		t    sim.Task
		d    sim.Time
		want sim.Time
		ok   bool
	}{
		{"no limit", sim.Task{Work: s, MemoryUse: 128 * mi, MemoryRate: 128 * mi}, 2 * s, 0, false},
		{"use within the limit", sim.Task{Work: s, Memory: 64 * mi, MemoryUse: 64 * mi}, 2 * s, 0, false},
		{"not modelled", sim.Task{Work: s, Memory: 64 * mi}, 2 * s, 0, false},
		{"all at once", sim.Task{Work: s, Memory: 64 * mi, MemoryUse: 65 * mi}, 2 * s, 0, true},
		// 64 Mi at 128 Mi per second of work: after 0.5 s of work at speed
		// 1, i.e. after a quarter of a 2 s-work task's 4 s at speed 0.5.
		{"half a second of work", sim.Task{Work: 2 * s, Memory: 64 * mi, MemoryUse: 128 * mi, MemoryRate: 128 * mi}, 4 * s, s, true},
		// The work ends (0.5 s) exactly when the use reaches the limit: it
		// never exceeds it.
		{"ends at the limit", sim.Task{Work: s / 2, Memory: 64 * mi, MemoryUse: 128 * mi, MemoryRate: 128 * mi}, s, 0, false},
		{"ends before the limit", sim.Task{Work: s / 4, Memory: 64 * mi, MemoryUse: 128 * mi, MemoryRate: 128 * mi}, s, 0, false},
	} {
		got, ok := sim.OOMKill(&tc.t, tc.d)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: OOMKill = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestOOMKillSchedule checks OOM kills under central queueing against a
// schedule worked by hand. One node of 2 cores and speed 0.5, a constant
// start-up of 0.1 s, first-fit, first come first served; every task asks
// for one core, and all but T3 for a 64 Mi memory limit (seconds; use and
// rate in Mi, per second of work at speed 1):
//
//	T  arrival work use rate
//	1  0       1    32  64   within its limit: ends at 0.1 + 1/0.5 = 2.1
//	2  0       2    128 128  reaches 64 Mi after 0.5 s of work = 1 s on the
//	                         node: killed at 0.1 + 1 = 1.1 (start 0)
//	3  0.5     1    -   -    waits for a core: starts at 1.1 when T2's is
//	                         freed, ends at 1.1 + 0.1 + 2 = 3.2
//	4  0.5     0.25 128 128  would reach the limit after 0.5 s of work but
//	                         has only 0.25: never killed; queued behind T3,
//	                         starts when T1 ends, 2.1, ends 2.1 + 0.1 + 0.5 = 2.7
//	5  3       1    65  0    takes all its memory at once, 1 Mi over: starts
//	                         at 3 (T3 holds the other core), killed at 3.1
//	6  3       0.5  64  0    exactly its limit, never over: starts at 3.1
//	                         when T5's core is freed, ends 3.1 + 0.1 + 1 = 4.2
//
// Four complete, two fail, both OOM-killed (Record.Reason "oom", the
// result's oom_killed 2); a killed task's record keeps its start.
func TestOOMKillSchedule(t *testing.T) {
	const mi = 1 << 20
	task := func(id int64, at, work float64, use, rate int64) sim.Task {
		tk := sim.Task{ID: id, Arrival: sim.FromSeconds(at), Work: sim.FromSeconds(work), CPU: 1000}
		if use > 0 {
			tk.Memory, tk.MemoryUse, tk.MemoryRate = 64*mi, use*mi, rate*mi
		}
		return tk
	}
	tasks := []sim.Task{
		task(1, 0, 1, 32, 64),
		task(2, 0, 2, 128, 128),
		task(3, 0.5, 1, 0, 0),
		task(4, 0.5, 0.25, 128, 128),
		task(5, 3, 1, 65, 0),
		task(6, 3, 0.5, 64, 0),
	}
	cfg := sim.Config{
		Nodes:   []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 0.5, CPU: 2000, Memory: 256 * mi}},
		Startup: sim.Delay{Mean: sim.FromSeconds(0.1)},
	}
	out := make([]string, len(tasks))
	cfg.OnRecord = func(r *sim.Record) {
		out[r.Task.ID-1] = fmt.Sprintf("%d:%g-%g:%v", r.Task.ID, r.Start.Seconds(), r.Finish.Seconds(), r.Status)
		if r.Reason != "" {
			out[r.Task.ID-1] += ":" + r.Reason
		}
	}
	e, err := sim.NewScheduler(cfg, &sliceSource{tasks: tasks}, firstFit())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	want := "1:0-2.1:completed 2:0-1.1:failed:oom 3:1.1-3.2:completed 4:2.1-2.7:completed 5:3-3.1:failed:oom 6:3.1-4.2:completed"
	if got := strings.Join(out, " "); got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
	r := e.Result()
	if r.Tasks.Completed != 4 || r.Tasks.Failed != 2 || r.Tasks.OOMKilled != 2 {
		t.Errorf("counts: completed %d failed %d oom-killed %d; want 4, 2, 2", r.Tasks.Completed, r.Tasks.Failed, r.Tasks.OOMKilled)
	}
}
