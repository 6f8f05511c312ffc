package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// figure is one plot of an output folder: its file name in plots/ (no
// extension), caption and size.
type figure struct {
	name, caption string
	fig           reports.Figure
	w, h          vg.Length
	section       string // the report's section ("": Figures)
}

// kubeSection is the report section of a Kubernetes run's control loops.
const kubeSection = "Kubernetes controllers"

// output is what an output folder holds, read back.
type output struct {
	sum    *reports.Summary
	series []reports.SeriesRow
	gantt  []reports.GanttRow
	// a Kubernetes run with controllers: timeline.csv and windows.csv
	timeline []reports.TimelineRow
	windows  []reports.WindowRow
	// first is each strategy's lowest seed: the run whose series the
	// per-run plots draw.
	first map[string]uint64
	// sweep folders only
	sweep    *manifest
	sweepHdr []string
	sweepRow [][]string
}

// readOutput reads an output folder (of run/compare --out, or a sweep).
// Of series.csv it keeps every cluster-wide row and the per-node rows of
// each strategy's first seed: what the plots draw.
func readOutput(dir string) (*output, error) {
	o := &output{}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: expected an output folder (of --out or sweep)", dir)
	}
	if m, h, rows, err := readSweep(dir); err == nil {
		o.sweep, o.sweepHdr, o.sweepRow = &m, h, rows
		return o, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	results, sum, err := reports.ReadResults(filepath.Join(dir, summaryFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: expected an output folder with %s or %s, found neither", dir, summaryFile, sweepManifest)
		}
		return nil, err
	}
	if sum == nil {
		sum = &reports.Summary{Results: results}
	}
	o.sum = sum
	o.first = map[string]uint64{}
	for _, r := range firstSeeds(sum.Results) {
		o.first[r.Strategy] = r.Seed
	}
	if err := o.readGantt(dir); err != nil {
		return nil, err
	}
	if err := o.readTimeline(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, seriesFile)
	f, err := reports.OpenInput(path)
	if errors.Is(err, fs.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	o.series, err = reports.ReadSeries(f, path, func(r *reports.SeriesRow) bool {
		return r.Node == reports.ClusterNode || o.isFirst(r)
	})
	return o, err
}

// readGantt reads the folder's gantt.csv, when it has one.
func (o *output) readGantt(dir string) error {
	path := filepath.Join(dir, ganttFile)
	f, err := reports.OpenInput(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	o.gantt, err = reports.ReadGantt(f, path)
	return err
}

// readTimeline reads the folder's timeline.csv and windows.csv, when it
// has them.
func (o *output) readTimeline(dir string) error {
	for _, name := range []string{timelineFile, windowsFile} {
		path := filepath.Join(dir, name)
		f, err := reports.OpenInput(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if name == timelineFile {
			o.timeline, err = reports.ReadTimeline(f, path)
		} else {
			o.windows, err = reports.ReadWindows(f, path)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// firstSeeds is each strategy's result with the lowest seed, in order.
func firstSeeds(results []sim.Result) []sim.Result {
	var out []sim.Result
	idx := map[string]int{}
	for _, r := range results {
		i, ok := idx[r.Strategy]
		switch {
		case !ok:
			idx[r.Strategy] = len(out)
			out = append(out, r)
		case r.Seed < out[i].Seed:
			out[i] = r
		}
	}
	return out
}

// barMetric is a metric drawn as bars across strategies.
type barMetric struct{ name, label, unit string }

var (
	nodeBars = []barMetric{
		{"latency_s.mean", "mean latency", "s"},
		{"latency_s.p99", "p99 latency", "s"},
		{"throughput_per_s", "throughput", "tasks/s"},
		{"imbalance_cov", "work imbalance (CoV)", ""},
	}
	placementBars = []barMetric{
		{"wait_s.mean", "mean wait", "s"},
		{"placement.bounded_slowdown.mean", "mean bounded slowdown", ""},
		{"placement.utilization.cpu", "CPU utilization", "share"},
		{"placement.gpu_alloc_ratio", "GPU allocation at end", "share"},
	}
)

// figures lists the plots of an output folder that its data allows.
func figures(o *output) ([]figure, error) {
	if o.sweep != nil {
		return sweepFigures(o)
	}
	var figs []figure
	add := func(name, caption string, fig reports.Figure, err error) {
		if err == nil {
			figs = append(figs, figure{name, caption, fig, reports.PlotWidth, reports.PlotHeight, ""})
		}
	}
	sc := o.sum.Scenario.Name
	results := o.sum.Results
	firsts := firstSeeds(results)
	seedNote := ""
	if len(firsts) < len(results) {
		seedNote = " (each strategy's first seed)"
	}
	var names []string
	for _, r := range firsts {
		names = append(names, r.Strategy)
	}
	st := reports.WithStyles(reports.NewStyles(names...))
	// Runs with request streams: each Service's request latency first;
	// the run's own latency is then that of its Jobs and pods.
	var services []string
	for _, r := range firsts {
		for name := range r.RequestCDFs {
			if !slices.Contains(services, name) {
				services = append(services, name)
			}
		}
	}
	slices.Sort(services)
	for _, name := range services {
		rs := make([]sim.Result, 0, len(firsts))
		for _, r := range firsts {
			if c := r.RequestCDFs[name]; len(c) > 0 {
				r.LatencyCDF = c
				rs = append(rs, r)
			}
		}
		p, err := reports.LatencyCDFPlot(rs, sc+": requests to "+name, st)
		add("request-cdf-"+fileSafe(name), "Latency CDF of the requests Service "+name+" served, per strategy"+seedNote+", log latency axis from the fastest 0.1 % of requests (failed requests are not in it: see the availability column).", p, err)
		p, err = reports.LatencyCCDFPlot(rs, sc+": requests to "+name+", tail", st)
		add("request-ccdf-"+fileSafe(name), "Latency tail of the requests Service "+name+" served, per strategy"+seedNote+": the fraction slower than x, from the median on, log-log.", p, err)
	}
	of := "tasks"
	if len(services) > 0 {
		of = "the run's Jobs' and bare pods' tasks (central engine; not requests)"
	}
	p, err := reports.LatencyCDFPlot(firsts, sc+": latency distribution", st)
	add("latency-cdf", "Latency CDF per strategy"+seedNote+", log latency axis from the fastest 0.1 % of "+of+".", p, err)
	p, err = reports.LatencyCCDFPlot(firsts, sc+": latency tail", st)
	add("latency-ccdf", "Latency tail per strategy"+seedNote+": the fraction of "+of+" slower than x, from the median on, log-log.", p, err)
	bars := nodeBars
	if len(results) > 0 && results[0].Placement != nil {
		bars = placementBars
	}
	aggs := reports.Aggregates(results)
	for _, b := range bars {
		var bs []reports.BarCI
		for _, a := range aggs {
			if m, ok := a.Lookup(b.name); ok {
				bs = append(bs, reports.BarCI{Label: a.Strategy, Mean: m.Mean, CI95: m.CI95})
			}
		}
		if constant(bs) {
			continue // the same for every strategy (a cluster without GPUs, no slowdown): nothing to compare
		}
		caption := fmt.Sprintf("%s (%s) per strategy", b.label, b.name)
		if len(o.sum.Scenario.Seeds) > 1 {
			caption += fmt.Sprintf(": mean over %d seeds, whiskers the 95 %% confidence interval (Student t), clipped to the metric's range.", len(o.sum.Scenario.Seeds))
		} else {
			caption += ": one seed, so no confidence interval."
		}
		opts := []reports.PlotOption{st, reports.Domain(0, math.Inf(1))}
		if b.unit == "share" {
			opts = []reports.PlotOption{st, reports.Domain(0, 1), reports.Percent(), reports.Zoom()}
		}
		p, err := reports.BarCIPlot(b.label, b.unit, bs, sc+": "+b.label, opts...)
		add("bar-"+strings.ReplaceAll(b.name, ".", "-"), caption, p, err)
	}
	if len(o.series) > 0 {
		var cluster []reports.SeriesRow
		for _, r := range o.series {
			if r.Node == reports.ClusterNode && o.isFirst(&r) {
				cluster = append(cluster, r)
			}
		}
		p, err := reports.QueueLengthPlot(cluster, sc+": tasks waiting", st)
		add("queue-length", "Tasks queued across the cluster over simulated time"+seedNote+".", p, err)
		for i, r := range firsts {
			h, err := reports.UtilizationHeatmap(o.series, r.Strategy, r.Seed, fmt.Sprintf("%s: %s, utilization per node", sc, r.Strategy))
			if err == nil {
				figs = append(figs, figure{fmt.Sprintf("utilization-%d-%s", i, fileSafe(r.Strategy)),
					fmt.Sprintf("Per-node utilization over simulated time under %s (seed %d), averaged over each sampling interval.", r.Strategy, r.Seed),
					h, reports.PlotWidth, reports.PlotHeight, ""})
			}
		}
	}
	for i, r := range firsts {
		var rows []reports.GanttRow
		for _, g := range o.gantt {
			if g.Strategy == r.Strategy && g.Seed == r.Seed {
				rows = append(rows, g)
			}
		}
		if len(rows) == 0 {
			continue
		}
		g, err := reports.GanttPlot(rows, fmt.Sprintf("%s: %s, workflow %s", sc, r.Strategy, rows[0].Workflow))
		if err == nil {
			figs = append(figs, figure{fmt.Sprintf("gantt-%d-%s", i, fileSafe(r.Strategy)),
				fmt.Sprintf("Schedule of the first workflow to finish a task (%s) under %s (seed %d): a row per node it used (in lanes where its tasks overlap), each task a bar from the start of its work (its parents' data there) to its finish, coloured by task class; time from the workflow's arrival.", rows[0].Workflow, r.Strategy, r.Seed),
				g, reports.PlotWidth, reports.PlotHeight, ""})
		}
	}
	for i, r := range firsts {
		if len(o.timeline) == 0 {
			break
		}
		// timeline.csv names a run by its strategy entry, as events.csv
		// and pods.csv do: "least-allocated" for kube-default(least-allocated).
		label := entryLabel(r.Strategy)
		tp, err := reports.TimelinePlot(o.timeline, o.windows, label, r.Seed, fmt.Sprintf("%s: %s, control loops", sc, r.Strategy))
		if err == nil {
			figs = append(figs, figure{fmt.Sprintf("timeline-%d-%s", i, fileSafe(r.Strategy)),
				fmt.Sprintf("Ready pods per Deployment, pods pending and machines up over simulated time under %s (seed %d), sampled by the control plane (timeline.csv); shaded: node failures, zone outages and rollouts (windows.csv).", r.Strategy, r.Seed),
				tp, reports.PlotWidth, reports.PlotHeight, kubeSection})
		}
	}
	if hasCurve(results) {
		p, err := reports.AllocationCurvePlot(firsts, sc, st)
		add("allocation-curve", "GPU allocation ratio against arrived GPU request (the FGD paper's Fig. 9a)"+seedNote+".", p, err)
	}
	if len(figs) == 0 {
		return nil, errors.New("nothing to plot: the results have no latency distribution, series or figures")
	}
	return figs, nil
}

// constant reports whether every bar has the same mean: a metric that
// does not tell the strategies apart (bounded slowdown in runs without
// departures, the GPU allocation of a cluster without GPUs) gets no plot.
func constant(bs []reports.BarCI) bool {
	for _, b := range bs {
		if b.Mean != bs[0].Mean {
			return false
		}
	}
	return true
}

// isFirst reports whether r is of its strategy's first seed.
func (o *output) isFirst(r *reports.SeriesRow) bool {
	s, ok := o.first[r.Strategy]
	return ok && r.Seed == s
}

func hasCurve(results []sim.Result) bool {
	for _, r := range results {
		if r.Placement != nil && len(r.Placement.Curve) > 0 {
			return true
		}
	}
	return false
}

// fileSafe turns a strategy label into a file-name part.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// sweepMetrics are the figures a sweep plots against its first parameter.
var (
	sweepNodeMetrics      = []barMetric{{"latency_s.mean", "mean latency", "s"}, {"latency_s.p99", "p99 latency", "s"}}
	sweepPlacementMetrics = []barMetric{{"wait_s.mean", "mean wait", "s"}, {"placement.bounded_slowdown.mean", "mean bounded slowdown", ""}}
)

// sweepColumns indexes sweep.csv's columns by name and picks the headline
// metrics of its queueing model.
func sweepColumns(o *output) (col map[string]int, metrics []barMetric) {
	col = map[string]int{}
	for i, h := range o.sweepHdr {
		col[h] = i
	}
	if _, ok := col["placement.gpu_alloc_ratio"]; ok {
		return col, sweepPlacementMetrics
	}
	return col, sweepNodeMetrics
}

// sweepFigures draws each metric against the first parameter: one curve
// per strategy and value of the other parameters, mean over seeds with
// 95 % confidence whiskers (clipped at zero). A strategy keeps its colour
// across the curves; the value of the second parameter sets the dash.
func sweepFigures(o *output) ([]figure, error) {
	m := o.sweep
	col, metrics := sweepColumns(o)
	xAxis := describeParam(m.Params[0])
	st := reports.WithStyles(reports.NewStyles(m.Strategies...))
	var figs []figure
	for _, mt := range metrics {
		mc, ok := col[mt.name]
		if !ok {
			continue
		}
		type key struct{ label, x string }
		type curveKey struct {
			strategy string
			variant  int
		}
		var labels []string
		keyOf := map[string]curveKey{}
		vals := map[key][]float64{}
		xsOf := map[string][]string{}
		for _, r := range o.sweepRow {
			strategy := r[col["strategy"]]
			label := strategy
			variant, stride := 0, 1
			for k := len(m.Params) - 1; k >= 1; k-- {
				p := m.Params[k]
				v := r[col[p.Path]]
				variant += stride * max(slices.Index(p.Values, v), 0)
				stride *= len(p.Values)
			}
			for _, p := range m.Params[1:] {
				label += fmt.Sprintf(", %s = %s", describeParam(p).short, r[col[p.Path]])
			}
			if _, ok := xsOf[label]; !ok {
				labels = append(labels, label)
				keyOf[label] = curveKey{strategy, variant}
			}
			xv := r[col[m.Params[0].Path]]
			k := key{label, xv}
			if _, ok := vals[k]; !ok {
				xsOf[label] = append(xsOf[label], xv)
			}
			v, err := strconv.ParseFloat(r[mc], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: column %s: expected a number, got %q", sweepFile, mt.name, r[mc])
			}
			vals[k] = append(vals[k], v)
		}
		var curves []reports.LoadCurve
		for _, l := range labels {
			c := reports.LoadCurve{Label: l, Strategy: keyOf[l].strategy, Variant: keyOf[l].variant}
			for _, xv := range xsOf[l] {
				s := reports.Stat(mt.name, vals[key{l, xv}])
				c.Points = append(c.Points, reports.LoadPoint{X: xAxis.x(xv), Mean: s.Mean, CI95: s.CI95})
			}
			curves = append(curves, c)
		}
		yl := mt.label
		if mt.unit != "" {
			yl += " (" + mt.unit + ")"
		}
		opts := []reports.PlotOption{st, reports.Domain(0, math.Inf(1))}
		if xAxis.nominal {
			opts = append(opts, reports.NominalX(m.Params[0].Values...))
		} else {
			opts = append(opts, reports.XTicks(xAxis.xs...))
		}
		p, err := reports.LoadLatencyPlot(xAxis.label, yl, curves, fmt.Sprintf("%s: %s against %s", scenarioName(m.Scenario), mt.label, xAxis.short), opts...)
		if err != nil {
			continue
		}
		caption := fmt.Sprintf("%s (%s) against %s (--set %s)", mt.label, mt.name, xAxis.short, m.Params[0].Path)
		if len(m.Seeds) > 1 {
			caption += fmt.Sprintf(": mean over %d seeds with 95 %% confidence whiskers (Student t, clipped at 0).", len(m.Seeds))
		} else {
			caption += ": one seed per point."
		}
		figs = append(figs, figure{"sweep-" + strings.ReplaceAll(mt.name, ".", "-"), caption, p, reports.PlotWidth, reports.PlotHeight, ""})
	}
	if len(figs) == 0 {
		return nil, errors.New("nothing to plot in the sweep")
	}
	return figs, nil
}

// scenarioName is a scenario's short name for titles: "homogeneous" for
// embedded:homogeneous or scenarios/homogeneous.yaml.
func scenarioName(file string) string {
	name := strings.TrimPrefix(file, "embedded:")
	name = filepath.Base(name)
	return strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".yml")
}

// paramAxis is a swept parameter as a plot axis.
type paramAxis struct {
	label   string    // axis label with unit: "arrival rate (tasks/s)"
	short   string    // without unit: "arrival rate"
	nominal bool      // values are names, placed at 0, 1, …
	xs      []float64 // the values as numbers (seconds for durations)
	index   map[string]float64
}

func (a paramAxis) x(v string) float64 { return a.index[v] }

// paramNames are readable names and units of scenario paths a sweep
// commonly sets; the index of a node group is kept ("group 0").
var paramNames = []struct{ pattern, name, unit string }{
	{"workload.arrivals.rate", "arrival rate", "tasks/s"},
	{"workload.service.mean", "mean service time", "s"},
	{"workload.service.cv", "service time CoV", ""},
	{"stop.tasks", "tasks", ""},
	{"stop.time", "simulated time", "s"},
	{"warmup.tasks", "warm-up tasks", ""},
	{"warmup.time", "warm-up time", "s"},
	{"cluster.nodes[].count", "nodes in group %s", ""},
	{"cluster.nodes[].gpus", "GPUs per node, group %s", ""},
	{"cluster.nodes[].slots", "slots per node, group %s", ""},
	{"cluster.nodes[].speed", "node speed, group %s", "× base"},
	{"cluster.nodes[].cpu", "CPUs per node, group %s", ""},
	{"seed", "seed", ""},
}

// describeParam names a swept parameter: a known path by what it is, with
// its unit; another by its path's words. Values that are all durations
// ("250ms", "1h") are drawn in seconds.
func describeParam(p sweepParam) paramAxis {
	name, unit := "", ""
	generic, group := p.Path, ""
	if i := strings.Index(generic, "["); i >= 0 {
		if j := strings.Index(generic[i:], "]"); j > 0 {
			group = generic[i+1 : i+j]
			generic = generic[:i+1] + generic[i+j:]
		}
	}
	for _, n := range paramNames {
		if n.pattern == generic {
			name, unit = n.name, n.unit
			if strings.Contains(name, "%s") {
				name = fmt.Sprintf(name, group)
			}
		}
	}
	if name == "" {
		name = strings.NewReplacer(".", " ", "_", " ", "[", " ", "]", "").Replace(p.Path)
	}
	a := paramAxis{short: name, index: map[string]float64{}}
	numbers, durations := true, true
	for _, v := range p.Values {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			numbers = false
		}
		if _, err := time.ParseDuration(v); err != nil {
			durations = false
		}
	}
	for i, v := range p.Values {
		var x float64
		switch {
		case numbers:
			x, _ = strconv.ParseFloat(v, 64)
		case durations:
			d, _ := time.ParseDuration(v)
			x, unit = d.Seconds(), "s"
		default:
			a.nominal, x = true, float64(i)
		}
		a.xs = append(a.xs, x)
		a.index[v] = x
	}
	a.label = name
	if unit != "" && !a.nominal {
		a.label += " (" + unit + ")"
	}
	return a
}

// loadFigures reads an output folder and draws its figures.
func loadFigures(dir string) (*output, []figure, error) {
	o, err := readOutput(dir)
	if err != nil {
		return nil, nil, err
	}
	figs, err := figures(o)
	return o, figs, err
}

// writePlots writes every figure of an output folder to DIR/plots as SVG
// and PNG.
func writePlots(dir string) error {
	_, figs, err := loadFigures(dir)
	if err != nil {
		return err
	}
	pd := filepath.Join(dir, plotsDir)
	if err := os.MkdirAll(pd, 0o755); err != nil {
		return err
	}
	for _, f := range figs {
		for _, format := range []string{"svg", "png"} {
			path := filepath.Join(pd, f.name+"."+format)
			err := writeAtomic(path, func(w io.Writer) error { return reports.WriteFigure(w, f.fig, format, f.w, f.h) })
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// writeReport writes the HTML report of an output folder to file.
func writeReport(dir, file string) error {
	o, figs, err := loadFigures(dir)
	if err != nil {
		return err
	}
	r := &reports.HTMLReport{Version: fullVersion(), Command: commandLine()}
	// Version is the one that produced the results, where they say.
	if o.sweep != nil {
		m := o.sweep
		r.Title = "fleetsim sweep: " + m.Scenario
		if m.Fleetsim != "" {
			r.Version = m.Fleetsim
		}
		if f, err := reports.OpenInput(filepath.Join(dir, sweepCommand)); err == nil {
			// One command line: at most 64 KiB of it, never blocking.
			b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
			f.Close()
			r.Produced = strings.TrimSpace(string(b))
		}
		r.Scenario = []reports.KV{{Key: "scenario", Value: m.Scenario}, {Key: "points", Value: strconv.Itoa(m.Points)},
			{Key: "strategies", Value: strings.Join(m.Strategies, ", ")}, {Key: "seeds", Value: seedsText(m.Seeds)},
			{Key: "runs", Value: strconv.Itoa(m.Runs)}, {Key: "written by", Value: "fleetsim " + m.Fleetsim}}
		for _, p := range m.Params {
			r.Scenario = append(r.Scenario, reports.KV{Key: "--set " + p.Path, Value: strings.Join(p.Values, ", ")})
		}
		r.Tables = append(r.Tables, sweepTable(o))
	} else {
		s := o.sum
		r.Title = "fleetsim: " + s.Scenario.Name
		r.Produced = s.Command
		if s.Fleetsim != "" {
			r.Version = s.Fleetsim
		}
		r.Scenario = []reports.KV{{Key: "scenario", Value: s.Scenario.Name}, {Key: "file", Value: s.Scenario.File},
			{Key: "description", Value: s.Scenario.Description}, {Key: "nodes", Value: strconv.Itoa(s.Scenario.Nodes)},
			{Key: "stop", Value: s.Scenario.Stop}, {Key: "warm-up", Value: s.Scenario.Warmup},
			{Key: "seeds", Value: seedsText(s.Scenario.Seeds)}, {Key: "results written by", Value: s.Command + " (fleetsim " + s.Fleetsim + ")"}}
		r.ScenarioYAML = s.Scenario.YAML
		if len(s.Scenario.Seeds) > 1 {
			head, rows := reports.ReplicatedTable(s.Results, false)
			r.Tables = append(r.Tables, reports.HTMLTable{Caption: "Results per strategy", Header: head, Rows: rows,
				Note: fmt.Sprintf("Mean over %d seeds ± the half-width of the 95 %% confidence interval (Student t, %d degrees of freedom); pp: percentage points.", len(s.Scenario.Seeds), len(s.Scenario.Seeds)-1)})
		} else {
			head, rows := reports.ComparisonTable(s.Results)
			r.Tables = append(r.Tables, reports.HTMLTable{Caption: "Results per strategy", Header: head, Rows: rows})
		}
		r.Tables = append(r.Tables, controllerTables(s.Results)...)
	}
	for _, f := range figs {
		svg, err := reports.InlineSVG(f.fig, f.w, f.h)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		r.Figures = append(r.Figures, reports.HTMLFigure{Caption: f.caption, SVG: svg, Section: f.section})
	}
	return writeAtomic(file, func(w io.Writer) error { return reports.WriteHTML(w, r) })
}

func seedsText(seeds []uint64) string {
	switch len(seeds) {
	case 0:
		return ""
	case 1:
		return strconv.FormatUint(seeds[0], 10)
	}
	return fmt.Sprintf("%d seeds, %d..%d", len(seeds), seeds[0], seeds[len(seeds)-1])
}

// sweepTable is a sweep's headline figures per point and strategy (mean
// over seeds).
func sweepTable(o *output) reports.HTMLTable {
	m := o.sweep
	col, metrics := sweepColumns(o)
	head := []string{"point"}
	for _, p := range m.Params {
		head = append(head, p.Path)
	}
	head = append(head, "strategy", "seeds")
	for _, mt := range metrics {
		head = append(head, mt.name)
	}
	type key struct{ point, strategy string }
	var order []key
	groups := map[key][][]string{}
	for _, r := range o.sweepRow {
		k := key{r[col["point"]], r[col["strategy"]]}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var rows [][]string
	for _, k := range order {
		g := groups[k]
		row := []string{k.point}
		for _, p := range m.Params {
			row = append(row, g[0][col[p.Path]])
		}
		row = append(row, k.strategy, strconv.Itoa(len(g)))
		for _, mt := range metrics {
			xs := make([]float64, 0, len(g))
			for _, r := range g {
				v, _ := strconv.ParseFloat(r[col[mt.name]], 64)
				xs = append(xs, v)
			}
			st := reports.Stat(mt.name, xs)
			cell := strconv.FormatFloat(st.Mean, 'g', 4, 64)
			if len(g) > 1 {
				cell += " ± " + strconv.FormatFloat(st.CI95, 'g', 2, 64)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return reports.HTMLTable{Caption: "Sweep: mean over seeds ± 95 % CI half-width", Header: head, Rows: rows,
		Note: "Every run's figures are in sweep.csv."}
}

func newReportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Write a self-contained HTML report (tables, plots) of an output folder (--out or sweep)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := out
			if file == "" {
				file = filepath.Join(args[0], reportFile)
			}
			if err := writeReport(args[0], file); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", file)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "the HTML file (default: DIR/report.html)")
	aliasFlags(cmd, map[string]string{"output": "out"})
	return cmd
}

// controllerTables are the Kubernetes controllers section's tables: each
// run's Deployments and autoscaled node groups at the end, from the
// kubernetes block's controllers (none without controllers).
func controllerTables(results []sim.Result) []reports.HTMLTable {
	dep := reports.HTMLTable{Caption: "Deployments under the control loops", Section: kubeSection,
		Header: []string{"strategy", "seed", "Deployment", "replicas", "Ready", "restarts", "rollout (s)", "fewest Ready in rollout", "recovery after faults (s)"},
		Note:   "At the stop time. Rollout: the latest rollout's duration (- when none completed) and the fewest Ready pods during it; recovery: from each fault that took Ready pods below the replicas to all replicas Ready again."}
	grp := reports.HTMLTable{Caption: "Node groups of the cluster autoscaler", Section: kubeSection,
		Header: []string{"strategy", "seed", "group", "nodes", "peak nodes", "nodes added", "nodes removed", "cost"},
		Note:   "Cost: each node of the group from its request to its removal (or the stop), at the group's cost_per_hour."}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, res := range results {
		if res.Kubernetes == nil || res.Kubernetes.Controllers == nil {
			continue
		}
		c := res.Kubernetes.Controllers
		seed := strconv.FormatUint(res.Seed, 10)
		for _, name := range slices.Sorted(maps.Keys(c.Deployments)) {
			d := c.Deployments[name]
			rollout, fewest := "-", "-"
			if d.RolloutS >= 0 {
				rollout, fewest = f(d.RolloutS), strconv.Itoa(int(d.MinReadyInRollout))
			}
			var rec []string
			for _, x := range d.RecoveryS {
				rec = append(rec, f(x))
			}
			dep.Rows = append(dep.Rows, []string{res.Strategy, seed, name, strconv.Itoa(int(d.Replicas)), strconv.Itoa(int(d.Ready)),
				strconv.Itoa(d.Restarts), rollout, fewest, strings.Join(rec, ", ")})
		}
		for _, name := range slices.Sorted(maps.Keys(c.NodeGroups)) {
			g := c.NodeGroups[name]
			grp.Rows = append(grp.Rows, []string{res.Strategy, seed, name, strconv.Itoa(g.Nodes), strconv.Itoa(g.Peak),
				strconv.Itoa(g.ScaleUps), strconv.Itoa(g.ScaleDowns), strconv.FormatFloat(g.Cost, 'f', 4, 64)})
		}
	}
	var out []reports.HTMLTable
	for _, t := range []reports.HTMLTable{dep, grp} {
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// entryLabel is the strategy entry a Kubernetes run's result label was
// made from, as events.csv, pods.csv and timeline.csv name the run:
// "least-allocated" for "kube-default(least-allocated)" and
// "most-allocated/p2c" for the two-level "kube-default(most-allocated)/p2c".
func entryLabel(result string) string {
	const profile = "kube-default("
	if !strings.HasPrefix(result, profile) {
		return result
	}
	i := strings.IndexByte(result, ')')
	if i < 0 {
		return result
	}
	return result[len(profile):i] + result[i+1:]
}
