package reports

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

// TestReadTimeline reads rows of each series kind back as written.
func TestReadTimeline(t *testing.T) {
	body := TimelineHeader + "least-allocated,1,0,ready:web,0\nleast-allocated,1,0,replicas:web,3\nleast-allocated,1,2.5,pending,2\nleast-allocated,1,2.5,nodes,7\nleast-allocated,1,2.5,cost,0.0125\n"
	rows, err := ReadTimeline(strings.NewReader(body), "timeline.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []TimelineRow{
		{"least-allocated", 1, 0, "ready:web", 0}, {"least-allocated", 1, 0, "replicas:web", 3},
		{"least-allocated", 1, 2.5, "pending", 2}, {"least-allocated", 1, 2.5, "nodes", 7}, {"least-allocated", 1, 2.5, "cost", 0.0125},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
}

// TestReadTimelineBadInput: each bad timeline.csv or windows.csv is
// refused with the file, line and field.
func TestReadTimelineBadInput(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"", `t.csv: expected the header "strategy,seed,time_s,series,value", got an empty file`},
		{"strategy,seed,t_s,series,value\n", `t.csv: line 1: column 3: expected "time_s", got "t_s"`},
		{"strategy,seed,time_s,series\n", `t.csv: line 1: expected the header "strategy,seed,time_s,series,value", got 4 columns`},
		{TimelineHeader + "s,1,0,pending,1\ns,x,0,pending,1\n", `t.csv: line 3: field seed: expected an unsigned integer, got "x"`},
		{TimelineHeader + "s,1,-1,pending,1\n", `t.csv: line 2: field time_s: expected a number of seconds >= 0, got "-1"`},
		{TimelineHeader + "s,1,NaN,pending,1\n", `t.csv: line 2: field time_s: expected a number of seconds >= 0, got "NaN"`},
		{TimelineHeader + "s,1,0,ready:,1\n", `t.csv: line 2: field series: expected pending, nodes, cost, ready:DEPLOYMENT or replicas:DEPLOYMENT, got "ready:"`},
		{TimelineHeader + "s,1,0,queue,1\n", `t.csv: line 2: field series: expected pending, nodes, cost, ready:DEPLOYMENT or replicas:DEPLOYMENT, got "queue"`},
		{TimelineHeader + "s,1,0,nodes,-2\n", `t.csv: line 2: field value: expected a number >= 0, got "-2"`},
		{TimelineHeader + "s,1,0,nodes\n", `t.csv: line 2: expected 5 fields as in the header, got 4`},
	} {
		_, err := ReadTimeline(strings.NewReader(c.body), "t.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one with %q", c.body, err, c.want)
		}
	}
	for _, c := range []struct{ body, want string }{
		{"strategy,seed,start_s,end_s,kind\n", `w.csv: line 1: expected the header "strategy,seed,start_s,end_s,kind,name", got 5 columns`},
		{WindowsHeader + "s,1,10,5,rollout,web\n", `w.csv: line 2: field end_s: expected a number of seconds >= start_s (10), got "5"`},
		{WindowsHeader + "s,1,x,5,rollout,web\n", `w.csv: line 2: field start_s: expected a number of seconds >= 0, got "x"`},
		{WindowsHeader + "s,1,0,5,outage,web\n", `w.csv: line 2: field kind: expected one of node failure, zone outage, rollout, got "outage"`},
		{WindowsHeader + "s,1,0,5,rollout,\n", `w.csv: line 2: field name: expected the node, zone or Deployment, got ""`},
	} {
		_, err := ReadWindows(strings.NewReader(c.body), "w.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one with %q", c.body, err, c.want)
		}
	}
}

// over is colour c (with alpha) drawn over white.
func over(c color.NRGBA) [3]float64 {
	a := float64(c.A) / 255
	return [3]float64{float64(c.R)*a + 255*(1-a), float64(c.G)*a + 255*(1-a), float64(c.B)*a + 255*(1-a)}
}

func nearRGB(px color.Color, want [3]float64) bool {
	r, g, b, _ := px.RGBA()
	return math.Abs(float64(r>>8)-want[0]) <= 3 && math.Abs(float64(g>>8)-want[1]) <= 3 && math.Abs(float64(b>>8)-want[2]) <= 3
}

