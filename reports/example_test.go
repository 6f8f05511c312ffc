package reports_test

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

func ExampleWriteComparison() {
	results := []sim.Result{
		{Strategy: "random", Tasks: sim.TaskCounts{Completed: 1000}, Latency: sim.Quantiles{Mean: 5.01, P50: 3.5, P99: 23.1}, ThroughputPerS: 8, Utilization: 0.8},
		{Strategy: "p2c", Tasks: sim.TaskCounts{Completed: 1000}, Latency: sim.Quantiles{Mean: 1.82, P50: 1.4, P99: 7.9}, ThroughputPerS: 8, Utilization: 0.8},
	}
	reports.WriteComparison(os.Stdout, results, reports.FormatCSV)
	// Output:
	// strategy,completed,dropped,mean (s),p50 (s),p99 (s),p99.9 (s),max (s),wait mean (s),throughput (/s),utilization,imbalance (CoV)
	// random,1000,0,5.0100,3.5000,23.1000,0.0000,0.0000,0.0000,8.00,0.800,0.000
	// p2c,1000,0,1.8200,1.4000,7.9000,0.0000,0.0000,0.0000,8.00,0.800,0.000
}

func ExampleWriteHTML() {
	p, err := reports.BarCIPlot("mean latency", "s", []reports.BarCI{
		{Label: "random", Mean: 5.01, CI95: 0.42},
		{Label: "p2c", Mean: 1.82, CI95: 0.11},
	}, "Mean latency, 95 % CI over 5 seeds")
	if err != nil {
		panic(err)
	}
	svg, err := reports.InlineSVG(p, reports.PlotWidth, reports.PlotHeight)
	if err != nil {
		panic(err)
	}
	var page strings.Builder
	err = reports.WriteHTML(&page, &reports.HTMLReport{
		Title:   "random against p2c",
		Command: "fleetsim run web.yaml --seeds 5 --html report.html",
		Tables: []reports.HTMLTable{{
			Caption: "Mean latency",
			Header:  []string{"strategy", "mean (s)"},
			Rows:    [][]string{{"random", "5.01 ± 0.42"}, {"p2c", "1.82 ± 0.11"}},
		}},
		Figures: []reports.HTMLFigure{{Caption: "Mean latency by strategy", SVG: svg}},
	})
	if err != nil {
		panic(err)
	}
	html := page.String()
	fmt.Println(strings.Count(html, "<svg"), strings.Contains(html, "<script"))
	fmt.Println(strings.Contains(html, `<td class="num">1.82 ± 0.11</td>`))
	// Output:
	// 1 false
	// true
}

// ExampleCheck compares a rerun with a baseline whose p99 latency was 10 %
// lower: beyond the default 5 % tolerance, so the check fails.
func ExampleCheck() {
	base := []sim.Result{{Scenario: "s", Strategy: "p2c", Latency: sim.Quantiles{P99: 2.0}, ThroughputPerS: 100}}
	cur := []sim.Result{{Scenario: "s", Strategy: "p2c", Latency: sim.Quantiles{P99: 2.2}, ThroughputPerS: 100}}
	rep, err := reports.Check(base, cur, reports.CheckOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Failed(), rep.Summary())
	// Output: true 1 regression in 1 strategy (22 metrics checked)
}

// ExampleStat is a mean over five seeds with its 95 % confidence interval.
func ExampleStat() {
	m := reports.Stat("latency_s.p99", []float64{9.8, 10.1, 10.4, 9.9, 10.3})
	fmt.Printf("%.2f ± %.2f\n", m.Mean, m.CI95)
	// Output: 10.10 ± 0.32
}

// ExampleNewStyles keys colours to strategies: built from a report's
// strategies in order, it gives p2c the same colour (Okabe–Ito orange, the
// second) in every plot, whatever order the plot meets it in.
func ExampleNewStyles() {
	st := reports.NewStyles("random", "p2c", "jsq")
	line, _ := st.Of("p2c")
	fmt.Println(line.Color == reports.Palette[1])
	ch, err := reports.BarCIPlot("p99 latency", "s", []reports.BarCI{
		{Label: "jsq", Mean: 0.9},
		{Label: "p2c", Mean: 1.4},
		{Label: "random", Mean: 23}, // more than a decade above jsq: log axis
	}, "p99 latency", reports.WithStyles(st), reports.Domain(0, math.Inf(1)))
	if err != nil {
		panic(err)
	}
	fmt.Println(ch.Plot.Y.Label.Text)
	// Output:
	// true
	// p99 latency (s), log scale
}

// ExampleComparable refuses to compare a baseline of 1,000 tasks with
// results of 5,000: the load differs, so every metric would move.
func ExampleComparable() {
	base := &reports.CheckInput{Results: []sim.Result{{Scenario: "s", Strategy: "p2c", Tasks: sim.TaskCounts{Arrived: 1000}}}}
	cur := &reports.CheckInput{Results: []sim.Result{{Scenario: "s", Strategy: "p2c", Tasks: sim.TaskCounts{Arrived: 5000}}}}
	fmt.Println(reports.Comparable(base, cur))
	// Output: strategy p2c: 1000 tasks arrived in the baseline, 5000 in the current results
}

// ExampleTimelinePlot reads a timeline.csv and a windows.csv of a
// Kubernetes run with controllers and draws the run's timeline, its node
// failure shaded.
func ExampleTimelinePlot() {
	timeline := reports.TimelineHeader +
		"least-allocated,1,0,ready:web,3\nleast-allocated,1,0,pending,0\nleast-allocated,1,0,nodes,4\n" +
		"least-allocated,1,60,ready:web,2\nleast-allocated,1,60,pending,1\nleast-allocated,1,60,nodes,3\n"
	windows := reports.WindowsHeader + "least-allocated,1,30,60,node failure,n-0\n"
	rows, err := reports.ReadTimeline(strings.NewReader(timeline), "timeline.csv")
	if err != nil {
		panic(err)
	}
	ws, err := reports.ReadWindows(strings.NewReader(windows), "windows.csv")
	if err != nil {
		panic(err)
	}
	ch, err := reports.TimelinePlot(rows, ws, "least-allocated", 1, "web under a node failure")
	if err != nil {
		panic(err)
	}
	svg, err := reports.InlineSVG(ch, reports.PlotWidth, reports.PlotHeight)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(rows), len(ws), strings.Contains(string(svg), ">node failure: n-0<"))
	// Output:
	// 6 1 true
}
