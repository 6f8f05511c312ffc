package strategies

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
)

// Shared machinery of the job-placement strategies (Kind Placement). Each
// strategy is a sim.Placer: it scans the nodes that fit the task
// (sim.View.Fits), ranks them with its own score, and chooses the GPUs on
// the winner. docs/placement.md describes every strategy and where it
// departs from its source.
//
// Score ties between nodes are broken by the ties parameter:
//
//   - order (default): the strategy draws a random order of the nodes from
//     its random stream when it first sees the cluster, and a tie goes to
//     the node first in that order, at every decision. This is how the FGD
//     artifact's runs behave: it gives the nodes names that start with a
//     seeded random permutation index (pkg/simulator/simulator.go,
//     syncClusterResourceList), and equal scores go to the same node order
//     throughout a run, so ties consolidate work on the nodes early in it.
//   - random: uniformly at random among the tied nodes at each decision,
//     as upstream kube-scheduler's selectHost does (reservoir sampling).
//   - index: the lowest node index.

// tieRule is how score ties between nodes are broken.
type tieRule uint8

const (
	tieOrder tieRule = iota
	tieRandom
	tieIndex
)

var tieNames = [...]string{tieOrder: "order", tieRandom: "random", tieIndex: "index"}

// argmax keeps the best-scored node seen so far.
type argmax struct {
	rule  tieRule
	rng   *sim.Rand
	best  int
	score float64
	ties  int
	// rank[i] is node i's place in the random node order (tieOrder),
	// drawn for the View v of n nodes.
	rank []int32
	v    *sim.View
	n    int
}

func newArgmax(rule tieRule, rng *sim.Rand) argmax { return argmax{rule: rule, rng: rng} }

