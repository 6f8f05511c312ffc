package reports_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// svgImage is an <image> of an SVG: its declared MIME type, decoded data,
// preserveAspectRatio and box size in points.
type svgImage struct {
	mime, aspect  string
	data          []byte
	width, height float64
}

// svgImages lists the <image> elements of an SVG with data URIs.
func svgImages(t *testing.T, svg []byte) []svgImage {
	t.Helper()
	var out []svgImage
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "image" {
			continue
		}
		var im svgImage
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "href":
				rest, ok := strings.CutPrefix(a.Value, "data:")
				mime, b64, ok2 := strings.Cut(rest, ";base64,")
				if !ok || !ok2 {
					t.Errorf("SVG image href %.40q is not a base64 data URI", a.Value)
					continue
				}
				im.mime = mime
				im.data, err = base64.StdEncoding.DecodeString(b64)
				if err != nil {
					t.Errorf("SVG image data: %v", err)
				}
			case "preserveAspectRatio":
				im.aspect = a.Value
			case "width":
				im.width, _ = strconv.ParseFloat(a.Value, 64)
			case "height":
				im.height, _ = strconv.ParseFloat(a.Value, 64)
			}
		}
		out = append(out, im)
	}
	return out
}

// TestHeatmapSVGColourBar checks the heatmap SVG the way librsvg and
// browsers read it: two embedded images (the map and its colour bar),
// both declared image/png and decoding as such, stretched to their boxes;
// the colour bar's box is a vertical strip (taller than wide, at least 8 pt
// wide) and its image is 1 pixel wide, so without preserveAspectRatio=none
// a browser would shrink it to a hairline.
func TestHeatmapSVGColourBar(t *testing.T) {
	f, err := reports.UtilizationHeatmap(plotSeriesRows(8), "p2c", 1, "heatmap")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, f, "svg", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	ims := svgImages(t, b.Bytes())
	if len(ims) != 2 {
		t.Fatalf("%d images in the heatmap SVG, want 2 (map and colour bar)", len(ims))
	}
	bar := ims[1]
	img, err := png.Decode(bytes.NewReader(bar.data))
	if err != nil {
		t.Fatalf("colour bar does not decode as PNG: %v", err)
	}
	if bar.mime != "image/png" || bar.aspect != "none" {
		t.Errorf("colour bar declared %q with preserveAspectRatio %q, want image/png and none", bar.mime, bar.aspect)
	}
	if bar.width < 8 || bar.height < 4*bar.width {
		t.Errorf("colour bar box %.1f x %.1f pt, want a vertical strip at least 8 pt wide", bar.width, bar.height)
	}
	if sz := img.Bounds().Size(); sz.Y < 100 {
		t.Errorf("colour bar image %v pixels, want at least 100 colours", sz)
	}
}

// TestStylesKeyedByName: a strategy's style depends on its place in the
// list the Styles were built from, not on the order a plot meets it, and
// the first 16 strategies get 16 different colours (Okabe-Ito's eight,
// then the eight lightened), with the (colour, dash) pair unique beyond.
func TestStylesKeyedByName(t *testing.T) {
	s := reports.NewStyles("round-robin", "p2c", "random")
	p2c, _ := s.Of("p2c")
	_, _ = s.Of("new-one")
	again, _ := s.Of("p2c")
	if p2c.Color != again.Color {
		t.Error("p2c changed colour after another name was styled")
	}
	if p2c.Color != reports.Palette[1] {
		t.Errorf("p2c, second in the list, is %v, want Okabe-Ito orange %v", p2c.Color, reports.Palette[1])
	}
	colours := map[color.Color]string{}
	pairs := map[string]string{}
	all := reports.NewStyles()
	for i := range 24 {
		name := "s" + strconv.Itoa(i)
		l, _ := all.Of(name)
		if i < 16 {
			if prev, ok := colours[l.Color]; ok {
				t.Errorf("%s has the colour of %s", name, prev)
			}
			colours[l.Color] = name
		}
		k := fmt.Sprint(l.Color, l.Dashes)
		if prev, ok := pairs[k]; ok {
			t.Errorf("%s has the colour and dash of %s", name, prev)
		}
		pairs[k] = name
	}
}

// TestBarColoursFollowStyles draws bars in an order different from the
// Styles' and finds each bar's colour in the PNG: p2c's orange, and
// random's sky blue.
func TestBarColoursFollowStyles(t *testing.T) {
	st := reports.NewStyles("round-robin", "p2c", "random")
	ch, err := reports.BarCIPlot("mean latency", "s", []reports.BarCI{{Label: "random", Mean: 2}, {Label: "p2c", Mean: 3}}, "bars", reports.WithStyles(st))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, ch, "png", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]color.RGBA{"p2c": {230, 159, 0, 255}, "random": {86, 180, 233, 255}} {
		if n := plotCountColor(img, c); n < 10000 {
			t.Errorf("%s: %d pixels of %v, want a bar of them", name, n, c)
		}
	}
	if n := plotCountColor(img, color.RGBA{0, 0, 0, 255}); n > 200000 {
		t.Errorf("%d black pixels: round-robin's black should not be drawn", n)
	}
}

