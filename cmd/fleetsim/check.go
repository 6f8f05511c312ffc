package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// errRegression reports a check that found a regression; the table says
// which (exit code 1).
var errRegression = errors.New("regression")

// Formats of check's output.
const (
	checkTable = "table"
	checkJSON  = "json"
	checkBench = "bench"
)

func newCheckCmd() *cobra.Command {
	var (
		sf         scenarioFlags
		baseline   string
		current    string
		scen       string
		tolerances []string
		metrics    []string
		all        bool
		format     string
		seeds      int
	)
	cmd := &cobra.Command{
		Use:   "check --baseline BASE.json (--current CUR.json | --scenario F)",
		Short: "Compare results against a baseline with per-metric tolerances; exit 1 on a regression",
		Long: `check compares current results with a baseline, strategy by strategy and metric
by metric (means over seeds). A metric regresses when it moves in its bad
direction (latency up, throughput down, …) by more than its tolerance;
docs/check.md lists the defaults. The table shows what moved; the exit code
is 1 on a regression, 0 otherwise, 2 on bad input.

Results are files fleetsim writes: summary.json (--out), run --json or
compare --format json. With --scenario the current results come from
running that scenario's strategies now, with the baseline's seeds.

--format bench prints the current results as Go benchmark lines (one per
run) for benchstat; the check still decides the exit code.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if baseline == "" {
				return errors.New("check needs --baseline FILE")
			}
			if (current == "") == (scen == "") {
				return errors.New("check needs one of --current FILE or --scenario F")
			}
			switch format {
			case checkTable, checkJSON, checkBench:
			default:
				return fmt.Errorf("--format: expected table, json or bench, got %q", format)
			}
			opt := reports.CheckOptions{Tolerances: map[string]reports.Tolerance{}, Metrics: metrics}
			for _, t := range tolerances {
				name, tol, err := reports.ParseTolerance(t)
				if err != nil {
					return fmt.Errorf("--tolerance: %w", err)
				}
				opt.Tolerances[name] = tol
			}
			base, baseSum, err := reports.ReadResults(baseline)
			if err != nil {
				return fmt.Errorf("--baseline: %w", err)
			}
			var cur []sim.Result
			if current != "" {
				if cur, _, err = reports.ReadResults(current); err != nil {
					return fmt.Errorf("--current: %w", err)
				}
			} else {
				if cur, err = runForCheck(cmd, &sf, scen, base, baseSum, seeds); err != nil {
					return err
				}
			}
			rep, err := reports.Check(base, cur, opt)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			switch format {
			case checkBench:
				err = reports.WriteBench(w, cur)
			case checkJSON:
				err = reports.WriteJSON(w, rep)
			default:
				err = reports.WriteCheckTable(w, rep, all)
			}
			if err != nil {
				return err
			}
			if rep.Failed() {
				if format == checkBench {
					fmt.Fprintln(cmd.ErrOrStderr(), "fleetsim check: "+rep.Summary())
				}
				return errRegression
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&baseline, "baseline", "", "baseline results (summary.json, run --json or compare --format json)")
	cmd.Flags().StringVar(&current, "current", "", "current results to check, in the same forms")
	cmd.Flags().StringVar(&scen, "scenario", "", "run this scenario (file or embedded name) for the current results")
	cmd.Flags().StringArrayVar(&tolerances, "tolerance", nil, "NAME=10% (relative) or NAME=0.5 (absolute); NAME may end in * (repeatable)")
	cmd.Flags().StringSliceVar(&metrics, "metrics", nil, "check only these metrics (names or NAME* wildcards)")
	cmd.Flags().BoolVar(&all, "all", false, "list every metric, not only those that moved")
	cmd.Flags().StringVarP(&format, "format", "f", checkTable, "output: table, json (the whole report) or bench (Go benchmark lines for benchstat)")
	cmd.Flags().IntVar(&seeds, "seeds", 0, "with --scenario: seeds per strategy (default: the baseline's seeds, else 1)")
	return cmd
}

// runForCheck runs scen's strategies that the baseline has, with the
// baseline's seeds (or n seeds from the scenario's).
func runForCheck(cmd *cobra.Command, sf *scenarioFlags, scen string, base []sim.Result, baseSum *reports.Summary, n int) ([]sim.Result, error) {
	sc, err := sf.load(cmd, []string{scen})
	if err != nil {
		return nil, err
	}
	var seeds []uint64
	switch {
	case n > 0:
		seeds = seedList(sc.Seed, n)
	case baseSum != nil && len(baseSum.Scenario.Seeds) > 0:
		seeds = baseSum.Scenario.Seeds
	default:
		for _, r := range base {
			if !slices.Contains(seeds, r.Seed) {
				seeds = append(seeds, r.Seed)
			}
		}
	}
	var names []string
	for _, r := range base {
		if !slices.Contains(names, r.Strategy) {
			names = append(names, r.Strategy)
		}
	}
	specs, err := pickStrategies(sc, names)
	if err != nil {
		return nil, fmt.Errorf("--scenario %s: %w", scen, err)
	}
	return runJobs(cmd.Context(), makeJobs(sc, specs, seeds), cmd.ErrOrStderr())
}
