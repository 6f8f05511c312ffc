package reports_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/reports"
)

// htmlAllFigures is one figure of every plot kind, inlined.
func htmlAllFigures(t *testing.T) []reports.HTMLFigure {
	t.Helper()
	cdf, err := reports.LatencyCDFPlot(plotCDFResults(), "Latency distribution")
	if err != nil {
		t.Fatal(err)
	}
	heat, err := reports.UtilizationHeatmap(plotSeriesRows(8), "random", 1, "Node utilization, random seed 1")
	if err != nil {
		t.Fatal(err)
	}
	queue, err := reports.QueueLengthPlot(plotSeriesRows(2), "Cluster queue")
	if err != nil {
		t.Fatal(err)
	}
	bar, err := reports.BarCIPlot("mean latency", "s", plotBars(), "Mean latency")
	if err != nil {
		t.Fatal(err)
	}
	load, err := reports.LoadLatencyPlot("offered load", "mean latency (s)", plotLoadCurves(), "Latency against load")
	if err != nil {
		t.Fatal(err)
	}
	var figs []reports.HTMLFigure
	for _, f := range []struct {
		caption string
		fig     reports.Figure
	}{
		{"Latency CDF per strategy", cdf},
		{"Utilization heatmap", heat},
		{"Queue length & time", queue},
		{"Mean latency with 95 % CI", bar},
		{"Latency against offered load", load},
	} {
		svg, err := reports.InlineSVG(f.fig, reports.PlotWidth, reports.PlotHeight)
		if err != nil {
			t.Fatal(err)
		}
		figs = append(figs, reports.HTMLFigure{Caption: f.caption, SVG: svg})
	}
	return figs
}

func TestInlineSVG(t *testing.T) {
	for _, f := range htmlAllFigures(t) {
		if !bytes.HasPrefix(f.SVG, []byte("<svg ")) || !bytes.HasSuffix(f.SVG, []byte("</svg>")) {
			t.Errorf("%s: inline SVG is not one <svg> element: %.40q...", f.Caption, f.SVG)
		}
		// Ids would have to be made unique per figure; gonum has none.
		if bytes.Contains(f.SVG, []byte(" id=")) {
			t.Errorf("%s: inline SVG has id attributes", f.Caption)
		}
		// Plot text is sans-serif (Liberation Sans, with its fallbacks);
		// no serif face is left.
		if !bytes.Contains(f.SVG, []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")) {
			t.Errorf("%s: inline SVG names no fallback for Liberation Sans", f.Caption)
		}
		if bytes.Contains(f.SVG, []byte("Liberation Serif")) {
			t.Errorf("%s: inline SVG sets text in a serif face", f.Caption)
		}
	}
}

