package sim

import (
	"cmp"
	"slices"
)

// TaskShape is one kind of task in a target workload: its request and its
// popularity. Fragmentation is measured against a distribution of shapes
// (Weng et al., "Beware of Fragmentation", USENIX ATC '23, Sec. 3).
type TaskShape struct {
	CPU      int64  // milli-cores
	Memory   int64  // bytes (the memory limit); no part of the fragmentation measure
	GPUs     int32  // GPUs asked for (1 for a share)
	GPUMilli int32  // thousandths needed on each of them (1000: whole GPUs)
	GPUSpec  string // allowed GPU models, as in Task
	Weight   float64
}

// ShapeOf is the shape of task t, with weight 1. Memory plays no part in
// the fragmentation measure, as in the paper's artifact, so it is not kept.
func ShapeOf(t *Task) TaskShape {
	k, milli := t.GPUDemand()
	return TaskShape{CPU: t.CPU, GPUs: int32(k), GPUMilli: milli, GPUSpec: t.GPUSpec, Weight: 1}
}

// ShapeFragment is F_n(m), the unallocated GPU capacity of a node (in
// thousandths of a GPU) that a task of shape m cannot use: all of it when
// m needs no GPU or the node cannot host m (too little free CPU, a GPU
// model m does not allow, too few GPUs with m's share free); otherwise the
// free share of each GPU whose free share is less than m needs on one GPU.
func ShapeFragment(cpuFree int64, model string, gpuFree []int32, m *TaskShape) int64 {
	var total, short int64
	n := int32(0)
	for _, f := range gpuFree {
		total += int64(f)
		if f >= m.GPUMilli {
			n++
		} else {
			short += int64(f)
		}
	}
	if m.GPUs == 0 || cpuFree < m.CPU || n < m.GPUs || !ModelAllowed(m.GPUSpec, model) {
		return total
	}
	return short
}

// NodeFragmentation is F_n(M) = sum over shapes m of weight(m) F_n(m): the
// expected GPU capacity of the node (thousandths) that the target workload
// cannot use. Weights should sum to 1.
func NodeFragmentation(cpuFree int64, model string, gpuFree []int32, shapes []TaskShape) float64 {
	var f float64
	for k := range shapes {
		f += float64(shapes[k].Weight * float64(ShapeFragment(cpuFree, model, gpuFree, &shapes[k])))
	}
	return f
}

// Fragmentation is node i's F_n(M) against the View's target workload.
func (v *View) Fragmentation(i int) float64 {
	return NodeFragmentation(v.FreeCPU(i), v.specs[i].GPUModel, v.GPUFree(i), v.shapes)
}

// ShapeCounter counts task shapes, to fit a target workload from a trace.
type ShapeCounter struct {
	n     int64
	count map[TaskShape]int64
}

// Add counts t's shape.
func (c *ShapeCounter) Add(t *Task) {
	if c.count == nil {
		c.count = make(map[TaskShape]int64)
	}
	s := ShapeOf(t)
	s.Weight = 0
	c.count[s]++
	c.n++
}

// Total is the number of tasks counted.
func (c *ShapeCounter) Total() int64 { return c.n }

// Shapes returns the most frequent shapes that together cover at least the
// given fraction of the tasks counted (0 < coverage <= 1), most frequent
// first, with weights renormalised to sum to 1. Equal counts are ordered by
// shape, so the result does not depend on the order tasks were added.
// (The paper's artifact keeps the shapes covering 95 % of the pod list.)
func (c *ShapeCounter) Shapes(coverage float64) []TaskShape {
	all := make([]TaskShape, 0, len(c.count))
	for s, k := range c.count {
		s.Weight = float64(k)
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b TaskShape) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.GPUs, b.GPUs), cmp.Compare(a.GPUMilli, b.GPUMilli),
			cmp.Compare(a.CPU, b.CPU), cmp.Compare(a.GPUSpec, b.GPUSpec))
	})
	var kept, sum float64
	for i := range all {
		kept += all[i].Weight
		if kept >= coverage*float64(c.n) {
			all = all[:i+1]
			break
		}
	}
	for _, s := range all {
		sum += s.Weight
	}
	for i := range all {
		all[i].Weight /= sum
	}
	return all
}
