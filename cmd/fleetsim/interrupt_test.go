package main

import (
	"context"
	"io"
	"testing"

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
