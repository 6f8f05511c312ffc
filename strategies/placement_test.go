package strategies_test

import (
	"slices"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

const gib = int64(1) << 30

// goldenCluster is the small cluster every hand-worked placement below
// starts from (free capacity after the pre-allocations):
//
//	node  cpu    memory  GPUs (free thousandths)   running
//	n0     8000  32 Gi   T4    [500 1000]          A: 4000m, 8 Gi, share 500 on GPU 0
//	n1    16000  64 Gi   V100  [0 0 300 1000]      B: 4000m, 16 Gi, GPUs 0,1; C: 2000m, 8 Gi, share 700 on GPU 2
//	n2    32000  64 Gi   V100  [1000 1000 1000 1000]
//	n3     8000  16 Gi   -     (no GPU)
//	n4    16000  64 Gi   T4    [1000 1000]
//
// Free CPU: n0 4000, n1 10000, n2 32000, n3 8000, n4 16000. Free GPU
// capacity: n0 1500, n1 1300, n2 4000, n4 2000. The largest node has
// maxCPU = 32000 and maxGPU = 4000 (the artifact's normalisation).
//
// Target workload (fgd): s1 a 500 share with 1000m CPU, weight ½; s2 one
// whole GPU with 4000m CPU, weight ½. Before any placement F_n(M) is
// n0 ½·0 + ½·500 = 250 (s2 fits GPU 1, GPU 0's 500 is its fragment),
// n1 ½·300 + ½·300 = 300 (GPU 3 hosts both, GPU 2's 300 is a fragment to
// both), n2 0, n3 0 (no GPU), n4 0.
func goldenCluster(t *testing.T, st sim.Strategy) *sim.View {
	t.Helper()
	v := sim.NewView([]sim.NodeSpec{
		{Name: "n0", CPU: 8000, Memory: 32 * gib, GPUs: 2, GPUModel: "T4"},
		{Name: "n1", CPU: 16000, Memory: 64 * gib, GPUs: 4, GPUModel: "V100"},
		{Name: "n2", CPU: 32000, Memory: 64 * gib, GPUs: 4, GPUModel: "V100"},
		{Name: "n3", CPU: 8000, Memory: 16 * gib},
		{Name: "n4", CPU: 16000, Memory: 64 * gib, GPUs: 2, GPUModel: "T4"},
	})
	v.SetShapes([]sim.TaskShape{
		{CPU: 1000, GPUs: 1, GPUMilli: 500, Weight: 0.5},
		{CPU: 4000, GPUs: 1, GPUMilli: 1000, Weight: 0.5},
	})
	obs, _ := st.(sim.Observer)
	for _, a := range []struct {
		node int
		task sim.Task
		gpus []int
	}{
		{0, sim.Task{ID: 100, CPU: 4000, Memory: 8 * gib, GPUMilli: 500}, []int{0}},
		{1, sim.Task{ID: 101, CPU: 4000, Memory: 16 * gib, GPUs: 2}, []int{0, 1}},
		{1, sim.Task{ID: 102, CPU: 2000, Memory: 8 * gib, GPUMilli: 700}, []int{2}},
	} {
		if err := v.Allocate(a.node, &a.task, a.gpus); err != nil {
			t.Fatal(err)
		}
		if obs != nil {
			obs.Started(v, &a.task, a.node)
		}
	}
	return v
}

var (
	// share: a 300 share of one GPU, 2000m CPU, 1 Gi. Fits n0, n1, n2, n4.
	share = sim.Task{ID: 1, CPU: 2000, Memory: 1 * gib, GPUMilli: 300}
	// whole: one whole GPU, 4000m, 4 Gi. Fits n0 (GPU 1), n1 (GPU 3), n2, n4.
	whole = sim.Task{ID: 2, CPU: 4000, Memory: 4 * gib, GPUs: 1}
	// cpuOnly: 7000m, 2 Gi, no GPU. Fits n1, n2, n3, n4 (n0 has 4000m free).
	cpuOnly = sim.Task{ID: 3, CPU: 7000, Memory: 2 * gib}
)

func TestPlacementGoldens(t *testing.T) {
	index := strategies.Args{"ties": "index"}
	for _, c := range []struct {
		strategy string
		args     strategies.Args
		task     sim.Task
		node     int
		gpus     []int
		why      string
	}{
		{"first-fit", nil, share, 0, []int{0}, "n0 is the first node that fits; best-fit GPU: GPU 0 (500 free) before GPU 1 (1000)"},
		{"first-fit", nil, cpuOnly, 1, nil, "n0 has 4000m free, n1 is the first that fits"},

		// best-fit: L = ½(cpuFree−cpu)/32000 + ½(gpuFree−gpu)/4000, score ⌊100(1−L)⌋.
		{"best-fit", nil, share, 0, []int{0}, "L: n0 ½·2000/32000+½·1200/4000 = .18125 → 81; n1 ½·8000/32000+½·1000/4000 = .25 → 75; " +
			"n2 ½·30000/32000+½·3700/4000 = .93125 → 6; n4 ½·14000/32000+½·1700/4000 = .43125 → 56"},
		{"best-fit", nil, whole, 0, []int{1}, "L: n0 0+½·500/4000 = .0625 → 93; n1 ½·6000/32000+½·300/4000 = .13125 → 86; n2 .8125 → 18; n4 .3125 → 68"},
		{"best-fit", nil, cpuOnly, 3, nil, "L: n1 ½·3000/32000+½·1300/4000 = .209375 → 79; n2 ½·25000/32000+½ = .890625 → 10; " +
			"n3 ½·1000/32000 = .015625 → 98; n4 ½·9000/32000+½·2000/4000 = .390625 → 60"},

		// worst-fit: the largest L (same L as best-fit); for a share the GPU with the most free share.
		{"worst-fit", nil, share, 2, []int{0}, "L: n2 .93125 beats n4 .43125, n1 .25, n0 .18125; n2's GPUs are all free: lowest index"},
		{"worst-fit", nil, cpuOnly, 2, nil, "L: n2 .890625 beats n4 .390625, n1 .209375, n3 .015625"},

		// dot-product: n = (cpuFree/32000, gpuFree/4000), d = (cpu/32000, gpu/4000), score ⌊100(1 − n·d/2)⌋.
		{"dot-product", nil, share, 0, []int{0}, "d = (.0625, .075); n·d: n0 .125·.0625+.375·.075 = .0359 → 98; n1 .3125·.0625+.325·.075 = .0439 → 97; " +
			"n2 .1375 → 93; n4 .5·.0625+.5·.075 = .06875 → 96"},
		{"dot-product", nil, whole, 0, []int{1}, "d = (.125, .25); n·d: n0 .125·.125+.375·.25 = .109375 → 94; n1 .3125·.125+.325·.25 = .1203 → 93; " +
			"n2 .375 → 81; n4 .5·.125+.5·.25 = .1875 → 90; whole GPUs: the lowest-indexed free one"},

		// gpu-packing: shared used GPU 100−⌊free/100⌋ (≥ 50); free GPU on a used node 50−u; idle node max(33−g, g).
		{"gpu-packing", nil, share, 1, []int{2}, "n0 shares GPU 0 (500 free): 95; n1 shares GPU 2 (300 free): 97; n2 idle 4 GPUs: 29; n4 idle 2 GPUs: 31"},
		{"gpu-packing", index, whole, 0, []int{1}, "n0 and n1 take one free GPU on a used node: 49 each (tie: lowest index); n2 29, n4 31"},

		// gpu-clustering: ⌊25·(4000−gpuFree)/4000⌋ + 75 same kind only, 50 same and others, 25 no GPU task, 0 others.
		{"gpu-clustering", nil, share, 0, []int{0}, "n0 runs shares only: ⌊25·2500/4000⌋+75 = 90; n1 runs a share and a 2-GPU task: ⌊25·2700/4000⌋+50 = 66; " +
			"n2 idle: 0+25; n4 idle: ⌊25·2000/4000⌋+25 = 37"},
		{"gpu-clustering", nil, whole, 4, []int{0}, "no node runs a 1-GPU task: n0 15+0, n1 16+0 (other kinds); n2 0+25 (idle, 4000 free); " +
			"n4 ⌊25·2000/4000⌋+25 = 37 (idle, but only 2000 of maxGPU free)"},

		// fgd: score ⌊100·sigmoid(−Δ/1000)⌋ with Δ the growth of F_n(M).
		{"fgd", nil, share, 1, []int{2}, "n0: GPU 0 → [200 1000], cpu 2000: ½·200+½·1200 = 700, Δ 450 → 38; GPU 1 → [500 700]: ½·0+½·1200 = 600, Δ 350 → 41; " +
			"n1: GPU 2 → [0 0 0 1000]: 0, Δ −300 → 57; GPU 3 → [0 0 300 700]: ½·300+½·1000 = 650, Δ 350 → 41; " +
			"n2: [700 1000 1000 1000]: ½·0+½·700 = 350, Δ 350 → 41; n4: [700 1000]: 350 → 41"},
		{"fgd", strategies.Args{"exact": true}, share, 1, []int{2}, "exact: n1 GPU 2 has the only negative growth (−300)"},
		{"fgd", index, cpuOnly, 2, nil, "n1: cpu 3000 < 4000 so s2 cannot run: ½·300+½·1300 = 800, Δ 500 → 37; n2, n3, n4: Δ 0 → 50 (tie: lowest index)"},

		// least-allocated (cpu, memory weight 1): ⌊(c−q)·100/c⌋ averaged with integer division.
		{"least-allocated", nil, share, 2, []int{0}, "n0 cpu 6000/8000 → 25, mem 9/32 Gi → 71: 48; n1 8000/16000 → 50, 25/64 → 60: 55; " +
			"n2 2000/32000 → 93, 1/64 → 98: 95; n4 2000/16000 → 87, 1/64 → 98: 92"},
		// most-allocated: ⌊min(q,c)·100/c⌋ averaged.
		{"most-allocated", nil, share, 0, []int{0}, "n0 75, 28: 51; n1 50, 39: 44; n2 6, 1: 3; n4 12, 1: 6"},
		{"most-allocated", strategies.Args{"gpu_weight": 1}, share, 1, []int{2}, "with gpu (q = used + 300): n0 75, 28, 800/2000 → 40: 47; " +
			"n1 50, 39, 3000/4000 → 75: 54; n2 6, 1, 7: 4; n4 12, 1, 15: 9"},
		// balanced-allocation: ⌊100(1 − |f_cpu − f_mem|/2)⌋.
		{"balanced-allocation", nil, share, 2, []int{0}, "n0 |.75−.28125|/2 → 76; n1 |.5−.3906|/2 → 94; n2 |.0625−.0156|/2 → 97; n4 |.125−.0156|/2 → 94"},
		{"balanced-allocation", nil, cpuOnly, 2, nil, "f = (cpu, mem): n1 (13000/16000, 26/64) → 1−.203125 → 79; n2 (7000/32000, 2/64) → 1−.09375 → 90; " +
			"n3 (7000/8000, 2/16) → 1−.375 → 62; n4 (7000/16000, 2/64) → 79"},
	} {
		st, err := strategies.New(c.strategy, c.args, sim.NewRand(1, "golden"))
		if err != nil {
			t.Fatal(err)
		}
		v := goldenCluster(t, st)
		var p sim.Placement
		task := c.task
		if !st.(sim.Placer).Place(v, &task, &p) {
			t.Errorf("%s %v task %d: placed nowhere, want node %d (%s)", c.strategy, c.args, task.ID, c.node, c.why)
			continue
		}
		if p.Node != c.node || !slices.Equal(p.GPUs, c.gpus) {
			t.Errorf("%s %v task %d: node %d GPUs %v, want node %d GPUs %v (%s)", c.strategy, c.args, task.ID, p.Node, p.GPUs, c.node, c.gpus, c.why)
		}
		if err := v.Allocate(p.Node, &task, p.GPUs); err != nil {
			t.Errorf("%s: %v", c.strategy, err)
		}
	}
}
