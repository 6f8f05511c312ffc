package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// TestInterruptKeepsFinishedRuns: when a run is interrupted (here run 2,
// of 2,000,000 tasks, cancels the context at its first finished task), runJobsPartial returns
// errInterrupted with every run that finished marked done and whole (all
// 900 measured tasks of the 1,000 completed: the scenario's warm-up is
// 10 %), and the interrupted run not done. Which other runs finished first
// depends on scheduling; that each done run is whole does not. A sweep
// writes the done runs to sweep.partial.csv.
func TestInterruptKeepsFinishedRuns(t *testing.T) {
	sc, err := scenario.ResolveWith("homogeneous", []scenario.Set{{Path: "stop.tasks", Value: "1000"}, {Path: "warmup.tasks", Value: "100"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var jobs []job
	for seed := uint64(1); seed <= 6; seed++ {
		jobs = append(jobs, job{sc: sc, spec: scenario.StrategySpec{Name: "p2c"}, seed: seed})
	}
	// Run 2 is long enough to see the cancellation between steps.
	long, err := scenario.ResolveWith("homogeneous", []scenario.Set{{Path: "stop.tasks", Value: "2000000"}})
	if err != nil {
		t.Fatal(err)
	}
	jobs[2].sc = long
	jobs[2].opt.OnRecord = func(*sim.Record) { cancel() }
	results, done, whats, err := runJobsPartial(ctx, jobs, io.Discard)
	if err != errInterrupted {
		t.Fatalf("err %v, want errInterrupted", err)
	}
	if done[2] || whats[2] == "" {
		t.Errorf("run 2 cancelled the context yet is done %v (%q)", done[2], whats[2])
	}
	for i, d := range done {
		if d && (results[i].Tasks.Completed != 900 || results[i].Seed != jobs[i].seed) {
			t.Errorf("run %d is done but not whole: %d tasks completed, seed %d", i, results[i].Tasks.Completed, results[i].Seed)
		}
	}
}

// fakeRun is a sim.Runner whose events each take cost of a fake clock's
// time; it never ends.
type fakeRun struct {
	sim.Runner
	now    *time.Time
	cost   time.Duration
	chunks []int
}

func (f *fakeRun) Step(max int) (bool, error) {
	f.chunks = append(f.chunks, max)
	*f.now = f.now.Add(time.Duration(max) * f.cost)
	return false, nil
}

// TestStepperFollowsWallTime: the chunks a run is stepped in are sized by
// the wall time they take, so an interrupt is seen within about stepTarget
// whatever an event costs. On a fake clock: after the first chunk (16
// events), no chunk takes longer than stepTarget plus one event, for
// events of 1 ns (the chunk grows to stepMax, doubling), 1 ms (it settles
// at stepTarget/1 ms = 10 events) and 1 s (one event per chunk, the least
// there can be).
func TestStepperFollowsWallTime(t *testing.T) {
	for _, c := range []struct {
		cost     time.Duration
		settleAt int
	}{{time.Nanosecond, stepMax}, {time.Millisecond, 10}, {time.Second, 1}} {
		now := time.Unix(0, 0)
		f := &fakeRun{now: &now, cost: c.cost}
		s := &stepper{n: stepFirst, clock: func() time.Time { return now }}
		for range 40 {
			if _, err := s.step(f); err != nil {
				t.Fatal(err)
			}
		}
		if f.chunks[0] != stepFirst {
			t.Errorf("cost %v: first chunk %d events, want %d", c.cost, f.chunks[0], stepFirst)
		}
		for k, n := range f.chunks[1:] {
			if time.Duration(n)*c.cost > stepTarget+c.cost && n > 1 {
				t.Errorf("cost %v: chunk %d has %d events (%v), more than stepTarget %v", c.cost, k+1, n, time.Duration(n)*c.cost, stepTarget)
			}
			if n > 2*f.chunks[k] {
				t.Errorf("cost %v: chunk %d has %d events, more than twice the previous %d", c.cost, k+1, n, f.chunks[k])
			}
		}
		if last := f.chunks[len(f.chunks)-1]; last != c.settleAt {
			t.Errorf("cost %v: chunks settle at %d events, want %d", c.cost, last, c.settleAt)
		}
	}
}

// TestInterruptSeenWithinAChunk: a run whose context is cancelled at its
// first finished task (event E0 of the run) stops after at most 2·E0 +
// stepFirst events, since chunks start at stepFirst events and at most
// double: the chunk holding E0 is at most E0 + stepFirst long, whatever
// the clock says (the old fixed chunk was 65,536 events).
func TestInterruptSeenWithinAChunk(t *testing.T) {
	sc, err := scenario.ResolveWith("homogeneous", []scenario.Set{{Path: "stop.tasks", Value: "2000000"}})
	if err != nil {
		t.Fatal(err)
	}
	spec := scenario.StrategySpec{Name: "p2c"}
	// E0: the event at which the first task ends.
	var first bool
	r, closer, err := sc.Start(spec, 1, scenario.RunOptions{OnRecord: func(*sim.Record) { first = true }})
	if err != nil {
		t.Fatal(err)
	}
	for !first {
		if _, err := r.Step(1); err != nil {
			t.Fatal(err)
		}
	}
	e0 := r.Events()
	closer.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j := job{sc: sc, spec: spec, seed: 1, opt: scenario.RunOptions{OnRecord: func(*sim.Record) { cancel() }}}
	_, what, err := runJob(ctx, j, nil)
	if err != errInterrupted {
		t.Fatalf("err %v, want errInterrupted", err)
	}
	var arrived int64
	if i := strings.Index(what, " after "); i < 0 {
		t.Fatalf("what %q names no task count", what)
	} else if _, err := fmt.Sscanf(what[i:], " after %d tasks arrived", &arrived); err != nil {
		t.Fatalf("what %q: %v", what, err)
	}
	if limit := 2*int64(e0) + stepFirst; arrived > limit || arrived < 1 {
		t.Errorf("stopped after %d tasks arrived; the first task ended at event %d, so at most %d events may run", arrived, e0, limit)
	}
	t.Logf("first task ended at event %d; stopped after %d arrivals", e0, arrived)
}
