package sim

import (
	"fmt"
	"strings"
)

// GPU requests. A task asks for k whole GPUs (GPUs = k), or for a share of
// one GPU (GPUs = 0, 0 < GPUMilli < 1000: GPU sharing), or for no GPU. A
// GPU's capacity is GPUMilliPerGPU; nodes track each GPU separately, so the
// model knows which GPU a share lands on and a k-GPU task takes k GPUs that
// are entirely free.
const GPUMilliPerGPU = 1000

// GPUDemand is what t asks of GPUs: count GPUs with milli thousandths free
// on each. A share is (1, GPUMilli); k whole GPUs are (k, 1000); no GPU is
// (0, 0). GPUMilli = 1000 with GPUs = 0 is one whole GPU.
func (t *Task) GPUDemand() (count int, milli int32) {
	switch {
	case t.GPUs > 0:
		return int(t.GPUs), GPUMilliPerGPU
	case t.GPUMilli >= GPUMilliPerGPU:
		return 1, GPUMilliPerGPU
	case t.GPUMilli > 0:
		return 1, t.GPUMilli
	}
	return 0, 0
}

// GPURequest is t's whole GPU request in thousandths of a GPU: count x
// milli of GPUDemand.
func (t *Task) GPURequest() int64 {
	k, milli := t.GPUDemand()
	return int64(k) * int64(milli)
}

// estimate is t's runtime estimate at speed 1, its true duration when it
// has none (what EASY backfilling plans with).
func (t *Task) estimate() Time {
	if t.Estimate > 0 {
		return t.Estimate
	}
	return t.Work
}

// checkDemand reports a task whose GPU request is not one of the three
// forms GPUDemand describes.
func checkDemand(t *Task) error {
	switch {
	case t.CPU < 0 || t.Memory < 0 || t.GPUs < 0 || t.GPUMilli < 0:
		return fmt.Errorf("sim: task %d asks for a negative resource (cpu %d, memory %d, gpus %d, gpu_milli %d)", t.ID, t.CPU, t.Memory, t.GPUs, t.GPUMilli)
	case t.GPUMilli > GPUMilliPerGPU:
		return fmt.Errorf("sim: task %d asks for gpu_milli %d, more than one GPU (%d); ask for whole GPUs instead", t.ID, t.GPUMilli, GPUMilliPerGPU)
	case t.GPUs > 0 && t.GPUMilli > 0 && t.GPUMilli < GPUMilliPerGPU:
		return fmt.Errorf("sim: task %d asks for %d whole GPUs and a %d-milli share at once; a share is of one GPU (gpus 0)", t.ID, t.GPUs, t.GPUMilli)
	}
	return nil
}

// ModelAllowed reports whether a GPU of the given model satisfies spec: an
// empty spec allows every model, else spec lists models separated by '|'.
func ModelAllowed(spec, model string) bool {
	if spec == "" {
		return true
	}
	for spec != "" {
		var m string
		m, spec, _ = strings.Cut(spec, "|")
		if m == model {
			return true
		}
	}
	return false
}

// Placement is where a central scheduler puts a task: a node and, for GPU
// tasks, which of the node's GPUs (indexes 0..GPUs-1): k distinct, entirely
// free GPUs for a k-GPU task, one GPU with enough free share for a share.
// The engine owns GPUs' storage; a strategy fills it with
// p.GPUs = append(p.GPUs[:0], ...).
type Placement struct {
	Node int
	GPUs []int
}

// Placer chooses node and GPUs for a task in central queueing (job
// placement). It reports false when the task fits nowhere now; the task
// then waits (or times out). The engine checks every placement against the
// model and stops the run with an error naming the strategy when it does not
// fit, so a strategy cannot corrupt the cluster state.
//
// Strategies that only rank nodes implement Scorer (and Filter) instead;
// the engine then takes the best-scored feasible node, the lowest index on
// ties, and chooses GPUs with View.PickGPUs.
type Placer interface {
	Strategy
	Place(v *View, t *Task, p *Placement) bool
}

// FreeCPU is node i's unallocated CPU, milli-cores.
func (v *View) FreeCPU(i int) int64 { return v.specs[i].CPU - v.cpuUsed[i] }

// FreeMemory is node i's unallocated memory, bytes.
func (v *View) FreeMemory(i int) int64 { return v.specs[i].Memory - v.memUsed[i] }

// GPUFree is the free share of each of node i's GPUs, in thousandths
// (1000: entirely free). The slice is the View's own: read it, do not keep
// or modify it.
func (v *View) GPUFree(i int) []int32 { return v.gpuFree[v.gpuOff[i]:v.gpuOff[i+1]:v.gpuOff[i+1]] }

// FreeGPUMilli is node i's unallocated GPU capacity in thousandths of a GPU.
func (v *View) FreeGPUMilli(i int) int64 {
	var s int64
	for _, f := range v.GPUFree(i) {
		s += int64(f)
	}
	return s
}

