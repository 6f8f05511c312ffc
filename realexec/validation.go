package realexec

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

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
	// OnPhase is told when each phase begins: "calibration probe",
	// "real run STRATEGY", "simulation STRATEGY", with the tasks it will
	// run (nil: not told).
	OnPhase func(phase string, tasks int64)
}

func (vc *ValidateConfig) phase(name string, tasks int64) {
	if vc.OnPhase != nil {
		vc.OnPhase(name, tasks)
	}
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
	// Machine is the machine the figures came from, with its load when
	// the validation began and ended.
	Machine Machine `json:"machine"`
	// Warnings say when a figure is not what it seems: a real run whose
	// offered load was at or above what the nodes could serve (sojourn
	// times then grow with the run's length, and so does any model's
	// error), or a calibration outside what a container runtime does.
	Warnings []string `json:"warnings,omitempty"`
}

// Saturation is the offered load of a real run against the capacity its
// nodes showed: arrival rate × mean slot-to-exit time of the completed
// tasks / slots (1: every slot always busy). NaN with fewer than two
// arrivals or no completed task.
func Saturation(recs []*Record, slots int) float64 {
	var first, last sim.Time
	var busy float64
	arrivals, done := 0, 0
	for _, r := range recs {
		if arrivals == 0 || r.Task.Arrival < first {
			first = r.Task.Arrival
		}
		last = max(last, r.Task.Arrival)
		arrivals++
		if r.Status == sim.Completed && r.Exited > r.Start {
			busy += (r.Exited - r.Start).Seconds()
			done++
		}
	}
	if arrivals < 2 || done == 0 || last <= first || slots <= 0 {
		return math.NaN()
	}
	rate := float64(arrivals-1) / (last - first).Seconds()
	return rate * busy / float64(done) / float64(slots)
}

// implausible says what is wrong with a calibration no container runtime
// on a working machine gives (empty: nothing): a start-up of more than
// 2 s, or a node speed outside [0.05, 20].
func implausible(c *Calibration, nodes []sim.NodeSpec) string {
	var bad []string
	if c.StartupS > 2 {
		bad = append(bad, fmt.Sprintf("start-up %.2f s (containerd and runc start a container in 0.05–0.5 s)", c.StartupS))
	}
	for i, s := range c.Speeds {
		if s < 0.05 || s > 20 {
			name := strconv.Itoa(i)
			if i < len(nodes) {
				name = nodes[i].Name
			}
			bad = append(bad, fmt.Sprintf("speed %.3f on %s", s, name))
		}
	}
	return strings.Join(bad, ", ")
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
	// Steps splits the time from taking a slot to the exit being seen into
	// its steps, each a median and 99th percentile over the tasks whose
	// workload reported its clock (see Step).
	Steps []Step `json:"steps,omitempty"`
}

// Step is one step of a container's life, from taking a slot to its exit
// being seen: "prepare" (container record and snapshot), "create" (task:
// the shim started, runc create: namespaces, cgroup, limits), "start"
// (runc start), "exec" (from the start call's return to the workload's
// main, by the workload's own reading of the wall clock: the runtime's
// exec and the Go runtime's start), "inside" (main to its report: memory,
// work, sleep), "exit" (report to the exit seen by the runner: process
// exit, the shim's and containerd's notice).
type Step struct {
	Name string  `json:"name"`
	P50  float64 `json:"p50_s"`
	P99  float64 `json:"p99_s"`
}

// stepNames are Step's names in order.
var stepNames = []string{"prepare", "create", "start", "exec", "inside", "exit"}

// steps are a record's step durations in stepNames' order; ok is false
// when the workload reported no clock.
func steps(r *Record) (d [6]sim.Time, ok bool) {
	if r.Main == 0 || r.Prepared == 0 {
		return d, false
	}
	return [6]sim.Time{r.Prepared - r.Start, r.Created - r.Prepared, r.Started - r.Created, r.Main - r.Started, r.End - r.Main, r.Exited - r.End}, true
}

// OverheadsOf computes Overheads over the records of completed tasks.
func OverheadsOf(recs []*Record) Overheads {
	var start, cont, run []float64
	step := make([][]float64, len(stepNames))
	for _, r := range recs {
		if r.Status != sim.Completed {
			continue
		}
		if d, ok := steps(r); ok {
			for k := range d {
				step[k] = append(step[k], d[k].Seconds())
			}
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
	if len(step[0]) > 0 {
		for k, xs := range step {
			sort.Float64s(xs)
			o.Steps = append(o.Steps, Step{Name: stepNames[k], P50: rank(xs, 0.5), P99: rank(xs, 0.99)})
		}
	}
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
	v := &Validation{Scenario: sc.Name, Seed: sc.Seed, Machine: machineNow()}
	defer func() { v.Machine.LoadAfter = Load1() }()
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
		src, closer, err := sc.WorkloadSource(seed)
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
		vc.phase("calibration probe", vc.ProbeTasks)
		cal, err := Calibrate(ctx, pc, Probe{Source: src, Tasks: vc.ProbeTasks})
		if err != nil {
			return nil, err
		}
		v.Calibration = cal
		if bad := implausible(cal, cfg.Nodes); bad != "" {
			v.Warnings = append(v.Warnings, "implausible calibration: "+bad+"; is the machine overloaded?")
		}
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
		strat, stop, err := sc.StartStrategy(spec, sc.Seed)
		if err != nil {
			return nil, err
		}
		src, closer, err := sc.WorkloadSource(sc.Seed)
		if err != nil {
			stop.Close()
			return nil, err
		}
		var real []Outcome
		var mine []*Record
		rc := cfg
		rc.OnRecord = func(r *Record) {
			c := *r
			c.Record.Task = &c.Task
			all = append(all, &c)
			mine = append(mine, &c)
			real = append(real, OutcomeOf(&c.Record))
			if vc.OnRecord != nil {
				vc.OnRecord(spec.String(), r)
			}
		}
		vc.phase("real run "+spec.String(), cfg.StopTasks)
		res, err := Run(ctx, rc, src, strat)
		closer.Close()
		stop.Close()
		if res != nil {
			v.Versions, v.Snapshotter = res.Versions, res.Snapshotter
		}
		if err != nil {
			return v, err
		}
		slots := 0
		for _, n := range cfg.Nodes {
			slots += max(n.Slots, 1)
		}
		if rho := Saturation(mine, slots); rho >= 0.9 {
			v.Warnings = append(v.Warnings, fmt.Sprintf("%s: the real nodes were saturated (offered load %.2f of their measured capacity): "+
				"sojourn times grow with the run's length, and small errors in the model of a task's service become large errors in queueing; "+
				"use a lower arrival rate or a quieter machine", spec, rho))
		}
		v.CDFs = append(v.CDFs, cdfResult(spec.String()+" real", real))
		vc.phase("simulation "+spec.String(), 0)
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
