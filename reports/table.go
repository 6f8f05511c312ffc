package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

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

// placementColumns replace columns for job placement (central queueing),
// whose figures are allocation, fragmentation and waiting.
var placementColumns = []column{
	{"strategy", func(r *sim.Result) string { return r.Strategy }},
	{"completed", func(r *sim.Result) string { return count(r.Tasks.Completed) }},
	{"unschedulable", func(r *sim.Result) string { return count(r.Placement.Unschedulable) }},
	{"wait mean (s)", func(r *sim.Result) string { return sec(r.Wait.Mean) }},
	{"wait p99 (s)", func(r *sim.Result) string { return sec(r.Wait.P99) }},
	{"bounded slowdown", func(r *sim.Result) string { return frac(r.Placement.BoundedSlowdown.Mean) }},
	{"makespan (s)", func(r *sim.Result) string { return strconv.FormatFloat(r.MakespanS, 'f', 0, 64) }},
	{"GPU alloc", func(r *sim.Result) string { return pct(r.Placement.GPUAllocRatio) }},
	{"GPU alloc at 100%", func(r *sim.Result) string { return pct(r.Placement.GPUAllocRatioAtFull) }},
	{"GPU frag", func(r *sim.Result) string { return pct(r.Placement.GPUFragRatio) }},
	{"CPU util", func(r *sim.Result) string { return frac(r.Placement.Utilization.CPU) }},
	{"GPU util", func(r *sim.Result) string { return frac(r.Placement.Utilization.GPU) }},
}

// inflationColumns are for runs with no departures (the FGD paper's
// inflation experiment): what got placed, and the GPU state at the end.
var inflationColumns = []column{
	{"strategy", func(r *sim.Result) string { return r.Strategy }},
	{"arrived", func(r *sim.Result) string { return count(r.Tasks.Arrived) }},
	{"placed", func(r *sim.Result) string { return count(r.Tasks.Arrived - r.Placement.Unschedulable) }},
	{"unschedulable", func(r *sim.Result) string { return count(r.Placement.Unschedulable) }},
	{"GPU alloc at 100%", func(r *sim.Result) string { return pct(r.Placement.GPUAllocRatioAtFull) }},
	{"GPU alloc at end", func(r *sim.Result) string { return pct(r.Placement.GPUAllocRatio) }},
	{"unallocated GPUs", func(r *sim.Result) string {
		return strconv.FormatFloat(r.Placement.UnallocatedGPUs, 'f', 1, 64)
	}},
	{"frag / unallocated", func(r *sim.Result) string { return pct(r.Placement.GPUFragRatio) }},
	{"CPU alloc", func(r *sim.Result) string { return pct(r.Placement.AllocRatio.CPU) }},
}

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) + "%" }

// columnsFor picks the placement columns when every result has them.
func columnsFor(results []sim.Result) []column {
	for i := range results {
		if results[i].Placement == nil {
			return columns
		}
	}
	if len(results) == 0 {
		return columns
	}
	hold := true
	for i := range results {
		hold = hold && results[i].Placement.Curve != nil
	}
	if hold {
		return inflationColumns
	}
	gpus := false
	for i := range results {
		p := results[i].Placement
		gpus = gpus || p.UnallocatedGPUs > 0 || p.GPUAllocRatio > 0
	}
	if gpus {
		return placementColumns
	}
	var cols []column // a cluster without GPUs: no GPU columns
	for _, c := range placementColumns {
		if !strings.HasPrefix(c.head, "GPU") {
			cols = append(cols, c)
		}
	}
	return cols
}

// WriteComparison writes one row per result in the given format. JSON is an
// array of the results without per-node detail. Results of job placement
// (all with a placement section) get placement columns.
func WriteComparison(w io.Writer, results []sim.Result, format string) error {
	cols := columnsFor(results)
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
		head := header(cols)
		if err := cw.Write(head); err != nil {
			return err
		}
		for i := range results {
			if err := cw.Write(row(cols, &results[i])); err != nil {
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
		head := header(cols)
		t.Header(head)
		for i := range results {
			if err := t.Append(row(cols, &results[i])); err != nil {
				return err
			}
		}
		return t.Render()
	}
	return fmt.Errorf("unknown format %q (allowed: table, markdown, csv, json)", format)
}

func header(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.head
	}
	return out
}

func row(cols []column, r *sim.Result) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
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
