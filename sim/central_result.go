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
	end := e.now
	win := end - e.winStart
	if !e.warm {
		win = 0
	}
	r := Result{
		Strategy: e.strat.Name(),
		Tasks: TaskCounts{
			Arrived:   e.arrived,
			Completed: e.done[Completed],
			Failed:    e.done[Failed],
			Dropped:   e.done[Dropped],
			Warmup:    e.arrivedAll - e.arrived,
		},
		Latency: Summarize(&e.latency),
		Wait: WaitStats{
			Mean: e.wait.Mean() / float64(Second),
			P50:  ns(e.wait.Quantile(0.5)),
			P99:  ns(e.wait.Quantile(0.99)),
		},
		Engine:  EngineStats{Events: e.events},
		WindowS: win.Seconds(),
	}
	if e.arrivedAll > 0 {
		r.MakespanS = (e.lastFinish - e.firstArr).Seconds()
	}
	ratio := func(a float64, c int64) float64 {
		if c == 0 {
			return 0
		}
		return a / float64(c)
	}
	p := &PlacementResult{
		GPUAllocRatio:   e.gpuAllocRatio(),
		GPUFragGPUs:     e.fragTotal / GPUMilliPerGPU,
		GPUFragRatio:    e.gpuFragRatio(),
		UnallocatedGPUs: float64(e.cap[2]-e.used[2]) / GPUMilliPerGPU,
		Unschedulable:   e.unsched,
		AllocRatio: Resources{
			CPU:    ratio(float64(e.used[0]), e.cap[0]),
			Memory: ratio(float64(e.used[1]), e.cap[1]),
			GPU:    ratio(float64(e.used[2]), e.cap[2]),
		},
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
			area[k] = e.usedArea[k] + float64(e.used[k])*float64(end-e.usedT)
		}
		p.Utilization = Resources{CPU: ratio(area[0]/w, e.cap[0]), Memory: ratio(area[1]/w, e.cap[1]), GPU: ratio(area[2]/w, e.cap[2])}
		r.ThroughputPerS = float64(e.done[Completed]) / win.Seconds()
		r.MeanInSystem = (e.area + float64(e.inSys)*float64(end-e.areaT)) / w
	}
	// The contract's single utilization: GPU allocation on a GPU cluster,
	// CPU allocation otherwise, time-averaged.
	r.Utilization = p.Utilization.CPU
	if e.cap[2] > 0 {
		r.Utilization = p.Utilization.GPU
	}
	n := len(e.cfg.Nodes)
	r.Nodes = make([]NodeResult, n)
	var sumW, sumW2 float64
	for i := 0; i < n; i++ {
		w := ns(e.work[i])
		r.Nodes[i] = NodeResult{Name: e.cfg.Nodes[i].Name, Tasks: e.served[i], WorkS: w}
		sumW += w
		sumW2 += w * w
	}
	r.ImbalanceCoV = cov(sumW, sumW2, n)
	r.Placement = p
	return r
}