// TestBarAxes: bars spanning more than a decade go on a log axis that
// says so; a 95 % interval reaching below 0 is clipped at the metric's
// domain; allocation ratios of 87–95 % get an axis that starts above 0
// and says where.
func TestBarAxes(t *testing.T) {
	wide := []reports.BarCI{{Label: "a", Mean: 940, CI95: 100}, {Label: "b", Mean: 1.2, CI95: 0.1}, {Label: "c", Mean: 3}}
	ch, err := reports.BarCIPlot("p99 latency", "s", wide, "log", reports.Domain(0, math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ch.Plot.Y.Scale.(plot.LogScale); !ok || !strings.Contains(ch.Plot.Y.Label.Text, "log scale") {
		t.Errorf("940 s against 1.2 s: y scale %T, label %q; want a log scale that says so", ch.Plot.Y.Scale, ch.Plot.Y.Label.Text)
	}
	if _, err := reports.BarCIPlot("p99 latency", "s", wide, "lin", reports.LinearScale()); err != nil {
		t.Fatal(err)
	}

	// Mean wait 10 s ± 40 s: the interval would reach -30 s.
	ch, err = reports.BarCIPlot("mean wait", "s", []reports.BarCI{{Label: "a", Mean: 10, CI95: 40}, {Label: "b", Mean: 12, CI95: 1}}, "wait", reports.Domain(0, math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Plot.Y.Min < 0 {
		t.Errorf("y axis starts at %v, want 0: a wait is never negative", ch.Plot.Y.Min)
	}

	alloc := []reports.BarCI{{Label: "fgd", Mean: 0.95}, {Label: "best-fit", Mean: 0.91}, {Label: "random", Mean: 0.87}}
	ch, err = reports.BarCIPlot("GPU allocation", "share", alloc, "alloc", reports.Domain(0, 1), reports.Percent(), reports.Zoom())
	if err != nil {
		t.Fatal(err)
	}
	if ch.Plot.Y.Min <= 0 || ch.Plot.Y.Min >= 87 || !strings.Contains(ch.Plot.Y.Label.Text, "axis from") || !strings.Contains(ch.Plot.Y.Label.Text, "(%)") {
		t.Errorf("87–95 %%: y from %v, label %q; want an axis in %% starting between 0 and 87 that says so", ch.Plot.Y.Min, ch.Plot.Y.Label.Text)
	}
	plotRenderCheck(t, "bar_zoom", ch)
}

// TestLatencyCDFStartsWithData: one task in ten thousand at 2 µs must not
// stretch the axis over three empty decades; the axis starts at the
// fastest 0.1 % (10 ms here, the next point), rounded down to 1, 2 or 5
// times a power of ten. The tail plot runs on log axes from the median.
func TestLatencyCDFStartsWithData(t *testing.T) {
	cdf := []sim.CDFPoint{{Value: 2e-6, Fraction: 0.0001}, {Value: 0.011, Fraction: 0.01}, {Value: 0.1, Fraction: 0.5}, {Value: 1, Fraction: 0.99}, {Value: 4, Fraction: 0.9999}, {Value: 9, Fraction: 1}}
	res := []sim.Result{{Strategy: "p2c", LatencyCDF: cdf}, {Strategy: "jsq", LatencyCDF: cdf}}
	ch, err := reports.LatencyCDFPlot(res, "cdf")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Plot.X.Min != 0.01 || ch.Plot.X.Max != 10 {
		t.Errorf("x axis %v..%v, want 0.01..10", ch.Plot.X.Min, ch.Plot.X.Max)
	}
	plotRenderCheck(t, "latency_cdf_start", ch)
	// jsq's line lies exactly on p2c's: its legend entry says so.
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, ch, "svg", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("jsq (= p2c)")) {
		t.Error("an identical line is not marked in the legend")
	}

	tail, err := reports.LatencyCCDFPlot(res, "tail")
	if err != nil {
		t.Fatal(err)
	}
	_, xlog := tail.Plot.X.Scale.(plot.LogScale)
	_, ylog := tail.Plot.Y.Scale.(plot.LogScale)
	// 1 - F: 0.5 at 0.1 s, 0.01 at 1 s, 1e-4 at 4 s (9 s has none left).
	if !xlog || !ylog || tail.Plot.Y.Min != 1e-4 || tail.Plot.X.Min != 0.1 {
		t.Errorf("tail axes: log x %v, log y %v, y from %v, x from %v; want log-log from 1e-4 and 0.1 s", xlog, ylog, tail.Plot.Y.Min, tail.Plot.X.Min)
	}
	plotRenderCheck(t, "latency_ccdf", tail)
}

// TestTimeAxisUnits: a 30-minute run reads in minutes, ticks every 5.
func TestTimeAxisUnits(t *testing.T) {
	var rows []reports.SeriesRow
	for s := 0; s <= 1800; s += 10 {
		rows = append(rows, reports.SeriesRow{Strategy: "p2c", Seed: 1, T: float64(s), Node: reports.ClusterNode, Queued: int64(s % 7)})
	}
	ch, err := reports.QueueLengthPlot(rows, "queue")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Plot.X.Label.Text != "simulated time (min)" {
		t.Errorf("x label %q, want simulated time (min)", ch.Plot.X.Label.Text)
	}
	var labels []string
	for _, tk := range ch.Plot.X.Tick.Marker.Ticks(ch.Plot.X.Min, ch.Plot.X.Max) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 5 10 15 20 25 30" {
		t.Errorf("x tick labels %q, want 0 5 10 15 20 25 30", got)
	}
}

// TestSweepTicksAtValues: XTicks marks exactly the swept values.
func TestSweepTicksAtValues(t *testing.T) {
	ch, err := reports.LoadLatencyPlot("arrival rate (tasks/s)", "mean latency (s)", plotLoadCurves(), "sweep", reports.XTicks(0.5, 0.6, 0.7, 0.8, 0.9, 0.95))
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range ch.Plot.X.Tick.Marker.Ticks(ch.Plot.X.Min, ch.Plot.X.Max) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "0.5 0.6 0.7 0.8 0.9 0.95" {
		t.Errorf("x ticks %q, want the swept values", got)
	}
}
