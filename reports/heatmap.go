package reports

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxNamedNodes is the most nodes a heatmap labels by name; beyond it the
// y axis numbers them.
const maxNamedNodes = 40

// A heatmap is drawn as one image at least this many pixels wide and high
// (a pixel a cell where there are more), and at most four times as many
// (leaving cells out where there are more still).
const (
	rasterWidth  = 1200
	rasterHeight = 800
)

// HeatmapFigure is a heatmap with a colour bar at its right, drawn as one
// Figure: Map takes the canvas less BarWidth, and Bar is drawn in the strip
// to its right with its colour scale level with Map's data area.
type HeatmapFigure struct {
	Map      *plot.Plot // the heatmap, its title and axes
	Bar      *plot.Plot // the colour bar and its axis
	BarWidth vg.Length  // width of the strip that holds Bar

	nodes *nodeTicks // Map's y ticks, thinned to fit at draw time
	// states are the node states other than up that some cell shows, in
	// key order: Draw keys them under the colour bar.
	states []cellState
}

// cellState is how a heatmap cell shows a node that is not up (series.csv's
// state column): it replaces the utilization colour, as a node that is not
// in service has none worth showing. Patterns rather than colours alone keep
// the states apart in greyscale and with colour-vision deficiency.
type cellState uint8

const (
	stateUp      cellState = iota
	stateDown              // failed: light grey with vermillion stripes rising
	stateOff               // not provisioned (or scaled in): flat light grey
	stateDrained           // out for maintenance: light grey with dark stripes falling
)

// stateKey names each marked state in the figure's key.
var stateKey = [...]string{stateDown: "down", stateOff: "off", stateDrained: "drained"}

// stateOf maps series.csv's state column to a cellState ("" and "up" are up).
func stateOf(s string) cellState {
	switch s {
	case "down":
		return stateDown
	case "off":
		return stateOff
	case "drained":
		return stateDrained
	}
	return stateUp
}

var (
	stateGrey       = color.NRGBA{0xd9, 0xd9, 0xd9, 0xff}
	stateVermillion = color.NRGBA{0xd5, 0x5e, 0x00, 0xff} // Okabe-Ito
	stateDark       = color.NRGBA{0x59, 0x59, 0x59, 0xff}
)

// stripePeriod is the period in image pixels of the stripes of down and
// drained cells, a third of it striped.
const stripePeriod = 18

// at is the colour of a cell of state s at image pixel (px, py).
func (s cellState) at(px, py int) color.NRGBA {
	switch s {
	case stateDown:
		if (px+py)%stripePeriod < stripePeriod/3 {
			return stateVermillion
		}
	case stateDrained:
		if (px-py+stripePeriod*1<<20)%stripePeriod < stripePeriod/3 {
			return stateDark
		}
	}
	return stateGrey
}

