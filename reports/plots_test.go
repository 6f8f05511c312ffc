package reports_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// plotDir, when set, receives a PNG and an SVG of every plot the tests
// render, to look at: go test ./reports -run Plot -plotdir /tmp/plots
var plotDir = flag.String("plotdir", "", "also write the plots the tests render to this directory")

// plotPNGDPI is the resolution PNGs are drawn at: 300 dpi, what journals
// ask of line art.
const plotPNGDPI = 300

// plotCDFResults are exponential latency distributions: two seeds of random
// (mean 5 s), one of p2c (mean 1.8 s), and a result without a CDF.
func plotCDFResults() []sim.Result {
	cdf := func(mean float64) []sim.CDFPoint {
		var c []sim.CDFPoint
		for k := 0; k <= 100; k++ {
			f := float64(k) / 101
			c = append(c, sim.CDFPoint{Value: -mean * math.Log(1-f), Fraction: f})
		}
		return c // starts at Value 0, which the log axis drops
	}
	return []sim.Result{
		{Strategy: "random", Seed: 1, LatencyCDF: cdf(5)},
		{Strategy: "random", Seed: 2, LatencyCDF: cdf(5.3)},
		{Strategy: "p2c", Seed: 1, LatencyCDF: cdf(1.8)},
		{Strategy: "no-cdf", Seed: 1},
	}
}

// plotSeriesRows samples nodes nodes every second for a minute, for random
// seeds 1 and 2 and p2c seed 1: node i's utilization swings around a level
// that rises with i; node 0 of p2c is pinned at 0 and the last at 1 to
// show the ends of the colour scale. Cluster rows carry the queue.
func plotSeriesRows(nodes int) []reports.SeriesRow {
	var rows []reports.SeriesRow
	for _, run := range []struct {
		strategy string
		seed     uint64
		load     float64
	}{{"random", 1, 1}, {"random", 2, 1.1}, {"p2c", 1, 0.6}} {
		for s := 1; s <= 60; s++ {
			t := float64(s)
			for i := range nodes {
				u := 0.15 + 0.7*float64(i)/float64(max(nodes-1, 1)) + 0.15*math.Sin(t/6+float64(i))
				if run.strategy == "p2c" && i == 0 {
					u = 0
				}
				if run.strategy == "p2c" && i == nodes-1 {
					u = 1
				}
				rows = append(rows, reports.SeriesRow{Strategy: run.strategy, Seed: run.seed, T: t, Node: fmt.Sprintf("gpu-node-%02d", i), Utilization: u, Active: int64(4 * u)})
			}
			q := int64(run.load * 20 * (1 + math.Sin(t/9)) * t / 60)
			rows = append(rows, reports.SeriesRow{Strategy: run.strategy, Seed: run.seed, T: t, Node: reports.ClusterNode, Utilization: 0.6, Queued: q})
		}
	}
	return rows
}

// plotBars are mean latencies of four strategies, one without a CI.
func plotBars() []reports.BarCI {
	return []reports.BarCI{
		{Label: "random", Mean: 5.01, CI95: 0.42},
		{Label: "round-robin", Mean: 3.2, CI95: 0.3},
		{Label: "p2c", Mean: 1.82, CI95: 0.11},
		{Label: "least-loaded", Mean: 1.5}, // one seed: no whisker
	}
}

// plotLoadCurves are M/M/1-like sojourn times 1/(1-ρ) with a CI growing with ρ,
// points given out of order.
func plotLoadCurves() []reports.LoadCurve {
	var curves []reports.LoadCurve
	for k, name := range []string{"random", "p2c", "jsq"} {
		c := reports.LoadCurve{Label: name}
		for _, rho := range []float64{0.9, 0.5, 0.7, 0.8, 0.6, 0.95} {
			mean := 1 / (1 - rho) / float64(k+1)
			c.Points = append(c.Points, reports.LoadPoint{X: rho, Mean: mean, CI95: 0.05 * mean * rho})
		}
		curves = append(curves, c)
	}
	return curves
}

