package strategies

import "github.com/fleetsim/fleetsim/sim"

// BestFit places a task where it leaves the least CPU and GPU free: the
// BestFit baseline of Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent" (USENIX ATC
// '23), as its artifact defines it (hkust-adsl/kubernetes-scheduler-
// simulator, pkg/simulator/plugin/best_fit_score.go). On each node the task
// fits, the normalised leftover is
//
//	L = ½ (cpuFree − cpu) / maxCPU + ½ (gpuFree − gpu) / maxGPU
//
// with gpuFree the node's free GPU capacity summed over its GPUs, gpu the
// task's total GPU request (count × share), and maxCPU, maxGPU the largest
// node's capacity (the artifact's constants are 128 cores and 8 GPUs, the
// largest openb node; here they are taken from the cluster, which is the
// same on openb). The score is the artifact's integer int64(100 (1 − L));
// the highest wins, and ties go to the node first in a seeded random node
// order (parameter ties; see placement.go). Memory plays no part in the
// score, as in the artifact. The artifact then min-max normalises scores
// over the nodes, which keeps their order and ties, so it is left out.
// GPUs: best fit (the least free share that fits; lowest-indexed free GPUs
// for whole GPUs), the artifact's default GPU selection.
type BestFit struct {
	name string
	a    argmax
	max  maxSpec
}

var _ sim.Placer = (*BestFit)(nil)

func newBestFit(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "best-fit", tieOrder)
	if err != nil {
		return nil, err
	}
	return &BestFit{name: tieName("best-fit", ties, tieOrder), a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (b *BestFit) Name() string { return b.name }

// Place implements sim.Placer.
func (b *BestFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &b.a, b.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (b *BestFit) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := b.max.of(v)
	_, _, gpu := gpuUse(t)
	return func(i int) float64 {
		return float64(int64((1 - leftover(v, i, t.CPU, gpu, m)) * float64(sim.MaxScore)))
	}
}

// leftover is L above, in the artifact's order of operations (so its
// integer truncation is reproduced).
func leftover(v *sim.View, i int, cpu, gpu int64, m *maxSpec) float64 {
	return float64(v.FreeCPU(i)-cpu)/m.cpu*0.5 + float64(v.FreeGPUMilli(i)-gpu)/m.gpu*0.5
}

// WorstFit places a task where it leaves the most CPU and GPU free
// (spreading): it maximises the normalised leftover L of BestFit, compared
// exactly rather than in integer steps. Ties go to a seeded random node
// order (parameter ties). For a share it takes the GPU with the most free share
// (lowest index on ties), for whole GPUs the lowest-indexed free ones: the
// artifact's worst-fit GPU selection (allocateGpuIdBasedOnWorstFit).
//
// The artifact's WorstFitScore (worst_fit_score.go) ranks by raw leftovers
// weighted 1 per milli-core and 100 per GPU thousandth, which in practice
// orders nodes by free GPU first; the normalised form here is the mirror
// image of best-fit, so the pair differs only in direction.
type WorstFit struct {
	name string
	a    argmax
	max  maxSpec
}

var _ sim.Placer = (*WorstFit)(nil)

func newWorstFit(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "worst-fit", tieOrder)
	if err != nil {
		return nil, err
	}
	return &WorstFit{name: tieName("worst-fit", ties, tieOrder), a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (w *WorstFit) Name() string { return w.name }

// Place implements sim.Placer.
func (w *WorstFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &w.a, w.scorer(v, t),
		func(i int, dst []int) []int { return worstFitGPUs(v, i, t, dst) })
}

// scorer is the score Place ranks the nodes by for t.
func (w *WorstFit) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := w.max.of(v)
	_, _, gpu := gpuUse(t)
	return func(i int) float64 { return leftover(v, i, t.CPU, gpu, m) }
}
