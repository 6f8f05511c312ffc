package reports

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"regexp"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PNGDPI is the resolution PNG figures are drawn at: 300 dots per inch,
// what journals ask of line art with text, so the default 16 x 10 cm is
// 1890 x 1181 pixels.
const PNGDPI = 300

// The text sizes of every plot, in points. At the default 16 cm width they
// match a 10-pt paper's body text when the figure is set at text width,
// and stay above 6 pt when it is shrunk to one column of two (8.5 cm).
const (
	titleSize  = 11
	labelSize  = 10
	tickSize   = 9
	legendSize = 9
)

// sans is the typeface of all plot text: Liberation Sans, the metric twin
// of Arial, embedded in gonum/plot so PNGs look the same everywhere.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func sansFont(size vg.Length) font.Font { return font.From(sans, size) }

// styleText sets p's fonts: sans-serif throughout, a bold title, and room
// between the title and the data.
func styleText(p *plot.Plot) {
	p.Title.TextStyle.Font = sansFont(titleSize)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(8)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sansFont(labelSize)
		ax.Tick.Label.Font = sansFont(tickSize)
		ax.Label.Padding = vg.Points(3)
	}
	p.Legend.TextStyle.Font = sansFont(legendSize)
}

// lineOrder is the order series take Palette's colours: yellow, faint on
// white, comes last.
var lineOrder = []int{0, 1, 2, 3, 5, 6, 7, 4}

// seriesDashes are the dash patterns series cycle through with colours.
var seriesDashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

var seriesShapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.PlusGlyph{},
}

// seriesStyle is the look of the n-th series: a colour of the extended
// palette (seriesColor), and a dash pattern and glyph that change with it,
// so that series stay apart in greyscale too.
func seriesStyle(n int) (line draw.LineStyle, glyph draw.GlyphStyle) {
	col := seriesColor(n)
	k := n + n/len(Palette)
	line = draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: seriesDashes[k%len(seriesDashes)]}
	glyph = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: seriesShapes[k%len(seriesShapes)]}
	return line, glyph
}

// seriesColor is the n-th colour of the extended palette: Palette's eight
// in lineOrder, then the same eight lightened (mixed 45 % with white, so
// black becomes grey), then both again. Bars, which have no dash pattern,
// keep 16 strategies apart by colour alone.
func seriesColor(n int) color.Color {
	c := Palette[lineOrder[n%len(lineOrder)]]
	if (n/len(lineOrder))%2 == 0 {
		return c
	}
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(math.Round(0.55*float64(v>>8) + 0.45*255)) }
	return color.RGBA{mix(r), mix(g), mix(b), 255}
}

// Styles gives each strategy one colour, dash pattern and marker, the same
// in every plot drawn with it: build one from a report's strategies in
// their order and pass it to each plot with WithStyles. Names it was not
// built with get the next style on first use. The zero value and nil are
// usable: nil gives every plot its own, in order of appearance.
type Styles struct {
	idx map[string]int
}

// NewStyles assigns styles to names in order (duplicates keep their first).
func NewStyles(names ...string) *Styles {
	s := &Styles{}
	for _, n := range names {
		s.index(n)
	}
	return s
}

func (s *Styles) index(name string) int {
	if s.idx == nil {
		s.idx = map[string]int{}
	}
	i, ok := s.idx[name]
	if !ok {
		i = len(s.idx)
		s.idx[name] = i
	}
	return i
}

// Of is name's line and glyph style.
func (s *Styles) Of(name string) (draw.LineStyle, draw.GlyphStyle) {
	return seriesStyle(s.index(name))
}

// PlotOption changes how a plot function draws.
type PlotOption func(*plotOptions)

type plotOptions struct {
	styles         *Styles
	domainLo       float64
	domainHi       float64
	zoom           bool
	percent        bool
	xTicks         []float64
	xNominal       []string
	noAutoLogScale bool
}

func makeOptions(opts []PlotOption) *plotOptions {
	o := &plotOptions{domainLo: math.Inf(-1), domainHi: math.Inf(1)}
	for _, f := range opts {
		f(o)
	}
	if o.styles == nil {
		o.styles = &Styles{}
	}
	return o
}

// WithStyles keys series colours to strategy names through s, so that a
// strategy looks the same in every plot drawn with the same s.
func WithStyles(s *Styles) PlotOption { return func(o *plotOptions) { o.styles = s } }

// Domain is the range a metric can take (for example 0 to +Inf for a
// latency, 0 to 1 for a share): confidence whiskers are clipped to it.
func Domain(lo, hi float64) PlotOption {
	return func(o *plotOptions) { o.domainLo, o.domainHi = lo, hi }
}