// UtilizationHeatmap draws each node's utilization over simulated time
// for one strategy and seed: time runs along x, nodes up y in the order
// they first appear in rows (named when there are at most 40, numbered
// from 0 otherwise), and colour shows utilization on a fixed 0–100 %
// viridis scale, explained by a colour bar. Each cell covers the sampling
// interval that ends at its row's T; white cells have no sample. A node
// that is not up at T (series.csv's state) shows that state instead: down
// as grey with vermillion stripes, off as flat grey, drained as grey with
// dark stripes, keyed under the colour bar. Rows of
// other strategies or seeds and cluster-wide rows are ignored; it is an
// error if no row is left.
func UtilizationHeatmap(rows []SeriesRow, strategy string, seed uint64, title string) (*HeatmapFigure, error) {
	var nodes []string
	nodeIdx := map[string]int{}
	var times []float64
	for i := range rows {
		r := &rows[i]
		if r.Strategy != strategy || r.Seed != seed || r.Node == ClusterNode {
			continue
		}
		if _, ok := nodeIdx[r.Node]; !ok {
			nodeIdx[r.Node] = len(nodes)
			nodes = append(nodes, r.Node)
		}
		times = append(times, r.T)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no per-node series rows for strategy %q seed %d to draw a utilization heatmap from", strategy, seed)
	}
	slices.Sort(times)
	times = slices.Compact(times)
	g := &utilGrid{x: make([]float64, len(times)), cols: len(times), rows: len(nodes)}
	for c, t := range times {
		switch {
		case c > 0:
			g.x[c] = t - (t-times[c-1])/2
		case len(times) > 1:
			g.x[c] = t - (times[1]-t)/2
		default:
			g.x[c] = t
		}
	}
	g.z = make([]float64, g.cols*g.rows)
	g.st = make([]cellState, g.cols*g.rows)
	var seen [len(stateKey)]bool
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	for i := range rows {
		r := &rows[i]
		if r.Strategy != strategy || r.Seed != seed || r.Node == ClusterNode {
			continue
		}
		c, _ := slices.BinarySearch(times, r.T)
		g.z[nodeIdx[r.Node]*g.cols+c] = min(max(r.Utilization, 0), 1)
		st := stateOf(r.State)
		g.st[nodeIdx[r.Node]*g.cols+c] = st
		seen[st] = true
	}
	var states []cellState
	for st := stateDown; int(st) < len(seen); st++ {
		if seen[st] {
			states = append(states, st)
		}
	}

	hm := plotter.NewHeatMap(g, newViridis().Palette(256))
	hm.Min, hm.Max = 0, 1
	m := plot.New()
	styleText(m)
	m.Title.Text = title
	setTimeAxis(&m.X, "simulated time", times[len(times)-1])
	m.X.Padding, m.Y.Padding = 0, 0
	m.Add(heatRaster{HeatMap: hm, st: g.st})
	ticks := &nodeTicks{names: nodes}
	m.Y.Label.Text = "node"
	if len(nodes) > maxNamedNodes {
		ticks.names = make([]string, len(nodes))
		for i := range nodes {
			ticks.names[i] = strconv.Itoa(i)
		}
		m.Y.Label.Text = "node (index)"
	}
	m.Y.Tick.Marker = ticks

	bar := plot.New()
	styleText(bar)
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Label.Text = "utilization (%)"
	bar.Y.Min, bar.Y.Max = 0, 100
	bar.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 25, Label: "25"}, {Value: 50, Label: "50"}, {Value: 75, Label: "75"}, {Value: 100, Label: "100"}}
	cm := newViridis()
	cm.SetMax(100)
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true, Colors: 256})

	return &HeatmapFigure{Map: m, Bar: bar, BarWidth: 2.6 * vg.Centimeter, nodes: ticks, states: states}, nil
}

// Draw draws Map, then Bar beside it, level with Map's data area.
func (f *HeatmapFigure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	left := c
	left.Max.X -= f.BarWidth
	dc := f.Map.DataCanvas(left)
	if f.nodes != nil {
		f.nodes.fit(dc.Max.Y-dc.Min.Y, f.Map.Y.Tick.Label.Font.Size)
	}
	f.Map.Draw(left)

	const gap = 6 // points between Map and Bar's tick labels
	strip := c
	strip.Min.X = left.Max.X + gap
	strip.Max.X -= gap // a margin right of the bar
	lo := dc.Min.Y     // where the colour scale starts
	if len(f.states) > 0 {
		lo = f.drawKey(c, strip, dc.Min.Y)
	}
	strip.Min.Y, strip.Max.Y = lo, dc.Max.Y
	bd := f.Bar.DataCanvas(strip)
	strip.Min.Y -= bd.Min.Y - lo
	strip.Max.Y += dc.Max.Y - bd.Max.Y
	f.Bar.Draw(strip)
}

// drawKey draws a swatch and name per marked state at the bottom of the
// strip, level with the data area's bottom, and returns the height above
// the key where the colour bar may start.
func (f *HeatmapFigure) drawKey(c draw.Canvas, strip draw.Canvas, bottom vg.Length) vg.Length {
	fnt := f.Bar.Y.Tick.Label.Font
	sty := draw.TextStyle{Color: color.Black, Font: fnt, Handler: f.Bar.Y.Tick.Label.Handler, YAlign: draw.YCenter}
	sw := fnt.Size * 1.2
	row := fnt.Size * 1.8
	x := strip.Min.X + f.Bar.Y.Label.TextStyle.Font.Size*1.6
	for k := range f.states {
		st := f.states[len(f.states)-1-k]
		y := bottom + vg.Length(k)*row
		img := image.NewNRGBA(image.Rect(0, 0, 2*stripePeriod, 2*stripePeriod))
		for py := range 2 * stripePeriod {
			for px := range 2 * stripePeriod {
				img.SetNRGBA(px, py, st.at(px, py))
			}
		}
		r := vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + sw, Y: y + sw}}
		c.DrawImage(r, img)
		c.StrokeLines(draw.LineStyle{Color: color.Black, Width: 0.4}, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
		c.FillText(sty, vg.Point{X: x + sw + fnt.Size*0.4, Y: y + sw/2}, stateKey[st])
	}
	return bottom + vg.Length(len(f.states))*row + fnt.Size
}

