package strategies

import (
	"slices"

	"github.com/fleetsim/fleetsim/sim"
)

// GPUPacking is the GpuPacking baseline of Weng et al., "Beware of
// Fragmentation" (USENIX ATC '23), as its artifact defines it
// (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin/
// gpu_packing_score.go): prefer, in this order, sharing a GPU already in
// use, then taking free GPUs on a node already in use, then opening an idle
// node. On each node a GPU task fits, with the node's GPUs taken in order of
// free share, least first (the artifact's stable sort), and the task's GPUs
// the first that fit:
//
//   - every GPU of the node is free: score max(33 − free GPUs, free GPUs)
//     (smaller idle nodes first);
//   - the task needs u ≥ 1 entirely free GPUs: score max(50 − u, 33);
//   - the task shares a used GPU with f thousandths free: score
//     max(100 − ⌊⌊f·100/1000⌋/10⌋, 50), i.e. the fuller the GPU the better,
//     in steps of a tenth of a GPU.
//
// A task without GPUs scores 0 everywhere. The highest score wins, ties to
// a seeded random node order (parameter ties; see placement.go), which
// decides among the many equal scores: with uniformly random ties instead
// the openb experiment allocates about 3 points less. GPUs: best fit (least free share that fits; lowest-indexed free
// GPUs for whole GPUs), the GPUs the score assumed.
//
// The registered strategy finds the scan's choice on a tree per demand
// kept current from the changed nodes (demandIndex); scan: true (and
// always ties: random) scores every node, the oracle; both make the same
// placements.
type GPUPacking struct {
	name  string
	a     argmax
	order []int
	scan  bool
	idx   *demandIndex
}

var _ sim.Placer = (*GPUPacking)(nil)

func newGPUPacking(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "gpu-packing", tieOrder)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("gpu-packing", "scan", false)
	if err != nil {
		return nil, err
	}
	return &GPUPacking{name: tieName("gpu-packing", ties, tieOrder), a: newArgmax(ties, rng), scan: scan || ties == tieRandom}, nil
}

// Name implements sim.Strategy.
func (g *GPUPacking) Name() string { return g.name }

// Place implements sim.Placer.
func (g *GPUPacking) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if !g.scan {
		return placeIndexed(&g.idx, v, t, p, &g.a, g.scorer(v, t), nil)
	}
	return place(v, t, p, &g.a, g.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (g *GPUPacking) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	k, milli := t.GPUDemand()
	return func(i int) float64 {
		if k == 0 {
			return float64(sim.MinScore)
		}
		return float64(g.score(v.GPUFree(i), k, milli))
	}
}

// score is the artifact's getPackingScore for a task of k GPUs with milli
// thousandths on each, on a node whose GPUs have free shares free (the task
// fits).
func (g *GPUPacking) score(free []int32, k int, milli int32) int64 {
	idle := 0
	for _, f := range free {
		if f == sim.GPUMilliPerGPU {
			idle++
		}
	}
	if idle == len(free) {
		return max(33-int64(idle), int64(idle))
	}
	g.order = g.order[:0]
	for j := range free {
		g.order = append(g.order, j)
	}
	slices.SortStableFunc(g.order, func(a, b int) int { return int(free[a]) - int(free[b]) })
	need, fullUsed := k, 0
	var share int64 // Σ ⌊free·100/1000⌋ over the shared GPUs used
	for _, j := range g.order {
		if need == 0 {
			break
		}
		if free[j] >= milli {
			need--
			if free[j] == sim.GPUMilliPerGPU {
				fullUsed++
			}
			share += int64(free[j]) * 100 / sim.GPUMilliPerGPU
		}
	}
	if fullUsed > 0 {
		return max(50-int64(fullUsed), 33)
	}
	return max(100-share/10, 50)
}
