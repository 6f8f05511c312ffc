package reports

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fleetsim/fleetsim/sim"
)

// A Figure draws itself onto a canvas: a *plot.Plot, or a composite such
// as the *HeatmapFigure of a heatmap and its colour bar.
type Figure interface {
	Draw(c draw.Canvas)
}

var (
	_ Figure = (*plot.Plot)(nil)
	_ Figure = (*HeatmapFigure)(nil)
)

// newPlot is a plot with a title, axis labels and a grid.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	g := plotter.NewGrid()
	g.Vertical.Color = plotGrey(220)
	g.Horizontal.Color = plotGrey(220)
	p.Add(g)
	return p
}

// seriesLabels names series by strategy, adding " seed N" to the strategies
// that have more than one series.
func seriesLabels(strategies []string, seeds []uint64) []string {
	count := map[string]int{}
	for _, s := range strategies {
		count[s]++
	}
	labels := make([]string, len(strategies))
	for i, s := range strategies {
		labels[i] = s
		if count[s] > 1 {
			labels[i] = fmt.Sprintf("%s seed %d", s, seeds[i])
		}
	}
	return labels
}

// cdfSeries is one result's latency distribution as plot points.
type cdfSeries struct {
	label string
	key   string // the Styles key: the strategy
	xy    plotter.XYs
}

// cdfSeriesOf collects the positive, finite CDF points of each result that
// has some, labelled by strategy (and seed, where a strategy has several).
// A series identical to an earlier one is labelled "b (= a)", since it is
// drawn exactly under it.
func cdfSeriesOf(results []sim.Result) []cdfSeries {
	var (
		out        []cdfSeries
		strategies []string
		seeds      []uint64
	)
	for i := range results {
		var xy plotter.XYs
		for _, c := range results[i].LatencyCDF {
			if c.Value > 0 && !math.IsInf(c.Value, 0) && !math.IsNaN(c.Value) && plotFinite(c.Fraction) {
				xy = append(xy, plotter.XY{X: c.Value, Y: c.Fraction})
			}
		}
		if len(xy) == 0 {
			continue
		}
		out = append(out, cdfSeries{key: results[i].Strategy, xy: xy})
		strategies = append(strategies, results[i].Strategy)
		seeds = append(seeds, results[i].Seed)
	}
	for i, l := range seriesLabels(strategies, seeds) {
		out[i].label = l
	}
	for i := range out {
		for j := range i {
			if slices.Equal(out[i].xy, out[j].xy) {
				out[i].label += " (= " + out[j].label + ")"
				break
			}
		}
	}
	return out
}

// logFloor and logCeil round x down or up to 1, 2 or 5 times a power of ten.
func logFloor(x float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{5, 2, 1} {
		if m*e <= x*(1+1e-9) {
			return m * e
		}
	}
	return e
}

func logCeil(x float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= x*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

// cdfStart is the fraction of tasks below which a CDF's x axis does not
// go: the axis starts at the fastest 0.1 % of tasks, not at a lone
// near-zero latency that would leave most of the width empty.
const cdfStart = 0.001

// LatencyCDFPlot draws the latency distribution of each result that has a
// LatencyCDF, one line per result labelled by strategy (and seed, where a
// strategy has several), on a logarithmic latency axis that starts where
// the data does (at the fastest 0.1 % of tasks) and ends at the slowest.
// Points at latencies ≤ 0, which a log axis cannot show, are left out; it
// is an error if no result has a CDF.
func LatencyCDFPlot(results []sim.Result, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	series := cdfSeriesOf(results)
	if len(series) == 0 {
		return nil, errors.New("no result has a latency CDF with a positive latency")
	}
	ch := newChart(title, "latency (s)", "fraction of tasks ≤ x")
	p := ch.Plot
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.Y.Tick.Marker = niceTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		start := s.xy[0].X
		for _, pt := range s.xy {
			if pt.Y >= cdfStart {
				start = pt.X
				break
			}
		}
		lo, hi = min(lo, start), max(hi, s.xy[len(s.xy)-1].X)
	}
	for _, s := range series {
		l, err := plotter.NewLine(s.xy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.label, err)
		}
		l.LineStyle, _ = o.styles.Of(s.key)
		p.Add(l)
		ch.Legend.Add(s.label, l)
	}
	if lo >= hi { // one latency: gonum would widen the axis by ±1, through 0
		lo, hi = lo/2, hi*2
	}
	p.X.Min, p.X.Max = logFloor(lo), logCeil(hi)
	p.Y.Min, p.Y.Max = 0, 1
	return ch, nil
}

