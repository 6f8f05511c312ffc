package strategies

// The in-tree strategies, one literal (as the Kubernetes scheduler's
// in-tree registry is).
var builtin = []Info{
	{Name: "random", New: newRandom, Kind: Balancer | Placement,
		Description: "uniformly random node (M/M/1 per node behind Poisson arrivals); for jobs, a random node that fits"},
	{Name: "round-robin", New: newRoundRobin,
		Description: "pool members in turn, ignoring load, speed and (by default) health, as DNS round robin",
		Params:      []Param{healthParam}},
	{Name: "weighted-round-robin", New: newWeightedRoundRobin,
		Description: "nginx smooth weighted round robin; weights default to speed x slots",
		Params: []Param{{Name: "weights", Type: "list of float", Default: "speed x slots", Doc: "one weight per node, by node index"},
			healthParam,
			{Name: "scan", Type: "bool", Default: "false", Doc: "scan every node per pick (O(n), the oracle) instead of the kinetic tree; same choices"}}},
	{Name: "least-connections", New: newLeastConnections,
		Description: "fewest outstanding tasks, ties in turn",
		Params: []Param{{Name: "weighted", Type: "bool", Default: "false", Doc: "divide outstanding tasks by speed x slots"},
			{Name: "scan", Type: "bool", Default: "false", Doc: "scan every node per decision (O(n), the oracle) instead of the O(log n) load index; same choices"}}},
	{Name: "jsq", New: newJSQ,
		Description: "join the shortest queue (fewest in system), ties at random",
		Params:      []Param{{Name: "scan", Type: "bool", Default: "false", Doc: "scan every node per decision (O(n), the oracle) with its reservoir tie rule instead of the O(log n) load index; same distribution, other draws where nodes tie"}}},
	{Name: "power-of-d", New: newPowerOfD,
		Description: "shortest of d random nodes (Mitzenmacher's supermarket model)",
		Params:      []Param{{Name: "d", Type: "int", Default: "2", Doc: "nodes sampled per task, 1..65536"}}},
	{Name: "p2c", New: newP2C,
		Description: "power of two choices: power-of-d with d = 2"},
	{Name: "geo", New: newGeo,
		Description: "nearest region by RTT from the task's origin, spilling to the next-nearest above a load threshold; least outstanding within",
		Params: []Param{{Name: "threshold", Type: "float", Default: "0.8",
			Doc: "a region is full when its healthy nodes' outstanding tasks reach threshold x their slots"},
			{Name: "scan", Type: "bool", Default: "false", Doc: "scan the nodes of every region visited (O(n), the oracle) instead of per-region indexes; same choices"}}},
	{Name: "resource-based", New: newResourceBased,
		Description: "random in proportion to free cpu/memory/gpu capacity as last scraped (stale by design)",
		Params: []Param{{Name: "scrape", Type: "duration", Default: "10s",
			Doc: "metrics scrape interval; load is read only at scrapes"}}},
	{Name: "adaptive", New: newAdaptive,
		Description: "power of two choices on peak-EWMA latency x (outstanding+1), as Finagle and Linkerd",
		Params: []Param{decayParam,
			{Name: "default_rtt", Type: "duration", Default: "0",
				Doc: "latency assumed for a node with no sample yet (0: Finagle's rule, free when idle and prohibitive while its first tasks are in flight)"},
			penaltyParam}},
	{Name: "least-request", New: newLeastRequest,
		Description: "least (outstanding+1) x EWMA latency over every node, as Envoy least request with NGINX Plus least_time",
		Params: []Param{decayParam, penaltyParam,
			{Name: "scan", Type: "bool", Default: "false", Doc: "scan every node per decision (O(n), the oracle) instead of the O(log n) index; same choices"}}},
	{Name: "consistent-hash", New: newConsistentHash,
		Description: "session affinity: tasks with the same key go to the same node (Maglev or ring hash)",
		Params: []Param{
			{Name: "key", Type: "string", Default: "tenant", Doc: "what is hashed: tenant, class, region or id"},
			{Name: "method", Type: "string", Default: "maglev", Doc: "maglev (Eisenbud et al., NSDI '16) or ring (Karger et al., STOC '97)"},
			{Name: "vnodes", Type: "int", Default: "100", Doc: "ring: points per node, 1..65536"},
			{Name: "table", Type: "int", Default: "65537", Doc: "maglev: lookup table size, a prime > nodes, at most 16777216"}}},
	{Name: "queue", New: newBroker,
		Description: "a broker queue: free nodes pull the oldest task (competing consumers); M/M/c"},

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

// healthParam is the health parameter of the round robins, which model DNS
// round robin and ignore health checks by default.
var healthParam = Param{Name: "health", Type: "bool", Default: "false",
	Doc: "skip nodes that health checks report down (pool members are always the only candidates)"}

func init() {
	for _, info := range builtin {
		MustRegister(info)
	}
}
