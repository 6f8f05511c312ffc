package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// Files of a sweep folder; docs/sweep.md documents them.
const (
	sweepFile     = "sweep.csv"
	sweepManifest = "sweep.json"
	// sweepCommand holds the command line that wrote the folder (a sweep,
	// a shard, or the merge of shards), for reports. It is not part of
	// sweep.json, which a merge must reproduce byte for byte.
	sweepCommand = "command.txt"
)

// sweepPartialFile holds the finished runs of an interrupted sweep.
const sweepPartialFile = "sweep.partial.csv"

// savePartialSweep keeps what an interrupted sweep finished: the rows of
// the finished runs go to OUT/sweep.partial.csv (sweep.csv's columns, in
// run order), not sweep.csv, which merge and report take for a whole
// sweep; one line says how many ran.
func savePartialSweep(cmd *cobra.Command, od *reports.OutDir, pl *sweepPlan, runs []sweepRun, results []sim.Result, done []bool) error {
	var rows [][]string
	for k := range runs {
		if !done[k] {
			continue
		}
		row, err := pl.row(runs[k], &results[k])
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	stderr := cmd.ErrOrStderr()
	if len(rows) == 0 {
		fmt.Fprintf(stderr, "fleetsim: interrupted before any of %d runs finished; nothing written\n", len(runs))
		return errInterrupted
	}
	// Written as a whole folder like any result (reports.OutDir): the
	// partial rows and the command, nothing of an earlier sweep there.
	err := writeAtomic(filepath.Join(od.Path(), sweepPartialFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(pl.header())
		cw.WriteAll(rows)
		return cw.Error()
	})
	if err == nil {
		err = writeSweepCommand(od.Path())
	}
	if err == nil {
		err = od.Commit()
	}
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	path := filepath.Join(od.Dir(), sweepPartialFile)
	fmt.Fprintf(stderr, "fleetsim: interrupted after %d of %d runs finished; wrote them to %s\n", len(rows), len(runs), path)
	return errInterrupted
}

// writeSweepCommand records the command line in DIR/command.txt.
func writeSweepCommand(dir string) error {
	return writeAtomic(filepath.Join(dir, sweepCommand), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, commandLine())
		return err
	})
}

// sweepParam is one --set: a scenario path and the values it takes.
type sweepParam struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// manifest is sweep.json: what a sweep (or a shard of one) ran. Shards of
// the same sweep have equal manifests but for Shard; merge checks it.
type manifest struct {
	Fleetsim string `json:"fleetsim"`
	Scenario string `json:"scenario"`
	// Stop and Warmup are the first point's, after --tasks.
	Stop       string       `json:"stop"`
	Warmup     string       `json:"warmup"`
	Params     []sweepParam `json:"params"`
	Strategies []string     `json:"strategies"`
	Seeds      []uint64     `json:"seeds"`
	Points     int          `json:"points"`
	Runs       int          `json:"runs"`
	// Shard is "i/n" for a shard's folder, empty for a whole sweep.
	Shard string `json:"shard,omitempty"`
	// SHA256 is the hash of sweep.csv, which merge checks for each shard.
	SHA256 string `json:"sha256,omitempty"`
}

// sweepRun is one run of a sweep: a point (one value per parameter), a
// strategy and a seed, numbered in the order of the full sweep.
type sweepRun struct {
	index int
	point int
	spec  scenario.StrategySpec
	seed  uint64
}

// shard is --shard i/n: the runs whose index is i modulo n.
type shard struct{ i, n int }

func parseShard(s string) (shard, error) {
	if s == "" {
		return shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shard{}, fmt.Errorf("--shard: expected i/n with 0 <= i < n, like 0/4, got %q", s)
	}
	return shard{i, n}, nil
}

