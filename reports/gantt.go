package reports

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GanttHeader is the header row of gantt.csv: the schedule of one workflow
// per run, a row per task that ran (times in seconds of simulated time).
const GanttHeader = "strategy,seed,workflow,arrival_s,task,class,node_index,node,start_s,finish_s\n"

// MaxGanttRows is the most gantt.csv rows fleetsim reads.
const MaxGanttRows = 1_000_000

// GanttRow is one task of a workflow's schedule: it ran on node (index
// NodeIndex in the cluster) from Start (its work began, its data there) to
// Finish; the workflow arrived at Arrival.
type GanttRow struct {
	Strategy  string
	Seed      uint64
	Workflow  string
	Arrival   float64
	Task      int64
	Class     string
	NodeIndex int
	Node      string
	Start     float64
	Finish    float64
}

// GanttWriter streams gantt.csv rows (no header: a part of the file).
type GanttWriter struct {
	w   *bufio.Writer
	buf []byte
}

// NewGanttPartWriter writes rows without the header to w.
func NewGanttPartWriter(w io.Writer) *GanttWriter { return &GanttWriter{w: bufio.NewWriter(w)} }

// Write writes one row.
func (g *GanttWriter) Write(r *GanttRow) {
	b := g.buf[:0]
	b = appendCSVField(b, r.Strategy)
	b = append(b, ',')
	b = strconv.AppendUint(b, r.Seed, 10)
	b = append(b, ',')
	b = appendCSVField(b, r.Workflow)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.Arrival, 'g', -1, 64)
	b = append(b, ',')
	b = strconv.AppendInt(b, r.Task, 10)
	b = append(b, ',')
	b = appendCSVField(b, r.Class)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(r.NodeIndex), 10)
	b = append(b, ',')
	b = appendCSVField(b, r.Node)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.Start, 'g', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, r.Finish, 'g', -1, 64)
	b = append(b, '\n')
	g.buf = b
	g.w.Write(b)
}

// Flush writes what is buffered.
func (g *GanttWriter) Flush() error { return g.w.Flush() }

var ganttColumns = []string{"strategy", "seed", "workflow", "arrival_s", "task", "class", "node_index", "node", "start_s", "finish_s"}

// ReadGantt reads a gantt.csv; name names it in errors, which give the
// line and the field.
func ReadGantt(r io.Reader, name string) ([]GanttRow, error) {
	cr := csv.NewReader(bufio.NewReader(&capLines{r: r, name: name, max: MaxSeriesLine}))
	cr.FieldsPerRecord = len(ganttColumns)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: expected the header %q, got an empty file", name, GanttHeader[:len(GanttHeader)-1])
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, w := range ganttColumns {
		if head[i] != w {
			return nil, fmt.Errorf("%s: line 1: column %d: expected %q, got %q", name, i+1, w, head[i])
		}
	}
	var rows []GanttRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		bad := func(col int, what string) error {
			return fmt.Errorf("%s: line %d: field %s: expected %s, got %q", name, line, ganttColumns[col], what, rec[col])
		}
		row := GanttRow{Strategy: rec[0], Workflow: rec[2], Class: rec[5], Node: rec[7]}
		if row.Seed, err = strconv.ParseUint(rec[1], 10, 64); err != nil {
			return nil, bad(1, "an unsigned integer")
		}
		num := func(col int, v *float64) error {
			f, ok := parseSeconds(rec[col])
			if !ok {
				return bad(col, "a number of seconds >= 0")
			}
			*v = f
			return nil
		}
		if err := num(3, &row.Arrival); err != nil {
			return nil, err
		}
		if row.Task, err = strconv.ParseInt(rec[4], 10, 64); err != nil {
			return nil, bad(4, "an integer")
		}
		n, err := strconv.ParseInt(rec[6], 10, 32)
		if err != nil || n < 0 {
			return nil, bad(6, "a node index >= 0")
		}
		row.NodeIndex = int(n)
		if err := num(8, &row.Start); err != nil {
			return nil, err
		}
		if err := num(9, &row.Finish); err != nil {
			return nil, err
		}
		if row.Finish < row.Start {
			return nil, bad(9, fmt.Sprintf("a finish >= the start (%g)", row.Start))
		}
		if len(rows) == MaxGanttRows {
			return nil, fmt.Errorf("%s: line %d: more than %d rows, the most fleetsim reads", name, line, MaxGanttRows)
		}
		rows = append(rows, row)
	}
}

// maxGanttClasses is the most task classes a Gantt chart's legend names;
// the others share the last colour as "other".
const maxGanttClasses = 12

