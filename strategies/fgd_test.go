package strategies_test

import (
	"math"
	"slices"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// TestShapeFragment works F_n(m) (Weng et al., ATC '23, Sec. 3.2) out by
// hand on one node: 4000m CPU free, model T4, GPUs with 500, 1000, 200 and
// 0 thousandths free (1700 in all).
func TestShapeFragment(t *testing.T) {
	gpus := []int32{500, 1000, 200, 0}
	for _, c := range []struct {
		m    sim.TaskShape
		want int64
		why  string
	}{
		{sim.TaskShape{CPU: 1000}, 1700, "a task without GPUs cannot use any GPU: all 1700 is fragment"},
		{sim.TaskShape{CPU: 1000, GPUs: 1, GPUMilli: 300}, 200, "a 300 share fits GPUs 0 and 1; GPU 2's 200 and GPU 3's 0 are fragment"},
		{sim.TaskShape{CPU: 1000, GPUs: 1, GPUMilli: 600}, 700, "a 600 share fits GPU 1 only: 500 + 200 + 0"},
		{sim.TaskShape{CPU: 1000, GPUs: 2, GPUMilli: 1000}, 1700, "two whole GPUs: only GPU 1 is free, the node cannot host it"},
		{sim.TaskShape{CPU: 8000, GPUs: 1, GPUMilli: 1000}, 1700, "8000m CPU does not fit the 4000m free"},
		{sim.TaskShape{CPU: 4000, GPUs: 1, GPUMilli: 1000}, 700, "4000m fits exactly; GPU 1 hosts it, 500 + 200 are fragment"},
		{sim.TaskShape{CPU: 1000, GPUs: 1, GPUMilli: 300, GPUSpec: "V100"}, 1700, "the shape may not run on a T4"},
		{sim.TaskShape{CPU: 1000, GPUs: 1, GPUMilli: 300, GPUSpec: "V100|T4"}, 200, "T4 is among the allowed models"},
	} {
		if got := sim.ShapeFragment(4000, "T4", gpus, &c.m); got != c.want {
			t.Errorf("%+v: F = %d, want %d (%s)", c.m, got, c.want, c.why)
		}
		if got := sim.ShapeFragment(4000, "", nil, &c.m); got != 0 {
			t.Errorf("%+v on a node without GPUs: F = %d, want 0", c.m, got)
		}
	}
	// F_n(M) = ½·200 + ¼·700 + ¼·1700 = 100 + 175 + 425.
	shapes := []sim.TaskShape{
		{CPU: 1000, GPUs: 1, GPUMilli: 300, Weight: 0.5},
		{CPU: 1000, GPUs: 1, GPUMilli: 600, Weight: 0.25},
		{CPU: 1000, Weight: 0.25},
	}
	if got := sim.NodeFragmentation(4000, "T4", gpus, shapes); got != 700 {
		t.Errorf("F_n(M) = %v, want 700", got)
	}
	// The golden cluster's nodes (placement_test.go).
	v := goldenCluster(t, strategies.FirstFit{})
	for i, want := range []float64{250, 300, 0, 0, 0} {
		if got := v.Fragmentation(i); got != want {
			t.Errorf("golden node n%d: F_n(M) = %v, want %v", i, got, want)
		}
	}
}

// refScore is FGD's score by brute force with sim.NodeFragmentation: for
// task t on node i, the best score over its GPUs and the lowest GPU with
// it (-1 for whole GPUs or none).
func refScore(v *sim.View, i int, t *sim.Task, exact bool) (float64, int) {
	shapes := v.Shapes()
	sp := v.Spec(i)
	before := sim.NodeFragmentation(v.FreeCPU(i), sp.GPUModel, v.GPUFree(i), shapes)
	score := func(gpus []int32) float64 {
		after := sim.NodeFragmentation(v.FreeCPU(i)-t.CPU, sp.GPUModel, gpus, shapes)
		if exact {
			return before - after
		}
		return float64(int64(1 / (1 + math.Exp(-(before-after)/1000)) * 100))
	}
	k, milli := t.GPUDemand()
	gpus := slices.Clone(v.GPUFree(i))
	switch {
	case k == 0:
		return score(gpus), -1
	case milli < sim.GPUMilliPerGPU:
		best, bestG := math.Inf(-1), -1
		for g := range gpus {
			if gpus[g] < milli {
				continue
			}
			gpus[g] -= milli
			if s := score(gpus); s > best {
				best, bestG = s, g
			}
			gpus[g] += milli
		}
		return best, bestG
	}
	for g := range gpus {
		if k > 0 && gpus[g] == sim.GPUMilliPerGPU {
			gpus[g] = 0
			k--
		}
	}
	return score(gpus), -1
}

// TestFGDMatchesReference: on random clusters with arrivals and
// departures, FGD (with its per-node caches) places every task on the
// lowest-indexed node with the best brute-force score, on the lowest GPU
// with the best score there, in both scoring modes.
func TestFGDMatchesReference(t *testing.T) {
	for _, exact := range []bool{false, true} {
		args := strategies.Args{"ties": "index", "exact": exact}
		for seed := uint64(1); seed <= 40; seed++ {
			churn(t, "fgd", args, seed, 300, func(v *sim.View, task *sim.Task, ok bool, p *sim.Placement) {
				best, node, gpu := math.Inf(-1), -1, -1
				for i := 0; i < v.Len(); i++ {
					if !v.Fits(i, task) {
						continue
					}
					if s, g := refScore(v, i, task, exact); s > best {
						best, node, gpu = s, i, g
					}
				}
				if !ok {
					if node >= 0 {
						t.Fatalf("exact %v seed %d: FGD placed task %+v nowhere, reference node %d", exact, seed, *task, node)
					}
					return
				}
				if p.Node != node || (gpu >= 0 && !slices.Equal(p.GPUs, []int{gpu})) {
					t.Fatalf("exact %v seed %d task %+v: FGD chose node %d GPUs %v, reference node %d GPU %d (score %v)",
						exact, seed, *task, p.Node, p.GPUs, node, gpu, best)
				}
			})
		}
	}
}

// TestFGDTargetChange: FGD follows a change of target workload.
func TestFGDTargetChange(t *testing.T) {
	st, _ := strategies.New("fgd", strategies.Args{"ties": "index"}, nil)
	v := goldenCluster(t, st)
	var p sim.Placement
	task := share
	if st.(sim.Placer).Place(v, &task, &p); p.Node != 1 {
		t.Fatalf("node %d, want 1 (see TestPlacementGoldens)", p.Node)
	}
	// A new target workload: 800 shares only.
	v.SetShapes([]sim.TaskShape{{CPU: 1000, GPUs: 1, GPUMilli: 800, Weight: 1}})
	// F before: n0 [500 1000] → 500; n1 [0 0 300 1000] → 300; n2 0; n4 0.
	// After the share: n0 GPU 0 → [200 1000]: 200, Δ −300 → 57; GPU 1 →
	// [500 700]: 1200, Δ 700 → 33. n1 GPU 2 → [0 0 0 1000]: 0, Δ −300 → 57;
	// GPU 3 → [0 0 300 700]: 1000, Δ 700 → 33. n2 [700 1000 1000 1000]: 700,
	// Δ 700 → 33; n4 [700 1000]: 700 → 33. n0 and n1 tie at 57: index → n0.
	if st.(sim.Placer).Place(v, &task, &p); p.Node != 0 || !slices.Equal(p.GPUs, []int{0}) {
		t.Errorf("after the target change: node %d GPUs %v, want node 0 GPU 0", p.Node, p.GPUs)
	}
}
