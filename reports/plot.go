package reports

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/fleetsim/fleetsim/sim"
)

// Palette is Okabe and Ito's colour-blind-safe palette (black first, then
// orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple).
var Palette = []color.Color{
	color.RGBA{0, 0, 0, 255},
	color.RGBA{230, 159, 0, 255},
	color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{240, 228, 66, 255},
	color.RGBA{0, 114, 178, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{204, 121, 167, 255},
}

// PlotFormat is the image format for a file name: "svg" or "png".
func PlotFormat(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("%s: expected a plot file ending in .svg or .png", path)
	}
}

// AllocationCurvePlot draws the GPU allocation ratio against the arrived
// GPU request (both as % of GPU capacity) of runs with no departures, one
// line per strategy: the FGD paper's Fig. 9(a). Results without a curve
// are left out; it is an error if none has one.
func AllocationCurvePlot(results []sim.Result, title string, opts ...PlotOption) (*Chart, error) {
	o := makeOptions(opts)
	ch := newChart(title, "arrived GPU request (% of GPU capacity)", "GPU allocation ratio (%)")
	p := ch.Plot
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	n := 0
	for i := range results {
		pl := results[i].Placement
		if pl == nil || len(pl.Curve) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(pl.Curve))
		for k, c := range pl.Curve {
			xy[k].X, xy[k].Y = 100*c.ArrivedGPUShare, 100*c.GPUAllocRatio
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		line.LineStyle, _ = o.styles.Of(results[i].Strategy)
		p.Add(line)
		ch.Legend.Add(fmt.Sprintf("%s (%.2f%%)", results[i].Strategy, 100*pl.GPUAllocRatio), line)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("no result has an allocation curve (runs need workload.inflation)")
	}
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, 100
	return ch, nil
}

// WritePlot renders a figure as SVG or PNG ("svg", "png") of the given
// size: WriteFigure.
func WritePlot(w io.Writer, fig Figure, format string, width, height vg.Length) error {
	return WriteFigure(w, fig, format, width, height)
}

// A plot's default size: 16 x 10 cm, a page's text width; see PNGDPI and
// the text sizes in style.go.
var (
	PlotWidth  = 16 * vg.Centimeter
	PlotHeight = 10 * vg.Centimeter
)
