package strategies

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// The Kubernetes scheduler's resource scores (kubernetes/kubernetes,
// pkg/scheduler/framework/plugins/noderesources): the NodeResourcesFit
// plugin's LeastAllocated and MostAllocated scoring strategies
// (least_allocated.go, most_allocated.go) and the
// NodeResourcesBalancedAllocation plugin (balanced_allocation.go), in
// kube-scheduler's integer arithmetic. For each resource r of a node,
// capacity c_r is what the node has and requested q_r what is allocated
// on it plus what the task asks for. Resources: cpu (milli-cores) and
// memory (bytes), weight 1 each by default, as kube-scheduler's default
// NodeResourcesFitArgs; and gpu (thousandths of a GPU, the sum over the
// node's GPUs), which kube-scheduler knows only as an extended resource
// (nvidia.com/gpu) a profile may add: here a parameter, off by default.
// A resource a node has none of (c_r = 0) is left out of that node's score,
// as kube-scheduler does. Ties go uniformly at random (ties), as
// kube-scheduler's selectHost. GPUs on the chosen node: View.PickGPUs.
//
// One difference: for cpu and memory kube-scheduler scores with "non-zero"
// requests (a container without a request counts as 100 millicores and
// 200 MB); here a task's requests are used as they are.

// kubeResources are the per-resource weights of LeastAllocated and
// MostAllocated (0: resource not scored).
type kubeResources struct {
	cpu, mem, gpu int64
}

func kubeWeights(a Args, strategy string) (kubeResources, error) {
	var w kubeResources
	var err error
	if w.cpu, err = intParam(a, strategy, "cpu_weight", 1, 0, 100); err != nil {
		return w, err
	}
	if w.mem, err = intParam(a, strategy, "memory_weight", 1, 0, 100); err != nil {
		return w, err
	}
	if w.gpu, err = intParam(a, strategy, "gpu_weight", 0, 0, 100); err != nil {
		return w, err
	}
	if w.cpu+w.mem+w.gpu == 0 {
		return w, paramErr(strategy, "cpu_weight", "at least one of cpu_weight, memory_weight and gpu_weight must be > 0")
	}
	return w, nil
}

func (w kubeResources) name(base string) string {
	if w == (kubeResources{1, 1, 0}) {
		return base
	}
	return fmt.Sprintf("%s(cpu=%d,memory=%d,gpu=%d)", base, w.cpu, w.mem, w.gpu)
}

var kubeWeightParams = []Param{
	{Name: "cpu_weight", Type: "int", Default: "1", Doc: "weight of cpu, 0..100 (0: not scored)"},
	{Name: "memory_weight", Type: "int", Default: "1", Doc: "weight of memory, 0..100 (0: not scored)"},
	{Name: "gpu_weight", Type: "int", Default: "0", Doc: "weight of GPU capacity (thousandths), 0..100 (0: not scored)"},
	tiesParam(tieRandom),
}

// usage is node i's requested and capacity per resource after adding t:
// cpu, memory, gpu.
func usage(v *sim.View, i int, t *sim.Task) (q, c [3]int64) {
	sp := v.Spec(i)
	_, _, gpu := gpuUse(t)
	c = [3]int64{sp.CPU, sp.Memory, int64(sp.GPUs) * sim.GPUMilliPerGPU}
	q = [3]int64{sp.CPU - v.FreeCPU(i) + t.CPU, sp.Memory - v.FreeMemory(i) + t.Memory, c[2] - v.FreeGPUMilli(i) + gpu}
	return q, c
}

// weightedScore is the shared body of leastResourceScorer and
// mostResourceScorer: Σ_r w_r s_r / Σ_r w_r over the resources the node has.
func weightedScore(q, c [3]int64, w kubeResources, per func(q, c int64) int64) int64 {
	var score, sum int64
	for r, wr := range [3]int64{w.cpu, w.mem, w.gpu} {
		if wr == 0 || c[r] == 0 {
			continue
		}
		score += per(q[r], c[r]) * wr
		sum += wr
	}
	if sum == 0 {
		return 0
	}
	return score / sum
}

// LeastAllocated is kube-scheduler's default scoring strategy (spreading):
// per resource s_r = (c_r − q_r)·100 / c_r (0 when q_r > c_r), and the
// node's score Σ w_r s_r / Σ w_r, all in integer arithmetic
// (leastRequestedScore and leastResourceScorer in least_allocated.go).
type LeastAllocated struct {
	name string
	w    kubeResources
	a    argmax
}

var _ sim.Placer = (*LeastAllocated)(nil)

