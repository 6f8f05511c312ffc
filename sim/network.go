package sim

// Regions returns the region names of the network model, in scenario
// order; nil when the scenario has none.
func (v *View) Regions() []string { return v.regions }

// NodeRegion is the index in Regions of node i's region (-1: none).
func (v *View) NodeRegion(i int) int {
	if v.nodeRegion == nil {
		return -1
	}
	return int(v.nodeRegion[i])
}

// Origin is the index in Regions of the origin region of the task being
// decided (-1: unknown or no network model). It is set before each Pick.
func (v *View) Origin() int { return int(v.origin) }

// RTT is the configured round-trip time between regions from and to (the
// matrix of the scenario, what a geographic balancer is configured with;
// it does not include latency spikes, which only observed latency shows).
// It is 0 when either index is negative or there is no network model.
func (v *View) RTT(from, to int) Time {
	if from < 0 || to < 0 || v.rtt == nil {
		return 0
	}
	return v.rtt[from*len(v.regions)+to]
}

// SetNetwork sets the network model: region names, each node's region
// index (len = Len(), -1 for none) and the round-trip matrix, row-major
// (len = len(regions)²). It is for executors.
func (v *View) SetNetwork(regions []string, nodeRegion []int32, rtt []Time) {
	v.regions, v.nodeRegion, v.rtt = regions, nodeRegion, rtt
}

// SetOrigin sets the origin region index of the task about to be decided.
// It is for executors.
func (v *View) SetOrigin(r int) { v.origin = int32(r) }

// CPUUsed is the CPU (milli-cores) held by the tasks node i is serving;
// under node queueing it is the sum of their requests.
func (v *View) CPUUsed(i int) int64 { return v.cpuUsed[i] }

// MemoryUsed is the memory (bytes) held by the tasks node i is serving.
func (v *View) MemoryUsed(i int) int64 { return v.memUsed[i] }

// SetUsed records what node i's running tasks hold. It is for executors.
func (v *View) SetUsed(i int, cpu, memory int64) {
	v.cpuUsed[i], v.memUsed[i] = cpu, memory
	v.changed(i)
}

// use adds cpu and memory to node i's allocation. A task that asks for
// neither (every request of a load-balancing workload) touches neither
// array: at 10^6 nodes each is a cache miss.
func (v *View) use(i int, cpu, memory int64) {
	if cpu != 0 {
		v.cpuUsed[i] += cpu
	}
	if memory != 0 {
		v.memUsed[i] += memory
	}
}