// nodeTicks marks every node on the y axis and labels every step-th.
type nodeTicks struct {
	names []string
	step  int
}

// fit sets the step so that labels of the given font size stay apart on a
// data area of the given height.
func (t *nodeTicks) fit(height, font vg.Length) {
	t.step = 1
	if len(t.names) == 0 || height <= 0 {
		return
	}
	row := height / vg.Length(len(t.names))
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		t.step = s
		if row*vg.Length(s) >= 1.6*font {
			return
		}
	}
}

// Ticks implements plot.Ticker: a labelled tick every step nodes, and
// unlabelled ones at a fifth or half of that.
func (t *nodeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := max(t.step, 1)
	minor := 1
	switch {
	case step%5 == 0:
		minor = step / 5
	case step%2 == 0:
		minor = step / 2
	}
	var ticks []plot.Tick
	for i, name := range t.names {
		switch {
		case i%step == 0:
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: name})
		case i%minor == 0:
			ticks = append(ticks, plot.Tick{Value: float64(i)})
		}
	}
	return ticks
}

// heatRaster draws a plotter.HeatMap as one image of rasterWidth x
// rasterHeight pixels or more, each cell a block of pixels bounded as HeatMap
// bounds it (half-way to the neighbouring centres). HeatMap's own vector
// drawing leaves hairline seams between cells where anti-aliasing lets the
// background through, and its raster drawing, one pixel a cell, is blurred
// when scaled up; a fine image has neither fault, and keeps an SVG to one
// <image> element however many cells there are.
type heatRaster struct {
	*plotter.HeatMap
	st []cellState // per cell, row-major by node as utilGrid.z; nil: all up
}

// Plot implements plot.Plotter.
func (h heatRaster) Plot(c draw.Canvas, plt *plot.Plot) {
	g := h.GridXYZ
	cols, rows := g.Dims()
	xmin, xmax, ymin, ymax := h.DataRange()
	w, ht := min(max(cols, rasterWidth), 4*rasterWidth), min(max(rows, rasterHeight), 4*rasterHeight)
	// cellOf maps n pixels spread over [lo, hi] to the cells centred at
	// centre(0..cells-1).
	cellOf := func(n, cells int, lo, hi float64, centre func(int) float64) []int {
		idx := make([]int, n)
		k := 0
		for px := range idx {
			v := lo + (float64(px)+0.5)/float64(n)*(hi-lo)
			for k < cells-1 && v > (centre(k)+centre(k+1))/2 {
				k++
			}
			idx[px] = k
		}
		return idx
	}
	colOf := cellOf(w, cols, xmin, xmax, g.X)
	rowOf := cellOf(ht, rows, ymin, ymax, g.Y)

	pal := h.Palette.Colors()
	scale := float64(len(pal)-1) / (h.Max - h.Min)
	cell := make([]color.NRGBA, cols*rows)
	for r := range rows {
		for col := range cols {
			var cc color.Color
			switch v := g.Z(col, r); {
			case math.IsNaN(v):
				cc = h.NaN
			case v < h.Min:
				cc = h.Underflow
			case v > h.Max:
				cc = h.Overflow
			default:
				cc = pal[int((v-h.Min)*scale+0.5)]
			}
			if cc != nil {
				cell[r*cols+col] = color.NRGBAModel.Convert(cc).(color.NRGBA)
			}
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, ht))
	for py := range ht {
		r := rowOf[ht-1-py] // image rows run top down
		line := img.Pix[py*img.Stride:]
		for px, col := range colOf {
			cc := cell[r*cols+col]
			if h.st != nil && h.st[r*cols+col] != stateUp {
				cc = h.st[r*cols+col].at(px, py)
			}
			line[4*px], line[4*px+1], line[4*px+2], line[4*px+3] = cc.R, cc.G, cc.B, cc.A
		}
	}
	plotter.NewImage(img, xmin, ymin, xmax, ymax).Plot(c, plt)
}

