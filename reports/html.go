package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
)

// InlineSVG renders fig as SVG for a page: the <svg> element alone, without
// the XML prolog and comment a stand-alone file starts with. gonum/plot's
// SVG has no id attributes (images are inline data, fonts are named, not
// embedded), so several figures can share a page without clashes; the
// tests check that this stays so. The Liberation fonts gonum/plot lays
// text out with are given their metric-compatible fallbacks (Times New
// Roman, Arial, Courier New), so text keeps its width where they are
// missing.
func InlineSVG(fig Figure, width, height vg.Length) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteFigure(&b, fig, "svg", width, height); err != nil {
		return nil, err
	}
	svg, err := svgElement(b.Bytes())
	if err != nil {
		return nil, err
	}
	return []byte(svgFontFallbacks.Replace(string(svg))), nil
}

// svgFontFallbacks adds fallbacks to vgsvg's font-family declarations.
var svgFontFallbacks = strings.NewReplacer(
	"font-family:Liberation Serif;", "font-family:'Liberation Serif','Times New Roman',Times,serif;",
	"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;",
	"font-family:Liberation Mono;", "font-family:'Liberation Mono','Courier New',Courier,monospace;",
)

// svgElement is svg from its <svg> tag on.
func svgElement(svg []byte) ([]byte, error) {
	i := bytes.Index(svg, []byte("<svg"))
	if i < 0 {
		return nil, errors.New("no <svg> element")
	}
	return bytes.TrimSpace(svg[i:]), nil
}

// HTMLReport is the content of a self-contained HTML report: a header with
// the command that made it, the scenario, tables, then figures.
type HTMLReport struct {
	Title     string
	Command   string // the command line that wrote the report
	Produced  string // the command line that produced the results, shown first
	Version   string // fleetsim's version
	Generated string // when, as the caller formats it

	Scenario     []KV   // one-line scenario facts, shown as a two-column table
	ScenarioYAML string // the scenario file, shown folded; empty for none

	Tables  []HTMLTable
	Figures []HTMLFigure
}

// KV is a key and its value, one line of a report's scenario summary.
type KV struct {
	Key, Value string
}

// HTMLTable is a table of text cells. Columns whose cells are all numbers
// (optionally with a trailing % or a "± interval"; empty cells and "-"
// aside) are right-aligned. Note, if set, is printed below it.
type HTMLTable struct {
	Caption string
	Header  []string
	Rows    [][]string
	Note    string
	// Section, when set, puts the table at the head of a section of that
	// title after the Figures, as HTMLFigure.Section does.
	Section string
}

// HTMLFigure is a figure: SVG markup (from InlineSVG) and a caption. The
// markup goes into the page as is, so it must come from a trusted source.
type HTMLFigure struct {
	Caption string
	SVG     []byte
	// Section, when set, puts the figure in a section of that title after
	// the Figures (one per title, in order of first appearance), such as
	// "Kubernetes controllers"; numbering runs on across sections.
	Section string
}

