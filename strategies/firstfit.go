package strategies

import (
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// FirstFit places a task on the lowest-indexed node it fits on
// (sim.View.Fits: free CPU, memory, an allowed GPU model and enough free
// GPUs) and takes the GPUs View.PickGPUs chooses there: for a share, the
// GPU with the least free share that still fits; for whole GPUs, the
// lowest-indexed free ones.
//
// First fit is the classic bin-packing heuristic (Johnson et al., "Worst-
// case performance bounds for simple one-dimensional packing algorithms",
// SIAM J. Comput. 3(4), 1974). The FGD artifact's FirstFitScore plugin
// gives every node the same score and so relies on the node list order;
// here the order is the node index.
//
// The registered strategy keeps a segment tree over the nodes holding, for
// every range, the largest free CPU, free memory, free share of one GPU and
// count of entirely free GPUs of its nodes, updated as allocations change
// (sim.View.Watch); a decision descends to the lowest-indexed node whose
// range could hold the task and checks it with View.Fits, skipping every
// range that cannot, so it costs O(log n) where the free capacity is
// spread and never more than the scan's O(n). With scan: true (and the
// zero FirstFit) it scans the nodes in order, the original kept as the
// oracle; both make the same placements.
type FirstFit struct {
	idx *fitIndex // nil: scan
}

var (
	_ sim.Placer      = FirstFit{}
	_ sim.Initializer = FirstFit{}
)

// Init implements sim.Initializer: the index follows v.
func (f FirstFit) Init(v *sim.View) error {
	if f.idx != nil && f.idx.view != v {
		f.idx.build(v)
	}
	return nil
}

func newFirstFit(a Args, _ *sim.Rand) (sim.Strategy, error) {
	scan, err := a.Bool("first-fit", "scan", false)
	if err != nil {
		return nil, err
	}
	if scan {
		return FirstFit{}, nil
	}
	return FirstFit{idx: &fitIndex{}}, nil
}

// fitIndex is a segment tree over the nodes holding, for every range, the
// largest free resources of its nodes (to skip ranges where a task cannot
// fit) and, with bounds, the smallest free CPU and GPU (for best-fit's
// bound on the score). Leaves are in node index order, or in the order
// pos gives (best-fit's tie order).
type fitIndex struct {
	view         *sim.View
	size, n      int
	cpu, mem     []int64 // largest free CPU and memory in the range
	share, whole []int32 // largest free share of a GPU; most entirely free GPUs
	pos, node    []int32 // leaf of each node and node of each leaf (nil: identity)
	bounds       bool
	minCPU       []int64 // with bounds: smallest free CPU in the range
	minGPU       []int64 // with bounds: smallest free GPU thousandths

	// Failed searches: a task that fitted nowhere fits nowhere as long as
	// no node's free capacity grew (Allocate only takes, Release only
	// gives back, so a change that raises a node's free CPU, memory or
	// GPU sum is the only way a node can start to fit). grown counts such
	// changes; nofit remembers, per demand, the count when it failed.
	freeCPU, freeMem, freeGPU []int64 // each node's free resources as last seen
	grown                     uint64
	nofit                     map[fitKey]uint64
}

// fitKey is everything of a task that View.Fits reads.
type fitKey struct {
	cpu, mem int64
	k, milli int32
	spec     string
}

func keyOf(t *sim.Task) fitKey {
	k, milli := t.GPUDemand()
	return fitKey{t.CPU, t.Memory, int32(k), milli, t.GPUSpec}
}

// hopeless reports whether t is known to fit on no node.
func (x *fitIndex) hopeless(t *sim.Task) bool {
	g, ok := x.nofit[keyOf(t)]
	return ok && g == x.grown
}

// failed records that t fitted on no node.
func (x *fitIndex) failed(t *sim.Task) {
	if len(x.nofit) >= 1<<16 {
		clear(x.nofit)
	}
	x.nofit[keyOf(t)] = x.grown
}

func (x *fitIndex) build(v *sim.View) { x.buildOrdered(v, nil, false) }

// buildOrdered builds the tree with node i at leaf pos[i] (nil: i), with
// the smallest free CPU and GPU when bounds, and asks v to keep it current.
func (x *fitIndex) buildOrdered(v *sim.View, pos []int32, bounds bool) {
	n := v.Len()
	size := 1
	for size < n {
		size <<= 1
	}
	*x = fitIndex{view: v, size: size, n: n, cpu: make([]int64, 2*size), mem: make([]int64, 2*size),
		share: make([]int32, 2*size), whole: make([]int32, 2*size), bounds: bounds,
		freeCPU: make([]int64, n), freeMem: make([]int64, n), freeGPU: make([]int64, n), nofit: map[fitKey]uint64{}}
	for p := range x.cpu {
		x.cpu[p], x.mem[p], x.share[p], x.whole[p] = -1, -1, -1, -1
	}
	if pos != nil {
		x.pos = append([]int32(nil), pos...)
		x.node = make([]int32, n)
		for i, p := range pos {
			x.node[p] = int32(i)
		}
	}
	if bounds {
		x.minCPU, x.minGPU = make([]int64, 2*size), make([]int64, 2*size)
		for p := range x.minCPU {
			x.minCPU[p], x.minGPU[p] = math.MaxInt64, math.MaxInt64
		}
	}
	for i := 0; i < n; i++ {
		x.leaf(i)
	}
	for p := size - 1; p >= 1; p-- {
		x.pull(p)
	}
	v.Watch(x.update)
}

// at is the node of leaf position p (relative to the leaves).
func (x *fitIndex) at(p int) int {
	if x.node == nil {
		return p
	}
	return int(x.node[p])
}

func (x *fitIndex) leafOf(i int) int {
	if x.pos == nil {
		return x.size + i
	}
	return x.size + int(x.pos[i])
}

func (x *fitIndex) leaf(i int) {
	v, p := x.view, x.leafOf(i)
	c, m, g := v.FreeCPU(i), v.FreeMemory(i), v.FreeGPUMilli(i)
	if c > x.freeCPU[i] || m > x.freeMem[i] || g > x.freeGPU[i] {
		x.grown++
	}
	x.freeCPU[i], x.freeMem[i], x.freeGPU[i] = c, m, g
	x.cpu[p], x.mem[p] = v.FreeCPU(i), v.FreeMemory(i)
	if x.bounds {
		x.minCPU[p], x.minGPU[p] = v.FreeCPU(i), v.FreeGPUMilli(i)
	}
	var share, whole int32
	for _, f := range v.GPUFree(i) {
		share = max(share, f)
		if f == sim.GPUMilliPerGPU {
			whole++
		}
	}
	x.share[p], x.whole[p] = share, whole
}

func (x *fitIndex) pull(p int) {
	x.cpu[p] = max(x.cpu[2*p], x.cpu[2*p+1])
	x.mem[p] = max(x.mem[2*p], x.mem[2*p+1])
	x.share[p] = max(x.share[2*p], x.share[2*p+1])
	x.whole[p] = max(x.whole[2*p], x.whole[2*p+1])
	if x.bounds {
		x.minCPU[p] = min(x.minCPU[2*p], x.minCPU[2*p+1])
		x.minGPU[p] = min(x.minGPU[2*p], x.minGPU[2*p+1])
	}
}

// update is the View's change notification: node i's allocation may have
// changed.
func (x *fitIndex) update(i int) {
	x.leaf(i)
	for p := x.leafOf(i) >> 1; p >= 1; p >>= 1 {
		x.pull(p)
	}
}

// first is the lowest-indexed node t fits on, -1 when none.
func (x *fitIndex) first(t *sim.Task) int {
	if x.hopeless(t) {
		return -1
	}
	k, milli := t.GPUDemand()
	i := x.descend(1, t, int32(k), milli)
	if i < 0 {
		x.failed(t)
	}
	return i
}

// cannot reports whether no node of tree node p's range can hold t.
func (x *fitIndex) cannot(p int, t *sim.Task, k, milli int32) bool {
	return x.cpu[p] < t.CPU || x.mem[p] < t.Memory ||
		k > 0 && (x.share[p] < milli || (milli == sim.GPUMilliPerGPU && x.whole[p] < k))
}

func (x *fitIndex) descend(p int, t *sim.Task, k, milli int32) int {
	if x.cannot(p, t, k, milli) {
		return -1
	}
	if p >= x.size {
		if i := p - x.size; i < x.n && x.view.Fits(x.at(i), t) {
			return x.at(i)
		}
		return -1
	}
	if i := x.descend(2*p, t, k, milli); i >= 0 {
		return i
	}
	return x.descend(2*p+1, t, k, milli)
}

// Name implements sim.Strategy.
func (FirstFit) Name() string { return "first-fit" }

// Place implements sim.Placer.
func (f FirstFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	if f.idx != nil && f.idx.view == nil {
		f.idx.build(v) // Init was not called: the first View
	}
	if f.idx != nil && f.idx.view == v && f.idx.n == v.Len() {
		i := f.idx.first(t)
		if i < 0 {
			return false
		}
		p.Node = i
		p.GPUs = v.PickGPUs(i, t, p.GPUs[:0])
		return true
	}
	for i := 0; i < v.Len(); i++ {
		if v.Fits(i, t) {
			p.Node = i
			p.GPUs = v.PickGPUs(i, t, p.GPUs[:0])
			return true
		}
	}
	return false
}