// GlyphBoxes implements plot.GlyphBoxer: none, as the image lies within
// the data range (HeatMap's boxes around each cell centre would pad the
// axes away from it).
func (heatRaster) GlyphBoxes(*plot.Plot) []plot.GlyphBox { return nil }

// utilGrid is a heatmap's cells: x holds column centres (seconds), y is
// the node index, z is row-major by node, NaN where there is no sample, and
// st the node's state in each cell.
type utilGrid struct {
	x          []float64
	z          []float64
	st         []cellState
	cols, rows int
}

func (g *utilGrid) Dims() (c, r int)   { return g.cols, g.rows }
func (g *utilGrid) Z(c, r int) float64 { return g.z[r*g.cols+c] }
func (g *utilGrid) X(c int) float64    { return g.x[c] }
func (g *utilGrid) Y(r int) float64    { return float64(r) }
func (g *utilGrid) Min() float64       { return 0 }
func (g *utilGrid) Max() float64       { return 1 }

// viridisAnchors are matplotlib's viridis colour map at 0, 1/16, ..., 1
// (van der Walt and Smith, 2015): perceptually uniform, lightness rising
// monotonically, so it reads in greyscale and with colour-vision deficiency.
var viridisAnchors = [...]color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x18, 0x6a, 0xff}, {0x47, 0x2d, 0x7b, 0xff}, {0x42, 0x40, 0x86, 0xff},
	{0x3b, 0x52, 0x8b, 0xff}, {0x33, 0x63, 0x8d, 0xff}, {0x2c, 0x72, 0x8e, 0xff}, {0x26, 0x82, 0x8e, 0xff},
	{0x21, 0x91, 0x8c, 0xff}, {0x1f, 0xa0, 0x88, 0xff}, {0x28, 0xae, 0x80, 0xff}, {0x3f, 0xbc, 0x73, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0x84, 0xd4, 0x4b, 0xff}, {0xad, 0xdc, 0x30, 0xff}, {0xd8, 0xe2, 0x19, 0xff},
	{0xfd, 0xe7, 0x25, 0xff},
}

// viridis is a palette.ColorMap interpolating viridisAnchors linearly in
// sRGB between Min and Max.
type viridis struct{ min, max, alpha float64 }

var _ palette.ColorMap = (*viridis)(nil)

func newViridis() *viridis { return &viridis{min: 0, max: 1, alpha: 1} }

func (v *viridis) At(x float64) (color.Color, error) {
	switch {
	case math.IsNaN(x):
		return nil, palette.ErrNaN
	case x < v.min:
		return nil, palette.ErrUnderflow
	case x > v.max:
		return nil, palette.ErrOverflow
	}
	pos := 0.0
	if v.max > v.min {
		pos = (x - v.min) / (v.max - v.min) * float64(len(viridisAnchors)-1)
	}
	i := min(int(pos), len(viridisAnchors)-2)
	f := pos - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	lerp := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + f*(float64(q)-float64(p)))) }
	return color.NRGBA{R: lerp(a.R, b.R), G: lerp(a.G, b.G), B: lerp(a.B, b.B), A: uint8(math.Round(255 * v.alpha))}, nil
}

func (v *viridis) Max() float64     { return v.max }
func (v *viridis) SetMax(x float64) { v.max = x }
func (v *viridis) Min() float64     { return v.min }
func (v *viridis) SetMin(x float64) { v.min = x }
func (v *viridis) Alpha() float64   { return v.alpha }

func (v *viridis) SetAlpha(a float64) {
	if a < 0 || a > 1 {
		panic(fmt.Sprintf("viridis: alpha %v outside [0, 1]", a))
	}
	v.alpha = a
}

func (v *viridis) Palette(n int) palette.Palette {
	cols := make([]color.Color, n)
	for i := range cols {
		x := v.min
		if n > 1 {
			x += (v.max - v.min) * float64(i) / float64(n-1)
		}
		cols[i], _ = v.At(x)
	}
	return heatColors(cols)
}

// heatColors is a palette.Palette.
type heatColors []color.Color

func (c heatColors) Colors() []color.Color { return c }
