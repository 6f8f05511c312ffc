package main

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

func newTraceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Generate and summarise workload traces",
	}
	cmd.AddCommand(newTraceGenCmd(), newTraceStatsCmd(), newTraceShapesCmd(), newTraceNodesCmd(), newTraceConvertCmd(), newTraceWorkflowsCmd())
	return cmd
}

// taskWriter is what the native writers share.
type taskWriter interface {
	Write(t *sim.Task) error
	Flush() error
}

func newTraceGenCmd() *cobra.Command {
	var (
		sf     scenarioFlags
		n      int64
		output string
		format string
		wfCols bool
	)
	cmd := &cobra.Command{
		Use:   "gen [SCENARIO]",
		Short: "Write a native trace drawn from a scenario's synthetic workload",
		Long: `gen draws tasks from the workload of a scenario (file or embedded name;
default: ` + defaultScenario + `) with the scenario's seed (or --seed) and writes them as
a native trace (csv or jsonl) to --output, or to standard output: every
attribute the workload generates (shapes, origins, sessions, tokens), as a
run would see the tasks.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n: expected a number of tasks >= 1, got %d", n)
			}
			sc, err := sf.load(cmd, args)
			if err != nil {
				return err
			}
			if sc.Workload.Trace != nil {
				return fmt.Errorf("%s: the workload is a trace, not a generator; use fleetsim trace stats to read it", sc.File)
			}
			src, closer, err := sc.WorkloadSource(sc.Seed)
			if err != nil {
				return err
			}
			defer closer.Close()

			var out io.Writer = cmd.OutOrStdout()
			var af *reports.AtomicFile
			if output != "" && output != "-" {
				if af, err = reports.CreateAtomic(output); err != nil {
					return err
				}
				defer af.Abort()
				out = af
			}
			// A ".gz" name is written gzip-compressed, as every reader
			// expects of it.
			base := output
			var zw *gzip.Writer
			if strings.EqualFold(filepath.Ext(output), ".gz") {
				base = output[:len(output)-len(".gz")]
				zw = gzip.NewWriter(out)
				out = zw
			}
			if format == "" {
				format = "csv"
				if strings.HasSuffix(base, ".jsonl") || strings.HasSuffix(base, ".ndjson") {
					format = "jsonl"
				}
			}
			var w taskWriter
			switch format {
			case "csv":
				cw := traces.NewCSVWriter(out)
				cw.Workflows = wfCols || sc.Workflows != nil
				w = cw
			case "jsonl":
				w = traces.NewJSONLWriter(out)
			default:
				return fmt.Errorf("--format: unknown format %q (allowed: csv, jsonl)", format)
			}
			var t sim.Task
			for i := int64(0); i < n; i++ {
				if i&0xffff == 0 && cmd.Context().Err() != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "fleetsim: interrupted after %d of %d tasks; nothing written\n", i, n)
					return errInterrupted
				}
				if err := src.Next(&t); err != nil {
					if errors.Is(err, io.EOF) { // an inflation workload ends
						break
					}
					return err
				}
				if err := w.Write(&t); err != nil {
					return err
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if zw != nil {
				if err := zw.Close(); err != nil {
					return err
				}
			}
			if af != nil {
				return af.Commit()
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().Int64VarP(&n, "n", "n", 1000, "number of tasks")
	cmd.Flags().StringVarP(&output, "out", "o", "", "output file (default: standard output)")
	aliasFlags(cmd, map[string]string{"output": "out"})
	cmd.Flags().StringVarP(&format, "format", "f", "", "csv or jsonl (default: from the output's extension, else csv)")
	cmd.Flags().BoolVar(&wfCols, "workflows", false, "csv: also write the workflow and gang columns (workflow, parents, output_bytes, nodes; always with a workflows section; jsonl writes them where set)")
	return cmd
}

func newTraceStatsCmd() *cobra.Command {
	var (
		format string
		asJSON bool
		limit  int64
	)
	cmd := &cobra.Command{
		Use:   "stats FILE",
		Short: "Summarise a trace: count, rate, interarrival and duration mean and CV, resources, GPU requests",
		Long: `stats reads a trace in any format (--format, or from the extension) and prints
its count, arrival span and rate, interarrival and duration means and CVs, and
what the tasks ask for: CPU, memory, GPUs by form (whole GPUs or a share of one),
the total GPU request in GPUs and the number of distinct task shapes (CPU, GPU
demand and allowed models; counted up to ` + strconv.Itoa(traces.MaxStatsShapes) + `).
An openb pod list need not be sorted; arrivals out of order are counted. For an
SWF log the jobs skipped (processors, run time or submit time unknown) are counted.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, closer, err := traces.Open(args[0], format)
			if err != nil {
				return err
			}
			defer closer.Close()
			st, err := traces.ComputeStats(src, limit)
			if err != nil {
				return err
			}
			skipped, hasSkipped := skippedOf(src)
			if asJSON {
				m := statsJSON(st)
				if hasSkipped {
					m["skipped_jobs"] = skipped
				}
				return reports.WriteJSON(cmd.OutOrStdout(), m)
			}
			f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
			shapes := strconv.FormatInt(st.Shapes, 10)
			if st.ShapesCapped {
				shapes = ">= " + shapes
			}
			t := tablewriter.NewTable(cmd.OutOrStdout(), tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithHeaderAlignment(tw.AlignLeft))
			t.Header([]string{"statistic", "value"})
			rows := [][]string{
				{"tasks", strconv.FormatInt(st.Count, 10)},
				{"first arrival (s)", f(st.First.Seconds())},
				{"last arrival (s)", f(st.Last.Seconds())},
				{"arrival rate (/s)", f(st.Rate)},
				{"interarrival mean (s)", f(st.InterarrivalMean)},
				{"interarrival CV", f(st.InterarrivalCV)},
				{"duration mean (s)", f(st.DurationMean)},
				{"duration CV", f(st.DurationCV)},
				{"total work (s)", f(st.DurationTotal)},
				{"cpu total (cores)", f(float64(st.CPUTotal) / 1000)},
				{"memory total", humanBytes(st.MemoryTotal)},
				{"gpus total", strconv.FormatInt(st.GPUsTotal, 10)},
				{"gpu share total (GPUs)", f(float64(st.GPUMilliTotal) / 1000)},
				{"gpu tasks", strconv.FormatInt(st.GPUTasks, 10)},
				{"whole-gpu tasks", strconv.FormatInt(st.WholeGPUTasks, 10)},
				{"gpu share tasks", strconv.FormatInt(st.ShareTasks, 10)},
				{"gpu request (GPUs)", f(float64(st.GPURequestMilli) / 1000)},
				{"distinct shapes", shapes},
				{"arrivals out of order", strconv.FormatInt(st.OutOfOrder, 10)},
			}
			if hasSkipped {
				rows = append(rows, []string{"skipped jobs", strconv.FormatInt(skipped, 10)})
			}
			if st.TokenTasks > 0 {
				rows = append(rows, []string{"llm requests", strconv.FormatInt(st.TokenTasks, 10)})
				for _, tk := range []struct {
					name string
					s    traces.TokenSummary
				}{{"prompt tokens", st.PromptTokens}, {"output tokens", st.OutputTokens}} {
					rows = append(rows, []string{tk.name + " mean", f(tk.s.Mean)}, []string{tk.name + " p50", strconv.Itoa(int(tk.s.P50))},
						[]string{tk.name + " p99", strconv.Itoa(int(tk.s.P99))}, []string{tk.name + " max", strconv.Itoa(int(tk.s.Max))})
				}
			}
			for _, r := range rows {
				if err := t.Append(r); err != nil {
					return err
				}
			}
			return t.Render()
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "trace format: "+strings.Join(traces.Formats(), ", ")+" (default: from the extension)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().Int64Var(&limit, "limit", 0, "read at most this many tasks (0: all)")
	return cmd
}

// statsJSON gives the stats snake_case field names.
func statsJSON(st traces.Stats) map[string]any {
	m := map[string]any{
		"tasks":               st.Count,
		"first_arrival_s":     st.First.Seconds(),
		"last_arrival_s":      st.Last.Seconds(),
		"rate_per_s":          st.Rate,
		"interarrival_mean_s": st.InterarrivalMean,
		"interarrival_cv":     st.InterarrivalCV,
		"duration_mean_s":     st.DurationMean,
		"duration_cv":         st.DurationCV,
		"work_total_s":        st.DurationTotal,
		"cpu_total_cores":     float64(st.CPUTotal) / 1000,
		"memory_total_bytes":  st.MemoryTotal,
		"gpus_total":          st.GPUsTotal,
		"gpu_milli_total":     st.GPUMilliTotal,
		"gpu_tasks":           st.GPUTasks,
		"whole_gpu_tasks":     st.WholeGPUTasks,
		"gpu_share_tasks":     st.ShareTasks,
		"gpu_request_gpus":    float64(st.GPURequestMilli) / 1000,
		"distinct_shapes":     st.Shapes, // counted up to traces.MaxStatsShapes
		"out_of_order":        st.OutOfOrder,
	}
	if st.TokenTasks > 0 {
		m["token_tasks"] = st.TokenTasks
		for name, s := range map[string]traces.TokenSummary{"prompt_tokens": st.PromptTokens, "output_tokens": st.OutputTokens} {
			m[name] = map[string]any{"mean": s.Mean, "p50": s.P50, "p99": s.P99, "max": s.Max}
		}
	}
	return m
}

// skippedOf returns how many input records a source skipped (an SWF
// log's jobs of unknown size), and whether it counts them.
func skippedOf(src sim.Source) (int64, bool) {
	if s, ok := src.(interface{ Skipped() int64 }); ok {
		return s.Skipped(), true
	}
	return 0, false
}

func newTraceConvertCmd() *cobra.Command {
	var (
		from, to string
		wfCols   bool
	)
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert a trace of any format to a native CSV or JSONL trace, or a binary trace cache",
		Long: `convert streams the trace IN, in any format fleetsim reads (--from: ` + strings.Join(traces.Formats(), ", ") + `;
default: from the extension), to OUT as a native trace: csv or jsonl (--to; default:
from OUT's extension, .csv, .jsonl or .ndjson, with an optional .gz). OUT "-" is
standard output (csv unless --to says otherwise). fsc (OUT.fsc) is the trace
cache: a binary columnar copy that replays to the same tasks without parsing text
(workload.trace reads it like any trace; workflow tasks cannot be cached).

OUT is written under a temporary name and renamed when the whole input has been
read: a bad input row leaves no OUT at all, and the error names its file, line
and column. A native trace is sorted by arrival, so an input that is not (the
openb gpushare40 pod list) is an error naming the first line out of order; sort
it first. SWF jobs whose processors, run time or submit time are unknown are
skipped, and counted on standard error.`,
		Example: `  fleetsim trace convert openb_pod_list_default.csv pods.csv --from openb
  fleetsim trace convert KTH-SP2-1996-2.1-cln.swf kth.jsonl
  fleetsim trace convert jobs.csv jobs.fsc`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out := args[0], args[1]
			format, err := convertFormat(out, to)
			if err != nil {
				return err
			}
			src, closer, err := traces.Open(in, from)
			if err != nil {
				return err
			}
			defer closer.Close()

			var w io.Writer = cmd.OutOrStdout()
			var af *reports.AtomicFile
			var zw *gzip.Writer
			if out != "-" {
				if af, err = reports.CreateAtomic(out); err != nil {
					return err
				}
				defer af.Abort()
				w = af
				if strings.EqualFold(filepath.Ext(out), ".gz") {
					zw = gzip.NewWriter(af)
					w = zw
				}
			}
			cw := traces.NewCSVWriter(w)
			cw.Workflows = wfCols
			tw := taskWriter(cw)
			switch format {
			case "jsonl":
				tw = traces.NewJSONLWriter(w)
			case "fsc":
				tw = traces.NewCacheWriter(w)
			}
			n, err := convertTasks(cmd, src, tw)
			if errors.Is(err, errInterrupted) {
				done := "nothing written"
				if af == nil {
					done = "the output is incomplete"
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "fleetsim: interrupted after %d tasks; %s\n", n, done)
			}
			if err != nil {
				return err
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if zw != nil {
				if err := zw.Close(); err != nil {
					return err
				}
			}
			if af != nil {
				if err := af.Commit(); err != nil {
					return err
				}
			}
			if skipped, ok := skippedOf(src); ok && skipped > 0 {
				jobs := "jobs"
				if skipped == 1 {
					jobs = "job"
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "fleetsim: %s: skipped %d %s whose processors, run time or submit time are unknown (-1); converted %d\n", in, skipped, jobs, n)
			}
			if ts, ok := src.(interface{ HasTimes() bool }); ok && !ts.HasTimes() && n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "fleetsim: %s has no timestamps: every task arrives at 0 with duration 0\n", in)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "input format: "+strings.Join(traces.Formats(), ", ")+" (default: from the extension)")
	cmd.Flags().StringVar(&to, "to", "", "output format: csv, jsonl or fsc (default: from OUT's extension)")
	cmd.Flags().BoolVar(&wfCols, "workflows", false, "csv: also write the workflow and gang columns (workflow, parents, output_bytes, nodes; jsonl writes them where set)")
	return cmd
}

