package reports_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"testing"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// TestAllocationCurvePlot renders two curves to PNG and SVG and checks the
// files decode, at the size asked for (16 x 10 cm at 300 dpi for PNG:
// 1890 x 1181 pixels).
func TestAllocationCurvePlot(t *testing.T) {
	curve := func(top float64) []sim.CurvePoint {
		var c []sim.CurvePoint
		for k := 0; k <= 130; k++ {
			x := float64(k) / 100
			c = append(c, sim.CurvePoint{ArrivedGPUShare: x, GPUAllocRatio: min(x, top)})
		}
		return c
	}
	results := []sim.Result{
		{Strategy: "best-fit", Placement: &sim.PlacementResult{GPUAllocRatio: 0.93, Curve: curve(0.93)}},
		{Strategy: "fgd", Placement: &sim.PlacementResult{GPUAllocRatio: 0.95, Curve: curve(0.95)}},
		{Strategy: "no-curve", Placement: &sim.PlacementResult{}},
	}
	p, err := reports.AllocationCurvePlot(results, "test")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reports.WritePlot(&b, p, "png", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != 1890 || got.Y != 1181 {
		t.Errorf("PNG is %v, want 1890x1181 (16 x 10 cm at 300 dpi)", got)
	}
	b.Reset()
	if err := reports.WritePlot(&b, p, "svg", reports.PlotWidth, reports.PlotHeight); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   string   `xml:"width,attr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil || doc.Width == "" {
		t.Errorf("SVG does not parse as an <svg> with a width: %v", err)
	}
	for _, s := range []string{"best-fit (93.00%)", "fgd (95.00%)"} {
		if !bytes.Contains(b.Bytes(), []byte(s)) {
			t.Errorf("SVG has no legend entry %q", s)
		}
	}
	if _, err := reports.AllocationCurvePlot(results[2:], "none"); err == nil {
		t.Error("a plot of results without curves should be an error")
	}
}