// LatencyCCDFPlot draws the tail of each result's latency distribution:
// the fraction of tasks slower than x, on log axes, from the median to the
// slowest task, down to the smallest fraction the CDF resolves. One line
// per result as LatencyCDFPlot; it is an error if no result has a tail to
// draw.
func LatencyCCDFPlot(results []sim.Result, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	series := cdfSeriesOf(results)
	ch := newChart(title, "latency (s)", "fraction of tasks > x")
	p := ch.Plot
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks{}, logTicks{}
	xlo, xhi, ylo := math.Inf(1), math.Inf(-1), 1.0
	n := 0
	for _, s := range series {
		var xy plotter.XYs
		for _, pt := range s.xy {
			if q := 1 - pt.Y; q > 1e-12 && q <= 0.5 {
				xy = append(xy, plotter.XY{X: pt.X, Y: q})
			}
		}
		if len(xy) < 2 {
			continue
		}
		for _, pt := range xy {
			xlo, xhi, ylo = min(xlo, pt.X), max(xhi, pt.X), min(ylo, pt.Y)
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.label, err)
		}
		l.LineStyle, _ = o.styles.Of(s.key)
		p.Add(l)
		ch.Legend.Add(s.label, l)
		n++
	}
	if n == 0 {
		return nil, errors.New("no result has a latency CDF with a tail to draw")
	}
	if xlo >= xhi {
		xlo, xhi = xlo/2, xhi*2
	}
	p.X.Min, p.X.Max = logFloor(xlo), logCeil(xhi)
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(ylo)+1e-9)), 1
	return ch, nil
}

