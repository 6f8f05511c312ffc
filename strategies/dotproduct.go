package strategies

import "github.com/fleetsim/fleetsim/sim"

// DotProduct is the Tetris-style alignment heuristic (Grandl et al.,
// "Multi-Resource Packing for Cluster Schedulers", SIGCOMM '14) as the FGD
// paper's DotProd baseline defines it (Weng et al., USENIX ATC '23; artifact
// hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin/
// dot_product_score.go, run with -dimext merge -norm max -gpusel best).
// On each node the task fits, with node vector n = (cpuFree/maxCPU,
// gpuFree/maxGPU) (free CPU, and free GPU capacity summed over the node's
// GPUs) and task vector d = (cpu/maxCPU, gpu/maxGPU) (gpu the total GPU
// request), the score is the artifact's integer
//
//	int64(100 (1 − (n·d)/2))
//
// and the highest wins, ties to a seeded random node order (parameter
// ties; see placement.go). maxCPU and
// maxGPU are the largest node's capacities (the artifact's constants 128
// cores and 8 GPUs, the largest openb node). GPUs: best fit (least free
// share that fits; lowest-indexed free GPUs for whole GPUs).
//
// Direction: Tetris places a task where the alignment n·d is largest; the
// artifact, and so the published DotProd numbers, favour the smallest
// alignment (score 1 − n·d/2), which packs tasks onto nodes with little
// free capacity in the dimensions they use. We follow the artifact.
//
// The registered strategy finds the scan's choice on a tree per demand
// kept current from the changed nodes (demandIndex); scan: true (and
// always ties: random) scores every node, the oracle; both make the same
// placements.
type DotProduct struct {
	name string
	a    argmax
	max  maxSpec
	scan bool
	idx  *demandIndex
}

var _ sim.Placer = (*DotProduct)(nil)

func newDotProduct(a Args, rng *sim.Rand) (sim.Strategy, error) {
	ties, err := tieParam(a, "dot-product", tieOrder)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("dot-product", "scan", false)
	if err != nil {
		return nil, err
	}
	return &DotProduct{name: tieName("dot-product", ties, tieOrder), a: newArgmax(ties, rng), scan: scan || ties == tieRandom}, nil
}

// Name implements sim.Strategy.
func (d *DotProduct) Name() string { return d.name }

// Place implements sim.Placer.
func (d *DotProduct) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if !d.scan {
		return placeIndexed(&d.idx, v, t, p, &d.a, d.scorer(v, t), nil)
	}
	return place(v, t, p, &d.a, d.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (d *DotProduct) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	m := d.max.of(v)
	_, _, gpu := gpuUse(t)
	dc, dg := float64(t.CPU)/m.cpu, float64(gpu)/m.gpu
	return func(i int) float64 { return dotScore(v.FreeCPU(i), v.FreeGPUMilli(i), dc, dg, m) }
}

// dotScore is dot-product's integer score of a node with free CPU c and
// free GPU thousandths g for the task vector (dc, dg).
func dotScore(c, g int64, dc, dg float64, m *maxSpec) float64 {
	dot := float64(float64(c)/m.cpu*dc) + float64(float64(g)/m.gpu*dg)
	return float64(int64(float64(sim.MaxScore) * (1 - float64(dot/2))))
}