// Zoom lets a bar chart's value axis start above zero when the bars differ
// by little against their height (allocation ratios of 87–95 %), so the
// differences show; the axis label then says where it starts.
func Zoom() PlotOption { return func(o *plotOptions) { o.zoom = true } }

// Percent draws a share (0..1) as a percentage.
func Percent() PlotOption { return func(o *plotOptions) { o.percent = true } }

// LinearScale turns off the automatic log scale of bar charts whose bars
// span more than a decade.
func LinearScale() PlotOption { return func(o *plotOptions) { o.noAutoLogScale = true } }

// XTicks marks the x axis at exactly these values (a sweep's values).
func XTicks(values ...float64) PlotOption { return func(o *plotOptions) { o.xTicks = values } }

// NominalX labels x = 0, 1, ... with names (a sweep's values that are not
// numbers).
func NominalX(names ...string) PlotOption { return func(o *plotOptions) { o.xNominal = names } }

// Chart is a plot with its legend boxed outside the data area, at the
// right, top-aligned with it, so no entry hides a curve. It is what the
// plot functions of this package return; Plot can be adjusted before
// drawing.
type Chart struct {
	Plot *plot.Plot
	// Legend holds the entries; its Top and Left are ignored.
	Legend plot.Legend
	bars   *ganttBars // a Gantt chart's bars (for tests)
}

var _ Figure = (*Chart)(nil)

// newChart is a chart with a styled plot, its title, labels and a light
// grid.
func newChart(title, xLabel, yLabel string) *Chart {
	p := newPlot(title, xLabel, yLabel)
	styleText(p)
	l := plot.NewLegend()
	l.TextStyle.Font = sansFont(legendSize)
	l.ThumbnailWidth = vg.Points(22)
	l.Padding = vg.Points(1.5)
	l.Left = true
	l.Top = true
	return &Chart{Plot: p, Legend: l}
}

// legendPad is the space inside the legend's box and between it and the
// plot.
const legendPad = vg.Length(5)

// legendSize is the width and height of the legend's box.
func (ch *Chart) legendBox() (w, h vg.Length) {
	r := ch.Legend.Rectangle(draw.Canvas{})
	sz := r.Size()
	if sz.X == 0 {
		return 0, 0
	}
	return sz.X + 2*legendPad, sz.Y + 2*legendPad
}

// Draw draws the plot, and its legend in a box at its right.
func (ch *Chart) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	lw, lh := ch.legendBox()
	// The title is centred over the whole figure, legend included, so a
	// long one is not cut at the left edge.
	if title := ch.Plot.Title.Text; title != "" {
		sty := ch.Plot.Title.TextStyle
		descent := sty.FontExtents().Descent
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y + descent}, title)
		c.Max.Y -= sty.Rectangle(title).Size().Y + ch.Plot.Title.Padding
		ch.Plot.Title.Text = ""
		defer func() { ch.Plot.Title.Text = title }()
	}
	left := c
	if lw > 0 {
		left.Max.X -= lw + legendPad
	}
	dc := ch.drawPlot(left)
	if lw == 0 {
		return
	}

	box := vg.Rectangle{
		Min: vg.Point{X: c.Max.X - lw - 1, Y: dc.Max.Y - lh},
		Max: vg.Point{X: c.Max.X - 1, Y: dc.Max.Y},
	}
	c.SetColor(color.White)
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: plotGrey(120), Width: vg.Points(0.6)})
	c.Stroke(box.Path())
	inner := c
	inner.Rectangle = vg.Rectangle{
		Min: vg.Point{X: box.Min.X + legendPad, Y: box.Min.Y + legendPad},
		Max: vg.Point{X: box.Max.X - legendPad, Y: box.Max.Y - legendPad},
	}
	l := ch.Legend
	l.Top, l.Left = true, true
	l.Draw(inner)
}

// drawPlot draws the plot in c and returns its data area. It sets the y
// label itself, centred on the data area: gonum/plot centres it on the
// middle of the data range, which on a log axis lies near the top and
// pushes the plot down to make room for a label that would stick out.
func (ch *Chart) drawPlot(c draw.Canvas) draw.Canvas {
	p := ch.Plot
	label := p.Y.Label.Text
	if label == "" {
		p.Draw(c)
		return p.DataCanvas(c)
	}
	sty := p.Y.Label.TextStyle
	h := sty.Height(label)
	c2 := c
	c2.Min.X += h + p.Y.Label.Padding
	p.Y.Label.Text = ""
	defer func() { p.Y.Label.Text = label }()
	dc := p.DataCanvas(c2)
	p.Draw(c2)
	sty.Rotation = math.Pi / 2
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	c.FillText(sty, vg.Point{X: c.Min.X, Y: (dc.Min.Y + dc.Max.Y) / 2}, label)
	return dc
}