// plotRenderCheck renders fig as PNG and SVG at the default size and checks
// that both decode, at that size: PNG pixels are the length in inches
// times 300, rounded; the SVG root gives it in points. Every image the
// SVG embeds must decode as the type its data URI declares.
func plotRenderCheck(t *testing.T, name string, fig reports.Figure) {
	t.Helper()
	w, h := reports.PlotWidth, reports.PlotHeight
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, fig, "png", w, h); err != nil {
		t.Fatalf("%s: PNG: %v", name, err)
	}
	pngBytes := bytes.Clone(b.Bytes())
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatalf("%s: PNG does not decode: %v", name, err)
	}
	wantW, wantH := int(math.Round(float64(w/vg.Inch)*plotPNGDPI)), int(math.Round(float64(h/vg.Inch)*plotPNGDPI))
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("%s: PNG is %dx%d pixels, want %dx%d", name, got.X, got.Y, wantW, wantH)
	}

	b.Reset()
	if err := reports.WriteFigure(&b, fig, "svg", w, h); err != nil {
		t.Fatalf("%s: SVG: %v", name, err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   string   `xml:"width,attr"`
		Height  string   `xml:"height,attr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%s: SVG does not parse: %v", name, err)
	}
	for _, d := range []struct {
		attr string
		want vg.Length
	}{{doc.Width, w}, {doc.Height, h}} {
		got, err := strconv.ParseFloat(strings.TrimSuffix(d.attr, "pt"), 64)
		if err != nil || !strings.HasSuffix(d.attr, "pt") || math.Abs(got-d.want.Points()) > 0.01 {
			t.Errorf("%s: SVG size attribute %q, want %.2fpt", name, d.attr, d.want.Points())
		}
	}
	for _, im := range svgImages(t, b.Bytes()) {
		if im.mime != "image/png" {
			t.Errorf("%s: SVG image declared %q, want image/png", name, im.mime)
		}
		if _, err := png.Decode(bytes.NewReader(im.data)); err != nil {
			t.Errorf("%s: SVG image declared %s does not decode as PNG: %v", name, im.mime, err)
		}
		if im.aspect != "none" {
			t.Errorf("%s: SVG image preserveAspectRatio=%q, want none (fill its box)", name, im.aspect)
		}
	}
	if *plotDir != "" {
		if err := os.MkdirAll(*plotDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for ext, data := range map[string][]byte{".png": pngBytes, ".svg": b.Bytes()} {
			if err := os.WriteFile(filepath.Join(*plotDir, name+ext), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// plotWantErr checks that err is an error that mentions want.
func plotWantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one mentioning %q", err, want)
	}
}

func TestLatencyCDFPlot(t *testing.T) {
	p, err := reports.LatencyCDFPlot(plotCDFResults(), "Latency distribution")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "latency_cdf", p)
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, p, "svg", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	// random has two seeds, so its lines carry them; p2c has one.
	for _, s := range []string{"random seed 1", "random seed 2", ">p2c<", "latency (s)"} {
		if !bytes.Contains(b.Bytes(), []byte(s)) {
			t.Errorf("SVG has no %q", s)
		}
	}
	if bytes.Contains(b.Bytes(), []byte("no-cdf")) {
		t.Error("a result without a CDF has a legend entry")
	}

	// Awkward ranges: every task took 0.25 s (one value, which gonum would
	// widen through 0), and latencies within a tenth of a decade.
	point := []sim.Result{{Strategy: "fixed", LatencyCDF: []sim.CDFPoint{{Value: 0.25, Fraction: 0.5}, {Value: 0.25, Fraction: 1}}}}
	p, err = reports.LatencyCDFPlot(point, "One latency")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "latency_cdf_point", p)
	narrow := []sim.Result{{Strategy: "narrow", LatencyCDF: []sim.CDFPoint{{Value: 0.31, Fraction: 0}, {Value: 0.35, Fraction: 0.5}, {Value: 0.39, Fraction: 1}}}}
	p, err = reports.LatencyCDFPlot(narrow, "Narrow latencies")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "latency_cdf_narrow", p)

	_, err = reports.LatencyCDFPlot(plotCDFResults()[3:], "none")
	plotWantErr(t, err, "latency CDF")
	zero := []sim.Result{{Strategy: "x", LatencyCDF: []sim.CDFPoint{{Value: 0, Fraction: 1}}}}
	_, err = reports.LatencyCDFPlot(zero, "only zero latencies")
	plotWantErr(t, err, "positive latency")
}

func TestUtilizationHeatmap(t *testing.T) {
	f, err := reports.UtilizationHeatmap(plotSeriesRows(8), "p2c", 1, "Node utilization, p2c")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "heatmap", f)

	// The scale is fixed at 0..1: p2c's first node (always 0) is drawn in
	// viridis' first colour, its last (always 1) in its last.
	var b bytes.Buffer
	if err := reports.WriteFigure(&b, f, "png", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []color.RGBA{{0x44, 0x01, 0x54, 0xff}, {0xfd, 0xe7, 0x25, 0xff}} {
		if n := plotCountColor(img, c); n < 500 {
			t.Errorf("%d pixels of %v, want a node's row of them", n, c)
		}
	}

	// 40 nodes still go by name, a label every few rows.
	named, err := reports.UtilizationHeatmap(plotSeriesRows(40), "random", 1, "Node utilization, 40 nodes")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "heatmap_40", named)

	// More go by number.
	big, err := reports.UtilizationHeatmap(plotSeriesRows(100), "random", 2, "Node utilization, 100 nodes")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "heatmap_100", big)

	_, err = reports.UtilizationHeatmap(plotSeriesRows(4), "p2c", 7, "no such seed")
	plotWantErr(t, err, `"p2c" seed 7`)
	cluster := []reports.SeriesRow{{Strategy: "p2c", Seed: 1, T: 1, Node: reports.ClusterNode}}
	_, err = reports.UtilizationHeatmap(cluster, "p2c", 1, "cluster rows only")
	plotWantErr(t, err, "per-node")
}

// plotCountColor counts the pixels of img within 2 levels of c.
func plotCountColor(img image.Image, c color.RGBA) int {
	n := 0
	near := func(a uint32, b uint8) bool { return math.Abs(float64(a>>8)-float64(b)) <= 2 }
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, c.R) && near(g, c.G) && near(b, c.B) {
				n++
			}
		}
	}
	return n
}

func TestQueueLengthPlot(t *testing.T) {
	p, err := reports.QueueLengthPlot(plotSeriesRows(3), "Cluster queue")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "queue_length", p)
	var nodeRows []reports.SeriesRow
	for _, r := range plotSeriesRows(2) {
		if r.Node != reports.ClusterNode {
			nodeRows = append(nodeRows, r)
		}
	}
	_, err = reports.QueueLengthPlot(nodeRows, "no cluster rows")
	plotWantErr(t, err, "cluster-wide")
}

func TestBarCIPlot(t *testing.T) {
	p, err := reports.BarCIPlot("mean latency", "s", plotBars(), "Mean latency, 95 % CI over 5 seeds")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "bar_ci", p)

	// Many long labels are set at a slant.
	var many []reports.BarCI
	for i := range 12 {
		many = append(many, reports.BarCI{Label: fmt.Sprintf("strategy-number-%d", i), Mean: float64(i + 1), CI95: 0.1 * float64(i)})
	}
	p, err = reports.BarCIPlot("throughput", "tasks/s", many, "Throughput")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "bar_ci_many", p)

	_, err = reports.BarCIPlot("mean latency", "s", nil, "none")
	plotWantErr(t, err, "no bars")
	_, err = reports.BarCIPlot("mean latency", "s", []reports.BarCI{{Label: "x", Mean: math.NaN()}}, "NaN")
	plotWantErr(t, err, `bar "x"`)
}

func TestLoadLatencyPlot(t *testing.T) {
	curves := plotLoadCurves()
	curves[0].Points = append(curves[0].Points, reports.LoadPoint{X: 0.99, Mean: math.NaN()})
	p, err := reports.LoadLatencyPlot("offered load ρ", "mean latency (s)", curves, "Latency against load")
	if err != nil {
		t.Fatal(err)
	}
	plotRenderCheck(t, "load_latency", p)
	_, err = reports.LoadLatencyPlot("x", "y", []reports.LoadCurve{{Label: "empty"}}, "none")
	plotWantErr(t, err, "no load curve")
}

// TestHeatmapNodeStates: cells of a node that is not up show its state
// (series.csv's state column) instead of its utilization, and a key under
// the colour bar names each state present. Four nodes over 60 samples:
// node 1 down for t in [10, 30), node 2 off before 40, node 3 drained in
// [20, 25). The PNG holds the stripes' vermillion and the off grey only
// then (the same rows without states hold neither), and the SVG embeds a
// swatch per state (decoding as its declared PNG) beside the map and bar.
func TestHeatmapNodeStates(t *testing.T) {
	var rows []reports.SeriesRow
	for s := 1; s <= 60; s++ {
		for i := range 4 {
			st := "up"
			switch {
			case i == 1 && s >= 10 && s < 30:
				st = "down"
			case i == 2 && s < 40:
				st = "off"
			case i == 3 && s >= 20 && s < 25:
				st = "drained"
			}
			rows = append(rows, reports.SeriesRow{Strategy: "rr", Seed: 1, T: float64(s), Node: fmt.Sprintf("n%d", i), Utilization: 0.5, State: st})
		}
	}
	plain := make([]reports.SeriesRow, len(rows))
	copy(plain, rows)
	for i := range plain {
		plain[i].State = "up"
	}
	vermillion, grey := color.RGBA{0xd5, 0x5e, 0x00, 0xff}, color.RGBA{0xd9, 0xd9, 0xd9, 0xff}
	for _, c := range []struct {
		rows   []reports.SeriesRow
		marked bool
	}{{rows, true}, {plain, false}} {
		f, err := reports.UtilizationHeatmap(c.rows, "rr", 1, "states")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := reports.WriteFigure(&b, f, "png", reports.PlotWidth, reports.PlotHeight); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		// The map's data area is about 1,300 x 900 pixels at 300 dpi
		// (1.2 M). Node 2 off for 39 of 60 samples is a quarter of its
		// height by 0.65 of its width, about 190,000 grey pixels; node 1
		// down for 20 samples is a quarter by a third, a third of it
		// vermillion stripes: about 32,000. Ask for half of each.
		v, g := plotCountColor(img, vermillion), plotCountColor(img, grey)
		if c.marked && (v < 16000 || g < 95000) {
			t.Errorf("marked: %d vermillion and %d grey pixels, want the down stripes and the off cells", v, g)
		}
		// Anti-aliased text and axes make a few light grey pixels anyway
		// (about 1,100 here), far fewer than one off row.
		if !c.marked && (v != 0 || g > 5000) {
			t.Errorf("all up: %d vermillion and %d grey pixels, want none and only the axes' anti-aliasing", v, g)
		}
		b.Reset()
		if err := reports.WriteFigure(&b, f, "svg", reports.PlotWidth, reports.PlotHeight); err != nil {
			t.Fatal(err)
		}
		want := 2
		if c.marked {
			want = 5
		}
		ims := svgImages(t, b.Bytes())
		if len(ims) != want {
			t.Errorf("%d images in the SVG, want %d", len(ims), want)
		}
		for _, im := range ims {
			if _, err := png.Decode(bytes.NewReader(im.data)); err != nil || im.mime != "image/png" {
				t.Errorf("an image declared %q does not decode as PNG: %v", im.mime, err)
			}
		}
		for _, s := range []string{">down<", ">off<", ">drained<"} {
			if got := bytes.Contains(b.Bytes(), []byte(s)); got != c.marked {
				t.Errorf("key %s in the SVG: %v, want %v", s, got, c.marked)
			}
		}
	}
}

// TestReadSeriesStates: the state column is read back, a folder written
// before it existed (seven columns) still reads with no state, and a state
// that is not one of NodeStates, or one on the cluster's row, is refused
// naming line and field.
func TestReadSeriesStates(t *testing.T) {
	rows, err := reports.ReadSeries(strings.NewReader(reports.SeriesHeader+"rr,1,2,*,0.5,1,0,\nrr,1,2,n0,0.5,1,0,down\n"), "s.csv", nil)
	if err != nil || len(rows) != 2 || rows[0].State != "" || rows[1].State != "down" {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
	rows, err = reports.ReadSeries(strings.NewReader("strategy,seed,t_s,node,utilization,active,queued\nrr,1,2,n0,0.5,1,0\n"), "old.csv", nil)
	if err != nil || len(rows) != 1 || rows[0].State != "" {
		t.Fatalf("seven columns: rows %+v, err %v", rows, err)
	}
	for _, c := range []struct{ body, want string }{
		{"rr,1,2,n0,0.5,1,0,broken\n", `s.csv: line 2: field state: expected one of up, down, off, drained, got "broken"`},
		{"rr,1,2,*,0.5,1,0,up\n", `s.csv: line 2: field state: expected nothing on the cluster's row, got "up"`},
		{"rr,1,2,n0,0.5,1,0\n", "s.csv: line 2: expected 8 fields as in the header, got 7"},
	} {
		_, err := reports.ReadSeries(strings.NewReader(reports.SeriesHeader+c.body), "s.csv", nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v, want %s", c.body, err, c.want)
		}
	}
}
