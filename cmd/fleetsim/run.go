package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// defaultScenario is what run and compare use when given no scenario.
const defaultScenario = "default"

// companionScenario is the default's companion for the orchestration
// layer, named in compare's help.
const companionScenario = "orchestration"

// scenarioFlags are the overrides run and compare share.
type scenarioFlags struct {
	seed  uint64
	tasks int64
}

func (f *scenarioFlags) add(cmd *cobra.Command) {
	cmd.Flags().Uint64Var(&f.seed, "seed", 0, "override the scenario's seed")
	cmd.Flags().Int64Var(&f.tasks, "tasks", 0, "override the scenario's stop: arrivals stop after this many tasks")
}

// load resolves the scenario argument (a file path or an embedded name) and
// applies the overrides.
func (f *scenarioFlags) load(cmd *cobra.Command, args []string) (*scenario.Scenario, error) {
	name := defaultScenario
	if len(args) > 0 {
		name = args[0]
	}
	sc, err := scenario.Resolve(name)
	if err != nil {
		return nil, err
	}
	return sc, f.apply(cmd, sc)
}

// apply applies the overrides given on the command line to sc.
func (f *scenarioFlags) apply(cmd *cobra.Command, sc *scenario.Scenario) error {
	if cmd.Flags().Changed("seed") {
		sc.Seed = f.seed
	}
	if cmd.Flags().Changed("tasks") {
		if f.tasks < 1 {
			return fmt.Errorf("--tasks: expected an integer >= 1, got %d", f.tasks)
		}
		sc.Stop = scenario.Limit{Tasks: f.tasks}
		if sc.Warmup.Tasks >= f.tasks {
			sc.Warmup = scenario.Limit{Tasks: f.tasks / 10}
		}
	}
	return nil
}

// pickStrategies selects the scenario's strategies named in list (all when
// list is empty). A name the scenario lacks but the registry knows runs with
// default parameters.
func pickStrategies(sc *scenario.Scenario, list []string) ([]scenario.StrategySpec, error) {
	if len(list) == 0 {
		return sc.Strategies, nil
	}
	var out []scenario.StrategySpec
	for _, name := range joinBraces(list) {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range sc.Strategies {
			if s.Name == name || s.String() == name {
				out = append(out, s)
				found = true
				break
			}
		}
		if found {
			continue
		}
		if spec, ok, err := scenario.ParseExternal(name); ok {
			if err != nil {
				return nil, fmt.Errorf("-s %s: %w", name, err)
			}
			out = append(out, spec)
			continue
		}
		// A name, or a label with parameters as results print it:
		// power-of-d{d=3}.
		var spec scenario.StrategySpec
		if strings.ContainsAny(name, "{/") {
			var err error
			if spec, err = scenario.ParseStrategy(name); err != nil {
				return nil, err
			}
		} else {
			if _, ok := strategies.Lookup(name); !ok {
				return nil, fmt.Errorf("unknown strategy %q (known: %s)", name, strings.Join(strategies.Names(), ", "))
			}
			spec = scenario.StrategySpec{Name: name}
		}
		if err := sc.CheckKind(spec); err != nil {
			return nil, err
		}
		out = append(out, spec)
	}
	return out, nil
}

// joinBraces rejoins the pieces a comma-separated flag split inside
// braces or brackets: "power-of-d{d=3", "x=1}" is one strategy.
func joinBraces(list []string) []string {
	var out []string
	depth := 0
	for _, s := range list {
		if depth > 0 {
			out[len(out)-1] += "," + s
		} else {
			out = append(out, s)
		}
		depth += strings.Count(s, "{") + strings.Count(s, "[") - strings.Count(s, "}") - strings.Count(s, "]")
	}
	return out
}

