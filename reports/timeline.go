package reports

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TimelineHeader is the first line of timeline.csv: a Kubernetes run with
// controllers sampled on its simulated clock, one row per series and
// sample time.
const TimelineHeader = "strategy,seed,time_s,series,value\n"

var timelineColumns = []string{"strategy", "seed", "time_s", "series", "value"}

// Timeline series names: per Deployment "ready:NAME" (its Ready pods) and
// "replicas:NAME" (its desired replicas), and the cluster's pending pods,
// machines up and cost so far.
const (
	TimelineReady    = "ready:"
	TimelineReplicas = "replicas:"
	TimelinePending  = "pending"
	TimelineNodes    = "nodes"
	TimelineCost     = "cost"
)

// TimelineRow is one row of timeline.csv: series Series of a run at time
// T (simulated seconds) had Value.
type TimelineRow struct {
	Strategy string
	Seed     uint64
	T        float64
	Series   string
	Value    float64
}

// WindowsHeader is the first line of windows.csv: the fault and rollout
// windows of a Kubernetes run with controllers.
const WindowsHeader = "strategy,seed,start_s,end_s,kind,name\n"

var windowColumns = []string{"strategy", "seed", "start_s", "end_s", "kind", "name"}

// WindowKinds are the kinds of windows.csv: a machine down (failed to
// recovered), a zone outage (every machine of the zone failed, to all of
// them back), a rollout (started to complete). A window still open at the
// stop time ends there.
var WindowKinds = []string{"node failure", "zone outage", "rollout"}

// WindowRow is one row of windows.csv.
type WindowRow struct {
	Strategy   string
	Seed       uint64
	Start, End float64
	Kind, Name string
}

// readCSVHeader reads a header that must be exactly cols.
func readCSVHeader(cr *csv.Reader, name string, cols []string) error {
	head, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: expected the header %q, got an empty file", name, strings.Join(cols, ","))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(head) != len(cols) {
		return fmt.Errorf("%s: line 1: expected the header %q, got %d columns", name, strings.Join(cols, ","), len(head))
	}
	for i, w := range cols {
		if head[i] != w {
			return fmt.Errorf("%s: line 1: column %d: expected %q, got %q", name, i+1, w, head[i])
		}
	}
	return nil
}

// parseSeconds reads a finite number of seconds >= 0.
func parseSeconds(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && plotFinite(v) && v >= 0
}

// readRows reads a CSV of the given columns after its header, one row of
// T per record through parse; bad(col, what) makes the error naming the
// line and field. At most MaxSeriesRows rows are read.
func readRows[T any](r io.Reader, name string, columns []string, parse func(rec []string, bad func(col int, what string) error) (T, error)) ([]T, error) {
	cr := csv.NewReader(bufio.NewReader(&capLines{r: r, name: name, max: MaxSeriesLine}))
	cr.FieldsPerRecord = -1
	if err := readCSVHeader(cr, name, columns); err != nil {
		return nil, err
	}
	var rows []T
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(columns) {
			return nil, fmt.Errorf("%s: line %d: expected %d fields as in the header, got %d", name, line, len(columns), len(rec))
		}
		row, err := parse(rec, func(col int, what string) error {
			return fmt.Errorf("%s: line %d: field %s: expected %s, got %q", name, line, columns[col], what, rec[col])
		})
		if err != nil {
			return nil, err
		}
		if len(rows) == MaxSeriesRows {
			return nil, fmt.Errorf("%s: line %d: more than %d rows, the most fleetsim reads", name, line, MaxSeriesRows)
		}
		rows = append(rows, row)
	}
}

