package strategies

// The in-tree strategies, one literal (as the Kubernetes scheduler's
// in-tree registry is).
var builtin = []Info{
	{Name: "random", New: newRandom, Kind: Balancer | Placement,
		Description: "uniformly random node (M/M/1 per node behind Poisson arrivals); for jobs, a random node that fits"},
	{Name: "round-robin", New: newRoundRobin,
		Description: "nodes in turn, ignoring load and speed"},
	{Name: "weighted-round-robin", New: newWeightedRoundRobin,
		Description: "nginx smooth weighted round robin; weights default to speed x slots",
		Params:      []Param{{Name: "weights", Type: "list of float", Default: "speed x slots", Doc: "one weight per node, by node index"}}},
	{Name: "least-connections", New: newLeastConnections,
		Description: "fewest outstanding tasks, ties in turn",
		Params:      []Param{{Name: "weighted", Type: "bool", Default: "false", Doc: "divide outstanding tasks by speed x slots"}}},
	{Name: "jsq", New: newJSQ,
		Description: "join the shortest queue (fewest in system), ties at random"},
	{Name: "power-of-d", New: newPowerOfD,
		Description: "shortest of d random nodes (Mitzenmacher's supermarket model)",
		Params:      []Param{{Name: "d", Type: "int", Default: "2", Doc: "nodes sampled per task, 1..65536"}}},
	{Name: "p2c", New: newP2C,
		Description: "power of two choices: power-of-d with d = 2"},

	// Job placement (cluster.queueing: central); docs/placement.md.
	{Name: "first-fit", New: newFirstFit, Kind: Placement,
		Description: "lowest-indexed node the task fits on (Johnson et al. 1974)"},
	{Name: "best-fit", New: newBestFit, Kind: Placement,
		Description: "least normalised CPU+GPU left over (FGD artifact's BestFit)",
		Params:      []Param{tiesParam(tieOrder)}},
	{Name: "worst-fit", New: newWorstFit, Kind: Placement,
		Description: "most normalised CPU+GPU left over (spread), worst-fit GPU for shares",
		Params:      []Param{tiesParam(tieOrder)}},
	{Name: "dot-product", New: newDotProduct, Kind: Placement,
		Description: "Tetris alignment of free and requested CPU/GPU as the FGD artifact's DotProd (Grandl et al., SIGCOMM '14)",
		Params:      []Param{tiesParam(tieOrder)}},
	{Name: "gpu-packing", New: newGPUPacking, Kind: Placement,
		Description: "share used GPUs, then used nodes, then idle nodes (FGD artifact's GpuPacking)",
		Params:      []Param{tiesParam(tieOrder)}},
	{Name: "gpu-clustering", New: newGPUClustering, Kind: Placement,
		Description: "keep GPU tasks of the same kind on the same nodes (FGD artifact's GpuClustering)",
		Params:      []Param{tiesParam(tieOrder)}},
	{Name: "fgd", New: newFGD, Kind: Placement,
		Description: "fragmentation gradient descent: least growth of expected GPU fragmentation (Weng et al., ATC '23)",
		Params: []Param{{Name: "exact", Type: "bool", Default: "false", Doc: "rank by the exact growth instead of the artifact's integer sigmoid score"},
			tiesParam(tieOrder)}},
	{Name: "least-allocated", New: newLeastAllocated, Kind: Placement,
		Description: "kube-scheduler NodeResourcesFit LeastAllocated: most free share of cpu and memory (spread)",
		Params:      kubeWeightParams},
	{Name: "most-allocated", New: newMostAllocated, Kind: Placement,
		Description: "kube-scheduler NodeResourcesFit MostAllocated: least free share of cpu and memory (bin packing)",
		Params:      kubeWeightParams},
	{Name: "balanced-allocation", New: newBalancedAllocation, Kind: Placement,
		Description: "kube-scheduler NodeResourcesBalancedAllocation: least standard deviation of cpu and memory use",
		Params:      balancedParams},
}

func init() {
	for _, info := range builtin {
		MustRegister(info)
	}
}
