package realexec

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// ValidateConfig is one validation: a scenario run on real nodes and in
// the simulator, each strategy with the scenario's seed.
type ValidateConfig struct {
	Scenario   *scenario.Scenario
	Strategies []scenario.StrategySpec // nil: the scenario's
	Nodes      []NodeConfig            // NodesFor
	Image      *Image
	// ProbeTasks, when > 0, calibrates first (Calibrate) on that many
	// tasks of the scenario's workload drawn with seed ProbeSeed (0: the
	// scenario's seed + 1), and adds the calibrated model beside the
	// scenario's own; Text and Dir are the scenario's text and folder,
	// which the calibration rewrites.
	ProbeTasks int64
	ProbeSeed  uint64
	Text       []byte
	Dir        string
	// OnRecord receives every real record, with its strategy ("probe"
	// for the calibration's).
	OnRecord func(strategy string, r *Record)
	Log      io.Writer
}

// Validation is a validation's outcome.
type Validation struct {
	Scenario    string       `json:"scenario"`
	Seed        uint64       `json:"seed"`
	Calibration *Calibration `json:"calibration,omitempty"`
	// Calibrated is the calibrated scenario's text (ProbeTasks > 0).
	Calibrated  []byte       `json:"-"`
	Comparisons []Comparison `json:"comparisons"`
	// Overhead of the real runs, all strategies together.
	Overhead Overheads `json:"overhead"`
	// CDFs are the sojourn distributions, real and simulated, labelled
	// "STRATEGY real", "STRATEGY MODEL", for a plot.
	CDFs []sim.Result `json:"-"`
	// Versions and Snapshotter of the nodes.
	Versions    []string `json:"containerd_versions"`
	Snapshotter string   `json:"snapshotter"`
}

// Overheads are medians and 99th percentiles (seconds) over a real run's
// tasks: Start, from taking a slot to the workload's process running
// (create the container, its snapshot and task, start it); Container, all
// the time between taking a slot and the exit that the workload did not
// spend inside (Record.Overhead); Runner, from a task's arrival time to
// the strategy's decision (the runner's own lag: waking up, bookkeeping,
// the decision).
type Overheads struct {
	StartP50     float64 `json:"start_p50_s"`
	StartP99     float64 `json:"start_p99_s"`
	ContainerP50 float64 `json:"container_p50_s"`
	ContainerP99 float64 `json:"container_p99_s"`
	RunnerP50    float64 `json:"runner_p50_s"`
	RunnerP99    float64 `json:"runner_p99_s"`
	Tasks        int     `json:"tasks"`
}

// OverheadsOf computes Overheads over the records of completed tasks.
func OverheadsOf(recs []*Record) Overheads {
	var start, cont, run []float64
	for _, r := range recs {
		if r.Status != sim.Completed {
			continue
		}
		start = append(start, (r.Started - r.Start).Seconds())
		cont = append(cont, r.Overhead().Seconds())
		run = append(run, (r.Decided - r.Task.Arrival).Seconds())
	}
	o := Overheads{Tasks: len(start)}
	if len(start) == 0 {
		return o
	}
	for _, xs := range [][]float64{start, cont, run} {
		sort.Float64s(xs)
	}
	o.StartP50, o.StartP99 = rank(start, 0.5), rank(start, 0.99)
	o.ContainerP50, o.ContainerP99 = rank(cont, 0.5), rank(cont, 0.99)
	o.RunnerP50, o.RunnerP99 = rank(run, 0.5), rank(run, 0.99)
	return o
}

