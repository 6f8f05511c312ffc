package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

const wfDir = "../../../shared/traces/wfcommons"

// TestReplayWfCommons replays the four shared instances on their recorded
// machines: each fits its machines' cores, so the simulated makespan is
// its critical path of recorded runtimes (no transfers on one machine,
// seismology's are under 1 ms at 10 Gb/s); the recorded one is longer, as
// the README says (Pegasus's per-task delays). A per-task overhead makes
// every simulated makespan grow.
func TestReplayWfCommons(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(wfDir, "*.json"))
	if len(files) != 4 {
		t.Skipf("the four shared instances are not in %s", wfDir)
	}
	tr := sim.Transfer{Bandwidth: 1.25e9}
	for _, f := range files {
		inst, err := scenario.ReadInstance(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := replay(inst, "heft", tr, overheads{})
		if err != nil {
			t.Fatal(err)
		}
		if r.makespan < r.cp || r.makespan > r.cp+0.01 || r.makespan >= inst.MakespanS {
			t.Errorf("%s: simulated %.3f s, critical path %.3f s, recorded %.1f s", filepath.Base(f), r.makespan, r.cp, inst.MakespanS)
		}
		o, err := replay(inst, "heft", tr, overheads{task: 10})
		if err != nil {
			t.Fatal(err)
		}
		if o.makespan <= r.makespan+10 {
			t.Errorf("%s: 10 s per task moved the makespan from %.1f to %.1f s only", filepath.Base(f), r.makespan, o.makespan)
		}
	}
}

// TestReplayDispatch checks the dispatch model on the instances recorded on
// one machine: that machine starts one task at a time, each start taking
// 10 s, so the makespan is at least n x 10 s plus the shortest runtime
// (the last start, then its work), and at most n x 10 s plus the sum of
// runtimes (at every moment a start is under way or a task runs: a
// ready task is placed at once while cores are free, and cores held by
// waiting tasks mean a start is under way).
func TestReplayDispatch(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(wfDir, "*.json"))
	if len(files) != 4 {
		t.Skipf("the four shared instances are not in %s", wfDir)
	}
	checked := 0
	for _, f := range files {
		inst, err := scenario.ReadInstance(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(inst.Machines) != 1 {
			continue
		}
		minRun, sumRun := math.Inf(1), 0.0
		for _, tk := range inst.Tasks {
			minRun = min(minRun, tk.Work.Seconds())
			sumRun += tk.Work.Seconds()
		}
		n := float64(len(inst.Tasks))
		for _, s := range []string{"heft", "ready-fifo"} {
			r, err := replay(inst, s, sim.Transfer{Bandwidth: 1.25e9}, overheads{dispatch: 10})
			if err != nil {
				t.Fatal(err)
			}
			if lo, hi := n*10+minRun, n*10+sumRun; r.makespan < lo-1e-6 || r.makespan > hi+1e-6 {
				t.Errorf("%s under %s: makespan %.3f s with dispatch 10 s, want within [%.3f, %.3f]", filepath.Base(f), s, r.makespan, lo, hi)
			}
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("%d one-machine instances, want 3", checked)
	}
}

// TestTraceWorkflowsBadInput checks the command's hostile input: one line
// naming the file and JSON path (or line), exit 2.
func TestTraceWorkflowsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "old.json")
	os.WriteFile(bad, []byte(`{"name": "w", "schemaVersion": "1.3", "workflow": {"jobs": []}}`), 0o644)
	cyc := filepath.Join(dir, "cycle.json")
	os.WriteFile(cyc, []byte(`{"name": "w", "schemaVersion": "1.4", "workflow": {"makespanInSeconds": 1, "machines": [{"nodeName": "m"}],
 "tasks": [{"name": "a", "parents": ["b"], "children": [], "runtimeInSeconds": 1}, {"name": "b", "parents": ["a"], "children": [], "runtimeInSeconds": 1}]}}`), 0o644)
	for _, c := range []struct{ file, want string }{
		{bad, bad + `: column schemaVersion: unsupported WfFormat schema version "1.3"`},
		{cyc, cyc + `: column "workflow.tasks[0].parents": the workflow has a cycle through task "a"`},
	} {
		code, _, stderr := fleetsim(t, "trace", "workflows", c.file)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, stderr, c.want)
		}
	}
}

// TestGanttOutput: run --out on a workflow writes gantt.csv with the
// tasks of the first workflow to finish a task, as worked by hand, and a
// Gantt chart among the plots; report puts it in the HTML. Two one-CPU
// nodes, first-fit, no transfer cost: w's task 1 runs on n-0 over 0-2;
// its children 2 (3 s) and 3 (1 s) become ready at 2, first-fit puts 2 on
// n-0 (2-5) and 3 on n-1 (2-3). Workflow v arrives later and is left out.
// Rows come in order of finish.
func TestGanttOutput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "w.csv"), []byte("id,arrival,duration,workflow,parents,class,cpu\n1,0,2,w,,a,1\n2,0,3,w,1,b,1\n3,0,1,w,1,b,1\n4,10,1,v,,a,1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("name: g\ncluster:\n  queueing: central\n  nodes:\n    - {group: n, count: 2, cpu: 1, memory: 1Gi}\nworkload:\n  trace: {path: w.csv}\nstrategies: [first-fit]\n"), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, errs := fleetsim(t, "run", filepath.Join(dir, "s.yaml"), "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "gantt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "strategy,seed,workflow,arrival_s,task,class,node_index,node,start_s,finish_s\n" +
		"first-fit,1,w,0,1,a,0,n-0,0,2\n" +
		"first-fit,1,w,0,3,b,1,n-1,2,3\n" +
		"first-fit,1,w,0,2,b,0,n-0,2,5\n"
	if string(b) != want {
		t.Errorf("gantt.csv\n%s\nwant\n%s", b, want)
	}
	if _, err := os.Stat(filepath.Join(out, "plots", "gantt-0-first-fit.svg")); err != nil {
		t.Errorf("no Gantt chart: %v", err)
	}
	html := filepath.Join(dir, "r.html")
	if code, _, errs := fleetsim(t, "report", out, "-o", html); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	if h, _ := os.ReadFile(html); !strings.Contains(string(h), "Schedule of the first workflow to finish a task (w) under first-fit") {
		t.Error("the report has no Gantt chart")
	}
}
