package traces_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// Two fork-join workflows of one stage (a fork, two parallel tasks, a
// join) arriving 60 s apart on average; each edge carries CCR x mean work
// x bandwidth bytes on average.
func ExampleDAGGen() {
	g := traces.DAGGen{Shape: traces.ForkJoin, Width: 2, Stages: 1, MeanWork: 10 * sim.Second,
		CCR: 0.5, Bandwidth: 1e6, Workflows: 2, Interarrival: 60 * sim.Second, Seed: 1}
	src, err := g.Source()
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		var t sim.Task
		if err := src.Next(&t); err == io.EOF {
			break
		}
		var parents []int64
		for _, e := range t.ParentEdges() {
			parents = append(parents, e.Parent)
		}
		fmt.Printf("%s task %d parents %v\n", t.Workflow, t.ID, parents)
	}
	// Output:
	// dag-0 task 0 parents []
	// dag-0 task 1 parents [0]
	// dag-0 task 2 parents [0]
	// dag-0 task 3 parents [1 2]
	// dag-1 task 4 parents []
	// dag-1 task 5 parents [4]
	// dag-1 task 6 parents [4]
	// dag-1 task 7 parents [5 6]
}

// A WfFormat 1.5 instance of two tasks: b reads the file a writes.
func ExampleReadWfFormat() {
	doc := `{"name": "pair", "schemaVersion": "1.5", "workflow": {
  "specification": {
    "tasks": [{"name": "b_ID02", "id": "b_ID02", "parents": ["a_ID01"], "children": [], "inputFiles": ["x"]},
              {"name": "a_ID01", "id": "a_ID01", "parents": [], "children": ["b_ID02"], "outputFiles": ["x"]}],
    "files": [{"id": "x", "sizeInBytes": 2048}]},
  "execution": {"makespanInSeconds": 30, "executedAt": "2021-01-01T00:00:00",
    "tasks": [{"id": "a_ID01", "runtimeInSeconds": 12.5, "machines": ["m1"]}, {"id": "b_ID02", "runtimeInSeconds": 7, "machines": ["m1"]}],
    "machines": [{"nodeName": "m1", "cpu": {"coreCount": 4}}]}}}`
	inst, err := traces.ReadWfFormat(strings.NewReader(doc), "pair.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, t := range inst.Tasks {
		fmt.Printf("%d %s (%s): %v s, parents %v, on %s\n", t.ID, inst.TaskNames[k], t.Class, t.Work.Seconds(), t.ParentEdges(), inst.Machines[inst.TaskMachine[k]].Name)
	}
	fmt.Printf("recorded makespan %g s\n", inst.MakespanS)
	// Output:
	// 0 a_ID01 (a): 12.5 s, parents [], on m1
	// 1 b_ID02 (b): 7 s, parents [{0 2048}], on m1
	// recorded makespan 30 s
}
