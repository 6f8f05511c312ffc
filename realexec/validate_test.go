package realexec

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestCompareHandWorked checks Compare on four tasks worked by hand.
// Real: sojourns 1, 2, 4 s completed (mean 7/3) and task 4 failed;
// simulated: 1, 3, 4 and 1 s, all completed (mean 9/4). Mean error
// |9/4 − 7/3| / (7/3) = 1/28. Per-task errors over the 3 tasks completed
// in both: 0, 1/2, 0, mean 1/6. Nearest-rank p50, the 2nd smallest: 2 s
// real, 1 s simulated, error 1/2. Task 4 arrived in the fault window.
func TestCompareHandWorked(t *testing.T) {
	s := sim.Second
	real := []Outcome{{ID: 1, Arrival: 0, Finish: 1 * s, Node: 0}, {ID: 2, Arrival: s, Finish: 3 * s, Node: 1}, {ID: 3, Arrival: s, Finish: 5 * s, Node: 0}, {ID: 4, Arrival: 2 * s, Finish: 2 * s, Node: 1, Status: sim.Failed}}
	simd := []Outcome{{ID: 1, Arrival: 0, Finish: 1 * s, Node: 0}, {ID: 2, Arrival: s, Finish: 4 * s, Node: 0}, {ID: 3, Arrival: s, Finish: 5 * s, Node: 0}, {ID: 4, Arrival: 2 * s, Finish: 3 * s, Node: 1}}
	for i := range real {
		if real[i].Status == 0 {
			real[i].Status = sim.Completed
		}
		simd[i].Status = sim.Completed
	}
	c := Compare("x", "m", real, simd, 2, []sim.Fault{{Node: 1, At: 2 * s, For: s}})
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if c.Matched != 3 || !near(c.TaskErr, 1.0/6) {
		t.Fatalf("matched %d task error %v, want 3 and 1/6", c.Matched, c.TaskErr)
	}
	if !near(c.Real.Mean, 7.0/3) || !near(c.Sim.Mean, 9.0/4) || !near(c.MeanErr, 1.0/28) || c.Real.P50 != 2 || c.Sim.P50 != 1 || !near(c.P50Err, 0.5) {
		t.Fatalf("%+v", c)
	}
	if c.Real.Failed != 1 || c.Real.PerNode[0] != 2 || c.Sim.PerNode[0] != 3 {
		t.Fatalf("counts %+v %+v", c.Real, c.Sim)
	}
	if w := c.Windows[0]; w.RealFailed != 1 || w.SimCompleted != 1 || w.SimMean != 1 {
		t.Fatalf("window %+v", w)
	}
}

// TestCompareOOM checks the OOM-killed shares on outcomes worked by hand:
// four tasks, killed in the real run 1 and 2, in the simulation 2 and 3:
// both shares 1/2, no share error, and two tasks (1 and 3) killed in one
// run only. Without a kill on either side there is no OOM comparison.
func TestCompareOOM(t *testing.T) {
	mk := func(oom ...int64) []Outcome {
		var outs []Outcome
		for id := int64(1); id <= 4; id++ {
			o := Outcome{ID: id, Arrival: 0, Finish: sim.Second, Status: sim.Completed}
			for _, k := range oom {
				if k == id {
					o.Status, o.OOM = sim.Failed, true
				}
			}
			outs = append(outs, o)
		}
		return outs
	}
	c := Compare("first-fit", "scenario", mk(1, 2), mk(2, 3), 1, nil)
	if c.OOM == nil || c.Real.OOMKilled != 2 || c.Sim.OOMKilled != 2 {
		t.Fatalf("OOM comparison %+v, real %d sim %d killed; want 2 and 2", c.OOM, c.Real.OOMKilled, c.Sim.OOMKilled)
	}
	if o := *c.OOM; o.RealShare != 0.5 || o.SimShare != 0.5 || o.ShareErr != 0 || o.Differ != 2 {
		t.Fatalf("OOM comparison %+v; want shares 0.5 and 0.5, error 0, 2 differ", o)
	}
	if c := Compare("first-fit", "scenario", mk(), mk(), 1, nil); c.OOM != nil {
		t.Fatalf("no kills, yet an OOM comparison %+v", *c.OOM)
	}
	if c := Compare("first-fit", "scenario", mk(), mk(4), 1, nil); c.OOM == nil || c.OOM.Differ != 1 || c.OOM.SimShare != 0.25 || !math.IsInf(c.OOM.ShareErr, 1) {
		t.Fatalf("sim kills one, real none: %+v", c.OOM)
	}
}
