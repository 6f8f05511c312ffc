package main

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
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
compare --format json (runs, or with --seeds N the per-strategy
aggregates). With --scenario the current results come from running that
scenario's strategies now, with the baseline's seeds.

check refuses (exit 2, saying why) results that are not of the same runs:
another scenario, another stop condition, or more than 10 % more or fewer
tasks arrived; and a metric of the baseline missing from the current
results. Different seeds are noted below the table.

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
			base, err := reports.ReadCheckInput(baseline)
			if err != nil {
				return fmt.Errorf("--baseline: %w", err)
			}
			var cur *reports.CheckInput
			if current != "" {
				if cur, err = reports.ReadCheckInput(current); err != nil {
					return fmt.Errorf("--current: %w", err)
				}
				if err := reports.Comparable(base, cur); err != nil {
					return fmt.Errorf("check: %s and %s are not results of the same runs: %w", baseline, current, err)
				}
			} else {
				if cur, err = runForCheck(cmd, &sf, scen, base, seeds); err != nil {
					return err
				}
				if err := reports.Comparable(base, cur); err != nil {
					return fmt.Errorf("check: %s and --scenario %s are not the same runs: %w", baseline, scen, err)
				}
			}
			rep, err := reports.CheckInputs(base, cur, opt)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			switch format {
			case checkBench:
				err = reports.WriteBench(w, cur.Results)
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
// baseline's seeds (or n seeds from the scenario's). It refuses, before
// running, a scenario other than the baseline's or another stop condition
// (a baseline made with --tasks N needs --tasks N here too).
func runForCheck(cmd *cobra.Command, sf *scenarioFlags, scen string, base *reports.CheckInput, n int) (*reports.CheckInput, error) {
	sc, err := sf.load(cmd, []string{scen})
	if err != nil {
		return nil, err
	}
	for _, r := range base.Results {
		if r.Scenario != "" && r.Scenario != sc.Name {
			return nil, fmt.Errorf("check: the baseline is of scenario %s, --scenario %s is %s", r.Scenario, scen, sc.Name)
		}
	}
	if base.Summary != nil && base.Summary.Scenario.Stop != "" && base.Summary.Scenario.Stop != sc.Stop.String() {
		return nil, fmt.Errorf("check: the baseline stopped at %s, --scenario %s stops at %s (give the baseline's --tasks or --time)", base.Summary.Scenario.Stop, scen, sc.Stop)
	}
	// A task-stopped scenario admits Stop.Tasks tasks, warm-up included:
	// a baseline that saw far more or fewer was run with another --tasks.
	if sc.Stop.Tasks > 0 {
		for _, r := range base.Results {
			total := float64(r.Tasks.Arrived + r.Tasks.Warmup)
			if want := float64(sc.Stop.Tasks); total > 0 && math.Abs(total-want) > 0.1*want {
				return nil, fmt.Errorf("check: %d tasks arrived in the baseline's %s run (warm-up included), --scenario %s stops at %s (give the baseline's --tasks)", int64(total), r.Strategy, scen, sc.Stop)
			}
		}
	}
	var seeds []uint64
	switch {
	case n > 0:
		seeds = seedList(sc.Seed, n)
	case base.Summary != nil && len(base.Summary.Scenario.Seeds) > 0:
		seeds = base.Summary.Scenario.Seeds
	default:
		for _, r := range base.Results {
			if !slices.Contains(seeds, r.Seed) {
				seeds = append(seeds, r.Seed)
			}
		}
		if len(seeds) == 0 { // aggregates: as many seeds as their runs, from the scenario's
			k := 1
			for _, a := range base.Aggregates {
				k = max(k, a.N)
			}
			seeds = seedList(sc.Seed, k)
		}
	}
	var names []string
	for _, r := range base.Results {
		if !slices.Contains(names, r.Strategy) {
			names = append(names, r.Strategy)
		}
	}
	for _, a := range base.Aggregates {
		if !slices.Contains(names, a.Strategy) {
			names = append(names, a.Strategy)
		}
	}
	specs, err := pickStrategies(sc, names)
	if err != nil {
		return nil, fmt.Errorf("--scenario %s: %w", scen, err)
	}
	rs, err := runJobs(cmd.Context(), makeJobs(sc, specs, seeds), cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	return &reports.CheckInput{Results: rs}, nil
}
