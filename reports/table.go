package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
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

// column is one column of the comparison table: a figure of a result and
// how to print it.
type column struct {
	head  string
	value func(r *sim.Result) float64
	fmt   func(v float64) string
}

func sec(v float64) string  { return strconv.FormatFloat(v, 'f', 4, 64) }
func frac(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// count prints a count; a mean of counts over seeds (or its confidence
// half-width) gets one decimal.
func count(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
func rate(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
func whole(v float64) string {
	if math.IsNaN(v) {
		return "–" // not measured
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
func gpus(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

var columns = []column{
	{"completed", func(r *sim.Result) float64 { return float64(r.Tasks.Completed) }, count},
	{"dropped", func(r *sim.Result) float64 { return float64(r.Tasks.Dropped + r.Tasks.Failed) }, count},
	{"mean (s)", func(r *sim.Result) float64 { return r.Latency.Mean }, sec},
	{"p50 (s)", func(r *sim.Result) float64 { return r.Latency.P50 }, sec},
	{"p99 (s)", func(r *sim.Result) float64 { return r.Latency.P99 }, sec},
	{"p99.9 (s)", func(r *sim.Result) float64 { return r.Latency.P999 }, sec},
	{"max (s)", func(r *sim.Result) float64 { return r.Latency.Max }, sec},
	{"wait mean (s)", func(r *sim.Result) float64 { return r.Wait.Mean }, sec},
	{"throughput (/s)", func(r *sim.Result) float64 { return r.ThroughputPerS }, rate},
	{"utilization", func(r *sim.Result) float64 { return r.Utilization }, frac},
	{"imbalance (CoV)", func(r *sim.Result) float64 { return r.ImbalanceCoV }, frac},
}

// dynamicColumns are the strategy table of issue 5's default scenario:
// what a decision costs, latency, throughput, what the failure did, and
// what the nodes cost. They replace columns when every result has fault
// figures (a scenario with faults, retries or health checks).
var dynamicColumns = []column{
	{"decision (ns)", func(r *sim.Result) float64 { return measured(r.Engine.DecisionNs) }, whole},
	{"state (B/node)", func(r *sim.Result) float64 { return measured(r.Engine.StateBytesPerNode) }, whole},
	{"p50 (s)", func(r *sim.Result) float64 { return r.Latency.P50 }, sec},
	{"p99 (s)", func(r *sim.Result) float64 { return r.Latency.P99 }, sec},
	{"throughput (/s)", func(r *sim.Result) float64 { return r.ThroughputPerS }, rate},
	{"failed", func(r *sim.Result) float64 { return float64(r.Tasks.Failed + r.Tasks.Dropped) }, count},
	{"failed in fault", func(r *sim.Result) float64 { return float64(faults(r).WindowFailed) }, count},
	{"p99 in fault (s)", func(r *sim.Result) float64 { return faults(r).WindowP99 }, sec},
	{"retries", func(r *sim.Result) float64 { return float64(faults(r).Retries) }, count},
	{"cost ($)", func(r *sim.Result) float64 { return cost(r).USD }, rate},
	{"node-hours", func(r *sim.Result) float64 { return cost(r).NodeHours }, rate},
	{"energy (kWh)", func(r *sim.Result) float64 { return cost(r).EnergyKWh }, rate},
}

// inferenceColumns are for LLM inference replicas: time to first token
// beside end-to-end latency.
var inferenceColumns = []column{
	{"completed", func(r *sim.Result) float64 { return float64(r.Tasks.Completed) }, count},
	{"TTFT p50 (s)", func(r *sim.Result) float64 { return r.TTFT.P50 }, sec},
	{"TTFT p99 (s)", func(r *sim.Result) float64 { return r.TTFT.P99 }, sec},
	{"e2e p50 (s)", func(r *sim.Result) float64 { return r.Latency.P50 }, sec},
	{"e2e p99 (s)", func(r *sim.Result) float64 { return r.Latency.P99 }, sec},
	{"throughput (/s)", func(r *sim.Result) float64 { return r.ThroughputPerS }, rate},
	{"utilization", func(r *sim.Result) float64 { return r.Utilization }, frac},
	{"cost ($)", func(r *sim.Result) float64 { return cost(r).USD }, rate},
	{"energy (kWh)", func(r *sim.Result) float64 { return cost(r).EnergyKWh }, rate},
}

func faults(r *sim.Result) *sim.FaultResult {
	if r.Faults == nil {
		return &sim.FaultResult{}
	}
	return r.Faults
}

func cost(r *sim.Result) *sim.CostResult {
	if r.Cost == nil {
		return &sim.CostResult{}
	}
	return r.Cost
}

// placementColumns replace columns for job placement (central queueing),
// whose figures are allocation, fragmentation and waiting.
var placementColumns = []column{
	{"completed", func(r *sim.Result) float64 { return float64(r.Tasks.Completed) }, count},
	{"unschedulable", func(r *sim.Result) float64 { return float64(r.Placement.Unschedulable) }, count},
	{"wait mean (s)", func(r *sim.Result) float64 { return r.Wait.Mean }, sec},
	{"wait p99 (s)", func(r *sim.Result) float64 { return r.Wait.P99 }, sec},
	{"bounded slowdown", func(r *sim.Result) float64 { return r.Placement.BoundedSlowdown.Mean }, frac},
	{"makespan (s)", func(r *sim.Result) float64 { return r.MakespanS }, whole},
	{"GPU alloc", func(r *sim.Result) float64 { return r.Placement.GPUAllocRatio }, pct},
	{"GPU alloc at 100%", func(r *sim.Result) float64 { return r.Placement.GPUAllocRatioAtFull }, pct},
	{"GPU frag", func(r *sim.Result) float64 { return r.Placement.GPUFragRatio }, pct},
	{"CPU util", func(r *sim.Result) float64 { return r.Placement.Utilization.CPU }, frac},
	{"GPU util", func(r *sim.Result) float64 { return r.Placement.Utilization.GPU }, frac},
}

// inflationColumns are for runs with no departures (the FGD paper's
// inflation experiment): what got placed, and the GPU state at the end.
var inflationColumns = []column{
	{"arrived", func(r *sim.Result) float64 { return float64(r.Tasks.Arrived) }, count},
	{"placed", func(r *sim.Result) float64 { return float64(r.Tasks.Arrived - r.Placement.Unschedulable) }, count},
	{"unschedulable", func(r *sim.Result) float64 { return float64(r.Placement.Unschedulable) }, count},
	{"GPU alloc at 100%", func(r *sim.Result) float64 { return r.Placement.GPUAllocRatioAtFull }, pct},
	{"GPU alloc at end", func(r *sim.Result) float64 { return r.Placement.GPUAllocRatio }, pct},
	{"unallocated GPUs", func(r *sim.Result) float64 { return r.Placement.UnallocatedGPUs }, gpus},
	{"frag / unallocated", func(r *sim.Result) float64 { return r.Placement.GPUFragRatio }, pct},
	{"CPU alloc", func(r *sim.Result) float64 { return r.Placement.AllocRatio.CPU }, pct},
}

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) + "%" }

// pctPoints prints a confidence half-width of a share in percentage points.
func pctPoints(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) }

// columnsFor picks the placement columns when every result has them.
func columnsFor(results []sim.Result) []column {
	if hasRequests(results) {
		return requestColumns
	}
	dynamic := len(results) > 0
	for i := range results {
		dynamic = dynamic && results[i].Placement == nil && results[i].Faults != nil
	}
	if dynamic {
		return dynamicColumns
	}
	ttft := len(results) > 0
	for i := range results {
		ttft = ttft && results[i].TTFT != nil
	}
	if ttft {
		return inferenceColumns
	}
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
	if format == FormatJSON {
		compact := make([]sim.Result, len(results))
		for i, r := range results {
			r.Nodes = nil
			compact[i] = r
		}
		return WriteJSON(w, compact)
	}
	head, rows := ComparisonTable(results)
	return writeRows(w, head, rows, format)
}

// ComparisonTable is WriteComparison's table as text cells: a header and
// one row per result.
func ComparisonTable(results []sim.Result) (head []string, rows [][]string) {
	cols := columnsFor(results)
	head = append([]string{"strategy"}, header(cols)...)
	rows = make([][]string, len(results))
	for i := range results {
		rows[i] = append([]string{results[i].Strategy}, row(cols, &results[i])...)
	}
	return head, rows
}

// WriteReplicated writes one row per strategy of results that ran with
// several seeds: each figure as its mean over the seeds ± the half-width
// of its 95 % confidence interval (Student t, see Stat). CSV gives the
// mean and half-width in two columns ("p99 (s)", "p99 (s) ci95"); JSON is
// the Aggregates. Strategies keep their order of first appearance.
func WriteReplicated(w io.Writer, results []sim.Result, format string) error {
	if format == FormatJSON {
		return WriteJSON(w, Aggregates(results))
	}
	head, rows := ReplicatedTable(results, format == FormatCSV)
	return writeRows(w, head, rows, format)
}

// ReplicatedTable is WriteReplicated's table as text cells; split puts
// each confidence half-width in a column of its own (as CSV does).
func ReplicatedTable(results []sim.Result, split bool) (head []string, rows [][]string) {
	cols := columnsFor(results)
	groups, _ := groupRuns(results, false)
	head = []string{"strategy", "seeds"}
	for _, c := range cols {
		head = append(head, c.head)
		if split {
			head = append(head, c.head+" ci95")
		}
	}
	for _, g := range groups {
		r := []string{g.strategy, strconv.Itoa(len(g.runs))}
		xs := make([]float64, len(g.runs))
		for _, c := range cols {
			for k, res := range g.runs {
				xs[k] = c.value(res)
			}
			m := Stat(c.head, xs)
			if math.IsNaN(m.Mean) { // not measured
				r = append(r, "–")
				if split {
					r = append(r, "–")
				}
				continue
			}
			half := c.fmt(m.CI95)
			if strings.HasSuffix(half, "%") {
				half = pctPoints(m.CI95) + " pp"
			}
			if split {
				r = append(r, c.fmt(m.Mean), strings.TrimSuffix(half, " pp"))
			} else {
				r = append(r, c.fmt(m.Mean)+" ± "+half)
			}
		}
		rows = append(rows, r)
	}
	return head, rows
}

// writeRows writes a table as text, Markdown or CSV.
func writeRows(w io.Writer, head []string, rows [][]string, format string) error {
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(r); err != nil {
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
		if format == FormatMarkdown {
			t := tablewriter.NewTable(w, opts...)
			t.Header(head)
			for _, r := range rows {
				if err := t.Append(r); err != nil {
					return err
				}
			}
			return t.Render()
		}
		return renderFitted(w, head, rows, func(w io.Writer, _ []int) *tablewriter.Table { return tablewriter.NewTable(w, opts...) })
	}
	return fmt.Errorf("unknown format %q (allowed: %s)", format, strings.Join(Formats, ", "))
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
		out[i] = c.fmt(c.value(r))
	}
	return out
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WritePerNode writes how each result split its tasks over the nodes: one
// row per result with the tasks each node completed (measured ones), then
// the latency p50 and p99. It suits small clusters (a worked example), not
// a thousand nodes.
func WritePerNode(w io.Writer, results []sim.Result, format string) error {
	if len(results) == 0 {
		return nil
	}
	head := []string{"strategy"}
	for _, n := range results[0].Nodes {
		head = append(head, n.Name)
	}
	head = append(head, "p50 (s)", "p99 (s)")
	rows := make([][]string, len(results))
	for i := range results {
		r := &results[i]
		row := []string{r.Strategy}
		for _, n := range r.Nodes {
			row = append(row, strconv.FormatInt(n.Tasks, 10))
		}
		rows[i] = append(row, sec(r.Latency.P50), sec(r.Latency.P99))
	}
	if format == FormatJSON {
		type split struct {
			Strategy string           `json:"strategy"`
			Nodes    []sim.NodeResult `json:"nodes"`
			P50      float64          `json:"p50_s"`
			P99      float64          `json:"p99_s"`
		}
		out := make([]split, len(results))
		for i, r := range results {
			out[i] = split{r.Strategy, r.Nodes, r.Latency.P50, r.Latency.P99}
		}
		return WriteJSON(w, out)
	}
	return writeRows(w, head, rows, format)
}

// WriteTable writes any table in one of Formats, as the comparison tables
// are written: for commands whose rows are their own (fleetsim validate).
func WriteTable(w io.Writer, head []string, rows [][]string, format string) error {
	return writeRows(w, head, rows, format)
}

// measured is a figure measured apart from the run, NaN when it was not
// (tables print NaN as "–").
func measured(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