// WriteHTML writes r as one HTML5 file with inline CSS and inline SVG: no
// script and no external resource, so it can be mailed or archived alone.
// The markup is also well-formed XML (void elements are self-closed). It
// is an error if a figure's SVG has no <svg> element or holds a script.
func WriteHTML(w io.Writer, r *HTMLReport) error {
	v := htmlView{
		Title:        r.Title,
		Command:      r.Command,
		Produced:     r.Produced,
		Version:      r.Version,
		Generated:    r.Generated,
		Scenario:     r.Scenario,
		ScenarioYAML: r.ScenarioYAML,
	}
	if v.Title == "" {
		v.Title = "fleetsim report"
	}
	sections := map[string]int{} // index in v.Sections
	section := func(title string) *htmlSectionView {
		k, ok := sections[title]
		if !ok {
			k = len(v.Sections)
			v.Sections = append(v.Sections, htmlSectionView{ID: fmt.Sprintf("section-%d", k+1), Title: title})
			sections[title] = k
		}
		return &v.Sections[k]
	}
	for i, t := range r.Tables {
		if t.Section == "" {
			v.Tables = append(v.Tables, tableView(i+1, &t))
			continue
		}
		sec := section(t.Section)
		sec.Tables = append(sec.Tables, tableView(i+1, &t))
	}
	for i, f := range r.Figures {
		svg, err := svgElement(f.SVG)
		if err != nil {
			return fmt.Errorf("figure %d (%s): %w", i+1, f.Caption, err)
		}
		if bytes.Contains(bytes.ToLower(svg), []byte("<script")) {
			return fmt.Errorf("figure %d (%s): the SVG holds a script", i+1, f.Caption)
		}
		fv := htmlFigureView{
			ID: fmt.Sprintf("figure-%d", i+1), N: i + 1, Caption: f.Caption,
			SVG: template.HTML(svg), // trusted markup, see HTMLFigure
		}
		if f.Section == "" {
			v.Figures = append(v.Figures, fv)
			continue
		}
		sec := section(f.Section)
		sec.Figures = append(sec.Figures, fv)
	}
	// Numbers follow the page's order: Tables, Figures, then each section.
	n := 0
	for i := range v.Tables {
		n++
		v.Tables[i].N, v.Tables[i].ID = n, fmt.Sprintf("table-%d", n)
	}
	for k := range v.Sections {
		for i := range v.Sections[k].Tables {
			n++
			v.Sections[k].Tables[i].N, v.Sections[k].Tables[i].ID = n, fmt.Sprintf("table-%d", n)
		}
	}
	n = 0
	for i := range v.Figures {
		n++
		v.Figures[i].N, v.Figures[i].ID = n, fmt.Sprintf("figure-%d", n)
	}
	for k := range v.Sections {
		for i := range v.Sections[k].Figures {
			n++
			v.Sections[k].Figures[i].N, v.Sections[k].Figures[i].ID = n, fmt.Sprintf("figure-%d", n)
		}
	}
	return htmlTemplate.Execute(w, &v)
}

type htmlView struct {
	Title, Command, Produced, Version, Generated string
	Scenario                                     []KV
	ScenarioYAML                                 string
	Tables                                       []htmlTableView
	Figures                                      []htmlFigureView
	Sections                                     []htmlSectionView
}

type htmlSectionView struct {
	ID, Title string
	Tables    []htmlTableView
	Figures   []htmlFigureView
}

type htmlTableView struct {
	ID, Caption, Note string
	N                 int
	Wide              bool // more than 10 columns: set smaller
	Header            []htmlCell
	Rows              [][]htmlCell
}

type htmlCell struct {
	Text string
	Num  bool
}

type htmlFigureView struct {
	ID, Caption string
	N           int
	SVG         template.HTML
}

// tableView marks the numeric columns of t.
func tableView(n int, t *HTMLTable) htmlTableView {
	cols := len(t.Header)
	for _, row := range t.Rows {
		cols = max(cols, len(row))
	}
	num := make([]bool, cols)
	for c := range num {
		seen := false
		num[c] = true
		for _, row := range t.Rows {
			if c >= len(row) || isBlankCell(row[c]) {
				continue
			}
			seen = true
			if !isNumericCell(row[c]) {
				num[c] = false
				break
			}
		}
		num[c] = num[c] && seen
	}
	v := htmlTableView{ID: fmt.Sprintf("table-%d", n), N: n, Caption: t.Caption, Note: t.Note, Wide: cols > 10}
	for c, h := range t.Header {
		v.Header = append(v.Header, htmlCell{h, num[c]})
	}
	for _, row := range t.Rows {
		cells := make([]htmlCell, len(row))
		for c, s := range row {
			cells[c] = htmlCell{s, num[c]}
		}
		v.Rows = append(v.Rows, cells)
	}
	return v
}

func isBlankCell(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "-", "—", "n/a":
		return true
	}
	return false
}

