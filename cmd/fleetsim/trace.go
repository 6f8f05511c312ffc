package main

import (
	"fmt"
	"io"

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
	cmd.AddCommand(newTraceGenCmd(), newTraceStatsCmd())
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
	)
	cmd := &cobra.Command{
		Use:   "gen [SCENARIO]",
		Short: "Write a native trace drawn from a scenario's synthetic workload",
		Long: `gen draws tasks from the workload of a scenario (file or embedded name;
default: ` + defaultScenario + `) with the scenario's seed (or --seed) and writes them as
a native trace (csv or jsonl) to --output, or to standard output.`,
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
			src, closer, err := sc.Source(sc.Seed)
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
			if format == "" {
				format = "csv"
				if strings.HasSuffix(output, ".jsonl") || strings.HasSuffix(output, ".ndjson") {
					format = "jsonl"
				}
			}
			var w taskWriter
			switch format {
			case "csv":
				w = traces.NewCSVWriter(out)
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
					return err
				}
				if err := w.Write(&t); err != nil {
					return err
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if af != nil {
				return af.Commit()
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().Int64VarP(&n, "n", "n", 1000, "number of tasks")
	cmd.Flags().StringVarP(&output, "output", "o", "", "output file (default: standard output)")
	cmd.Flags().StringVar(&format, "format", "", "csv or jsonl (default: from the output's extension, else csv)")
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
		Short: "Summarise a trace: count, rate, interarrival and duration mean and CV",
		Args:  cobra.ExactArgs(1),
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
			if asJSON {
				return reports.WriteJSON(cmd.OutOrStdout(), statsJSON(st))
			}
			f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
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
				{"memory total (bytes)", strconv.FormatInt(st.MemoryTotal, 10)},
				{"gpus total", strconv.FormatInt(st.GPUsTotal, 10)},
				{"gpu share total (GPUs)", f(float64(st.GPUMilliTotal) / 1000)},
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
	return map[string]any{
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
	}
}
