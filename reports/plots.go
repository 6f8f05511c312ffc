package reports

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"io"
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

// WriteFigure renders fig as SVG or PNG ("svg", "png"; gonum/plot's other
// formats work too) of the given size. PNG is drawn at 96 dpi, so the
// default 16 x 10 cm is 605 x 378 pixels.
func WriteFigure(w io.Writer, fig Figure, format string, width, height vg.Length) error {
	c, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return err
	}
	fig.Draw(draw.New(c))
	_, err = c.WriteTo(w)
	return err
}

// plainTicks are gonum's default ticks labelled without trailing zeros
// ("5000", not "5000.00").
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}

// lineOrder is the order lines take Palette's colours: yellow, faint on
// white, comes last.
var lineOrder = []int{0, 1, 2, 3, 5, 6, 7, 4}

// seriesStyle is the look of the n-th series of a plot: a Palette colour,
// and a dash pattern and glyph that change with it, so that series stay
// apart in greyscale and after the eight colours come round again.
func seriesStyle(n int) (line draw.LineStyle, glyph draw.GlyphStyle) {
	dashes := [][]vg.Length{
		nil,
		{vg.Points(6), vg.Points(3)},
		{vg.Points(1.5), vg.Points(2)},
		{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
	}
	shapes := []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
		draw.RingGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.PlusGlyph{},
	}
	col := Palette[lineOrder[n%len(lineOrder)]]
	line = draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: dashes[(n+n/len(Palette))%len(dashes)]}
	glyph = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: shapes[(n+n/len(Palette))%len(shapes)]}
	return line, glyph
}

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

// LatencyCDFPlot draws the latency distribution of each result that has a
// LatencyCDF, one line per result labelled by strategy (and seed, where a
// strategy has several results), on a logarithmic latency axis. Points at
// latencies ≤ 0, which a log axis cannot show, are left out; it is an
// error if no result has a CDF.
func LatencyCDFPlot(results []sim.Result, title string) (*plot.Plot, error) {
	var (
		lines      []plotter.XYs
		strategies []string
		seeds      []uint64
	)
	for i := range results {
		var xy plotter.XYs
		for _, c := range results[i].LatencyCDF {
			if c.Value > 0 && !math.IsInf(c.Value, 0) && !math.IsNaN(c.Fraction) {
				xy = append(xy, plotter.XY{X: c.Value, Y: c.Fraction})
			}
		}
		if len(xy) == 0 {
			continue
		}
		lines = append(lines, xy)
		strategies = append(strategies, results[i].Strategy)
		seeds = append(seeds, results[i].Seed)
	}
	if len(lines) == 0 {
		return nil, errors.New("no result has a latency CDF with a positive latency")
	}
	p := newPlot(title, "latency (s)", "fraction of tasks ≤ x")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(10)
	for n, label := range seriesLabels(strategies, seeds) {
		l, err := plotter.NewLine(lines[n])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		l.LineStyle, _ = seriesStyle(n)
		p.Add(l)
		p.Legend.Add(label, l)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range lines {
		for _, pt := range xy {
			lo, hi = min(lo, pt.X), max(hi, pt.X)
		}
	}
	if lo == hi { // one latency: gonum would widen the axis by ±1, through 0
		p.X.Min, p.X.Max = lo/2, hi*2
	}
	return p, nil
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
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// QueueLengthPlot draws the cluster-wide number of queued tasks (rows with
// Node == ClusterNode) over simulated time, one line per strategy and seed,
// labelled by strategy (and seed, where a strategy has several). It is an
// error if there is no cluster-wide row.
func QueueLengthPlot(rows []SeriesRow, title string) (*plot.Plot, error) {
	type key struct {
		strategy string
		seed     uint64
	}
	var keys []key
	series := map[key]plotter.XYs{}
	top := 0.0
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
		top = max(top, float64(r.Queued))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no cluster-wide (node %q) series rows to plot queue lengths from", ClusterNode)
	}
	p := newPlot(title, "simulated time (s)", "tasks queued")
	p.Y.Min, p.X.Min = 0, 0
	p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
	p.Legend.Top = true
	// Head room above the highest queue for the legend, one line a series.
	p.Y.Max = max(1, top) * (1 + 0.07*float64(len(keys)+1))
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
		l.LineStyle, _ = seriesStyle(n)
		l.LineStyle.Width = vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(label, l)
	}
	return p, nil
}