// Validate calibrates (when asked), then runs every strategy on the real
// nodes and simulates it with the scenario as given and, when calibrated,
// with the calibrated scenario, and compares each simulation with the
// real run, task by task.
func Validate(ctx context.Context, vc ValidateConfig) (*Validation, error) {
	sc := vc.Scenario
	specs := vc.Strategies
	if specs == nil {
		specs = sc.Strategies
	}
	v := &Validation{Scenario: sc.Name, Seed: sc.Seed}
	models := []*scenario.Scenario{sc}
	names := []string{"scenario"}
	cfg, err := ConfigFor(sc, vc.Nodes, vc.Image)
	if err != nil {
		return nil, err
	}
	cfg.Log = vc.Log
	if vc.ProbeTasks > 0 {
		seed := vc.ProbeSeed
		if seed == 0 {
			seed = sc.Seed + 1
		}
		src, closer, err := sc.Source(seed)
		if err != nil {
			return nil, err
		}
		defer closer.Close()
		pc := cfg
		pc.OnRecord = func(r *Record) {
			if vc.OnRecord != nil {
				vc.OnRecord("probe", r)
			}
		}
		cal, err := Calibrate(ctx, pc, Probe{Source: src, Tasks: vc.ProbeTasks})
		if err != nil {
			return nil, err
		}
		v.Calibration = cal
		if v.Calibrated, err = scenario.Calibrate(vc.Text, cal.Startup, cal.Groups); err != nil {
			return nil, err
		}
		csc, err := scenario.Parse(sc.File+" (calibrated)", v.Calibrated, vc.Dir)
		if err != nil {
			return nil, err
		}
		// The run's overrides (seed, limits) hold for the calibrated model too.
		csc.Seed, csc.Stop, csc.Warmup = sc.Seed, sc.Stop, sc.Warmup
		models, names = append(models, csc), append(names, "calibrated")
	}
	var all []*Record
	for _, spec := range specs {
		strat, err := sc.Strategy(spec, sc.Seed)
		if err != nil {
			return nil, err
		}
		src, closer, err := sc.Source(sc.Seed)
		if err != nil {
			return nil, err
		}
		var real []Outcome
		rc := cfg
		rc.OnRecord = func(r *Record) {
			c := *r
			c.Record.Task = &c.Task
			all = append(all, &c)
			real = append(real, OutcomeOf(&c.Record))
			if vc.OnRecord != nil {
				vc.OnRecord(spec.String(), r)
			}
		}
		res, err := Run(ctx, rc, src, strat)
		closer.Close()
		if res != nil {
			v.Versions, v.Snapshotter = res.Versions, res.Snapshotter
		}
		if err != nil {
			return v, err
		}
		v.CDFs = append(v.CDFs, cdfResult(spec.String()+" real", real))
		for k, m := range models {
			simulated, err := Simulate(m, spec)
			if err != nil {
				return v, err
			}
			v.Comparisons = append(v.Comparisons, Compare(spec.String(), names[k], real, simulated, len(cfg.Nodes), cfg.Faults))
			v.CDFs = append(v.CDFs, cdfResult(spec.String()+" "+names[k], simulated))
		}
	}
	v.Overhead = OverheadsOf(all)
	return v, nil
}

// Simulate runs spec on sc in the simulator with sc's seed and returns
// every task's outcome.
func Simulate(sc *scenario.Scenario, spec scenario.StrategySpec) ([]Outcome, error) {
	var outs []Outcome
	run, closer, err := sc.Start(spec, sc.Seed, scenario.RunOptions{OnRecord: func(r *sim.Record) { outs = append(outs, OutcomeOf(r)) }})
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	for {
		done, err := run.Step(1 << 16)
		if err != nil {
			return nil, fmt.Errorf("%s: strategy %s: %w", sc.File, spec, err)
		}
		if done {
			return outs, nil
		}
	}
}

// cdfResult is a result holding only the empirical sojourn CDF of the
// completed outcomes (at most 400 points), labelled as its strategy.
func cdfResult(label string, outs []Outcome) sim.Result {
	var soj []float64
	for _, o := range outs {
		if o.Status == sim.Completed {
			soj = append(soj, o.Sojourn().Seconds())
		}
	}
	sort.Float64s(soj)
	r := sim.Result{Strategy: label}
	step := max(len(soj)/400, 1)
	for i := 0; i < len(soj); i += step {
		r.LatencyCDF = append(r.LatencyCDF, sim.CDFPoint{Value: soj[i], Fraction: float64(i+1) / float64(len(soj))})
	}
	if n := len(soj); n > 0 && r.LatencyCDF[len(r.LatencyCDF)-1].Fraction != 1 {
		r.LatencyCDF = append(r.LatencyCDF, sim.CDFPoint{Value: soj[n-1], Fraction: 1})
	}
	return r
}