func newRunCmd() *cobra.Command {
	var (
		sf       scenarioFlags
		of       outputFlags
		strategy string
		asJSON   bool
		format   string
		perNode  bool
		records  string
	)
	cmd := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run one strategy of a scenario (file or embedded name; default: " + defaultScenario + ")",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := of.check(); err != nil {
				return err
			}
			if asJSON {
				format = reports.FormatJSON
			}
			if !slices.Contains(reports.Formats, format) {
				return fmt.Errorf("--format: unknown format %q (allowed: %s)", format, strings.Join(reports.Formats, ", "))
			}
			if records != "" && (of.seeds > 1 || of.records) {
				return fmt.Errorf("--records takes one run's records; with --seeds or --out-records use --out DIR --out-records alone")
			}
			sc, err := sf.load(cmd, args)
			if err != nil {
				return err
			}
			var list []string
			if strategy != "" {
				list = []string{strategy}
			}
			specs, err := pickStrategies(sc, list)
			if err != nil {
				return err
			}
			jobs := makeJobs(sc, specs[:1], seedList(sc.Seed, of.seeds))
			var out *reports.AtomicFile
			var rw *reports.RecordWriter
			if records != "" {
				if out, err = reports.CreateAtomic(records); err != nil {
					return err
				}
				defer out.Abort() // removes the partial file unless committed
				rw = reports.NewRecordWriter(out, sc.EngineNodes())
				jobs[0].opt.OnRecord = func(r *sim.Record) { rw.Write(r) }
			}
			results, err := execute(cmd, sc, jobs, &of)
			if err != nil {
				return err
			}
			if rw != nil {
				if err := rw.Flush(); err != nil {
					return fmt.Errorf("--records %s: %w", records, err)
				}
				if err := out.Commit(); err != nil {
					return fmt.Errorf("--records %s: %w", records, err)
				}
				wrote(cmd, records)
			}
			if of.out != "" {
				wroteFolder(cmd, of.out)
			}
			if !perNode {
				for i := range results {
					results[i].Nodes = nil
				}
			}
			w := cmd.OutOrStdout()
			switch {
			case format == reports.FormatJSON && len(results) == 1:
				return reports.WriteJSON(w, results[0])
			case format == reports.FormatJSON:
				return reports.WriteSummary(w, summaryOf(sc, seedList(sc.Seed, of.seeds), results))
			}
			if format == reports.FormatTable || format == reports.FormatMarkdown {
				printHeader(w, sc, of.seeds)
			}
			if of.seeds > 1 {
				return reports.WriteReplicated(w, results, format)
			}
			return reports.WriteComparison(w, results, format)
		},
	}
	sf.add(cmd)
	of.add(cmd)
	cmd.Flags().StringVarP(&strategy, "strategy", "s", "", "strategy to run (default: the scenario's first)")
	cmd.Flags().StringVarP(&format, "format", "f", reports.FormatTable, "output format: "+strings.Join(reports.Formats, ", ")+" (json: one JSON object; with --seeds, the summary)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the same as --format json")
	cmd.Flags().BoolVar(&perNode, "per-node", false, "include per-node figures in the JSON")
	cmd.Flags().StringVar(&records, "records", "", "stream per-task records to this CSV file")
	return cmd
}

