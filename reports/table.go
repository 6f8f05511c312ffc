package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/fleetsim/fleetsim/sim"
)

// Formats of a comparison table.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatCSV      = "csv"
	FormatJSON     = "json"
)

// Formats lists the values WriteComparison accepts.
var Formats = []string{FormatTable, FormatMarkdown, FormatCSV, FormatJSON}

// column is one column of the comparison table.
type column struct {
	head string
	cell func(r *sim.Result) string
}

func sec(v float64) string  { return strconv.FormatFloat(v, 'f', 4, 64) }
func frac(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
func count(v int64) string  { return strconv.FormatInt(v, 10) }

var columns = []column{
	{"strategy", func(r *sim.Result) string { return r.Strategy }},
	{"completed", func(r *sim.Result) string { return count(r.Tasks.Completed) }},
	{"dropped", func(r *sim.Result) string { return count(r.Tasks.Dropped + r.Tasks.Failed) }},
	{"mean (s)", func(r *sim.Result) string { return sec(r.Latency.Mean) }},
	{"p50 (s)", func(r *sim.Result) string { return sec(r.Latency.P50) }},
	{"p99 (s)", func(r *sim.Result) string { return sec(r.Latency.P99) }},
	{"p99.9 (s)", func(r *sim.Result) string { return sec(r.Latency.P999) }},
	{"max (s)", func(r *sim.Result) string { return sec(r.Latency.Max) }},
	{"wait mean (s)", func(r *sim.Result) string { return sec(r.Wait.Mean) }},
	{"throughput (/s)", func(r *sim.Result) string { return strconv.FormatFloat(r.ThroughputPerS, 'f', 2, 64) }},
	{"utilization", func(r *sim.Result) string { return frac(r.Utilization) }},
	{"imbalance (CoV)", func(r *sim.Result) string { return frac(r.ImbalanceCoV) }},
}

// WriteComparison writes one row per result in the given format. JSON is an
// array of the results without per-node detail.
func WriteComparison(w io.Writer, results []sim.Result, format string) error {
	switch format {
	case FormatJSON:
		compact := make([]sim.Result, len(results))
		for i, r := range results {
			r.Nodes = nil
			compact[i] = r
		}
		return WriteJSON(w, compact)
	case FormatCSV:
		cw := csv.NewWriter(w)
		head := header()
		if err := cw.Write(head); err != nil {
			return err
		}
		for i := range results {
			if err := cw.Write(row(&results[i])); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case FormatTable, FormatMarkdown:
		opts := []tablewriter.Option{
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithHeaderAlignment(tw.AlignLeft),
			tablewriter.WithRowAlignment(tw.AlignRight),
		}
		if format == FormatMarkdown {
			opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
		}
		t := tablewriter.NewTable(w, opts...)
		head := header()
		t.Header(head)
		for i := range results {
			if err := t.Append(row(&results[i])); err != nil {
				return err
			}
		}
		return t.Render()
	}
	return fmt.Errorf("unknown format %q (allowed: table, markdown, csv, json)", format)
}

func header() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.head
	}
	return out
}

func row(r *sim.Result) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.cell(r)
	}
	return out
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
