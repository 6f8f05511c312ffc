package traces_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/traces"
)

const wfDir = "../../shared/traces/wfcommons"

// TestWfFormatRealInstances reads the four shared WfCommons instances and
// checks them against their README's table: task count, machines (cores),
// recorded makespan and sum of task runtimes; and that the tasks come in
// topological order (every parent before its child).
func TestWfFormatRealInstances(t *testing.T) {
	for _, c := range []struct {
		file     string
		tasks    int
		machines int
		makespan float64
		work     float64
	}{
		{"montage-chameleon-2mass-01d-001.json", 103, 1, 1362, 362.6},
		{"epigenomics-chameleon-hep-1seq-100k-001.json", 41, 1, 594, 539.3},
		{"1000genome-chameleon-2ch-100k-001.json", 52, 1, 776, 2771.3},
		{"seismology-chameleon-100p-001.json", 101, 3, 354, 71.9},
	} {
		path := filepath.Join(wfDir, c.file)
		f, err := os.Open(path)
		if err != nil {
			t.Skipf("shared instances not here: %v", err)
		}
		inst, err := traces.ReadWfFormat(f, path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(inst.Tasks) != c.tasks || len(inst.Machines) != c.machines || inst.MakespanS != c.makespan {
			t.Errorf("%s: %d tasks, %d machines, makespan %g; README: %d, %d, %g", c.file, len(inst.Tasks), len(inst.Machines), inst.MakespanS, c.tasks, c.machines, c.makespan)
		}
		var work float64
		edges := 0
		for k, task := range inst.Tasks {
			work += task.Work.Seconds()
			if task.ID != int64(k) {
				t.Fatalf("%s: task %d has id %d", c.file, k, task.ID)
			}
			for _, e := range task.ParentEdges() {
				edges++
				if e.Parent >= task.ID {
					t.Errorf("%s: task %d comes before its parent %d", c.file, task.ID, e.Parent)
				}
			}
			if inst.TaskMachine[k] < 0 {
				t.Errorf("%s: task %s has no recorded machine", c.file, inst.TaskNames[k])
			}
		}
		if math.Abs(work-c.work) > 0.05 {
			t.Errorf("%s: runtimes sum to %.2f s, README says %.1f", c.file, work, c.work)
		}
		if edges == 0 {
			t.Errorf("%s: no dependencies read", c.file)
		}
		for _, m := range inst.Machines {
			if m.Cores != 48 {
				t.Errorf("%s: machine %s has %d cores, README says 48", c.file, m.Name, m.Cores)
			}
		}
	}
}

// TestWfFormat14 reads a small schema 1.4 instance: tasks in one list,
// parents by name, files with links; the edge carries the files the parent
// writes and the child reads.
func TestWfFormat14(t *testing.T) {
	doc := `{"name": "tiny", "schemaVersion": "1.4", "workflow": {"makespanInSeconds": 9, "executedAt": "x",
  "machines": [{"nodeName": "m1", "cpu": {"count": 4, "speed": 2000}}],
  "tasks": [
    {"name": "b_ID02", "type": "compute", "parents": ["a_ID01"], "children": [], "runtimeInSeconds": 2, "cores": 2, "machine": "m1",
     "files": [{"link": "input", "name": "x", "sizeInBytes": 100}, {"link": "input", "name": "raw", "sizeInBytes": 7}]},
    {"name": "a_ID01", "type": "compute", "parents": [], "children": ["b_ID02"], "runtimeInSeconds": 3, "machine": "m1",
     "files": [{"link": "output", "name": "x", "sizeInBytes": 100}, {"link": "output", "name": "y", "sizeInBytes": 5}]}
  ]}}`
	inst, err := traces.ReadWfFormat(strings.NewReader(doc), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	got := describe(inst.Tasks)
	if want := "0@tiny<>+105 1@tiny<0(100)>+0 "; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if inst.Tasks[0].Class != "a" || inst.Tasks[1].CPU != 2000 || inst.Machines[0].Cores != 4 || inst.TaskMachine[1] != 0 {
		t.Errorf("class %q, cpu %d, cores %d, machine %d; want a, 2000, 4, 0", inst.Tasks[0].Class, inst.Tasks[1].CPU, inst.Machines[0].Cores, inst.TaskMachine[1])
	}
}

// TestWfFormatErrors checks hostile instances: each is one line naming the
// file and the line (bad JSON) or the JSON path (bad content).
func TestWfFormatErrors(t *testing.T) {
	spec := func(tasks string) string {
		return `{"name": "w", "schemaVersion": "1.5", "workflow": {"specification": {"tasks": [` + tasks + `]},
  "execution": {"makespanInSeconds": 1, "executedAt": "x", "tasks": [{"id": "a", "runtimeInSeconds": 1}, {"id": "b", "runtimeInSeconds": 1}]}}}`
	}
	for _, c := range []struct{ doc, want string }{
		{`{"name": "w", "schemaVersion": "1.2", "workflow": {}}`, `w.json: column schemaVersion: unsupported WfFormat schema version "1.2"`},
		{spec(`{"name": "a", "id": "a", "parents": ["b"], "children": []}, {"name": "b", "id": "b", "parents": ["a"], "children": []}`),
			`w.json: column "workflow.specification.tasks[0].parents": the workflow has a cycle through task "a"`},
		{spec(`{"name": "a", "id": "a", "parents": ["zz"], "children": []}, {"name": "b", "id": "b", "parents": [], "children": []}`),
			`w.json: column "workflow.specification.tasks[0].parents[0]": parent "zz" is not a task of the workflow`},
		{"{\"name\": \"w\",\n \"schemaVersion\": \"1.5\",\n \"workflow\": {\"specification\": {\"tasks\": [}}}", "w.json:3: invalid JSON"},
		{"{\"name\": \"w\",\n \"schemaVersion\": 1.5}", "w.json:2: column schemaVersion: expected a string, got a JSON number"},
		{`{"name": "w", "schemaVersion": "1.5", "workflow": {"specification": {"tasks": [{"name": "a", "id": "a", "parents": [], "children": []}]}}}`,
			`w.json: column "workflow.specification.tasks[0].runtimeInSeconds": missing`},
	} {
		_, err := traces.ReadWfFormat(strings.NewReader(c.doc), "w.json")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %v\nwant one line starting %q", err, c.want)
		}
	}
}

// FuzzWfFormat checks that no input makes the reader panic, and that what
// it accepts is a DAG in topological order.
func FuzzWfFormat(f *testing.F) {
	for _, name := range []string{"seismology-chameleon-100p-001.json"} {
		if b, err := os.ReadFile(filepath.Join(wfDir, name)); err == nil && len(b) < 1<<20 {
			f.Add(string(b))
		}
	}
	f.Add(`{"name": "tiny", "schemaVersion": "1.4", "workflow": {"makespanInSeconds": 9, "machines": [{"nodeName": "m1", "cpu": {"count": 4}}], "tasks": [{"name": "a", "parents": [], "children": ["b"], "runtimeInSeconds": 3, "files": [{"link": "output", "name": "x", "sizeInBytes": 1}]}, {"name": "b", "parents": ["a"], "children": [], "runtimeInSeconds": 2, "files": [{"link": "input", "name": "x", "sizeInBytes": 1}]}]}}`)
	f.Add(`{"name": "w", "schemaVersion": "1.5", "workflow": {"specification": {"tasks": [{"name": "a", "id": "a", "parents": [], "children": []}], "files": []}, "execution": {"makespanInSeconds": 1, "tasks": [{"id": "a", "runtimeInSeconds": 1, "coreCount": 2}], "machines": [{"nodeName": "m"}]}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		inst, err := traces.ReadWfFormat(strings.NewReader(doc), "f.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		for k, task := range inst.Tasks {
			if task.ID != int64(k) || task.Work < 0 || task.CPU <= 0 {
				t.Fatalf("task %d: %+v", k, task)
			}
			for _, e := range task.ParentEdges() {
				if e.Parent >= task.ID || e.Bytes < 0 {
					t.Fatalf("task %d: edge %+v", k, e)
				}
			}
		}
	})
}