func TestWriteHTML(t *testing.T) {
	figs := htmlAllFigures(t)
	r := &reports.HTMLReport{
		Title:     "fleetsim: p2c <vs> random & co",
		Command:   `fleetsim run --seeds 5 scenarios/web.yaml --report "out/report.html"`,
		Version:   "v0.3.1",
		Generated: "2025-01-02 15:04 UTC",
		Scenario: []reports.KV{
			{Key: "nodes", Value: "8 × 4 slots"},
			{Key: "arrivals", Value: "Poisson, 30 /s"},
		},
		ScenarioYAML: "name: web\nnodes:\n  count: 8\n# <script>alert(1)</script>\n",
		Tables: []reports.HTMLTable{{
			Caption: "Latency by strategy",
			Header:  []string{"strategy", "mean (s)", "p99 (s)", "utilization"},
			Rows: [][]string{
				{"random", "5.01 ± 0.42", "23.1", "80.0%"},
				{"p2c", "1.82 ± 0.11", "7.9", "-"},
			},
			Note: "Means over 5 seeds, ± the 95 % confidence half-width.",
		}},
		Figures: append(figs, reports.HTMLFigure{Caption: "<script>alert(2)</script>", SVG: figs[0].SVG}),
	}
	var b bytes.Buffer
	if err := reports.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	if *plotDir != "" {
		if err := os.MkdirAll(*plotDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*plotDir, "report.html"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Well-formed XML: count the <svg> elements, collect ids and links.
	d := xml.NewDecoder(bytes.NewReader(out))
	d.Strict = true
	svgs, sawDoctype := 0, false
	ids := map[string]int{}
	var links []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.Directive:
			sawDoctype = sawDoctype || strings.EqualFold(string(tok), "DOCTYPE html")
		case xml.StartElement:
			if tok.Name.Local == "svg" {
				svgs++
			}
			if tok.Name.Local == "script" {
				t.Error("report has a <script> element")
			}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "id":
					ids[a.Value]++
				case "href", "src":
					links = append(links, a.Value)
				}
			}
		}
	}
	if !sawDoctype {
		t.Error("report has no <!DOCTYPE html>")
	}
	if svgs != len(r.Figures) {
		t.Errorf("report has %d <svg> elements, want %d", svgs, len(r.Figures))
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q is used %d times", id, n)
		}
	}
	// Links stay in the page: anchors, or images inlined as data.
	for _, l := range links {
		if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "data:") {
			t.Errorf("link %.60q leaves the page", l)
		}
		if strings.HasPrefix(l, "#") && ids[l[1:]] == 0 {
			t.Errorf("link %q has no target", l)
		}
	}

	s := string(out)
	for _, want := range []string{
		"<!DOCTYPE html>",
		"fleetsim: p2c &lt;vs&gt; random &amp; co",
		"fleetsim run --seeds 5 scenarios/web.yaml --report &#34;out/report.html&#34;",
		"v0.3.1", "2025-01-02 15:04 UTC",
		"8 × 4 slots", "name: web",
		"Table 1. Latency by strategy",
		`<td class="num">5.01 ± 0.42</td>`, `<td class="num">-</td>`, `<th scope="col" class="num">mean (s)</th>`,
		`<td>random</td>`, "Means over 5 seeds",
		`<a href="#figure-6">`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report has no %q", want)
		}
	}
	for i, f := range r.Figures[:5] {
		if !strings.Contains(s, "Figure "+string(rune('1'+i))+". "+strings.ReplaceAll(f.Caption, "&", "&amp;")+"</figcaption>") {
			t.Errorf("report has no caption %q", f.Caption)
		}
	}
	if strings.Contains(strings.ToLower(s), "<script") {
		t.Error("report holds <script")
	}
	// No URL but the SVG and XLink namespace names.
	rest := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(s)
	if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).FindString(rest); m != "" {
		t.Errorf("report refers to %q", m)
	}
	if strings.Contains(rest, "http") {
		t.Error(`report has "http" outside the SVG namespaces`)
	}
}

func TestWriteHTMLErrors(t *testing.T) {
	var b bytes.Buffer
	err := reports.WriteHTML(&b, &reports.HTMLReport{Figures: []reports.HTMLFigure{{Caption: "broken", SVG: []byte("<png/>")}}})
	plotWantErr(t, err, "figure 1 (broken)")
	err = reports.WriteHTML(&b, &reports.HTMLReport{Figures: []reports.HTMLFigure{{Caption: "scripted", SVG: []byte("<svg><script>x()</script></svg>")}}})
	plotWantErr(t, err, "script")

	// An empty report is still a page, with a default title.
	b.Reset()
	if err := reports.WriteHTML(&b, &reports.HTMLReport{}); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
		t.Errorf("empty report is not well-formed: %v", err)
	}
	if !strings.Contains(b.String(), "<title>fleetsim report</title>") {
		t.Error("empty report has no default title")
	}
}

// wideReport is a report with the default scenario's results table: 13
// columns, each header unique, each row ending in a cell that names it.
func wideReport() (*reports.HTMLReport, []string, []string) {
	head := []string{"strategy", "decision (ns)", "state (B/node)", "p50 (s)", "p99 (s)", "throughput (/s)", "failed", "failed in fault", "p99 in fault (s)", "retries", "cost ($)", "node-hours", "energy (kWh)"}
	var rows [][]string
	var last []string
	for i, s := range []string{"round-robin", "weighted-round-robin", "least-connections", "consistent-hash"} {
		row := []string{s}
		for c := 1; c < len(head)-1; c++ {
			row = append(row, fmt.Sprintf("%d.%04d ± 0.0%d", 100*c+i, 1234+i, c))
		}
		l := fmt.Sprintf("%d.5%d", 90+i, i)
		row = append(row, l)
		last = append(last, l)
		rows = append(rows, row)
	}
	return &reports.HTMLReport{
		Title: "wide", Produced: "fleetsim compare --seeds 5 --out results", Command: "fleetsim report results",
		Tables: []reports.HTMLTable{{Caption: "Results per strategy", Header: head, Rows: rows}},
	}, head, last
}