// BarCI is one bar of a BarCIPlot: a mean and the half-width of its 95 %
// confidence interval (0 when there is none, e.g. from a single seed).
type BarCI struct {
	Label      string
	Mean, CI95 float64
}

// BarCIPlot draws one bar per label with 95 % confidence whiskers; bars
// with CI95 == 0 get no whisker. The y axis reads "metric (unit)". Long or
// many labels are set at a slant. It is an error to pass no bars, or a
// mean or interval that is not a finite number.
func BarCIPlot(metric, unit string, bars []BarCI, title string) (*plot.Plot, error) {
	if len(bars) == 0 {
		return nil, fmt.Errorf("no bars to plot for %s", metric)
	}
	yLabel := metric
	if unit != "" {
		yLabel = fmt.Sprintf("%s (%s)", metric, unit)
	}
	p := newPlot(title, "", yLabel)
	p.Y.Tick.Marker = plainTicks{}
	fill, _ := seriesStyle(4) // blue
	labels := make([]string, len(bars))
	var whiskers plotErrPoints
	long := len(bars) > 6
	for i, b := range bars {
		if !plotFinite(b.Mean) || !plotFinite(b.CI95) {
			return nil, fmt.Errorf("%s: bar %q: mean %v ± %v is not a finite number", metric, b.Label, b.Mean, b.CI95)
		}
		const half = 0.35
		x := float64(i)
		poly, err := plotter.NewPolygon(plotter.XYs{{X: x - half, Y: 0}, {X: x + half, Y: 0}, {X: x + half, Y: b.Mean}, {X: x - half, Y: b.Mean}})
		if err != nil {
			return nil, err
		}
		poly.Color = fill.Color
		poly.LineStyle = draw.LineStyle{Color: plotGrey(0), Width: vg.Points(0.5)}
		p.Add(poly)
		labels[i] = b.Label
		long = long || len(b.Label) > 12
		if b.CI95 > 0 {
			whiskers = append(whiskers, plotErrPoint{x, b.Mean, b.CI95})
		}
	}
	if len(whiskers) > 0 {
		e, err := plotter.NewYErrorBars(whiskers)
		if err != nil {
			return nil, err
		}
		e.LineStyle.Width = vg.Points(1)
		p.Add(e)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(bars))-0.5
	p.X.Padding = 0
	if long {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	return p, nil
}

// LoadPoint is one point of a LoadCurve: a mean at X and the half-width
// of its 95 % confidence interval (0 for none).
type LoadPoint struct {
	X, Mean, CI95 float64
}

// LoadCurve is one labelled curve of a LoadLatencyPlot.
type LoadCurve struct {
	Label  string
	Points []LoadPoint
}

// LoadLatencyPlot draws each curve as a line with markers and 95 %
// confidence whiskers, its points sorted by X; typically latency against
// offered load, one curve per strategy. Points whose X or mean is not a
// finite number are left out (a mean over no tasks is NaN); it is an error
// if no curve has a point left.
func LoadLatencyPlot(xLabel, yLabel string, curves []LoadCurve, title string) (*plot.Plot, error) {
	p := newPlot(title, xLabel, yLabel)
	p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(8)
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
				whiskers = append(whiskers, plotErrPoint{pt.X, pt.Mean, pt.CI95})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Label, err)
		}
		l.LineStyle, s.GlyphStyle = seriesStyle(n)
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
		p.Legend.Add(c.Label, l, s)
		n++
	}
	if n == 0 {
		return nil, errors.New("no load curve has a point with a finite X and mean")
	}
	return p, nil
}

// plotErrPoint is a point with a symmetric error: plotter.YErrorBars input.
type plotErrPoint struct{ x, y, err float64 }

type plotErrPoints []plotErrPoint

func (e plotErrPoints) Len() int                        { return len(e) }
func (e plotErrPoints) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e plotErrPoints) YError(i int) (float64, float64) { return e[i].err, e[i].err }

// plotGrey is a grey of level v (0 black, 255 white).
func plotGrey(v uint8) color.Color { return color.Gray{Y: v} }

func plotFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
