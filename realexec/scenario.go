package realexec

import (
	"fmt"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// NodesFor returns the real nodes that play sc's cluster, one per node in
// node order: those of its real section when it lists them, else the
// first of daemons (started by Up). A real node's cpu, memory and slots,
// where given, are the capacity fleetsim may use there; the others come
// from the cluster node. The machine's GPUs (NVML) are handed to the
// nodes that have GPUs in the scenario, in node order; without NVML they
// get none, and Run refuses GPU tasks saying why.
func NodesFor(sc *scenario.Scenario, daemons []Daemon) ([]NodeConfig, error) {
	specs := sc.Nodes()
	out := make([]NodeConfig, len(specs))
	ns := scenario.DefaultNamespace
	if sc.Real != nil {
		ns = sc.Real.Namespace
	}
	switch {
	case sc.Real != nil && len(sc.Real.Nodes) > 0:
		if len(sc.Real.Nodes) != len(specs) {
			return nil, fmt.Errorf("%s:%d: real.nodes: expected one daemon per cluster node (%d), got %d", sc.File, sc.Real.Line, len(specs), len(sc.Real.Nodes))
		}
		for i, rn := range sc.Real.Nodes {
			out[i] = NodeConfig{Name: specs[i].Name, Address: rn.Address, Namespace: ns, Slots: rn.Slots, CPU: rn.CPU, Memory: rn.Memory}
			if rn.Namespace != "" {
				out[i].Namespace = rn.Namespace
			}
		}
	case len(daemons) >= len(specs):
		for i := range specs {
			out[i] = daemons[i].Node(specs[i].Name)
			out[i].Namespace = ns
		}
	default:
		return nil, fmt.Errorf("%s: %d cluster nodes but %d containerd daemons and no real.nodes; start them with `fleetsim real up %d` or list them in the scenario's real section", sc.File, len(specs), len(daemons), len(specs))
	}
	var gpus []GPU
	need := 0
	for _, s := range specs {
		need += s.GPUs
	}
	if need > 0 {
		gpus, _ = GPUs()
	}
	for i := range out {
		if out[i].Slots == 0 {
			out[i].Slots = specs[i].Slots
		}
		if out[i].CPU == 0 {
			out[i].CPU = specs[i].CPU
		}
		if out[i].Memory == 0 {
			out[i].Memory = specs[i].Memory
		}
		g := specs[i].GPUs
		if sc.Real != nil && i < len(sc.Real.Nodes) && sc.Real.Nodes[i].HasGPUs {
			g = sc.Real.Nodes[i].GPUs
		}
		if g > 0 && len(gpus) >= g {
			out[i].GPUs, gpus = gpus[:g:g], gpus[g:]
		}
		if err := startable(sc, i, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MinSlotCPU and MinSlotMemory are the least a slot may get: a CPU quota
// under 1 ms per 10 ms period is below the kernel's minimum (100
// milli-cores), and runc's init and the workload need a few MiB resident
// to start at all (16 MiB leaves room). A node whose cpu or memory, shared
// by its slots, gives less is refused at load: otherwise every task fails
// at run time with a runc error.
const (
	MinSlotCPU    = 100
	MinSlotMemory = 16 << 20
)

// startable checks node i's share per slot against the minimums, naming
// the scenario line that set it.
func startable(sc *scenario.Scenario, i int, n NodeConfig) error {
	slots := int64(max(n.Slots, 1))
	where, field := sc.File, fmt.Sprintf("cluster node %s", n.Name)
	if sc.Real != nil && i < len(sc.Real.Nodes) {
		where, field = fmt.Sprintf("%s:%d", sc.File, sc.Real.Nodes[i].Line), fmt.Sprintf("real.nodes[%d]", i)
	}
	if n.CPU > 0 && n.CPU/slots < MinSlotCPU {
		return fmt.Errorf("%s: %s.cpu: %dm for %d slots; expected at least %dm per slot (the kernel's least CPU quota)", where, field, n.CPU, slots, MinSlotCPU)
	}
	if n.Memory > 0 && n.Memory/slots < MinSlotMemory {
		return fmt.Errorf("%s: %s.memory: %d bytes for %d slots; expected at least 16Mi per slot (what a container needs to start)", where, field, n.Memory, slots)
	}
	return nil
}

// ConfigFor is the real run of sc on nodes: its cluster (as the strategy
// sees it), queueing, stop and warm-up limits and scheduled faults and
// health checks. What a real run cannot play (random faults, client
// retries and timeouts, autoscaling, a modelled network) is an error
// naming it.
func ConfigFor(sc *scenario.Scenario, nodes []NodeConfig, img *Image) (Config, error) {
	sc0 := sc.Config()
	switch {
	case len(sc0.RandomFaults) > 0:
		return Config{}, fmt.Errorf("%s: random faults are not played in real runs; use scheduled faults (dynamics.faults)", sc.File)
	case sc0.Client != (sim.Client{}):
		return Config{}, fmt.Errorf("%s: client retries and timeouts are not played in real runs", sc.File)
	case len(sc0.Autoscale) > 0:
		return Config{}, fmt.Errorf("%s: autoscaling is not played in real runs", sc.File)
	case sc0.Network != nil:
		return Config{}, fmt.Errorf("%s: a modelled network is not played in real runs (the real one is)", sc.File)
	}
	cfg := Config{
		Nodes: sc0.Nodes, Real: nodes, Image: img,
		Central:   sc.Cluster.Queueing == scenario.QueueingCentral,
		StopTasks: sc0.StopTasks, StopTime: sc0.StopTime, WarmupTasks: sc0.WarmupTasks, WarmupTime: sc0.WarmupTime,
		Faults: sc0.Faults, Health: sc0.Health,
	}
	if sc.Real != nil {
		cfg.Snapshotter = sc.Real.Snapshotter
	}
	return cfg, nil
}
