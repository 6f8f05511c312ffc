package traces_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// readAll reads every task of a native trace, or the first error.
func readAll(src sim.Source) ([]sim.Task, error) {
	var out []sim.Task
	for {
		var t sim.Task
		if err := src.Next(&t); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, err
		}
		out = append(out, t)
	}
}

// describe prints a task's workflow fields: id@workflow<parent(bytes)...>+out.
func describe(ts []sim.Task) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%d@%s<", t.ID, t.Workflow)
		for _, e := range t.ParentEdges() {
			fmt.Fprintf(&b, "%d(%d)", e.Parent, e.Bytes)
		}
		fmt.Fprintf(&b, ">+%d ", t.OutputBytes)
	}
	return b.String()
}

// TestWorkflowColumns reads the workflow columns from CSV and JSONL: parents
// separated by ';', an edge's own bytes after ':' (-1: the parent's
// output_bytes), output_bytes with a size suffix.
func TestWorkflowColumns(t *testing.T) {
	csv := "id,arrival,duration,workflow,parents,output_bytes,nodes\n" +
		"1,0,4,w1,,1Ki,\n2,0,2,w1,1,10,\n3,0,6,w1,1:50,30,\n4,0,2,w1,2;3,0,\n5,3,1,,,,4\n"
	jsonl := `{"id":1,"arrival":0,"duration":4,"workflow":"w1","output_bytes":"1Ki"}
{"id":2,"arrival":0,"duration":2,"workflow":"w1","parents":"1","output_bytes":10}
{"id":3,"arrival":0,"duration":6,"workflow":"w1","parents":"1:50","output_bytes":30}
{"id":4,"arrival":0,"duration":2,"workflow":"w1","parents":"2; 3"}
{"id":5,"arrival":3,"duration":1,"nodes":4}
`
	want := "1@w1<>+1024 2@w1<1(-1)>+10 3@w1<1(50)>+30 4@w1<2(-1)3(-1)>+0 5@<>+0 "
	cr, err := traces.NewCSVReader(strings.NewReader(csv), "wf.csv")
	if err != nil {
		t.Fatal(err)
	}
	jr, err := traces.NewJSONLReader(strings.NewReader(jsonl), "wf.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []sim.Source{cr, jr} {
		ts, err := readAll(src)
		if err != nil {
			t.Fatal(err)
		}
		if ts[4].Nodes != 4 {
			t.Errorf("task 5: nodes %d, want 4", ts[4].Nodes)
		}
		if got := describe(ts); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

// TestWorkflowColumnErrors checks that bad workflow rows are refused with
// file, line and column: a parent that never appears before its child (a
// cycle is one), tasks of a workflow arriving apart, parents without a
// workflow, a malformed parents cell.
func TestWorkflowColumnErrors(t *testing.T) {
	head := "id,arrival,duration,workflow,parents\n"
	for _, c := range []struct{ rows, want string }{
		{"1,0,1,w,2\n2,0,1,w,1\n", "wf.csv:2: column parents: task 1 names parent 2, which is not an earlier task of workflow \"w\""},
		{"1,0,1,w,\n2,0,1,w,1\n3,0,1,w,9\n", "wf.csv:4: column parents: task 3 names parent 9, which is not an earlier task"},
		{"1,0,1,w,\n2,5,1,w,1\n", "wf.csv:3: column arrival: task 2 of workflow \"w\" arrives at 5 s, its workflow at 0 s"},
		{"1,0,1,,\n2,0,1,,1\n", "wf.csv:3: column parents: a task with parents needs a workflow"},
		{"1,0,1,w,x;\n", "wf.csv:2: column parents: expected task ids separated by ';'"},
		{"1,0,1,w,\n1,0,1,w,\n", "wf.csv:3: column id: id 1 appears twice in workflow \"w\""},
	} {
		r, err := traces.NewCSVReader(strings.NewReader(head+c.rows), "wf.csv")
		if err == nil {
			_, err = readAll(r)
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("rows %q: error %v, want one starting %q", c.rows, err, c.want)
		}
	}
}