// logTicks marks 1..9 times each power of ten on a log axis, labelling the
// powers of ten, and also 2 and 5 times them when the axis spans at most
// two decades, or every mark within one decade. Unlike plot.LogTicks it
// marks the partial decades at the ends and always labels a mark.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	const slack = 1e-9
	first, last := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	decades := math.Log10(hi / lo)
	var ticks []plot.Tick
	labelled := 0
	for e := first; e <= last; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo*(1-slack) || v > hi*(1+slack) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || decades <= 1 || (decades <= 2 && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
				labelled++
			}
			ticks = append(ticks, t)
		}
	}
	if labelled < 2 {
		return niceTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// QueueLengthPlot draws the cluster-wide number of queued tasks (rows with
// Node == ClusterNode) over simulated time, one line per strategy and seed,
// labelled by strategy (and seed, where a strategy has several). Time
// reads in s, min, h or days, whichever suits the run's length. It is an
// error if there is no cluster-wide row.
func QueueLengthPlot(rows []SeriesRow, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	type key struct {
		strategy string
		seed     uint64
	}
	var keys []key
	series := map[key]plotter.XYs{}
	top, end := 0.0, 0.0
	for i := range rows {
		r := &rows[i]
		if r.Node != ClusterNode {
			continue
		}
		k := key{r.Strategy, r.Seed}
		if _, ok := series[k]; !ok {
			keys = append(keys, k)
		}
		series[k] = append(series[k], plotter.XY{X: r.T, Y: float64(r.Queued)})
		top, end = max(top, float64(r.Queued)), max(end, r.T)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no cluster-wide (node %q) series rows to plot queue lengths from", ClusterNode)
	}
	ch := newChart(title, "", "tasks queued")
	p := ch.Plot
	setTimeAxis(&p.X, "simulated time", end)
	p.Y.Tick.Marker = niceTicks{}
	p.Y.Min, p.X.Min, p.X.Max = 0, 0, end
	p.Y.Max = max(1, top) * 1.05
	// One strategy whose queue runs away would flatten the others to a
	// line at zero: when the peaks span more than two decades, count on a
	// log(1+n) axis, which keeps 0.
	peakLo := math.Inf(1)
	for _, k := range keys {
		peak := 0.0
		for _, pt := range series[k] {
			peak = max(peak, pt.Y)
		}
		peakLo = min(peakLo, peak)
	}
	if top > 100*(peakLo+1) {
		p.Y.Scale, p.Y.Tick.Marker = log1pScale{}, log1pTicks{}
		p.Y.Max = top * 1.3
		p.Y.Label.Text += " (log scale)"
	}
	strategies := make([]string, len(keys))
	seeds := make([]uint64, len(keys))
	for n, k := range keys {
		strategies[n], seeds[n] = k.strategy, k.seed
	}
	for n, label := range seriesLabels(strategies, seeds) {
		xy := series[keys[n]]
		slices.SortStableFunc(xy, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		l.LineStyle, _ = o.styles.Of(keys[n].strategy)
		l.LineStyle.Width = vg.Points(1.2)
		p.Add(l)
		ch.Legend.Add(label, l)
	}
	return ch, nil
}

// BarCI is one bar of a BarCIPlot: a mean and the half-width of its 95 %
// confidence interval (0 when there is none, e.g. from a single seed).
type BarCI struct {
	Label      string
	Mean, CI95 float64
}

// BarCIPlot draws one bar per label, in the label's colour from the
// plot's Styles, with 95 % confidence whiskers clipped to the metric's
// Domain; bars with CI95 == 0 get no whisker. The y axis reads "metric
// (unit)". When every mean is positive and they span more than a decade
// the axis is logarithmic (unless LinearScale), and says so; with Zoom it
// may start above zero, and says where. Long or many labels are set at a
// slant. It is an error to pass no bars, or a mean or interval that is not
// a finite number.
func BarCIPlot(metric, unit string, bars []BarCI, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	if len(bars) == 0 {
		return nil, fmt.Errorf("no bars to plot for %s", metric)
	}
	scale := 1.0
	if o.percent {
		scale, unit = 100, "%"
	}
	lo, hi := math.Inf(1), math.Inf(-1) // of the bars and whiskers
	minMean, maxMean := math.Inf(1), math.Inf(-1)
	for _, b := range bars {
		if !plotFinite(b.Mean) || !plotFinite(b.CI95) {
			return nil, fmt.Errorf("%s: bar %q: mean %v ± %v is not a finite number", metric, b.Label, b.Mean, b.CI95)
		}
		m := b.Mean * scale
		minMean, maxMean = min(minMean, m), max(maxMean, m)
		wl, wh := o.whisker(b.Mean, b.CI95)
		lo, hi = min(lo, m, wl*scale), max(hi, m, wh*scale)
	}
	logY := !o.noAutoLogScale && minMean > 0 && maxMean/minMean > 10
	base := 0.0
	yLabel := metric
	switch {
	case logY:
		base = logFloor(min(lo, minMean) / 1.2)
		if lo <= 0 {
			lo = base
		}
	case o.zoom && minMean > 0 && (maxMean-minMean) < 0.5*maxMean:
		span := max(hi-lo, 0.02*maxMean)
		base = math.Max(0, niceFloor(lo-0.6*span, span))
	}
	if unit != "" {
		yLabel = fmt.Sprintf("%s (%s)", metric, unit)
	}
	switch {
	case logY:
		yLabel += ", log scale"
	case base > 0:
		yLabel += ", axis from " + strconv.FormatFloat(base, 'g', 4, 64)
	}
	ch := newChart(title, "", yLabel)
	p := ch.Plot
	p.Y.Tick.Marker = niceTicks{}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	labels := make([]string, len(bars))
	long := len(bars) > 6
	for i, b := range bars {
		const half = 0.35
		x := float64(i)
		m := b.Mean * scale
		poly, err := plotter.NewPolygon(plotter.XYs{{X: x - half, Y: base}, {X: x + half, Y: base}, {X: x + half, Y: max(m, base)}, {X: x - half, Y: max(m, base)}})
		if err != nil {
			return nil, err
		}
		line, _ := o.styles.Of(b.Label)
		poly.Color = line.Color
		poly.LineStyle = draw.LineStyle{Color: plotGrey(0), Width: vg.Points(0.5)}
		p.Add(poly)
		labels[i] = b.Label
		long = long || len(b.Label) > 12
		if b.CI95 > 0 {
			wl, wh := o.whisker(b.Mean, b.CI95)
			wl = max(wl*scale, base)
			// A black whisker on a white halo shows on every fill,
			// black included.
			for _, ls := range []draw.LineStyle{{Color: color.White, Width: vg.Points(3)}, {Color: plotGrey(0), Width: vg.Points(1.2)}} {
				e, err := plotter.NewYErrorBars(plotErrPoints{{x, m, m - wl, wh*scale - m}})
				if err != nil {
					return nil, err
				}
				e.LineStyle = ls
				e.CapWidth = vg.Points(6)
				p.Add(e)
			}
		}
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(bars))-0.5
	p.X.Padding = 0
	p.Y.Min = base
	if logY {
		p.Y.Max = logCeil(hi * 1.3)
	} else {
		p.Y.Max = hi + 0.08*(hi-base) // head room
		if p.Y.Max <= base {
			p.Y.Max = base + 1
		}
	}
	if long {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	return ch, nil
}

// niceFloor rounds x down to a multiple of a nice step for a span.
func niceFloor(x, span float64) float64 {
	step := niceNum(span/2, false)
	return math.Floor(x/step) * step
}

// whisker is the 95 % interval mean ± ci clipped to the domain.
func (o *plotOptions) whisker(mean, ci float64) (lo, hi float64) {
	return max(mean-ci, o.domainLo), min(mean+ci, o.domainHi)
}

// LoadPoint is one point of a LoadCurve: a mean at X and the half-width
// of its 95 % confidence interval (0 for none).
type LoadPoint struct {
	X, Mean, CI95 float64
}

// LoadCurve is one labelled curve of a LoadLatencyPlot. Strategy, when
// set, picks its colour from the plot's Styles, and Variant (the index of
// a second swept value) its dash pattern and marker, so a strategy keeps
// its colour across the values of a second parameter. Without Strategy the
// Label picks the whole style.
type LoadCurve struct {
	Label    string
	Strategy string
	Variant  int
	Points   []LoadPoint
}

// LoadLatencyPlot draws each curve as a line with markers and 95 %
// confidence whiskers (clipped to the metric's Domain), its points sorted
// by X; typically latency against offered load, one curve per strategy.
// XTicks marks the x axis at the swept values; NominalX names them.
// Points whose X or mean is not a finite number are left out (a mean over
// no tasks is NaN); it is an error if no curve has a point left.
func LoadLatencyPlot(xLabel, yLabel string, curves []LoadCurve, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	ch := newChart(title, xLabel, yLabel)
	p := ch.Plot
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	n := 0
	for _, c := range curves {
		var xy plotter.XYs
		var whiskers plotErrPoints
		pts := slices.Clone(c.Points)
		slices.SortStableFunc(pts, func(a, b LoadPoint) int { return cmp.Compare(a.X, b.X) })
		for _, pt := range pts {
			if !plotFinite(pt.X) || !plotFinite(pt.Mean) {
				continue
			}
			xy = append(xy, plotter.XY{X: pt.X, Y: pt.Mean})
			if pt.CI95 > 0 && plotFinite(pt.CI95) {
				lo, hi := o.whisker(pt.Mean, pt.CI95)
				whiskers = append(whiskers, plotErrPoint{pt.X, pt.Mean, pt.Mean - lo, hi - pt.Mean})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Label, err)
		}
		if c.Strategy != "" {
			l.LineStyle, s.GlyphStyle = o.styles.Of(c.Strategy)
			l.LineStyle.Dashes = seriesDashes[c.Variant%len(seriesDashes)]
			s.GlyphStyle.Shape = seriesShapes[c.Variant%len(seriesShapes)]
		} else {
			l.LineStyle, s.GlyphStyle = o.styles.Of(c.Label)
		}
		p.Add(l, s)
		if len(whiskers) > 0 {
			e, err := plotter.NewYErrorBars(whiskers)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Label, err)
			}
			e.LineStyle = l.LineStyle
			e.LineStyle.Dashes = nil
			e.LineStyle.Width = vg.Points(1)
			p.Add(e)
		}
		ch.Legend.Add(c.Label, l, s)
		n++
	}
	if n == 0 {
		return nil, errors.New("no load curve has a point with a finite X and mean")
	}
	if o.domainLo == 0 && p.Y.Min > 0 {
		p.Y.Min = 0
	}
	switch {
	case len(o.xNominal) > 0:
		p.NominalX(o.xNominal...)
		p.X.Tick.Label.Font = sansFont(tickSize)
		p.X.Min, p.X.Max = -0.3, float64(len(o.xNominal))-0.7
	case len(o.xTicks) > 0:
		ticks := make(plot.ConstantTicks, len(o.xTicks))
		for i, v := range o.xTicks {
			ticks[i] = plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)}
		}
		p.X.Tick.Marker = ticks
		if len(o.xTicks) > 12 {
			p.X.Tick.Marker = niceTicks{}
		}
		pad := (slices.Max(o.xTicks) - slices.Min(o.xTicks)) * 0.04
		p.X.Min, p.X.Max = slices.Min(o.xTicks)-pad, slices.Max(o.xTicks)+pad
	}
	return ch, nil
}