// TestTimelinePlot draws a run of 1,200 s with a node failure over [300,
// 600) s and a rollout over [900, 1000) s, and checks the PNG: on a row
// above the lines, the failure's vermillion shade spans 3 times the
// rollout's blue shade (300 s against 100 s), left of it, with unshaded
// (white) plot between them; the legend names both windows, the
// Deployment's Ready and replicas lines, pending pods and machines up. A
// run without rows is an error.
func TestTimelinePlot(t *testing.T) {
	var rows []TimelineRow
	for s := 0.0; s <= 1200; s += 10 {
		ready := 3.0
		if s >= 320 && s < 700 {
			ready = 2
		}
		rows = append(rows, TimelineRow{"a", 1, s, "ready:web", ready}, TimelineRow{"a", 1, s, "replicas:web", 3},
			TimelineRow{"a", 1, s, "pending", 0}, TimelineRow{"a", 1, s, "nodes", 4}, TimelineRow{"a", 1, s, "cost", s / 900},
			TimelineRow{"b", 1, s, "ready:web", 1})
	}
	windows := []WindowRow{{"a", 1, 300, 600, "node failure", "n-0"}, {"a", 1, 900, 1000, "rollout", "web"}, {"b", 1, 0, 1200, "zone outage", "z"}}
	ch, err := TimelinePlot(rows, windows, "a", 1, "timeline")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteFigure(&b, ch, "svg", PlotWidth, PlotHeight); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"node failure: n-0", "rollout: web", "Ready: web", "replicas: web", "pending pods", "machines up"} {
		if !bytes.Contains(b.Bytes(), []byte(">"+l+"<")) {
			t.Errorf("the legend has no %q", l)
		}
	}
	if bytes.Contains(b.Bytes(), []byte("zone outage")) {
		t.Error("the legend names another run's zone outage")
	}
	b.Reset()
	if err := WriteFigure(&b, ch, "png", PlotWidth, PlotHeight); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	fail, roll := over(windowShades["node failure"].(color.NRGBA)), over(windowShades["rollout"].(color.NRGBA))
	bounds := img.Bounds()
	// The row with the most failure shade in the top third (above the
	// lines, which stay under 4 of the axis' 4.8).
	best, bestN := -1, 0
	for y := bounds.Min.Y; y < bounds.Dy()/3; y++ {
		n := 0
		for x := 0; x < bounds.Dx(); x++ {
			if nearRGB(img.At(x, y), fail) {
				n++
			}
		}
		if n > bestN {
			best, bestN = y, n
		}
	}
	if best < 0 {
		t.Fatal("no node-failure shade in the PNG")
	}
	// run is the first stretch of the colour from the left, through gaps
	// of up to 4 pixels (grid lines); the legend's swatch comes later.
	run := func(want [3]float64) (first, last, n int) {
		first = -1
		for x := 0; x < bounds.Dx(); x++ {
			if nearRGB(img.At(x, best), want) {
				if first >= 0 && x-last > 5 {
					break
				}
				if first < 0 {
					first = x
				}
				last = x
				n++
			}
		}
		return first, last, n
	}
	f0, f1, fn := run(fail)
	r0, r1, rn := run(roll)
	if rn == 0 {
		t.Fatal("no rollout shade on the row of the failure's")
	}
	w1, w2 := float64(f1-f0+1), float64(r1-r0+1)
	if f1 >= r0 || math.Abs(w1/w2-3) > 0.15 {
		t.Errorf("failure shade at x %d..%d (%d px), rollout %d..%d (%d px): want the failure left of the rollout and 3 times as wide", f0, f1, fn, r0, r1, rn)
	}
	// Between them (at 750 s) the plot is white; the other run's zone
	// outage is not drawn.
	mid := f1 + int(float64(r0-f1)/2)
	if !nearRGB(img.At(mid, best), [3]float64{255, 255, 255}) {
		t.Errorf("pixel between the windows is %v, want white", img.At(mid, best))
	}
	zone := over(windowShades["zone outage"].(color.NRGBA))
	if _, _, n := run(zone); n > 0 {
		t.Errorf("%d pixels of another run's zone outage", n)
	}
	if _, err := TimelinePlot(rows, windows, "c", 1, "none"); err == nil {
		t.Error("a run without rows: no error")
	}
}

// TestCountTicks: a count axis is marked at whole numbers only.
func TestCountTicks(t *testing.T) {
	for _, hi := range []float64{1.5, 4.8, 13.4, 55, 230} {
		ticks := countTicks{}.Ticks(0, hi)
		labelled := 0
		for _, tk := range ticks {
			if tk.Label != "" {
				labelled++
				if tk.Value != math.Trunc(tk.Value) {
					t.Errorf("0..%v: tick %v is not a whole number", hi, tk.Value)
				}
			}
		}
		if labelled < 2 || labelled > 8 {
			t.Errorf("0..%v: %d labelled ticks %v, want 2 to 8", hi, labelled, ticks)
		}
	}
}
