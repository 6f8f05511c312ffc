package realexec

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"

	"github.com/fleetsim/fleetsim/sim"
)

// Outcome is what a comparison needs of one task's record, real or
// simulated.
type Outcome struct {
	ID              int64
	Arrival, Finish sim.Time
	Node            int // -1: never placed
	Status          sim.Status
	OOM             bool // failed, killed over its memory limit (Record.Reason)
}

// OutcomeOf takes the comparison's part of a record.
func OutcomeOf(r *sim.Record) Outcome {
	return Outcome{ID: r.Task.ID, Arrival: r.Task.Arrival, Finish: r.Finish, Node: r.Node, Status: r.Status, OOM: r.Reason == sim.ReasonOOM}
}

// Sojourn is finish minus arrival.
func (o Outcome) Sojourn() sim.Time { return o.Finish - o.Arrival }

// Stats are one run's aggregate figures. Sojourns (seconds) are those of
// completed tasks; Throughput is completed tasks per second from the first
// arrival to the last finish; PerNode counts the tasks placed on each node.
type Stats struct {
	Tasks      int64   `json:"tasks"`
	Completed  int64   `json:"completed"`
	Failed     int64   `json:"failed"`
	Dropped    int64   `json:"dropped"`
	P50        float64 `json:"sojourn_p50_s"`
	P99        float64 `json:"sojourn_p99_s"`
	Mean       float64 `json:"sojourn_mean_s"`
	Throughput float64 `json:"throughput_per_s"`
	PerNode    []int64 `json:"per_node"`
	// OOMKilled counts the failed tasks killed over their memory limit.
	OOMKilled int64 `json:"oom_killed,omitempty"`
}

// Summarize computes Stats of outcomes on a cluster of n nodes.
// Percentiles are nearest-rank: the ⌈q·N⌉-th smallest sojourn.
func Summarize(outs []Outcome, n int) Stats {
	st := Stats{PerNode: make([]int64, n)}
	var soj []float64
	first, last := sim.Time(math.MaxInt64), sim.Time(0)
	for _, o := range outs {
		st.Tasks++
		first = min(first, o.Arrival)
		if o.Node >= 0 && o.Node < n {
			st.PerNode[o.Node]++
		}
		switch o.Status {
		case sim.Completed:
			st.Completed++
			soj = append(soj, o.Sojourn().Seconds())
			last = max(last, o.Finish)
		case sim.Failed:
			st.Failed++
			if o.OOM {
				st.OOMKilled++
			}
		default:
			st.Dropped++
		}
	}
	if len(soj) == 0 {
		return st
	}
	sort.Float64s(soj)
	st.P50, st.P99 = rank(soj, 0.5), rank(soj, 0.99)
	st.Mean = stat.Mean(soj, nil)
	if span := (last - first).Seconds(); span > 0 {
		st.Throughput = float64(st.Completed) / span
	}
	return st
}

// rank is the nearest-rank q-quantile of sorted xs, the ⌈q·N⌉-th
// smallest: gonum's Empirical quantile.
func rank(xs []float64, q float64) float64 { return stat.Quantile(q, stat.Empirical, xs, nil) }

// Comparison puts a real run beside a simulation of the same tasks. The
// errors are relative to the real figure, |sim − real| / real: P50Err,
// P99Err and MeanErr of the sojourn, ThroughputErr; TaskErr is the mean
// over tasks completed in both runs (matched by ID, Matched of them) of
// each task's relative sojourn error.
type Comparison struct {
	Strategy      string   `json:"strategy"`
	Model         string   `json:"model"`
	Real          Stats    `json:"real"`
	Sim           Stats    `json:"sim"`
	P50Err        float64  `json:"p50_error"`
	P99Err        float64  `json:"p99_error"`
	MeanErr       float64  `json:"mean_error"`
	TaskErr       float64  `json:"task_mean_relative_error"`
	ThroughputErr float64  `json:"throughput_error"`
	Matched       int      `json:"matched"`
	Windows       []Window `json:"fault_windows,omitempty"`
	// OOM compares the tasks killed over their memory limit, when either
	// run had some.
	OOM *OOMComparison `json:"oom,omitempty"`
}

