package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// TestHugeClusterIsRefused: node and GPU counts that would overflow the
// model's 32-bit GPU index or exceed the memory budget are an error from
// NewEngine and NewScheduler, not a panic in NewView (issue 15:
// "makeslice: len out of range" for 3 nodes of 10^9 GPUs).
func TestHugeClusterIsRefused(t *testing.T) {
	huge := make([]sim.NodeSpec, 3)
	for i := range huge {
		huge[i] = sim.NodeSpec{Name: fmt.Sprintf("g-%d", i), Slots: 1, Speed: 1, GPUs: 1_000_000_000}
	}
	st, _ := strategies.New("round-robin", nil, nil)
	src := &sliceSource{tasks: []sim.Task{{ID: 1, Work: sim.Second}}}
	if _, err := sim.NewEngine(sim.Config{Nodes: huge}, src, st); err == nil || !strings.Contains(err.Error(), "node g-0: expected 0 to 4096 GPUs, got 1000000000") {
		t.Errorf("NewEngine: %v", err)
	}
	ff, _ := strategies.New("first-fit", nil, nil)
	if _, err := sim.NewScheduler(sim.Config{Nodes: huge}, src, ff); err == nil || !strings.Contains(err.Error(), "expected 0 to 4096 GPUs") {
		t.Errorf("NewScheduler: %v", err)
	}
	slots := []sim.NodeSpec{{Name: "s", Slots: sim.MaxSlots + 1, Speed: 1}}
	if err := sim.CheckNodes(slots); err == nil || !strings.Contains(err.Error(), "node s: expected at most 1073741824 slots") {
		t.Errorf("slots: %v", err)
	}
}

// TestCheckClusterEstimate: the refusal says the estimate and the budget.
// 1,000,000 nodes of 4096 GPUs is 4.1e9 GPUs, over MaxTotalGPUs (2^30);
// 1,000,000 nodes of 1000 GPUs is 1e9 GPUs: 10^6 × 2 KiB + 10^9 × 16 B
// ≈ 16.8 GiB, over an 8 GiB budget.
func TestCheckClusterEstimate(t *testing.T) {
	if err := sim.CheckCluster(1_000_000, 4096*1_000_000); err == nil || !strings.Contains(err.Error(), "expected at most 1073741824 GPUs") {
		t.Errorf("4.1e9 GPUs: %v", err)
	}
	defer func(b int64) { sim.MemoryBudget = b }(sim.MemoryBudget)
	sim.MemoryBudget = 8 << 30
	err := sim.CheckCluster(1_000_000, 1000*1_000_000)
	if err == nil || err.Error() != "1000000 nodes with 1000000000 GPUs would take about 16.8 GiB of memory, more than the budget of 8.0 GiB: lower count or gpus (or raise FLEETSIM_MAX_MEMORY)" {
		t.Errorf("1e9 GPUs: %v", err)
	}
	if err := sim.CheckCluster(1000, 8000); err != nil {
		t.Errorf("a 1000-node cluster of 8 GPUs each: %v", err)
	}
}

// positioned is a source that says where each task is, as trace readers do.
type positioned struct {
	sliceSource
}

func (p *positioned) Position() (string, int) { return "jobs.swf", p.i + 3 }

// TestOutOfOrderNamesTheLine: a trace reader's task out of order is an
// error naming the file and line (issue 15: openb and SWF said only
// "sim: task 1 arrives at 0s").
func TestOutOfOrderNamesTheLine(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n", Slots: 1, Speed: 1}}
	st, _ := strategies.New("round-robin", nil, nil)
	src := &positioned{sliceSource{tasks: []sim.Task{{ID: 1, Arrival: 5 * sim.Second, Work: 1}, {ID: 2, Arrival: 3 * sim.Second, Work: 1}}}}
	e, err := sim.NewEngine(sim.Config{Nodes: nodes}, src, st)
	if err != nil {
		t.Fatal(err)
	}
	// Position after the second task: i = 2, line 5.
	if err := e.Run(); err == nil || !strings.HasPrefix(err.Error(), "jobs.swf:5: task 2 arrives at 3s, before the previous task (5s)") {
		t.Fatalf("got %v", err)
	}
}

func ExampleCheckCluster() {
	fmt.Println(sim.CheckCluster(3, 3_000_000_000))
	// Output: expected at most 1073741824 GPUs in all nodes together, got 3000000000: lower gpus or count
}