// GanttPlot draws the schedule of one workflow: a row per node that ran
// one of its tasks (in cluster order), each task a bar from the start of
// its work to its finish, coloured by task class (in order of first
// start), time from the workflow's arrival. The rows must be of one run
// and one workflow; it is an error to pass none.
func GanttPlot(rows []GanttRow, title string) (*Chart, error) {
	if len(rows) == 0 {
		return nil, errors.New("gantt: no tasks")
	}
	rs := slices.Clone(rows)
	slices.SortStableFunc(rs, func(a, b GanttRow) int {
		if a.Start != b.Start {
			if a.Start < b.Start {
				return -1
			}
			return 1
		}
		return int(a.Task - b.Task)
	})
	var nodes []int
	names := map[int]string{}
	var classes []string
	for _, r := range rs {
		if _, ok := names[r.NodeIndex]; !ok {
			names[r.NodeIndex] = r.Node
			nodes = append(nodes, r.NodeIndex)
		}
		if !slices.Contains(classes, r.Class) {
			classes = append(classes, r.Class)
		}
	}
	slices.Sort(nodes)
	// Lanes: tasks that overlap on a node (it has several cores) go on
	// lanes of its row, each on the first lane free by its start.
	laneEnds := map[int][]float64{}
	lane := make([]int, len(rs))
	for k, r := range rs {
		ends := laneEnds[r.NodeIndex]
		l := slices.IndexFunc(ends, func(e float64) bool { return e <= r.Start })
		if l < 0 {
			l = len(ends)
			ends = append(ends, 0)
		}
		ends[l] = r.Finish
		laneEnds[r.NodeIndex] = ends
		lane[k] = l
	}
	offset := map[int]int{}
	ticks := &ganttTicks{}
	lanes := 0
	for _, n := range nodes {
		offset[n] = lanes
		l := len(laneEnds[n])
		ticks.at = append(ticks.at, float64(lanes)+float64(l-1)/2)
		ticks.names = append(ticks.names, names[n])
		lanes += l
	}
	ch := newChart(title, "time since the workflow arrived (s)", "node")
	p := ch.Plot
	bars := &ganttBars{}
	for k, n := range nodes {
		if k > 0 {
			bars.seps = append(bars.seps, float64(offset[n])-0.5)
		}
	}
	colorOf := func(class string) int {
		return min(slices.Index(classes, class), maxGanttClasses-1)
	}
	t0 := rs[0].Arrival
	for k, r := range rs {
		bars.bars = append(bars.bars, ganttBar{row: offset[r.NodeIndex] + lane[k], x0: r.Start - t0, x1: r.Finish - t0, color: colorOf(r.Class), task: r.Task})
		p.X.Max = max(p.X.Max, r.Finish-t0)
	}
	p.X.Min = 0
	p.X.Tick.Marker = niceTicks{}
	p.Y.Min, p.Y.Max = -0.5, float64(lanes)-0.5
	p.Y.Tick.Marker = ticks
	ticks.fit(vg.Points(220), tickSize)
	p.Add(bars)
	ch.bars = bars
	for k, c := range classes {
		if k == maxGanttClasses-1 && len(classes) > maxGanttClasses {
			c = fmt.Sprintf("other (%d classes)", len(classes)-k)
		}
		if c == "" {
			c = "(no class)"
		}
		ch.Legend.Add(c, swatchThumb{seriesColor(k)})
		if k == maxGanttClasses-1 {
			break
		}
	}
	return ch, nil
}

// ganttBar is one task: a bar on a row from x0 to x1, in colour number
// color.
type ganttBar struct {
	row    int
	x0, x1 float64
	color  int
	task   int64
}

// ganttBars draws the bars of a Gantt chart, and light lines between the
// rows of two nodes (at seps).
type ganttBars struct {
	bars []ganttBar
	seps []float64
}

// ganttTicks labels each node's row at the middle of its lanes, every
// step-th node where there are too many to label all.
type ganttTicks struct {
	at    []float64
	names []string
	step  int
}

// fit sets the step so that labels of the given font size stay apart on a
// data area of the given height.
func (t *ganttTicks) fit(height, font vg.Length) {
	t.step = 1
	if len(t.at) == 0 {
		return
	}
	rows := t.at[len(t.at)-1] + 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		t.step = s
		// labels are at least s nodes, so at least s rows, apart
		if height/vg.Length(rows)*vg.Length(s)*vg.Length(rows)/vg.Length(len(t.at)) >= 1.6*font {
			return
		}
	}
}

// Ticks implements plot.Ticker.
func (t *ganttTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for i, v := range t.at {
		if i%max(t.step, 1) == 0 {
			ticks = append(ticks, plot.Tick{Value: v, Label: t.names[i]})
		}
	}
	return ticks
}

// Plot implements plot.Plotter: each bar filled in its colour over 70 % of
// its row's height, at least 1 pt wide, with a thin white edge (where it
// is 3 pt wide or more) so that adjacent tasks stay apart.
func (g *ganttBars) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	sep := draw.LineStyle{Color: plotGrey(160), Width: vg.Points(0.5)}
	for _, y := range g.seps {
		c.StrokeLine2(sep, c.Min.X, ty(y), c.Max.X, ty(y))
	}
	edge := draw.LineStyle{Color: plotGrey(255), Width: vg.Points(0.4)}
	for _, b := range g.bars {
		x0, x1 := tx(b.x0), tx(b.x1)
		if x1-x0 < vg.Points(1) {
			x1 = x0 + vg.Points(1) // a task too short to see still shows
		}
		y0, y1 := ty(float64(b.row)-0.35), ty(float64(b.row)+0.35)
		rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
		c.SetColor(seriesColor(b.color))
		c.Fill(rect.Path())
		if x1-x0 >= vg.Points(3) { // the edge would hide a thin bar
			c.SetLineStyle(edge)
			c.Stroke(rect.Path())
		}
	}
}

// swatchThumb is a legend thumbnail: a filled box in a colour.
type swatchThumb struct{ c color.Color }

func (s swatchThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}