// ReadTimeline reads a timeline.csv; name names it in errors, which give
// the line and field.
func ReadTimeline(r io.Reader, name string) ([]TimelineRow, error) {
	return readRows(r, name, timelineColumns, func(rec []string, bad func(int, string) error) (TimelineRow, error) {
		row := TimelineRow{Strategy: rec[0], Series: rec[3]}
		var ok bool
		var err error
		if row.Seed, err = strconv.ParseUint(rec[1], 10, 64); err != nil {
			return row, bad(1, "an unsigned integer")
		}
		if row.T, ok = parseSeconds(rec[2]); !ok {
			return row, bad(2, "a number of seconds >= 0")
		}
		switch s := row.Series; {
		case s == TimelinePending, s == TimelineNodes, s == TimelineCost:
		case strings.HasPrefix(s, TimelineReady) && len(s) > len(TimelineReady):
		case strings.HasPrefix(s, TimelineReplicas) && len(s) > len(TimelineReplicas):
		default:
			return row, bad(3, "pending, nodes, cost, ready:DEPLOYMENT or replicas:DEPLOYMENT")
		}
		if row.Value, ok = parseSeconds(rec[4]); !ok {
			return row, bad(4, "a number >= 0")
		}
		return row, nil
	})
}

// ReadWindows reads a windows.csv; name names it in errors, which give
// the line and field.
func ReadWindows(r io.Reader, name string) ([]WindowRow, error) {
	return readRows(r, name, windowColumns, func(rec []string, bad func(int, string) error) (WindowRow, error) {
		row := WindowRow{Strategy: rec[0], Kind: rec[4], Name: rec[5]}
		var ok bool
		var err error
		if row.Seed, err = strconv.ParseUint(rec[1], 10, 64); err != nil {
			return row, bad(1, "an unsigned integer")
		}
		if row.Start, ok = parseSeconds(rec[2]); !ok {
			return row, bad(2, "a number of seconds >= 0")
		}
		if row.End, ok = parseSeconds(rec[3]); !ok || row.End < row.Start {
			return row, bad(3, fmt.Sprintf("a number of seconds >= start_s (%s)", rec[2]))
		}
		if !slices.Contains(WindowKinds, row.Kind) {
			return row, bad(4, "one of "+strings.Join(WindowKinds, ", "))
		}
		if row.Name == "" {
			return row, bad(5, "the node, zone or Deployment")
		}
		return row, nil
	})
}

// windowShades are the fills of the window kinds: Okabe–Ito vermillion,
// reddish purple and sky blue, light enough that the lines over them read.
var windowShades = map[string]color.Color{
	"node failure": color.NRGBA{213, 94, 0, 56},
	"zone outage":  color.NRGBA{204, 121, 167, 72},
	"rollout":      color.NRGBA{86, 180, 233, 64},
}

// timelineColors are the Palette colours of the Deployments' lines: black
// is the pending pods', and the light ones come last.
var timelineColors = []int{5, 1, 3, 7, 6, 2, 4}

// windowLegendNames is how many windows of a kind the legend names one by
// one; past it, it counts them.
const windowLegendNames = 3