func newCompareCmd() *cobra.Command {
	var (
		sf       scenarioFlags
		of       outputFlags
		list     []string
		format   string
		plotFile string
		report   string
		perNode  bool
	)
	cmd := &cobra.Command{
		Use:   "compare [SCENARIO]",
		Short: "Run every strategy of a scenario side by side (default scenario: " + defaultScenario + ")",
		Long: `Run every strategy of a scenario side by side (default scenario: ` + defaultScenario + `).

With no SCENARIO, compare runs the embedded "` + defaultScenario + `": the load balancers on
heterogeneous servers in three regions. Its companion for the orchestration layer is "` + companionScenario + `"
(fleetsim compare ` + companionScenario + `): Services on pods the Kubernetes scheduler places,
under the control loops (HPA, rolling update, machine failure, zone outage), spread against
pack placement, each with three balancers.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(reports.Formats, format) {
				return fmt.Errorf("--format: unknown format %q (allowed: %s)", format, strings.Join(reports.Formats, ", "))
			}
			if err := of.check(); err != nil {
				return err
			}
			if plotFile != "" {
				if _, err := reports.PlotFormat(plotFile); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
			}
			if report != "" && !strings.HasSuffix(strings.ToLower(report), ".html") {
				return fmt.Errorf("--report: expected a file name ending in .html, got %q", report)
			}
			// Destinations are checked before any run: a run of an hour
			// must not end in "permission denied".
			for _, d := range []struct{ flag, path string }{{"--plot", plotFile}, {"--report", report}} {
				if d.path != "" {
					if err := reports.CheckWritable(d.path); err != nil {
						return fmt.Errorf("%s: %w", d.flag, err)
					}
				}
			}
			sc, err := sf.load(cmd, args)
			if err != nil {
				return err
			}
			specs, err := pickStrategies(sc, list)
			if err != nil {
				return err
			}
			if report != "" && of.out == "" {
				// The report reads an output folder: a temporary one.
				tmp, err := os.MkdirTemp("", "fleetsim-report-*")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				of.out, of.noPlots = tmp, true
			}
			jobs := makeJobs(sc, specs, seedList(sc.Seed, of.seeds))
			results, err := execute(cmd, sc, jobs, &of)
			if err != nil {
				return err
			}
			if report == "" && of.out != "" {
				wroteFolder(cmd, of.out)
			}
			if plotFile != "" {
				if err := writeCurvePlot(plotFile, sc, results); err != nil {
					return err
				}
				wrote(cmd, plotFile)
			}
			if report != "" {
				if err := writeReport(of.out, report); err != nil {
					return err
				}
				wrote(cmd, report)
			}
			w := cmd.OutOrStdout()
			if format == reports.FormatTable || format == reports.FormatMarkdown {
				printHeader(w, sc, of.seeds)
			}
			for i := range results {
				results[i].LatencyCDF, results[i].RequestCDFs = nil, nil
			}
			if perNode {
				return reports.WritePerNode(w, results, format)
			}
			if of.seeds > 1 {
				return reports.WriteReplicated(w, results, format)
			}
			return reports.WriteComparison(w, results, format)
		},
	}
	sf.add(cmd)
	of.add(cmd)
	cmd.Flags().StringVar(&plotFile, "plot", "", "write the GPU allocation ratio against arrived GPU request (inflation scenarios) to this .svg or .png file")
	cmd.Flags().StringVar(&report, "report", "", "write a self-contained HTML report to this .html file")
	cmd.Flags().BoolVar(&perNode, "per-node", false, "print how each strategy split the tasks over the nodes (tasks completed per node), with p50 and p99")
	cmd.Flags().StringSliceVar(&list, "strategies", nil, "comma-separated strategies to run (default: the scenario's)")
	cmd.Flags().StringVarP(&format, "format", "f", reports.FormatTable, "output format: "+strings.Join(reports.Formats, ", "))
	return cmd
}

// makeJobs is one run per strategy and seed, strategies in order, seeds
// ascending within each.
func makeJobs(sc *scenario.Scenario, specs []scenario.StrategySpec, seeds []uint64) []job {
	jobs := make([]job, 0, len(specs)*len(seeds))
	for _, s := range specs {
		for _, seed := range seeds {
			jobs = append(jobs, job{sc: sc, spec: s, seed: seed})
		}
	}
	return jobs
}

// execute runs jobs in parallel and, with --out, writes the output folder.
func execute(cmd *cobra.Command, sc *scenario.Scenario, jobs []job, of *outputFlags) ([]sim.Result, error) {
	if err := checkRuns(sc, len(jobs), "--seeds or --strategies"); err != nil {
		return nil, err
	}
	var b *bundle
	if of.out != "" {
		var err error
		if b, err = newBundle(of.out, jobs, of); err != nil {
			return nil, err
		}
		defer b.abort()
	}
	results, err := runJobs(cmd.Context(), jobs, cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if err := measureDecisions(sc, jobs, results); err != nil {
		return nil, err
	}
	if b == nil {
		return results, nil
	}
	if err := b.commit(summaryOf(sc, seedList(sc.Seed, of.seeds), results)); err != nil {
		return nil, err
	}
	if !of.noPlots {
		if err := writePlots(b.dir); err != nil {
			return nil, err
		}
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return results, nil
}

// printHeader says what was run, above a table.
func printHeader(w io.Writer, sc *scenario.Scenario, seeds int) {
	if seeds > 1 {
		fmt.Fprintf(w, "scenario %s: %d nodes, stop %s, warm-up %s, seeds %d..%d (mean ± 95%% CI, Student t)\n", sc.Name, sc.NodeCount(), sc.Stop, sc.Warmup, sc.Seed, sc.Seed+uint64(seeds)-1)
	} else {
		fmt.Fprintf(w, "scenario %s: %d nodes, stop %s, warm-up %s, seed %d\n", sc.Name, sc.NodeCount(), sc.Stop, sc.Warmup, sc.Seed)
	}
	if load := offeredLoad(sc); load != "" {
		fmt.Fprintf(w, "%s\n", reports.WrapLine(load, reports.TableWidth))
	}
	if sc.Description != "" {
		fmt.Fprintf(w, "%s\n", reports.WrapLine(sc.Description, reports.TableWidth))
	}
	if sum := sc.Summary(); sum != "" {
		fmt.Fprintf(w, "%s\n", reports.WrapLine(sum, reports.TableWidth))
	}
}

// decisions is how many decisions measureDecisions times per strategy.
const decisions = 200_000

// measureDecisions fills the decision cost of the strategy table
// (strategies.MeasureDecision) into results of a scenario with dynamics
// (faults, retries or health checks), once per strategy entry.
func measureDecisions(sc *scenario.Scenario, jobs []job, results []sim.Result) error {
	if len(results) == 0 || results[0].Faults == nil {
		return nil
	}
	nodes := sc.Nodes()
	type cost struct{ ns, bytes float64 }
	done := map[string]cost{}
	for i, j := range jobs {
		if j.spec.Name == scenario.ExternalName {
			continue // a process: not timed in-process (docs/external.md has its cost)
		}
		key := j.spec.String()
		c, ok := done[key]
		if !ok {
			info, _ := strategies.Lookup(j.spec.Name)
			ns, b, err := strategies.MeasureDecision(info, j.spec.Args, nodes, decisions)
			if err != nil {
				return fmt.Errorf("measuring %s: %w", key, err)
			}
			c = cost{ns, b}
			done[key] = c
		}
		results[i].Engine.DecisionNs, results[i].Engine.StateBytesPerNode = &c.ns, &c.bytes
	}
	return nil
}

// writeCurvePlot draws the allocation curves of results to path, atomically.
func writeCurvePlot(path string, sc *scenario.Scenario, results []sim.Result) error {
	format, err := reports.PlotFormat(path)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	p, err := reports.AllocationCurvePlot(results, fmt.Sprintf("%s (seed %d)", sc.Name, sc.Seed))
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	f, err := reports.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := reports.WritePlot(f, p, format, reports.PlotWidth, reports.PlotHeight); err != nil {
		f.Abort()
		return fmt.Errorf("--plot: %w", err)
	}
	return f.Commit()
}

// wrote says on stderr that a file was written (stdout stays the table or
// JSON, for pipes).
func wrote(cmd *cobra.Command, path string) {
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
}

// wroteFolder says which files an output folder got: its top-level files,
// and the number of plots.
func wroteFolder(cmd *cobra.Command, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	line := fmt.Sprintf("wrote %s: %s", dir, strings.Join(files, ", "))
	if plots, err := os.ReadDir(filepath.Join(dir, plotsDir)); err == nil && len(plots) > 0 {
		line += fmt.Sprintf(", %s/ (%d files)", plotsDir, len(plots))
	}
	fmt.Fprintln(cmd.ErrOrStderr(), line)
}

// offeredLoad says how much work arrives against how much the cluster can
// serve, for a synthetic load-balancing workload whose mean rate and mean
// work per task the scenario gives: λ·E[S] against Σ slots × speed (less
// background load). It is empty where they are not known up front (a
// trace, token-derived service, central queueing).
func offeredLoad(sc *scenario.Scenario) string {
	w := sc.Workload
	if sc.Cluster.Queueing == scenario.QueueingCentral || w.Trace != nil || w.Arrivals == nil || w.Service == nil || w.Tokens != nil || w.Service.Mean <= 0 {
		return ""
	}
	a := w.Arrivals
	rate := a.Rate
	if a.Process == scenario.ArrivalsBursty {
		h0, h1 := a.Hold[0].Seconds(), a.Hold[1].Seconds()
		if h0+h1 <= 0 {
			return ""
		}
		rate = (float64(a.Rates[0]*h0) + float64(a.Rates[1]*h1)) / (h0 + h1)
	}
	capacity := 0.0
	for _, n := range sc.Nodes() {
		capacity += float64(float64(n.Slots) * n.Speed * (1 - n.Background))
	}
	if rate <= 0 || capacity <= 0 {
		return ""
	}
	work := rate * w.Service.Mean.Seconds()
	return fmt.Sprintf("offered load %.3g tasks/s × %s mean work = %.3g s of work per s; capacity %.3g (slots × speed of all %d nodes); ρ = %.2f",
		rate, w.Service.Mean, work, capacity, len(sc.Nodes()), work/capacity)
}
