package traces

import (
	"fmt"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// Workflow columns of the native format: workflow names the DAG a task
// belongs to, parents lists the ids of its parents separated by ';' (each
// optionally followed by ':bytes', the data that edge carries instead of
// the parent's output_bytes), output_bytes the data it hands each child.
// A workflow's rows follow one another, share one arrival time, and list
// every parent before its children (so a cycle cannot be written).

// parseParents parses the parents cell into t.Parents.
func parseParents(t *sim.Task, raw string) numErr {
	s := trimSpace(raw)
	if s == "" {
		return numOK
	}
	for _, f := range strings.Split(s, ";") {
		f = trimSpace(f)
		id, bytes, hasBytes := strings.Cut(f, ":")
		v, e := parseInt(trimSpace(id), -1<<63, 1<<63-1)
		if e != numOK {
			return numSyntax
		}
		ed := sim.Edge{Parent: v, Bytes: -1}
		if hasBytes {
			b, e := parseSize(trimSpace(bytes))
			if e != numOK {
				return numSyntax
			}
			ed.Bytes = b
		}
		if t.Deps == nil {
			t.Deps = &sim.Deps{}
		}
		t.Deps.Parents = append(t.Deps.Parents, ed)
	}
	return numOK
}

// dagCheck checks the rows of workflows as they are read: a workflow's
// tasks arrive together, parents come before their children, ids are
// unique within the workflow. It holds the ids of one workflow at a time.
type dagCheck struct {
	name    string
	arrival sim.Time
	ids     map[int64]struct{}
}

// check returns the column and message of the first problem with t, or
// "", "".
func (d *dagCheck) check(t *sim.Task) (string, string) {
	if t.Workflow == "" {
		d.name = ""
		if len(t.ParentEdges()) > 0 {
			return colParents.String(), "a task with parents needs a workflow (column workflow)"
		}
		return "", ""
	}
	if t.Workflow != d.name {
		d.name, d.arrival = t.Workflow, t.Arrival
		if d.ids == nil {
			d.ids = map[int64]struct{}{}
		}
		clear(d.ids)
	} else if t.Arrival != d.arrival {
		return colArrival.String(), fmt.Sprintf("task %d of workflow %s arrives at %s s, its workflow at %s s: a workflow's tasks arrive together",
			t.ID, quote(t.Workflow), string(appendFixed(nil, int64(t.Arrival), 9)), string(appendFixed(nil, int64(d.arrival), 9)))
	}
	for _, e := range t.ParentEdges() {
		if _, ok := d.ids[e.Parent]; !ok {
			return colParents.String(), fmt.Sprintf("task %d names parent %d, which is not an earlier task of workflow %s (parents come before their children, so a cycle cannot be written)",
				t.ID, e.Parent, quote(t.Workflow))
		}
	}
	if _, dup := d.ids[t.ID]; dup {
		return colID.String(), fmt.Sprintf("id %d appears twice in workflow %s", t.ID, quote(t.Workflow))
	}
	d.ids[t.ID] = struct{}{}
	return "", ""
}