// TimelinePlot draws one run's timeline (the rows of strategy and seed):
// each Deployment's Ready pods (solid, a colour each) and desired replicas
// (thin dashes of its colour), the pods pending
// and the machines up, as steps over simulated time, over the run's fault
// and rollout windows shaded by kind (node failures vermillion, zone
// outages purple, rollouts blue), each kind named in the legend with its
// nodes, zones or Deployments (counted past three). It is an error if the
// run has no rows.
func TimelinePlot(rows []TimelineRow, windows []WindowRow, strategy string, seed uint64, title string) (*Chart, error) {
	series := map[string]plotter.XYs{}
	var deps []string
	end, top := 0.0, 1.0
	for _, r := range rows {
		if r.Strategy != strategy || r.Seed != seed {
			continue
		}
		switch {
		case r.Series == TimelinePending || r.Series == TimelineNodes:
		case strings.HasPrefix(r.Series, TimelineReady):
			if _, ok := series[r.Series]; !ok {
				deps = append(deps, strings.TrimPrefix(r.Series, TimelineReady))
			}
		case strings.HasPrefix(r.Series, TimelineReplicas):
		default:
			end = max(end, r.T)
			continue // the cost is in the file, not on this plot
		}
		series[r.Series] = append(series[r.Series], plotter.XY{X: r.T, Y: r.Value})
		end, top = max(end, r.T), max(top, r.Value)
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("no timeline rows for %s seed %d", strategy, seed)
	}
	ch := newChart(title, "", "pods / machines")
	p := ch.Plot
	setTimeAxis(&p.X, "simulated time", end)
	p.Y.Tick.Marker = countTicks{}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, max(end, 1), 0, top*1.08+0.5

	// Windows first, under the lines, one legend entry per kind.
	byKind := map[string][]WindowRow{}
	for _, w := range windows {
		if w.Strategy == strategy && w.Seed == seed {
			byKind[w.Kind] = append(byKind[w.Kind], w)
		}
	}
	for _, kind := range WindowKinds {
		ws := byKind[kind]
		if len(ws) == 0 {
			continue
		}
		var names []string
		var entry *plotter.Polygon
		for _, w := range ws {
			lo, hi := max(w.Start, 0), min(w.End, p.X.Max)
			if hi <= lo { // a window of no length still shows, one pixel wide
				hi = lo + p.X.Max/2000
			}
			poly, err := plotter.NewPolygon(plotter.XYs{{X: lo, Y: p.Y.Min}, {X: hi, Y: p.Y.Min}, {X: hi, Y: p.Y.Max}, {X: lo, Y: p.Y.Max}})
			if err != nil {
				return nil, err
			}
			poly.Color = windowShades[kind]
			poly.LineStyle.Width = 0
			p.Add(poly)
			entry = poly
			if !slices.Contains(names, w.Name) {
				names = append(names, w.Name)
			}
		}
		label := kind
		if len(ws) > 1 {
			label += "s"
		}
		if len(names) <= windowLegendNames {
			label += ": " + strings.Join(names, ", ")
		} else {
			label += fmt.Sprintf(" (%d)", len(ws))
		}
		ch.Legend.Add(label, entry)
	}

	add := func(name, label string, style draw.LineStyle) error {
		xy := series[name]
		slices.SortStableFunc(xy, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		// As steps, only the changes matter (and the last point).
		steps := xy[:0:0]
		for i, pt := range xy {
			if i == 0 || i == len(xy)-1 || pt.Y != xy[i-1].Y {
				steps = append(steps, pt)
			}
		}
		l, err := plotter.NewLine(steps)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle = style
		p.Add(l)
		ch.Legend.Add(label, l)
		return nil
	}
	for k, d := range deps {
		col := Palette[timelineColors[k%len(timelineColors)]]
		if err := add(TimelineReady+d, "Ready: "+d, draw.LineStyle{Color: col, Width: vg.Points(1.6)}); err != nil {
			return nil, err
		}
		if _, ok := series[TimelineReplicas+d]; ok {
			if err := add(TimelineReplicas+d, "replicas: "+d, draw.LineStyle{Color: col, Width: vg.Points(0.8), Dashes: seriesDashes[1]}); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := series[TimelinePending]; ok {
		if err := add(TimelinePending, "pending pods", draw.LineStyle{Color: plotGrey(0), Width: vg.Points(1.2), Dashes: seriesDashes[2]}); err != nil {
			return nil, err
		}
	}
	if _, ok := series[TimelineNodes]; ok {
		if err := add(TimelineNodes, "machines up", draw.LineStyle{Color: plotGrey(110), Width: vg.Points(1.2), Dashes: seriesDashes[1]}); err != nil {
			return nil, err
		}
	}
	if len(deps) == 0 && series[TimelinePending] == nil && series[TimelineNodes] == nil {
		return nil, errors.New("no Ready, pending or machine series to plot")
	}
	return ch, nil
}

// countTicks marks a count axis at whole numbers: a nice step (1, 2, 5 ×
// 10^k) of at least 1, about five labelled, a minor tick between when the
// step is even.
type countTicks struct{}

// Ticks implements plot.Ticker.
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := max(1, math.Round(niceNum((hi-lo)/5, false)))
	if step == 3 { // niceNum's 2.5 rounded
		step = 2
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		if mid := v + step/2; step > 1 && int(step)%2 == 0 && mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}