// WriteFigure renders fig as SVG or PNG ("svg", "png"; gonum/plot's other
// formats work too) of the given size. PNG is drawn at PNGDPI. SVG images
// (heatmaps, colour bars) are declared image/png, which they are, and
// stretched to their box (preserveAspectRatio="none"), as a 1 x 256 colour
// bar must be.
func WriteFigure(w io.Writer, fig Figure, format string, width, height vg.Length) error {
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(PNGDPI))
		fig.Draw(draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	case "svg":
		c, err := draw.NewFormattedCanvas(width, height, format)
		if err != nil {
			return err
		}
		fig.Draw(draw.New(c))
		var b bytes.Buffer
		if _, err := c.WriteTo(&b); err != nil {
			return err
		}
		_, err = w.Write(fixSVGImages(b.Bytes()))
		return err
	}
	c, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return err
	}
	fig.Draw(draw.New(c))
	_, err = c.WriteTo(w)
	return err
}

// svgImage matches the start of an <image> element of vgsvg, which labels
// the PNG data it embeds "image/jpg".
var svgImage = regexp.MustCompile(`<image ([^>]*?)xlink:href="data:image/jpg;base64,iVBORw0KGgo`)

// fixSVGImages declares vgsvg's embedded PNGs as image/png and lets them
// fill their box.
func fixSVGImages(svg []byte) []byte {
	return svgImage.ReplaceAll(svg, []byte(`<image preserveAspectRatio="none" ${1}xlink:href="data:image/png;base64,iVBORw0KGgo`))
}

// niceNum is the "nice" number (1, 2, 2.5 or 5 times a power of ten) at or
// above x (round up) or nearest to it (round down).
func niceNum(x float64, roundUp bool) float64 {
	if x <= 0 || !plotFinite(x) {
		return 1
	}
	e := math.Floor(math.Log10(x))
	f := x / math.Pow(10, e)
	var n float64
	switch {
	case roundUp && f <= 1, !roundUp && f < 1.5:
		n = 1
	case roundUp && f <= 2, !roundUp && f < 2.25:
		n = 2
	case roundUp && f <= 2.5, !roundUp && f < 3.5:
		n = 2.5
	case roundUp && f <= 5, !roundUp && f < 7.5:
		n = 5
	default:
		n = 10
	}
	return n * math.Pow(10, e)
}

// niceTicks marks [lo, hi] at multiples of a nice step, about five of
// them labelled, each with a minor tick between, labels without trailing
// zeros, scaled by 1/unit (so seconds can read as minutes).
type niceTicks struct {
	unit float64 // data units per label unit; 0 means 1
}

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	u := t.unit
	if u == 0 {
		u = 1
	}
	a, b := lo/u, hi/u
	if !(b > a) {
		return []plot.Tick{{Value: lo, Label: formatTick(a, 0)}}
	}
	step := niceNum((b-a)/5, false)
	if (b-a)/step > 7 {
		step = niceNum((b-a)/5, true)
	}
	var ticks []plot.Tick
	const slack = 1e-9
	for k := math.Ceil(a/step - slack); k*step <= b+slack*step; k++ {
		v := k * step
		if math.Abs(v) < step*slack {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v * u, Label: formatTick(v, step)})
		if mid := v + step/2; mid <= b {
			ticks = append(ticks, plot.Tick{Value: mid * u})
		}
	}
	if first := math.Ceil(a/step-slack) * step; first-step/2 >= a {
		ticks = append(ticks, plot.Tick{Value: (first - step/2) * u})
	}
	return ticks
}

// formatTick writes v with as many decimals as step needs (one for 2.5,
// two for 0.25).
func formatTick(v, step float64) string {
	dec := 0
	for ; dec < 9 && step > 0; dec++ {
		s := step * math.Pow(10, float64(dec))
		if math.Abs(s-math.Round(s)) < 1e-6*s {
			break
		}
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// timeUnit picks a unit for a time axis that runs to hi seconds: the
// largest of s, min, h and d in which it spans at least two units.
func timeUnit(hi float64) (seconds float64, name string) {
	switch {
	case hi >= 2*86400:
		return 86400, "d"
	case hi >= 2*3600:
		return 3600, "h"
	case hi >= 2*60:
		return 60, "min"
	}
	return 1, "s"
}

// setTimeAxis makes ax a time axis in seconds read in a sensible unit: the
// label gets the unit, ticks fall at round values of it.
func setTimeAxis(ax *plot.Axis, what string, hi float64) {
	u, name := timeUnit(hi)
	ax.Label.Text = what + " (" + name + ")"
	ax.Tick.Marker = niceTicks{unit: u}
}