func (s shard) String() string {
	if s.n == 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

// points is the cross product of the parameters' values, the first
// parameter varying slowest: point p's value of parameter k.
func points(params []sweepParam) [][]string {
	out := [][]string{nil}
	for _, p := range params {
		var next [][]string
		for _, prefix := range out {
			for _, v := range p.Values {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		out = next
	}
	return out
}

// sweepPlan is a loaded sweep: a scenario per point, and the runs.
type sweepPlan struct {
	m      manifest
	points [][]string
	scs    []*scenario.Scenario
	runs   []sweepRun
	names  []string   // metric columns of sweep.csv
	shape  sim.Result // the optional blocks every row has
}

// planSweep loads one scenario per point and lists the runs, strategies
// in order within a point, seeds ascending within a strategy.
func planSweep(name string, params []sweepParam, strategyList []string, nSeeds int, sf *scenarioFlags, cmd *cobra.Command) (*sweepPlan, error) {
	pl := &sweepPlan{points: points(params)}
	for _, pt := range pl.points {
		sets := make([]scenario.Set, len(params))
		for k, p := range params {
			sets[k] = scenario.Set{Path: p.Path, Value: pt[k]}
		}
		sc, err := scenario.ResolveWith(name, sets)
		if err != nil {
			return nil, err
		}
		if err := sf.apply(cmd, sc); err != nil {
			return nil, err
		}
		pl.scs = append(pl.scs, sc)
	}
	first := pl.scs[0]
	specs, err := pickStrategies(first, strategyList)
	if err != nil {
		return nil, err
	}
	seeds := seedList(first.Seed, nSeeds)
	for p, sc := range pl.scs {
		if sc.Cluster.Queueing != first.Cluster.Queueing {
			return nil, fmt.Errorf("--set: point %d changes cluster.queueing from %s to %s; a sweep keeps one queueing model", p, first.Cluster.Queueing, sc.Cluster.Queueing)
		}
		for _, s := range specs {
			for _, seed := range seeds {
				pl.runs = append(pl.runs, sweepRun{index: len(pl.runs), point: p, spec: s, seed: seed})
			}
		}
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.String()
	}
	pl.m = manifest{Fleetsim: fullVersion(), Scenario: first.File, Stop: first.Stop.String(), Warmup: first.Warmup.String(),
		Params: params, Strategies: names,
		Seeds: seeds, Points: len(pl.points), Runs: len(pl.runs)}
	// Every optional block is a column, zero in runs without it, so
	// points that differ (a --set adding faults) share one header.
	shape := sim.Result{TTFT: &sim.Quantiles{}, Faults: &sim.FaultResult{}, Cost: &sim.CostResult{}, Scaling: &sim.ScalingResult{}}
	if first.Cluster.Queueing == scenario.QueueingCentral {
		shape = sim.Result{Placement: &sim.PlacementResult{}}
	}
	pl.shape = shape
	for _, m := range reports.Flatten(&shape) {
		pl.names = append(pl.names, m.Name)
	}
	return pl, nil
}

// header is sweep.csv's first row.
func (pl *sweepPlan) header() []string {
	h := []string{"run", "point"}
	for _, p := range pl.m.Params {
		h = append(h, p.Path)
	}
	h = append(h, "strategy", "seed")
	return append(h, pl.names...)
}

// row is sweep.csv's row for run r with result res.
func (pl *sweepPlan) row(r sweepRun, res *sim.Result) ([]string, error) {
	row := []string{strconv.Itoa(r.index), strconv.Itoa(r.point)}
	row = append(row, pl.points[r.point]...)
	row = append(row, r.spec.String(), strconv.FormatUint(r.seed, 10))
	full := *res
	if full.TTFT == nil {
		full.TTFT = pl.shape.TTFT
	}
	if full.Faults == nil {
		full.Faults = pl.shape.Faults
	}
	if full.Cost == nil {
		full.Cost = pl.shape.Cost
	}
	if full.Scaling == nil {
		full.Scaling = pl.shape.Scaling
	}
	ms := reports.Flatten(&full)
	if len(ms) != len(pl.names) {
		return nil, fmt.Errorf("run %d (point %d, %s, seed %d): its result has %d figures where the sweep expects %d", r.index, r.point, r.spec, r.seed, len(ms), len(pl.names))
	}
	for k, m := range ms {
		if m.Name != pl.names[k] {
			return nil, fmt.Errorf("run %d: figure %d is %s where the sweep expects %s", r.index, k, m.Name, pl.names[k])
		}
		row = append(row, strconv.FormatFloat(m.Value, 'g', -1, 64))
	}
	return row, nil
}

func newSweepCmd() *cobra.Command {
	var (
		sf        scenarioFlags
		sets      []string
		seeds     int
		list      []string
		shardFlag string
		out       string
		noPlots   bool
	)
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --set PATH=V1,V2,… [--set …]",
		Short: "Run a scenario over the cross product of parameter values, in parallel (sharded with --shard i/n)",
		Long: `sweep runs every strategy of SCENARIO at every point of the cross product of
the --set values (the first --set varies slowest), each with --seeds seeds,
one run per core, and writes OUT/sweep.csv (one row per run), OUT/sweep.json
(what ran) and plots of latency against the first parameter.

--shard i/n runs only the runs whose number is i modulo n, so n machines
(a Kubernetes Indexed Job, a Slurm array) share a sweep; fleetsim merge
joins their folders into exactly the file one machine would have written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(sets) == 0 {
				return errors.New("sweep needs at least one --set PATH=V1,V2,…")
			}
			if seeds < 1 {
				return fmt.Errorf("--seeds: expected an integer >= 1, got %d", seeds)
			}
			sh, err := parseShard(shardFlag)
			if err != nil {
				return err
			}
			var params []sweepParam
			for _, s := range sets {
				path, values, err := scenario.ParseSetFlag(s)
				if err != nil {
					return err
				}
				for _, p := range params {
					if p.Path == path {
						return fmt.Errorf("--set %s: the path is set twice", path)
					}
				}
				params = append(params, sweepParam{Path: path, Values: values})
			}
			if err := checkSweepSize(params, seeds, sh); err != nil {
				return err
			}
			pl, err := planSweep(args[0], params, list, seeds, &sf, cmd)
			if err != nil {
				return err
			}
			if err := checkRuns(pl.scs[0], len(pl.runs)/max(sh.n, 1)+1, "--seeds, the --set values or the strategies"); err != nil {
				return err
			}
			od, err := reports.CreateOutDir(out)
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			defer od.Abort()
			var jobs []job
			var runs []sweepRun
			for _, r := range pl.runs {
				if r.index%sh.n == sh.i {
					runs = append(runs, r)
					jobs = append(jobs, job{sc: pl.scs[r.point], spec: r.spec, seed: r.seed})
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "sweep: %d points × %d strategies × %d seeds = %d runs", pl.m.Points, len(pl.m.Strategies), seeds, pl.m.Runs)
			if sh.n > 1 {
				fmt.Fprintf(cmd.ErrOrStderr(), "; shard %s runs %d of them", sh, len(runs))
			}
			fmt.Fprintln(cmd.ErrOrStderr())
			results, done, _, err := runJobsPartial(cmd.Context(), jobs, cmd.ErrOrStderr())
			if err == errInterrupted {
				return savePartialSweep(cmd, od, pl, runs, results, done)
			}
			if err != nil {
				return err
			}
			rows := make([][]string, len(runs))
			for k := range runs {
				if rows[k], err = pl.row(runs[k], &results[k]); err != nil {
					return err
				}
			}
			m := pl.m
			m.Shard = sh.String()
			if err := writeSweepDir(od, m, pl.header(), rows, sh.n == 1 && !noPlots); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d runs)\n", filepath.Join(out, sweepFile), len(rows))
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringArrayVar(&sets, "set", nil, "PATH=V1,V2,… a scenario value to sweep (repeat for a cross product)")
	cmd.Flags().IntVar(&seeds, "seeds", 1, "seeds per point and strategy (the scenario's seed, +1, …)")
	cmd.Flags().StringSliceVar(&list, "strategies", nil, "comma-separated strategies to run (default: the scenario's)")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "run only slice i of n (i/n, 0-based): runs numbered i mod n")
	cmd.Flags().StringVarP(&out, "out", "o", "sweep-out", "output folder")
	cmd.Flags().BoolVar(&noPlots, "no-plots", false, "skip plots/")
	return cmd
}

func newMergeCmd() *cobra.Command {
	var (
		out     string
		noPlots bool
	)
	cmd := &cobra.Command{
		Use:   "merge -o OUT SHARD_DIR...",
		Short: "Join the folders of a sharded sweep into one, exactly as an unsharded sweep writes it",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkNotInput(out, args); err != nil {
				return err
			}
			m, header, rows, err := mergeShards(args)
			if err != nil {
				return err
			}
			od, err := reports.CreateOutDir(out)
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			defer od.Abort()
			if err := writeSweepDir(od, m, header, rows, !noPlots); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d runs from %d shards)\n", filepath.Join(out, sweepFile), len(rows), len(args))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "sweep-out", "output folder")
	cmd.Flags().BoolVar(&noPlots, "no-plots", false, "skip plots/")
	return cmd
}

// mergeShards checks that dirs are every shard of one sweep, each once,
// and returns the whole sweep's manifest, header and rows in run order.
func mergeShards(dirs []string) (manifest, []string, [][]string, error) {
	var whole manifest
	var header []string
	var rows [][]string
	seen := map[int]string{}
	n := 0
	for k, dir := range dirs {
		m, h, rs, err := readSweep(dir)
		if err != nil {
			return whole, nil, nil, err
		}
		sh, err := parseShard(m.Shard)
		if err != nil {
			return whole, nil, nil, fmt.Errorf("%s: shard %q in %s: %w", dir, m.Shard, sweepManifest, err)
		}
		shardless := m
		shardless.Shard, shardless.SHA256 = "", ""
		if k == 0 {
			whole, header, n = shardless, h, sh.n
		} else {
			a, _ := json.Marshal(whole)
			b, _ := json.Marshal(shardless)
			if string(a) != string(b) || !slices.Equal(h, header) {
				return whole, nil, nil, fmt.Errorf("%s: not a shard of the same sweep as %s (the manifests or headers differ)", dir, dirs[0])
			}
			if sh.n != n {
				return whole, nil, nil, fmt.Errorf("%s: shard %s of %d, but %s is a shard of %d", dir, m.Shard, sh.n, dirs[0], n)
			}
		}
		if prev, ok := seen[sh.i]; ok {
			return whole, nil, nil, fmt.Errorf("%s: shard %d/%d given twice (also %s)", dir, sh.i, sh.n, prev)
		}
		seen[sh.i] = dir
		rows = append(rows, rs...)
	}
	if n > maxRuns {
		return whole, nil, nil, fmt.Errorf("%s: shard: expected at most %d shards, got %d", filepath.Join(dirs[0], sweepManifest), maxRuns, n)
	}
	if whole.Runs < 0 || whole.Runs > maxRuns {
		return whole, nil, nil, fmt.Errorf("%s: runs: expected 0 to %d, got %d", filepath.Join(dirs[0], sweepManifest), maxRuns, whole.Runs)
	}
	if len(seen) != n {
		var missing []string
		for i := 0; i < n; i++ {
			if _, ok := seen[i]; !ok {
				if len(missing) == 10 {
					missing = append(missing, fmt.Sprintf("… (%d in all)", n-len(seen)))
					break
				}
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		return whole, nil, nil, fmt.Errorf("missing shards: %s", strings.Join(missing, ", "))
	}
	// Each row goes to its run number's place in the whole sweep.
	sorted := make([][]string, whole.Runs)
	for k, r := range rows {
		i, err := strconv.Atoi(r[0])
		// Written as a sweep writes it: "01" or "+1" would be run 1 but
		// not the bytes of a sweep, which merge reproduces exactly.
		if err != nil || i < 0 || i >= whole.Runs || strconv.Itoa(i) != r[0] {
			return whole, nil, nil, fmt.Errorf("sweep row %d: run %q is not a run number in 0..%d", k+1, r[0], whole.Runs-1)
		}
		if sorted[i] != nil {
			return whole, nil, nil, fmt.Errorf("run %d is given twice in the shards", i)
		}
		sorted[i] = r
	}
	for i, r := range sorted {
		if r == nil {
			return whole, nil, nil, fmt.Errorf("run %d is missing from the shards", i)
		}
	}
	return whole, header, sorted, nil
}