// Shapes is the target workload: the distribution of task shapes the
// scenario declares (fitted from its trace), which fragmentation-aware
// strategies and the fragmentation metric read. Empty when none is known.
func (v *View) Shapes() []TaskShape { return v.shapes }

// SetShapes sets the target workload. It is for executors.
func (v *View) SetShapes(s []TaskShape) { v.shapes = s }

// Fits reports whether task t fits on node i as it is now: enough free CPU
// and memory, a GPU model the task allows, and enough GPUs (k entirely free
// GPUs, or one GPU with the share free).
func (v *View) Fits(i int, t *Task) bool {
	sp := &v.specs[i]
	if t.CPU > sp.CPU-v.cpuUsed[i] || t.Memory > sp.Memory-v.memUsed[i] {
		return false
	}
	k, milli := t.GPUDemand()
	if k == 0 {
		return true
	}
	if !ModelAllowed(t.GPUSpec, sp.GPUModel) {
		return false
	}
	n := 0
	for _, f := range v.GPUFree(i) {
		if f >= milli {
			if n++; n == k {
				return true
			}
		}
	}
	return false
}

// PickGPUs appends to dst the GPUs of node i that t would use by the
// default rule, and returns it: for a share, the GPU with the least free
// share that still fits (best fit, lowest index on ties); for k whole GPUs,
// the k lowest-indexed free ones. It returns dst unchanged when t needs no
// GPU or does not fit.
func (v *View) PickGPUs(i int, t *Task, dst []int) []int {
	k, milli := t.GPUDemand()
	free := v.GPUFree(i)
	switch {
	case k == 0:
	case milli < GPUMilliPerGPU:
		best := -1
		for g, f := range free {
			if f >= milli && (best < 0 || f < free[best]) {
				best = g
			}
		}
		if best >= 0 {
			dst = append(dst, best)
		}
	default:
		n := len(dst)
		for g, f := range free {
			if f == GPUMilliPerGPU {
				dst = append(dst, g)
				if len(dst)-n == k {
					return dst
				}
			}
		}
		dst = dst[:n]
	}
	return dst
}

// Allocate reserves t's resources on node i and the given GPUs. It checks
// the placement against the model first and returns an error saying what
// does not fit, changing nothing. It is for executors (the engine,
// realexec) and for tests that set a cluster up.
func (v *View) Allocate(i int, t *Task, gpus []int) error {
	if i < 0 || i >= len(v.specs) {
		return fmt.Errorf("node %d does not exist (valid: 0..%d)", i, len(v.specs)-1)
	}
	if err := checkDemand(t); err != nil {
		return err
	}
	sp := &v.specs[i]
	if t.CPU > sp.CPU-v.cpuUsed[i] {
		return fmt.Errorf("task %d asks for %d milli-CPU, node %s has %d free", t.ID, t.CPU, sp.Name, sp.CPU-v.cpuUsed[i])
	}
	if t.Memory > sp.Memory-v.memUsed[i] {
		return fmt.Errorf("task %d asks for %d bytes of memory, node %s has %d free", t.ID, t.Memory, sp.Name, sp.Memory-v.memUsed[i])
	}
	k, milli := t.GPUDemand()
	if len(gpus) != k {
		return fmt.Errorf("task %d needs %d GPU(s), the placement names %d", t.ID, k, len(gpus))
	}
	if k > 0 && !ModelAllowed(t.GPUSpec, sp.GPUModel) {
		return fmt.Errorf("task %d may run on GPU models %q, node %s has %q", t.ID, t.GPUSpec, sp.Name, sp.GPUModel)
	}
	free := v.GPUFree(i)
	for j, g := range gpus {
		if g < 0 || g >= len(free) {
			return fmt.Errorf("node %s has GPUs 0..%d, the placement names GPU %d", sp.Name, len(free)-1, g)
		}
		for _, h := range gpus[:j] {
			if h == g {
				return fmt.Errorf("the placement names GPU %d of node %s twice", g, sp.Name)
			}
		}
		if free[g] < milli {
			return fmt.Errorf("task %d needs %d milli-GPU on GPU %d of node %s, which has %d free", t.ID, milli, g, sp.Name, free[g])
		}
	}
	v.cpuUsed[i] += t.CPU
	v.memUsed[i] += t.Memory
	for _, g := range gpus {
		v.gpuFree[int(v.gpuOff[i])+g] -= milli
	}
	v.changed(i)
	return nil
}

// Release returns what Allocate reserved for t on node i and gpus. It is
// for executors.
func (v *View) Release(i int, t *Task, gpus []int) {
	_, milli := t.GPUDemand()
	v.cpuUsed[i] -= t.CPU
	v.memUsed[i] -= t.Memory
	for _, g := range gpus {
		v.gpuFree[int(v.gpuOff[i])+g] += milli
	}
	v.changed(i)
}
