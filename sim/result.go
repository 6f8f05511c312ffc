package sim

import (
	"math"

	"github.com/fleetsim/fleetsim/sim/kube"
	"github.com/fleetsim/fleetsim/sim/metrics"
)

// Result is the outcome of one run, with the field names of the user's
// contract (DESIGN.md). Times are in seconds. More fields may be added;
// none is renamed.
type Result struct {
	Scenario string `json:"scenario"`
	Strategy string `json:"strategy"`
	Seed     uint64 `json:"seed"`

	Tasks   TaskCounts `json:"tasks"`
	Latency Quantiles  `json:"latency_s"`
	Wait    WaitStats  `json:"wait_s"`

	ThroughputPerS float64 `json:"throughput_per_s"`
	MakespanS      float64 `json:"makespan_s"`
	Utilization    float64 `json:"utilization"`
	ImbalanceCoV   float64 `json:"imbalance_cov"`
	// MeanInSystem is the time-average number of measured tasks in the
	// system over the window: L of Little's law.
	MeanInSystem float64 `json:"mean_in_system"`
	// WindowS is the measurement window: from the end of warm-up to the
	// last task's end.
	WindowS float64 `json:"window_s"`

	Engine EngineStats `json:"engine"`

	// LatencyCDF samples the latency distribution (seconds) for plots;
	// filled by callers that ask for it (sim.CDF), left out otherwise.
	LatencyCDF []CDFPoint `json:"latency_cdf,omitempty"`

	// RequestCDFs sample the latency distribution (seconds) of each
	// Service's served requests in runs with request streams, by Service
	// name; filled and left out as LatencyCDF is (LatencyCDF is then the
	// run's Jobs and pods, tasks of the central engine).
	RequestCDFs map[string][]CDFPoint `json:"request_latency_cdf,omitempty"`

	// TTFT is the time to first token of inference requests (nodes with
	// per-token times); nil otherwise.
	TTFT *Quantiles `json:"ttft_s,omitempty"`
	// Faults, Cost and Scaling are there when the run has failures or
	// retries, prices or power, and autoscalers.
	Faults  *FaultResult   `json:"faults,omitempty"`
	Cost    *CostResult    `json:"cost,omitempty"`
	Scaling *ScalingResult `json:"scaling,omitempty"`

	// Placement holds job-placement figures (central queueing only).
	Placement *PlacementResult `json:"placement,omitempty"`
	// Workflow holds workflow figures (central queueing with DAGs only).
	Workflow *WorkflowResult `json:"workflow,omitempty"`
	// Kubernetes is set for Kubernetes workloads (pods, scheduling latency,
	// unschedulable reasons, spread).
	Kubernetes *kube.Summary `json:"kubernetes,omitempty"`

	// Series is the sampled time series when Config.Series asked for one
	// (written to series.csv, not to JSON).
	Series *Series `json:"-"`

	// Nodes holds per-node figures; callers drop it from compact output.
	Nodes []NodeResult `json:"nodes,omitempty"`
}

// TaskCounts counts measured tasks (those arriving after warm-up) by outcome.
type TaskCounts struct {
	Arrived   int64 `json:"arrived"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	Dropped   int64 `json:"dropped"`
	Warmup    int64 `json:"warmup"` // tasks excluded as warm-up
	// OOMKilled counts the failed tasks killed over their memory limit
	// (Task.MemoryUse; omitted when none was).
	OOMKilled int64 `json:"oom_killed,omitempty"`
}

// Quantiles summarises a latency distribution in seconds: exact mean and max,
// quantiles within metrics.RelativeError.
type Quantiles struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// WaitStats summarises queueing delay in seconds.
type WaitStats struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
}

// EngineStats describes the engine's own work. WallS and EventsPerS are
// filled by the caller, who owns the clock; they are the only fields of a
// Result that vary between identical runs.
type EngineStats struct {
	Events     uint64  `json:"events"`
	WallS      float64 `json:"wall_s"`
	EventsPerS float64 `json:"events_per_s"`
	// DecisionNs and StateBytesPerNode are the strategy's own cost,
	// measured apart from the run by callers that ask for it
	// (strategies.MeasureDecision): wall time per decision on this
	// machine, and the bytes its state takes per node. nil (JSON null)
	// when not measured: a 0 would read as a free decision.
	DecisionNs        *float64 `json:"decision_ns"`
	StateBytesPerNode *float64 `json:"state_bytes_per_node"`
}

// NodeResult is one node's share of the run.
type NodeResult struct {
	Name        string  `json:"name"`
	Tasks       int64   `json:"tasks"`
	WorkS       float64 `json:"work_s"`
	Utilization float64 `json:"utilization"`
}

func ns(v int64) float64 { return float64(v) / float64(Second) }

// Summarize converts a histogram of nanoseconds into Quantiles in seconds.
func Summarize(h *metrics.Histogram) Quantiles {
	return Quantiles{
		Mean: h.Mean() / float64(Second),
		P50:  ns(h.Quantile(0.50)),
		P90:  ns(h.Quantile(0.90)),
		P95:  ns(h.Quantile(0.95)),
		P99:  ns(h.Quantile(0.99)),
		P999: ns(h.Quantile(0.999)),
		Max:  ns(h.Max()),
	}
}

// Result computes the run's figures. It may be called mid-run for a partial
// picture (as after Ctrl-C); the window then ends now.
func (e *Engine) Result() Result {
	n := len(e.nd)
	if len(e.work) != n {
		e.work, e.served = make([]int64, n), make([]int64, n)
	}
	for i := range e.nd {
		if e.f.pn {
			e.work[i], e.served[i] = e.view.load[i].nwork, e.view.load[i].served
		} else {
			e.work[i], e.served[i] = e.nd[i].work, e.nd[i].served
		}
	}
	r := e.result(e.strat.Name())
	win := e.window()
	var sumU float64
	for i := range r.Nodes {
		busy := e.busyAt(i, e.now) - e.busyBase[i]
		if win > 0 {
			r.Nodes[i].Utilization = float64(busy) / (float64(e.nd[i].slots) * float64(win))
		}
		sumU += r.Nodes[i].Utilization
	}
	if n := len(r.Nodes); n > 0 {
		r.Utilization = sumU / float64(n)
	}
	e.costs(&r)
	return r
}

// cov is the coefficient of variation of n values from their sum and sum
// of squares (0 when the mean is 0).
func cov(sum, sum2 float64, n int) float64 {
	if n == 0 {
		return 0
	}
	mean := sum / float64(n)
	if mean <= 0 {
		return 0
	}
	v := sum2/float64(n) - float64(mean*mean)
	return math.Sqrt(math.Max(v, 0)) / mean
}
