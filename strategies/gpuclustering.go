package strategies

import "github.com/fleetsim/fleetsim/sim"

// GPUClustering is the GpuClustering baseline of Weng et al., "Beware of
// Fragmentation" (USENIX ATC '23), as its artifact defines it
// (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin/
// gpu_clustering_score.go): keep tasks of the same GPU kind together. A
// GPU task's kind is "share" for a share of one GPU, else "k GPUs"; a
// node's kinds are those of the GPU tasks running on it. On each node the
// task fits, with used = maxGPU − the node's free GPU capacity (thousandths;
// maxGPU the largest node's GPU capacity, the artifact's 8 GPUs) and
// base = ⌊25·used/maxGPU⌋, the score is
//
//   - base + 75 when the node runs tasks of the task's kind only;
//   - base + 50 when it runs the task's kind and others;
//   - base + 25 when it runs no GPU task;
//   - base when it runs other kinds only.
//
// A task without GPUs scores 0 everywhere. The highest score wins, ties to
// a seeded random node order (parameter ties; see placement.go). GPUs:
// best fit (least free share that fits; lowest-indexed free GPUs for whole
// GPUs).
//
// The kinds on a node are not in the View: the strategy counts them from
// its sim.Observer hooks (Started adds a task's kind to its node, Finished
// and Failed remove it), so it needs an executor that calls them, as the
// central scheduler does.
type GPUClustering struct {
	name  string
	a     argmax
	max   maxSpec
	kinds [][]kindCount // per node
}

type kindCount struct {
	kind, n int32 // kind: 0 share, k > 0 k whole GPUs
}

var (
	_ sim.Placer   = (*GPUClustering)(nil)
	_ sim.Observer = (*GPUClustering)(nil)
)

func newGPUClustering(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "gpu-clustering", tieOrder)
	if err != nil {
		return nil, err
	}
	return &GPUClustering{name: tieName("gpu-clustering", ties, tieOrder), a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (g *GPUClustering) Name() string { return g.name }

// kindOf is t's GPU kind and whether it has one.
func kindOf(t *sim.Task) (int32, bool) {
	k, milli := t.GPUDemand()
	switch {
	case k == 0:
		return 0, false
	case milli < sim.GPUMilliPerGPU:
		return 0, true
	}
	return int32(k), true
}

// Place implements sim.Placer.
func (g *GPUClustering) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &g.a, g.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (g *GPUClustering) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := g.max.of(v)
	kind, gpu := kindOf(t)
	return func(i int) float64 {
		if !gpu {
			return float64(sim.MinScore)
		}
		used := int64(m.gpu) - v.FreeGPUMilli(i)
		s := sim.MaxScore / 4 * used / int64(m.gpu)
		var kinds []kindCount
		if i < len(g.kinds) {
			kinds = g.kinds[i]
		}
		same := false
		for _, c := range kinds {
			same = same || c.kind == kind
		}
		switch {
		case same && len(kinds) == 1:
			s += sim.MaxScore * 3 / 4
		case same:
			s += sim.MaxScore / 2
		case len(kinds) == 0:
			s += sim.MaxScore / 4
		}
		return float64(s)
	}
}

// Started implements sim.Observer: t's kind joins node i.
func (g *GPUClustering) Started(v *sim.View, t *sim.Task, i int) {
	kind, ok := kindOf(t)
	if !ok {
		return
	}
	if len(g.kinds) < v.Len() {
		g.kinds = append(g.kinds, make([][]kindCount, v.Len()-len(g.kinds))...)
	}
	for j := range g.kinds[i] {
		if g.kinds[i][j].kind == kind {
			g.kinds[i][j].n++
			return
		}
	}
	g.kinds[i] = append(g.kinds[i], kindCount{kind: kind, n: 1})
}

// Finished implements sim.Observer: t's kind leaves node i.
func (g *GPUClustering) Finished(_ *sim.View, t *sim.Task, i int, _ sim.Time) { g.leave(t, i) }

// Failed implements sim.Observer: t's kind leaves node i.
func (g *GPUClustering) Failed(_ *sim.View, t *sim.Task, i int) { g.leave(t, i) }

func (g *GPUClustering) leave(t *sim.Task, i int) {
	kind, ok := kindOf(t)
	if !ok || i >= len(g.kinds) {
		return
	}
	ks := g.kinds[i]
	for j := range ks {
		if ks[j].kind == kind {
			if ks[j].n--; ks[j].n == 0 {
				g.kinds[i] = append(ks[:j], ks[j+1:]...)
			}
			return
		}
	}
}