// TestHTMLPrintKeepsColumns: the print stylesheet lets a wide table wrap
// within the page instead of scrolling (which a PDF cuts off), sets the
// page landscape, and shows the producing command before the report's.
// Where Debian's chromium and poppler's pdftotext are installed, the
// report is printed to PDF and every header and every last-column cell
// must be in the PDF's text; where not, that part is skipped, saying so.
func TestHTMLPrintKeepsColumns(t *testing.T) {
	r, head, last := wideReport()
	var b bytes.Buffer
	if err := reports.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"@page { size: A4 landscape;", ".table-wrap { overflow: visible; }", "table.results { width: 100%; table-layout: auto;", `<table class="results wide">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if p, c := strings.Index(page, "fleetsim compare --seeds 5"), strings.Index(page, "fleetsim report results"); p < 0 || c < 0 || p > c {
		t.Errorf("the producing command (at %d) must come before the report's (at %d)", p, c)
	}

	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium): the PDF print check did not run")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils): the PDF print check did not run")
	}
	dir := t.TempDir()
	html, pdf := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(html, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+html)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	text, err := exec.CommandContext(ctx, pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, h := range head {
		for _, word := range strings.Fields(h) { // headers may wrap between words
			if !strings.Contains(flat, word) {
				t.Errorf("printed PDF lacks header word %q of %q", word, h)
			}
		}
	}
	for _, c := range last {
		if !strings.Contains(flat, c) {
			t.Errorf("printed PDF lacks last-column cell %q: the table is cut", c)
		}
	}
}

// TestWriteHTMLSections: a figure or table with a Section goes into a
// section of that title after the Figures, whatever its place in the
// list, one section per title, its tables first; numbers follow the page
// (the main Tables and Figures first), and the contents link the section
// and what it holds.
func TestWriteHTMLSections(t *testing.T) {
	figs := htmlAllFigures(t)[:3]
	figs[0].Section, figs[0].Caption = "Kubernetes controllers", "timeline A"
	figs[2].Section, figs[2].Caption = "Kubernetes controllers", "timeline B"
	tables := []reports.HTMLTable{
		{Caption: "Deployments", Header: []string{"name", "Ready"}, Rows: [][]string{{"web", "3"}}, Section: "Kubernetes controllers"},
		{Caption: "Results", Header: []string{"strategy"}, Rows: [][]string{{"p2c"}}},
	}
	var b bytes.Buffer
	if err := reports.WriteHTML(&b, &reports.HTMLReport{Tables: tables, Figures: figs}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	at := strings.Index(out, `<section id="section-1">`)
	if i, j := strings.Index(out, "<caption>Table 2. Deployments</caption>"), strings.Index(out, "<caption>Table 1. Results</caption>"); j < 0 || i < at || j > at {
		t.Errorf("want Table 1 (Results) before the section and Table 2 (Deployments) in it")
	}
	main, sec := strings.Index(out, `<section id="figures">`), strings.Index(out, `<section id="section-1">`)
	if main < 0 || sec < main || strings.Count(out, "<h2>Kubernetes controllers</h2>") != 1 {
		t.Fatalf("want the Figures section, then one Kubernetes controllers section:\n%s", out)
	}
	for _, want := range []string{"Figure 1. Utilization heatmap", "Figure 2. timeline A", "Figure 3. timeline B"} {
		if i := strings.Index(out[main:], "<figcaption>"+want+"</figcaption>"); i < 0 {
			t.Errorf("no caption %q", want)
		}
	}
	if i := strings.Index(out, "<figcaption>Figure 2. timeline A"); i < sec {
		t.Errorf("timeline A is not in the section")
	}
	if !strings.Contains(out, `<li><a href="#section-1">Kubernetes controllers</a><ol>`) || !strings.Contains(out, `<li><a href="#figure-3">Figure 3. timeline B</a></li>`) ||
		!strings.Contains(out, `<li><a href="#table-2">Table 2. Deployments</a></li>`) {
		t.Errorf("the contents do not list the section and its figures")
	}
}