// OOMComparison puts the share of tasks OOM-killed in the real run beside
// the simulation's: each over all tasks of its run, ShareErr
// |sim − real| / real, and Differ the tasks (matched by ID) killed in one
// run but not in the other.
type OOMComparison struct {
	RealShare float64 `json:"real_share"`
	SimShare  float64 `json:"sim_share"`
	ShareErr  float64 `json:"share_error"`
	Differ    int     `json:"tasks_differ"`
}

// Window compares the tasks that arrived while a scheduled fault was on:
// how many completed and failed, and their mean sojourn, real and
// simulated.
type Window struct {
	Node          int     `json:"node"`
	FromS         float64 `json:"from_s"`
	ToS           float64 `json:"to_s"`
	RealCompleted int64   `json:"real_completed"`
	RealFailed    int64   `json:"real_failed"`
	SimCompleted  int64   `json:"sim_completed"`
	SimFailed     int64   `json:"sim_failed"`
	RealMean      float64 `json:"real_sojourn_mean_s"`
	SimMean       float64 `json:"sim_sojourn_mean_s"`
}

// Compare compares a real run's outcomes with a simulation's on a cluster
// of n nodes; faults are the scenario's scheduled faults, whose windows
// get their own figures.
func Compare(strategy, model string, real, simulated []Outcome, n int, faults []sim.Fault) Comparison {
	c := Comparison{Strategy: strategy, Model: model, Real: Summarize(real, n), Sim: Summarize(simulated, n)}
	c.P50Err = relErr(c.Sim.P50, c.Real.P50)
	c.P99Err = relErr(c.Sim.P99, c.Real.P99)
	c.MeanErr = relErr(c.Sim.Mean, c.Real.Mean)
	c.ThroughputErr = relErr(c.Sim.Throughput, c.Real.Throughput)
	byID := make(map[int64]Outcome, len(simulated))
	for _, o := range simulated {
		byID[o.ID] = o
	}
	var sum float64
	for _, r := range real {
		s, ok := byID[r.ID]
		if !ok || r.Status != sim.Completed || s.Status != sim.Completed || r.Sojourn() <= 0 {
			continue
		}
		sum += relErr(s.Sojourn().Seconds(), r.Sojourn().Seconds())
		c.Matched++
	}
	if c.Matched > 0 {
		c.TaskErr = sum / float64(c.Matched)
	}
	if c.Real.OOMKilled+c.Sim.OOMKilled > 0 {
		o := &OOMComparison{RealShare: share(c.Real.OOMKilled, c.Real.Tasks), SimShare: share(c.Sim.OOMKilled, c.Sim.Tasks)}
		o.ShareErr = relErr(o.SimShare, o.RealShare)
		seen := map[int64]bool{}
		for _, r := range real {
			seen[r.ID] = true
			if r.OOM != byID[r.ID].OOM {
				o.Differ++
			}
		}
		for _, s := range simulated {
			if !seen[s.ID] && s.OOM {
				o.Differ++
			}
		}
		c.OOM = o
	}
	for _, f := range faults {
		w := Window{Node: f.Node, FromS: f.At.Seconds(), ToS: (f.At + f.For).Seconds()}
		w.RealCompleted, w.RealFailed, w.RealMean = window(real, f.At, f.At+f.For)
		w.SimCompleted, w.SimFailed, w.SimMean = window(simulated, f.At, f.At+f.For)
		c.Windows = append(c.Windows, w)
	}
	return c
}

