package sim

// PlacementResult holds the figures of job placement (central queueing),
// under "placement" in run --json.
type PlacementResult struct {
	// GPU allocation ratio (allocated GPU share / GPU capacity) at the end
	// of the run, and when the arrived GPU request first reached 100 % of
	// capacity (the FGD paper's Fig. 9 reads both).
	GPUAllocRatio       float64 `json:"gpu_alloc_ratio"`
	GPUAllocRatioAtFull float64 `json:"gpu_alloc_ratio_at_full"`
	// GPU fragmentation at the end (Weng et al., ATC '23): the cluster's
	// F(M) in GPUs, and as a share of unallocated GPU capacity.
	GPUFragGPUs  float64 `json:"gpu_frag_gpus"`
	GPUFragRatio float64 `json:"gpu_frag_ratio"`
	// UnallocatedGPUs is the GPU capacity left unallocated at the end, in
	// GPUs; UnallocatedAtFirstFailure the unallocated share of GPU capacity
	// when a task first could not be placed.
	UnallocatedGPUs           float64 `json:"unallocated_gpus"`
	UnallocatedAtFirstFailure float64 `json:"unallocated_gpu_share_at_first_failure"`
	// Unschedulable counts measured tasks given up without being placed
	// (timed out, one try only, or larger than any node).
	Unschedulable int64 `json:"unschedulable"`
	// AllocRatio is each resource's allocated share at the end;
	// Utilization its time average over the measurement window.
	AllocRatio  Resources `json:"alloc_ratio"`
	Utilization Resources `json:"utilization"`
	// BoundedSlowdown of completed tasks: max(1, sojourn / max(run, 10 s)).
	BoundedSlowdown Slowdown `json:"bounded_slowdown"`
	// Curve is the allocation against arrived GPU request in steps of 1 %
	// of capacity, kept when tasks never depart (hold).
	Curve []CurvePoint `json:"curve,omitempty"`
	// Series samples allocation and fragmentation over time, every
	// Central.SampleEvery (cluster.sample_every in a scenario).
	Series []SamplePoint `json:"series,omitempty"`

	// IdleWhileHeadWaits is the share of node-time over the window that
	// nodes sat entirely idle while the task at the head of the queue could
	// not start: capacity lost to fragmentation (runs with gangs only).
	IdleWhileHeadWaits float64 `json:"idle_while_head_waits,omitempty"`
}

// Resources is a figure per resource.
type Resources struct {
	CPU    float64 `json:"cpu"`
	Memory float64 `json:"memory"`
	GPU    float64 `json:"gpu"`
}

// Slowdown summarises bounded slowdowns (dimensionless).
type Slowdown struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// Result computes the run's figures. It may be called mid-run for a partial
// picture (as after Ctrl-C); the window then ends now.
func (e *Scheduler) Result() Result {
	r := e.result(e.strat.Name())
	r.Tasks.OOMKilled = e.oomKills
	win := e.window()
	end := e.now
	p := &PlacementResult{
		GPUAllocRatio:   e.share(2),
		GPUFragGPUs:     e.fragTotal / GPUMilliPerGPU,
		GPUFragRatio:    e.gpuFragRatio(),
		UnallocatedGPUs: float64(e.cap[2]-e.used[2]) / GPUMilliPerGPU,
		Unschedulable:   e.unsched,
		AllocRatio:      Resources{CPU: e.share(0), Memory: e.share(1), GPU: e.share(2)},
		BoundedSlowdown: Slowdown{
			Mean: e.slowdown.Mean() / 1e6,
			P50:  float64(e.slowdown.Quantile(0.5)) / 1e6,
			P99:  float64(e.slowdown.Quantile(0.99)) / 1e6,
			Max:  float64(e.slowdown.Max()) / 1e6,
		},
		Curve:  e.curve,
		Series: e.series,
	}
	if e.atFullSet {
		p.GPUAllocRatioAtFull = e.atFull
	}
	if e.firstFailSet {
		p.UnallocatedAtFirstFailure = e.firstFailGPU
	}
	if win > 0 {
		w := float64(win)
		var area [3]float64
		for k := range area {
			area[k] = e.usedArea[k] + float64(float64(e.used[k])*float64(end-e.usedT))
		}
		p.Utilization = Resources{CPU: ratio(area[0]/w, e.cap[0]), Memory: ratio(area[1]/w, e.cap[1]), GPU: ratio(area[2]/w, e.cap[2])}
	}
	// The contract's single utilization: GPU allocation on a GPU cluster,
	// CPU allocation otherwise, time-averaged.
	r.Utilization = p.Utilization.CPU
	if e.cap[2] > 0 {
		r.Utilization = p.Utilization.GPU
	}
	if e.loss.on && win > 0 && len(e.cfg.Nodes) > 0 {
		e.lossTouch()
		p.IdleWhileHeadWaits = e.loss.area / (float64(win) * float64(len(e.cfg.Nodes)))
	}
	r.Placement = p
	r.Workflow = e.dag.result()
	return r
}

// ratio is a / c, or 0 for no capacity.
func ratio(a float64, c int64) float64 {
	if c == 0 {
		return 0
	}
	return a / float64(c)
}

// share is resource k's allocated share of capacity now (0: cpu,
// 1: memory, 2: GPU).
func (e *Scheduler) share(k int) float64 { return ratio(float64(e.used[k]), e.cap[k]) }