// isNumericCell reports whether s is a number, optionally followed by %,
// or two such joined by ±.
func isNumericCell(s string) bool {
	for part := range strings.SplitSeq(s, "±") {
		part = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), "%"))
		if _, err := strconv.ParseFloat(part, 64); err != nil {
			return false
		}
	}
	return true
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
{{with .Version}}<meta name="generator" content="fleetsim {{.}}" />
{{end}}<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; line-height: 1.45; color: #1b1b1b; background: #fff; max-width: 96rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.8rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
pre { background: #f5f5f5; padding: 0.6rem 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
nav ol { padding-left: 1.5rem; margin: 0.3rem 0; }
.table-wrap { overflow-x: auto; margin: 1.2rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.results { width: 100%; font-size: 0.9rem; }
table.wide { font-size: 0.8rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4rem; }
th, td { padding: 0.25rem 0.5rem; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; vertical-align: bottom; white-space: normal; overflow-wrap: normal; hyphens: auto; }
tbody tr:nth-child(even) { background: #fafafa; }
th.num, td.num { text-align: right; }
td.num { white-space: nowrap; }
table.kv th { font-weight: 600; }
p.note { font-size: 0.9em; color: #555; margin: 0.4rem 0 0; }
figure { margin: 1.5rem 0; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 0.95em; margin-top: 0.4rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  details > pre { display: none; }
  .table-wrap { overflow: visible; }
  table.results { width: 100%; table-layout: auto; font-size: 7.5pt; }
  th, td { padding: 0.1rem 0.25rem; }
  td.num { white-space: normal; }
  figure { break-inside: avoid; page-break-inside: avoid; margin: 0 0 4mm; }
  figure svg { width: auto; max-width: 100%; height: 82mm; margin: 0 auto; }
  .table-wrap { break-inside: avoid; }
  tr { break-inside: avoid; }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<dl class="meta">
{{with .Produced}}<dt>Results from</dt><dd><code>{{.}}</code></dd>
{{end}}{{with .Command}}<dt>Report by</dt><dd><code>{{.}}</code></dd>
{{end}}{{with .Version}}<dt>Version</dt><dd>fleetsim {{.}}</dd>
{{end}}{{with .Generated}}<dt>Generated</dt><dd>{{.}}</dd>
{{end}}</dl>
</header>
<nav aria-label="Contents">
<h2>Contents</h2>
<ol>
{{if or .Scenario .ScenarioYAML}}<li><a href="#scenario">Scenario</a></li>
{{end}}{{range .Tables}}<li><a href="#{{.ID}}">Table {{.N}}. {{.Caption}}</a></li>
{{end}}{{range .Figures}}<li><a href="#{{.ID}}">Figure {{.N}}. {{.Caption}}</a></li>
{{end}}{{range .Sections}}<li><a href="#{{.ID}}">{{.Title}}</a><ol>
{{range .Tables}}<li><a href="#{{.ID}}">Table {{.N}}. {{.Caption}}</a></li>
{{end}}{{range .Figures}}<li><a href="#{{.ID}}">Figure {{.N}}. {{.Caption}}</a></li>
{{end}}</ol></li>
{{end}}</ol>
</nav>
<main>
{{if or .Scenario .ScenarioYAML}}<section id="scenario">
<h2>Scenario</h2>
{{with .Scenario}}<table class="kv">
<tbody>
{{range .}}<tr><th scope="row">{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{with .ScenarioYAML}}<details>
<summary>Scenario file</summary>
<pre>{{.}}</pre>
</details>
{{end}}</section>
{{end}}{{if .Tables}}<section id="tables">
<h2>Results</h2>
{{range .Tables}}{{template "table" .}}{{end}}</section>
{{end}}{{if .Figures}}<section id="figures">
<h2>Figures</h2>
{{range .Figures}}<figure id="{{.ID}}">
{{.SVG}}
<figcaption>Figure {{.N}}. {{.Caption}}</figcaption>
</figure>
{{end}}</section>
{{end}}{{range .Sections}}<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{range .Tables}}{{template "table" .}}{{end}}{{range .Figures}}<figure id="{{.ID}}">
{{.SVG}}
<figcaption>Figure {{.N}}. {{.Caption}}</figcaption>
</figure>
{{end}}</section>
{{end}}</main>
</body>
</html>
{{define "table"}}<div class="table-wrap" id="{{.ID}}">
<table class="results{{if .Wide}} wide{{end}}">
<caption>Table {{.N}}. {{.Caption}}</caption>
{{with .Header}}<thead>
<tr>{{range .}}<th scope="col"{{if .Num}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr>
</thead>
{{end}}<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Num}} class="num"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{with .Note}}<p class="note">{{.}}</p>
{{end}}</div>
{{end}}`))