func share(k, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

func window(outs []Outcome, from, to sim.Time) (completed, failed int64, mean float64) {
	for _, o := range outs {
		if o.Arrival < from || o.Arrival >= to {
			continue
		}
		if o.Status == sim.Completed {
			completed++
			mean += o.Sojourn().Seconds()
		} else {
			failed++
		}
	}
	if completed > 0 {
		mean /= float64(completed)
	}
	return
}

// relErr is |got − want| / want; 0 when both are 0, +Inf when only want is.
func relErr(got, want float64) float64 {
	if want == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(got-want) / want
}

// Calibration is what a probe run measured, in the simulator's model of
// a task's service on a node of group g: from taking a slot to the exit
// takes startup + Work / speed_g.
//
// The start-up sample is, per probe task, the time from taking the slot
// to the exit less the time the workload spent on its CPU work (its own
// clock): create, snapshot and start, touching memory, the exit notice.
// Its mean and CV make the Delay. A group's speed is its probes' total
// work at speed 1 over their total time working (a ratio of sums, so the
// model's mean work time over such tasks is the measured one): the core's
// rate times the CFS quota a task gets there, less contention from its
// neighbours, with the quota's rounding averaged over the task sizes the
// workload really has. Speeds holds each node's own figure.
type Calibration struct {
	Startup    sim.Delay          `json:"-"`
	StartupS   float64            `json:"startup_mean_s"`
	StartupCV  float64            `json:"startup_cv"`
	StartupP50 float64            `json:"startup_p50_s"`
	StartupP99 float64            `json:"startup_p99_s"`
	Speeds     []float64          `json:"node_speeds"`
	Groups     map[string]float64 `json:"group_speeds"`
	Samples    int                `json:"samples"`
}

// Probe is a calibration's workload: typically the scenario's own with
// another seed, so that task sizes and load are those the model will be
// asked about, but not the very tasks it is validated on. Tasks bounds it.
type Probe struct {
	Source sim.Source
	Tasks  int64
}

// Calibrate runs the probe on cfg's nodes, task k on node k mod n (cfg's
// faults and limits are left out), and fits the Calibration. The first
// task on each node is a warm-up (the first container a daemon makes
// pays for cold caches) and is left out of the fit. Every probe must
// complete, but for those OOM-killed (a workload whose memory use exceeds
// its limit on purpose), which are left out. The probe's records go to
// cfg.OnRecord as in any run.
func Calibrate(ctx context.Context, cfg Config, p Probe) (*Calibration, error) {
	n := len(cfg.Nodes)
	if n == 0 || p.Source == nil || p.Tasks < 3*int64(n) {
		return nil, fmt.Errorf("calibrate: expected nodes, a probe source and at least 3 probe tasks per node (one is a warm-up), got %d nodes, %d tasks", n, p.Tasks)
	}
	cfg.Central, cfg.Faults, cfg.Health = false, nil, nil
	cfg.StopTasks, cfg.StopTime, cfg.WarmupTasks, cfg.WarmupTime = p.Tasks, 0, 0, 0
	var startup []float64
	work, busy := make([]float64, n), make([]float64, n)
	on := cfg.OnRecord
	var failed []string
	cfg.OnRecord = func(r *Record) {
		if on != nil {
			on(r)
		}
		if r.Reason == sim.ReasonOOM {
			return // the workload meant it to exceed its limit: no service to fit
		}
		if r.Status != sim.Completed || r.WorkTime <= 0 {
			failed = append(failed, fmt.Sprintf("probe task %d: %v %s", r.Task.ID, r.Status, r.Err))
			return
		}
		if r.Task.ID < int64(n) {
			return // warm-up
		}
		startup = append(startup, (r.Exited - r.Start - r.WorkTime).Seconds())
		work[r.Node] += r.Task.Work.Seconds()
		busy[r.Node] += r.WorkTime.Seconds()
	}
	if _, err := Run(ctx, cfg, p.Source, byIndex{n}); err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("calibrate: %d probe tasks did not complete; first: %s", len(failed), failed[0])
	}
	c := &Calibration{Speeds: make([]float64, n), Groups: map[string]float64{}, Samples: len(startup)}
	gw, gb := map[string]float64{}, map[string]float64{}
	for i := range cfg.Nodes {
		if work[i] <= 0 || busy[i] <= 0 {
			return nil, fmt.Errorf("calibrate: node %s ran no probe task with work; give the probe more tasks or work", cfg.Nodes[i].Name)
		}
		c.Speeds[i] = work[i] / busy[i]
		g := cfg.Nodes[i].Group
		gw[g] += work[i]
		gb[g] += busy[i]
	}
	for g := range gw {
		c.Groups[g] = gw[g] / gb[g]
	}
	mean, sd := stat.MeanStdDev(startup, nil)
	c.Startup = sim.Delay{Mean: sim.FromSeconds(mean)}
	if mean > 0 {
		c.Startup.CV = sd / mean
	}
	c.StartupS, c.StartupCV = mean, c.Startup.CV
	sort.Float64s(startup)
	c.StartupP50, c.StartupP99 = rank(startup, 0.5), rank(startup, 0.99)
	return c, nil
}

// byIndex places task k on node k mod n: the probe's own strategy.
type byIndex struct{ n int }

func (byIndex) Name() string                        { return "probe" }
func (b byIndex) Pick(_ *sim.View, t *sim.Task) int { return int(t.ID % int64(b.n)) }