// plotErrPoint is a point with an error below and above: plotter.YErrorBars
// input.
type plotErrPoint struct{ x, y, lo, hi float64 }

type plotErrPoints []plotErrPoint

func (e plotErrPoints) Len() int                        { return len(e) }
func (e plotErrPoints) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e plotErrPoints) YError(i int) (float64, float64) { return e[i].lo, e[i].hi }

// plotGrey is a grey of level v (0 black, 255 white).
func plotGrey(v uint8) color.Color { return color.Gray{Y: v} }

func plotFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// log1pScale is a log scale shifted by one, log(1+x), so that a count axis
// keeps 0.
type log1pScale struct{}

// Normalize implements plot.Normalizer.
func (log1pScale) Normalize(lo, hi, x float64) float64 {
	lo, hi = max(lo, 0), max(hi, 0)
	return (math.Log1p(max(x, 0)) - math.Log1p(lo)) / (math.Log1p(hi) - math.Log1p(lo))
}

// log1pTicks marks 0 and the powers of ten on a log1pScale axis, with
// unlabelled marks at 2 and 5 times them.
type log1pTicks struct{}

// Ticks implements plot.Ticker.
func (log1pTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0"}}
	for e := 0.0; math.Pow(10, e) <= hi; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		for _, m := range []float64{2, 5} {
			if m*v <= hi {
				ticks = append(ticks, plot.Tick{Value: m * v})
			}
		}
	}
	return ticks
}