// convertFormat is the native format to write OUT in: --to, else OUT's
// extension (a .gz suffix aside); standard output defaults to csv.
func convertFormat(out, to string) (string, error) {
	switch strings.ToLower(to) {
	case "csv", "jsonl", "fsc":
		return strings.ToLower(to), nil
	case "":
	default:
		return "", fmt.Errorf("--to: unknown format %q (allowed: csv, jsonl, fsc)", to)
	}
	if out == "-" {
		return "csv", nil
	}
	name := out
	if strings.EqualFold(filepath.Ext(name), ".gz") {
		name = name[:len(name)-len(".gz")]
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv", nil
	case ".jsonl", ".ndjson":
		return "jsonl", nil
	case ".fsc":
		return "fsc", nil
	}
	return "", fmt.Errorf("cannot tell the output format of %s from its extension (.csv, .jsonl, .ndjson or .fsc); use --to csv, jsonl or fsc", out)
}

// convertTasks copies src to w and returns the number of tasks. A native
// trace is sorted by arrival: a task arriving before its predecessor is
// an error naming its line when the reader knows it.
func convertTasks(cmd *cobra.Command, src sim.Source, w taskWriter) (int64, error) {
	pos, _ := src.(traces.Positioner)
	var (
		t        sim.Task
		n        int64
		prev     sim.Time
		prevLine int
	)
	for ; ; n++ {
		if n&0xffff == 0 && cmd.Context().Err() != nil {
			return n, errInterrupted
		}
		err := src.Next(&t)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		line := 0
		if pos != nil {
			_, line = pos.Position()
		}
		if n > 0 && t.Arrival < prev {
			msg := fmt.Sprintf("arrival %s is earlier than the previous task's %s", traces.FormatSeconds(t.Arrival), traces.FormatSeconds(prev))
			if prevLine > 0 {
				msg += fmt.Sprintf(" (line %d)", prevLine)
			}
			msg += "; a native trace is sorted by arrival: sort the input first"
			if pos != nil {
				file, _ := pos.Position()
				return n, &traces.Error{File: file, Line: line, Msg: msg}
			}
			return n, fmt.Errorf("task %d (id %d): %s", n, t.ID, msg)
		}
		if err := w.Write(&t); err != nil {
			return n, err
		}
		prev, prevLine = t.Arrival, line
	}
}

// humanBytes writes a byte count in IEC units a person reads at a glance,
// the exact count after it: "289.5 TiB (318291271745536 bytes)".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	v, i := float64(n), -1
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB (%d bytes)", v, "KMGTPE"[i], n)
}