// reset starts a decision on v.
func (a *argmax) reset(v *sim.View) {
	a.best, a.ties = -1, 0
	if a.rule != tieOrder || (a.v == v && a.n == v.Len()) {
		return
	}
	a.v, a.n = v, v.Len()
	perm := make([]int32, a.n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := a.n - 1; i > 0; i-- {
		j := a.rng.IntN(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	a.rank = make([]int32, a.n)
	for pos, i := range perm {
		a.rank[i] = int32(pos)
	}
}

// offer considers node i with score s; higher is better.
func (a *argmax) offer(i int, s float64) {
	switch {
	case a.best < 0 || s > a.score:
		a.best, a.score, a.ties = i, s, 1
	case s < a.score:
	case a.rule == tieOrder:
		if a.rank[i] < a.rank[a.best] {
			a.best = i
		}
	case a.rule == tieRandom:
		// Replace the candidate with probability 1/ties: uniform over the
		// tied nodes (reservoir sampling, as selectHost).
		a.ties++
		if a.rng.IntN(a.ties) == 0 {
			a.best = i
		}
	}
}

// tieParam reads the ties parameter every scoring placement strategy has,
// with the strategy's default.
func tieParam(a Args, strategy string, def tieRule) (tieRule, error) {
	v, ok := a["ties"]
	if !ok {
		return def, nil
	}
	if s, isStr := v.(string); isStr {
		for r, n := range tieNames {
			if s == n {
				return tieRule(r), nil
			}
		}
	}
	return 0, paramErr(strategy, "ties", "expected one of order, random, index; got %v", v)
}

// tiesParam documents the ties parameter with the strategy's default.
func tiesParam(def tieRule) Param {
	return Param{Name: "ties", Type: "string", Default: tieNames[def],
		Doc: "score ties between nodes: order (a seeded random node order, as the FGD artifact), random (each time, as kube-scheduler), index (lowest index)"}
}

// tieName appends the tie rule to a strategy name when it is not the
// strategy's default, so results say which rule ran.
func tieName(name string, r, def tieRule) string {
	if r == def {
		return name
	}
	return name + "(ties=" + tieNames[r] + ")"
}

// place is the loop shared by the scoring strategies: the feasible node
// with the highest score(i) wins (ties as argmax), and the GPUs come from
// pick, or View.PickGPUs when pick is nil.
func place(v *sim.View, t *sim.Task, p *sim.Placement, a *argmax, score func(i int) float64, pick func(i int, dst []int) []int) bool {
	a.reset(v)
	for i := 0; i < v.Len(); i++ {
		if v.Fits(i, t) {
			a.offer(i, score(i))
		}
	}
	if a.best < 0 {
		return false
	}
	p.Node = a.best
	if pick != nil {
		p.GPUs = pick(a.best, p.GPUs[:0])
	} else {
		p.GPUs = v.PickGPUs(a.best, t, p.GPUs[:0])
	}
	return true
}

// gpuUse is what t asks of GPUs, as the FGD artifact's PodResource has it:
// the GPU count and the thousandths on each, and their product.
func gpuUse(t *sim.Task) (k int, milli int32, total int64) {
	k, milli = t.GPUDemand()
	return k, milli, t.GPURequest()
}

// isShare reports whether t asks for a share of one GPU.
func isShare(t *sim.Task) bool {
	k, milli := t.GPUDemand()
	return k == 1 && milli < sim.GPUMilliPerGPU
}

// worstFitGPUs appends the GPUs of node i t would use under the worst-fit
// GPU rule (the FGD artifact's allocateGpuIdBasedOnWorstFit): for a share,
// the GPU with the most free share (lowest index on ties); for whole GPUs,
// the lowest-indexed free ones, as View.PickGPUs.
func worstFitGPUs(v *sim.View, i int, t *sim.Task, dst []int) []int {
	if !isShare(t) {
		return v.PickGPUs(i, t, dst)
	}
	_, milli := t.GPUDemand()
	best := -1
	free := v.GPUFree(i)
	for g, f := range free {
		if f >= milli && (best < 0 || f > free[best]) {
			best = g
		}
	}
	if best >= 0 {
		dst = append(dst, best)
	}
	return dst
}

// randomGPUs appends the GPUs t would use under the FGD artifact's random
// GPU rule (allocateGpuIdBasedOnRandomFit): for a share, a GPU drawn
// uniformly among those with enough free share; for whole GPUs, the
// lowest-indexed free ones.
func randomGPUs(v *sim.View, i int, t *sim.Task, rng *sim.Rand, dst []int) []int {
	if !isShare(t) {
		return v.PickGPUs(i, t, dst)
	}
	_, milli := t.GPUDemand()
	n, pick := 0, -1
	for g, f := range v.GPUFree(i) {
		if f >= milli {
			n++
			if rng.IntN(n) == 0 {
				pick = g
			}
		}
	}
	if pick >= 0 {
		dst = append(dst, pick)
	}
	return dst
}

// maxSpec is the largest node of a cluster, the FGD artifact's
// normalisation (MaxSpecCpu = 128 cores, MaxSpecGpu = 8 GPUs: the largest
// openb node). It is recomputed when the strategy sees another View.
type maxSpec struct {
	v        *sim.View
	n        int
	cpu, gpu float64 // milli-cores, GPU thousandths
}

func (m *maxSpec) of(v *sim.View) *maxSpec {
	if m.v == v && m.n == v.Len() {
		return m
	}
	m.v, m.n, m.cpu, m.gpu = v, v.Len(), 0, 0
	for i := 0; i < v.Len(); i++ {
		sp := v.Spec(i)
		m.cpu = max(m.cpu, float64(sp.CPU))
		m.gpu = max(m.gpu, float64(sp.GPUs)*sim.GPUMilliPerGPU)
	}
	// A cluster without CPU or GPU capacity scores that dimension 0.
	m.cpu, m.gpu = max(m.cpu, 1), max(m.gpu, 1)
	return m
}

// intParam reads an integer parameter (registry.Int) as int64.
func intParam(a Args, strategy, name string, def, lo, hi int) (int64, error) {
	n, err := a.Int(strategy, name, def, lo, hi)
	return int64(n), err
}

// paramErr builds a ParamError.
func paramErr(strategy, name, format string, args ...any) error {
	return &ParamError{Strategy: strategy, Param: name, Msg: fmt.Sprintf(format, args...)}
}
