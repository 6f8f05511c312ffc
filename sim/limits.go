package sim

import "fmt"

// Bounds on what sizes a run's memory. A loader checks them before it
// builds anything, so a hostile or mistyped count ends in a clear refusal
// instead of an allocation the machine cannot make.
const (
	// MaxNodes is the most nodes a cluster may have.
	MaxNodes = 1_000_000
	// MaxGPUsPerNode is the most GPUs one node may have; the model keeps
	// each GPU's free share. Real nodes have up to 16.
	MaxGPUsPerNode = 4096
	// MaxSlots is the most tasks one node may serve at once (the model
	// counts them in 32-bit integers).
	MaxSlots = 1 << 30
	// MaxTotalGPUs is the most GPUs of a whole cluster (the model indexes
	// them with 32-bit integers).
	MaxTotalGPUs = 1 << 30
)

// Memory estimates of the model, in bytes: a node's share of every
// per-node table (specs, load, metrics, names) and a GPU's share. They are
// deliberately generous, so an estimate under the budget is safe.
const (
	bytesPerNode = 2 << 10
	bytesPerGPU  = 16
)

// MemoryBudget is the memory, in bytes, the checks of this package let one
// run's cluster model take. The CLI sets it from FLEETSIM_MAX_MEMORY.
var MemoryBudget int64 = 8 << 30

// ClusterBytes estimates the memory a cluster of nodes nodes with gpus
// GPUs in all takes in one run.
func ClusterBytes(nodes int, gpus int64) int64 {
	return int64(nodes)*bytesPerNode + gpus*bytesPerGPU
}

// CheckCluster checks a cluster's size against MaxNodes, MaxTotalGPUs and
// the memory budget, before anything is allocated for it. The error says
// the estimate and how to lower it.
func CheckCluster(nodes int, gpus int64) error {
	switch {
	case nodes > MaxNodes:
		return fmt.Errorf("expected at most %d nodes, got %d", MaxNodes, nodes)
	case gpus > MaxTotalGPUs:
		return fmt.Errorf("expected at most %d GPUs in all nodes together, got %d: lower gpus or count", MaxTotalGPUs, gpus)
	}
	if b := ClusterBytes(nodes, gpus); b > MemoryBudget {
		return fmt.Errorf("%d nodes with %d GPUs would take about %s of memory, more than the budget of %s: lower count or gpus (or raise FLEETSIM_MAX_MEMORY)",
			nodes, gpus, FormatBytes(b), FormatBytes(MemoryBudget))
	}
	return nil
}

// CheckNodes checks each node's GPUs and slots against MaxGPUsPerNode and
// MaxSlots, then the whole cluster with CheckCluster. An error names the
// first node at fault.
func CheckNodes(specs []NodeSpec) error {
	var gpus int64
	for i := range specs {
		s := &specs[i]
		switch {
		case s.GPUs < 0 || s.GPUs > MaxGPUsPerNode:
			return fmt.Errorf("node %s: expected 0 to %d GPUs, got %d", s.Name, MaxGPUsPerNode, s.GPUs)
		case s.Slots > MaxSlots:
			return fmt.Errorf("node %s: expected at most %d slots, got %d", s.Name, MaxSlots, s.Slots)
		}
		gpus += int64(s.GPUs)
	}
	return CheckCluster(len(specs), gpus)
}

// FormatBytes writes a byte count with a binary unit: "1.5 GiB".
func FormatBytes(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	f, u := float64(b)/unit, 0
	for f >= unit && u < 5 {
		f /= unit
		u++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTPE"[u])
}
