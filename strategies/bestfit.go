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
//
// The registered strategy finds the scan's choice for the first 256
// demands on trees per demand kept current from the changed nodes
// (demandIndex, as worst-fit), and for any other demand on a segment tree
// of the nodes in tie order (fitIndex: largest free resources and smallest
// free CPU and GPU per range, updated as allocations change) by branch and
// bound, skipping ranges where the task fits nowhere or whose score bound
// cannot beat the best found: a decision costs the changes since its
// demand was last placed, or what the bound cannot exclude, not every
// node. With scan: true (and always with ties: random, whose reservoir
// draws need every tied node) it scores every node, the original kept as
// the oracle; all three make the same placements.
type BestFit struct {
	name string
	a    argmax
	max  maxSpec
	scan bool
	idx  *fitIndex
	dem  *demandIndex
}

var _ sim.Placer = (*BestFit)(nil)

func newBestFit(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "best-fit", tieOrder)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("best-fit", "scan", false)
	if err != nil {
		return nil, err
	}
	return &BestFit{name: tieName("best-fit", ties, tieOrder), a: newArgmax(ties, rng), scan: scan || ties == tieRandom}, nil
}

// Name implements sim.Strategy.
func (b *BestFit) Name() string { return b.name }

// Place implements sim.Placer.
func (b *BestFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if !b.scan {
		m := b.max.of(v)
		_, _, gpu := gpuUse(t)
		b.a.reset(v) // the tie order, drawn as the scan draws it
		if d := forView(&b.dem, v, &b.a); d.covers(t) {
			return placeIndexed(&b.dem, v, t, p, &b.a, b.scorer(v, t), nil)
		}
		if b.idx == nil {
			b.idx = &fitIndex{}
			var pos []int32
			if b.a.rule == tieOrder {
				pos = b.a.rank
			}
			b.idx.buildOrdered(v, pos, true)
		}
		if b.idx.view == v && b.idx.n == v.Len() {
			if b.idx.hopeless(t) {
				return false
			}
			k, milli := t.GPUDemand()
			s := bestFitSearch{x: b.idx, t: t, k: int32(k), milli: milli, gpu: gpu, m: m, best: -1}
			s.search(1)
			if s.best < 0 {
				b.idx.failed(t)
				return false
			}
			p.Node = s.best
			p.GPUs = v.PickGPUs(s.best, t, p.GPUs[:0])
			return true
		}
	}
	return place(v, t, p, &b.a, b.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (b *BestFit) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := b.max.of(v)
	_, _, gpu := gpuUse(t)
	return func(i int) float64 {
		return bestFitScore(v.FreeCPU(i), v.FreeGPUMilli(i), t.CPU, gpu, m)
	}
}

// leftover is L above, in the artifact's order of operations (so its
// integer truncation is reproduced).
func leftover(v *sim.View, i int, cpu, gpu int64, m *maxSpec) float64 {
	return leftoverOf(v.FreeCPU(i), v.FreeGPUMilli(i), cpu, gpu, m)
}

// leftoverOf is the normalised leftover of a node with free CPU c and free
// GPU thousandths g; it does not decrease as c or g grow (every step is
// a correctly rounded, monotone operation), which best-fit's bound uses.
func leftoverOf(c, g, cpu, gpu int64, m *maxSpec) float64 {
	return float64(float64(c-cpu)/m.cpu*0.5) + float64(float64(g-gpu)/m.gpu*0.5)
}

// bestFitScore is best-fit's integer score of a node with free CPU c and
// free GPU thousandths g.
func bestFitScore(c, g, cpu, gpu int64, m *maxSpec) float64 {
	return float64(int64((1 - leftoverOf(c, g, cpu, gpu, m)) * float64(sim.MaxScore)))
}

// bestFitSearch is best-fit on its index: a branch and bound over the tree
// in tie order, left to right, that skips a range when the task fits on
// none of its nodes or when its score bound (the score of its smallest
// free CPU and GPU) is not above the best score found so far (a node to
// the right with an equal score loses the tie). The result is the scan's:
// the highest score, the first in tie order among equals.
type bestFitSearch struct {
	x         *fitIndex
	t         *sim.Task
	k, milli  int32
	gpu       int64
	m         *maxSpec
	best      int
	bestScore float64
}

func (s *bestFitSearch) search(p int) {
	x := s.x
	if x.cannot(p, s.t, s.k, s.milli) {
		return
	}
	// A node the task fits on has at least its demand free, so the
	// smallest free CPU and GPU of the range, raised to the demand,
	// bound the score of every such node.
	if s.best >= 0 && bestFitScore(max(x.minCPU[p], s.t.CPU), max(x.minGPU[p], s.gpu), s.t.CPU, s.gpu, s.m) <= s.bestScore {
		return
	}
	if p >= x.size {
		if l := p - x.size; l < x.n {
			if i := x.at(l); x.view.Fits(i, s.t) {
				if sc := bestFitScore(x.view.FreeCPU(i), x.view.FreeGPUMilli(i), s.t.CPU, s.gpu, s.m); s.best < 0 || sc > s.bestScore {
					s.best, s.bestScore = i, sc
				}
			}
		}
		return
	}
	s.search(2 * p)
	s.search(2*p + 1)
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
//
// The registered strategy finds the scan's choice on a tree per demand
// kept current from the changed nodes (demandIndex); scan: true (and
// always ties: random) scores every node, the oracle; both make the same
// placements.
type WorstFit struct {
	name string
	a    argmax
	max  maxSpec
	scan bool
	idx  *demandIndex
}

var _ sim.Placer = (*WorstFit)(nil)

func newWorstFit(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "worst-fit", tieOrder)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("worst-fit", "scan", false)
	if err != nil {
		return nil, err
	}
	return &WorstFit{name: tieName("worst-fit", ties, tieOrder), a: newArgmax(ties, rng), scan: scan || ties == tieRandom}, nil
}

// Name implements sim.Strategy.
func (w *WorstFit) Name() string { return w.name }

// Place implements sim.Placer.
func (w *WorstFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if !w.scan {
		return placeIndexed(&w.idx, v, t, p, &w.a, w.scorer(v, t),
			func(i int, dst []int) []int { return worstFitGPUs(v, i, t, dst) })
	}
	return place(v, t, p, &w.a, w.scorer(v, t),
		func(i int, dst []int) []int { return worstFitGPUs(v, i, t, dst) })
}

// scorer is the score Place ranks the nodes by for t.
func (w *WorstFit) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := w.max.of(v)
	_, _, gpu := gpuUse(t)
	return func(i int) float64 { return leftover(v, i, t.CPU, gpu, m) }
}
