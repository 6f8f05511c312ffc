package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestGanttRoundTrip writes gantt.csv rows (a class with a comma and a
// quote among them) and reads them back unchanged.
func TestGanttRoundTrip(t *testing.T) {
	rows := []GanttRow{
		{Strategy: "heft", Seed: 1, Workflow: "w", Arrival: 0, Task: 1, Class: "mProject", NodeIndex: 0, Node: "a-0", Start: 0, Finish: 2.5},
		{Strategy: "heft", Seed: 1, Workflow: "w", Arrival: 0, Task: 2, Class: `odd, "class"`, NodeIndex: 3, Node: "b-1", Start: 2.5, Finish: 4},
	}
	var buf bytes.Buffer
	buf.WriteString(GanttHeader)
	w := NewGanttPartWriter(&buf)
	for i := range rows {
		w.Write(&rows[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGantt(&buf, "gantt.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows back, want %d", len(got), len(rows))
	}
	for i := range rows {
		if got[i] != rows[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], rows[i])
		}
	}
}

// TestReadGanttBadInput: each bad file is refused with the file, line and
// field.
func TestReadGanttBadInput(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"", `g.csv: expected the header`},
		{"strategy,seed,workflow,arrival_s,task,class,node,node_index,start_s,finish_s\n", `g.csv: line 1: column 7: expected "node_index", got "node"`},
		{GanttHeader + "s,1,w,0,1,c,0,n,x,2\n", `g.csv: line 2: field start_s: expected a number of seconds >= 0, got "x"`},
		{GanttHeader + "s,1,w,0,1,c,0,n,3,2\n", `g.csv: line 2: field finish_s: expected a finish >= the start (3), got "2"`},
		{GanttHeader + "s,1,w,0,1,c,-1,n,1,2\n", `g.csv: line 2: field node_index: expected a node index >= 0, got "-1"`},
	} {
		_, err := ReadGantt(strings.NewReader(c.body), "g.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one with %q", c.body, err, c.want)
		}
	}
}

// TestGanttPlotLanes checks the rows of a Gantt chart, worked by hand:
// node 0 runs tasks over [0, 5), [1, 3) and [5, 6): the second overlaps
// the first and takes a second lane, the third reuses the first lane once
// it is free at 5; node 3 runs one task. Three lanes in all, node 0's
// label at the middle of its two (0.5), node 3's at lane 2, a separator
// between them at 1.5.
func TestGanttPlotLanes(t *testing.T) {
	rows := []GanttRow{
		{Task: 1, Class: "x", NodeIndex: 0, Node: "n0", Start: 0, Finish: 5},
		{Task: 2, Class: "y", NodeIndex: 0, Node: "n0", Start: 1, Finish: 3},
		{Task: 3, Class: "x", NodeIndex: 0, Node: "n0", Start: 5, Finish: 6},
		{Task: 4, Class: "y", NodeIndex: 3, Node: "n3", Start: 2, Finish: 4},
	}
	ch, err := GanttPlot(rows, "t")
	if err != nil {
		t.Fatal(err)
	}
	p := ch.Plot
	if p.Y.Min != -0.5 || p.Y.Max != 2.5 || p.X.Min != 0 || p.X.Max != 6 {
		t.Errorf("axes x [%v, %v] y [%v, %v], want x [0, 6] y [-0.5, 2.5]", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	ticks := p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max)
	if len(ticks) != 2 || ticks[0].Value != 0.5 || ticks[0].Label != "n0" || ticks[1].Value != 2 || ticks[1].Label != "n3" {
		t.Errorf("node ticks %+v, want n0 at 0.5 and n3 at 2", ticks)
	}
	bars := ch.bars
	if bars == nil || len(bars.bars) != 4 {
		t.Fatalf("bars %+v, want 4", bars)
	}
	lanes := map[int64]int{}
	for _, b := range bars.bars {
		lanes[b.task] = b.row
	}
	if lanes[1] != 0 || lanes[2] != 1 || lanes[3] != 0 || lanes[4] != 2 || len(bars.seps) != 1 || bars.seps[0] != 1.5 {
		t.Errorf("lanes by task %v, separators %v; want 1:0 2:1 3:0 4:2 and one at 1.5", lanes, bars.seps)
	}
	if _, err := GanttPlot(nil, "t"); err == nil {
		t.Error("no rows: no error")
	}
}