func newLeastAllocated(a Args, rng *sim.Rand) (sim.Strategy, error) {
	w, err := kubeWeights(a, "least-allocated")
	if err != nil {
		return nil, err
	}
	ties, err := tieParam(a, "least-allocated", tieRandom)
	if err != nil {
		return nil, err
	}
	return &LeastAllocated{name: tieName(w.name("least-allocated"), ties, tieRandom), w: w, a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (l *LeastAllocated) Name() string { return l.name }

// Place implements sim.Placer.
func (l *LeastAllocated) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &l.a, l.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (l *LeastAllocated) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	return func(i int) float64 {
		q, c := usage(v, i, t)
		return float64(weightedScore(q, c, l.w, leastRequested))
	}
}

func leastRequested(q, c int64) int64 {
	if q > c {
		return 0
	}
	return (c - q) * sim.MaxScore / c
}

// MostAllocated is kube-scheduler's bin-packing scoring strategy: per
// resource s_r = min(q_r, c_r)·100 / c_r, and the node's score
// Σ w_r s_r / Σ w_r, in integer arithmetic (mostRequestedScore and
// mostResourceScorer in most_allocated.go).
type MostAllocated struct {
	name string
	w    kubeResources
	a    argmax
}

var _ sim.Placer = (*MostAllocated)(nil)

func newMostAllocated(a Args, rng *sim.Rand) (sim.Strategy, error) {
	w, err := kubeWeights(a, "most-allocated")
	if err != nil {
		return nil, err
	}
	ties, err := tieParam(a, "most-allocated", tieRandom)
	if err != nil {
		return nil, err
	}
	return &MostAllocated{name: tieName(w.name("most-allocated"), ties, tieRandom), w: w, a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (m *MostAllocated) Name() string { return m.name }

// Place implements sim.Placer.
func (m *MostAllocated) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &m.a, m.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (m *MostAllocated) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	return func(i int) float64 {
		q, c := usage(v, i, t)
		return float64(weightedScore(q, c, m.w, mostRequested))
	}
}

func mostRequested(q, c int64) int64 {
	return min(q, c) * sim.MaxScore / c
}

// BalancedAllocation is kube-scheduler's NodeResourcesBalancedAllocation
// score (balanced_allocation.go, balancedResourceScorer): with the
// fractions f_r = min(q_r / c_r, 1) of the resources the node has, the
// standard deviation std is |f_1 − f_2| / 2 for two resources, the
// population standard deviation for more, 0 for fewer, and the score is
// int64((1 − std)·100): nodes whose resources would be used evenly win.
// Resources: cpu and memory (kube-scheduler's default), and gpu when the
// gpu parameter is set. A task that asks for none of the scored resources
// (kube-scheduler's best-effort pod, which the plugin skips) scores 0
// everywhere.
type BalancedAllocation struct {
	name string
	gpu  bool
	a    argmax
}

var _ sim.Placer = (*BalancedAllocation)(nil)

func newBalancedAllocation(a Args, rng *sim.Rand) (sim.Strategy, error) {
	gpu, err := a.Bool("balanced-allocation", "gpu", false)
	if err != nil {
		return nil, err
	}
	ties, err := tieParam(a, "balanced-allocation", tieRandom)
	if err != nil {
		return nil, err
	}
	name := "balanced-allocation"
	if gpu {
		name += "(gpu)"
	}
	return &BalancedAllocation{name: tieName(name, ties, tieRandom), gpu: gpu, a: newArgmax(ties, rng)}, nil
}

// Name implements sim.Strategy.
func (b *BalancedAllocation) Name() string { return b.name }

// Place implements sim.Placer.
func (b *BalancedAllocation) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	return place(v, t, p, &b.a, b.scorer(v, t), nil)
}

// scorer is the score Place ranks the nodes by for t.
func (b *BalancedAllocation) scorer(v *sim.View, t *sim.Task) func(i int) float64 {
	_, _, gpu := gpuUse(t)
	bestEffort := t.CPU == 0 && t.Memory == 0 && (!b.gpu || gpu == 0)
	return func(i int) float64 {
		if bestEffort {
			return 0
		}
		q, c := usage(v, i, t)
		n := 2
		if b.gpu {
			n = 3
		}
		return float64(balancedScore(q[:n], c[:n]))
	}
}

func balancedScore(q, c []int64) int64 {
	var fr [3]float64
	n := 0
	var total float64
	for r := range q {
		if c[r] == 0 {
			continue
		}
		f := min(float64(q[r])/float64(c[r]), 1)
		fr[n] = f
		total += f
		n++
	}
	std := 0.0
	switch {
	case n == 2:
		std = math.Abs((fr[0] - fr[1]) / 2)
	case n > 2:
		mean := total / float64(n)
		var sum float64
		for _, f := range fr[:n] {
			sum += float64((f - mean) * (f - mean))
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(sim.MaxScore))
}

// balancedParams documents the balanced-allocation parameters.
var balancedParams = []Param{
	{Name: "gpu", Type: "bool", Default: "false", Doc: "score GPU capacity (thousandths) as a third resource"},
	tiesParam(tieRandom),
}
