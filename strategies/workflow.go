package strategies

import (
	"cmp"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
)

// Workflow strategies: list scheduling of the tasks of DAGs under central
// queueing (docs/workflows.md). Each is a sim.Selector: it sees every
// ready task (all parents completed) and chooses which starts next and
// where. They plan with the View's expected runtimes (the runtime table,
// or a task's estimate at the node's speed: what the HEFT paper's model
// assumes known) and transfer times.
//
//   - heft and cpop (Topcuoglu, Hariri and Wu, IEEE TPDS 13(3), 2002) plan
//     a whole workflow when it arrives, with the insertion-based policy,
//     on processors (one per core of each node); the engine then starts
//     each processor's tasks in planned order as they become ready.
//   - critical-path, ready-fifo, min-min and max-min decide online among
//     ready tasks and the nodes they fit on now, by earliest finish time
//     (EFT = max(now, data ready on the node) + runtime there).

var workflowStrategies = []Info{
	{Name: "heft", New: newHEFT, Kind: Placement,
		Description: "heterogeneous earliest finish time: upward-rank order, insertion-based EFT processor (Topcuoglu et al. 2002)"},
	{Name: "cpop", New: newCPOP, Kind: Placement,
		Description: "critical path on a processor: critical tasks on the processor fastest for the whole path, others by EFT (Topcuoglu et al. 2002)"},
	{Name: "critical-path", New: newCriticalPath, Kind: Placement,
		Description: "online: the ready task with the longest path to its workflow's exit first, on the EFT node"},
	{Name: "ready-fifo", New: newReadyFIFO, Kind: Placement,
		Description: "online: ready tasks in the order they became ready, each on its EFT node"},
	{Name: "min-min", New: newMinMin, Kind: Placement,
		Description: "online: the ready task with the smallest best completion time first (Braun et al. 2001)"},
	{Name: "max-min", New: newMaxMin, Kind: Placement,
		Description: "online: the ready task with the largest best completion time first (Braun et al. 2001)"},
}

func init() {
	for _, info := range workflowStrategies {
		MustRegister(info)
	}
}

// nodeKind is a set of nodes with the same group and speed: they run every
// task for the same expected time, so ranks are computed once per kind.
type nodeKind struct {
	rep, rep2 int // two nodes of the kind (rep2 -1 when it has one)
	count     int
}

// kindKey is what makes nodes interchangeable for planning: the same
// runtimes (group, speed), transfers (link, region) and capacity.
type kindKey struct {
	group       string
	speed, link float64
	cpu, mem    int64
	gpus        int
	model       string
	region      int
}

// wfBase is what every workflow strategy shares: node kinds and upward
// ranks of the tasks of workflows in flight.
type wfBase struct {
	kinds  []nodeKind
	kindOf []int // node -> kind
	n      int
	rank   map[int64]float64 // upward rank x number of nodes, in ns

	// scratch for Submitted
	idx   map[int64]int
	succ  [][]int32
	ecost [][]sim.Time // ecost[k][j]: mean cost of edge from task k to its j-th successor
	wbar  []float64    // mean runtime x n
}

func (b *wfBase) Init(v *sim.View) error {
	b.n = v.Len()
	b.kinds = b.kinds[:0]
	b.kindOf = make([]int, v.Len())
	seen := map[kindKey]int{}
	for i := 0; i < v.Len(); i++ {
		s := v.Spec(i)
		key := kindKey{s.Group, s.Speed, s.Link, s.CPU, s.Memory, s.GPUs, s.GPUModel, v.NodeRegion(i)}
		if k, ok := seen[key]; ok {
			b.kinds[k].count++
			b.kindOf[i] = k
			if b.kinds[k].rep2 < 0 {
				b.kinds[k].rep2 = i
			}
			continue
		}
		seen[key] = len(b.kinds)
		b.kindOf[i] = len(b.kinds)
		b.kinds = append(b.kinds, nodeKind{rep: i, rep2: -1, count: 1})
	}
	b.rank = map[int64]float64{}
	return nil
}

// graph indexes a submitted workflow: successors, mean edge costs and
// mean runtimes (x n), and computes upward ranks (x n):
//
//	rank_u(i) = w̄_i + max over successors j of (c̄_ij + rank_u(j))
//
// with w̄ the mean runtime over nodes and c̄ the transfer time between two
// distinct nodes (MeanTransferTime).
func (b *wfBase) graph(v *sim.View, ts []*sim.Task) []float64 {
	n := len(ts)
	if b.idx == nil {
		b.idx = map[int64]int{}
	}
	clear(b.idx)
	for k, t := range ts {
		b.idx[t.ID] = k
	}
	b.succ = resize(b.succ, n)
	b.ecost = resize(b.ecost, n)
	for k := range b.succ {
		b.succ[k], b.ecost[k] = b.succ[k][:0], b.ecost[k][:0]
	}
	b.wbar = b.wbar[:0]
	for k, t := range ts {
		var w float64
		for _, kd := range b.kinds {
			w += float64(float64(kd.count) * float64(v.Runtime(t, kd.rep)))
		}
		b.wbar = append(b.wbar, w)
		for _, e := range t.ParentEdges() {
			if p, ok := b.idx[e.Parent]; ok {
				b.succ[p] = append(b.succ[p], int32(k))
				b.ecost[p] = append(b.ecost[p], v.MeanTransferTime(v.EdgeBytes(e)))
			}
		}
	}
	up := make([]float64, n)
	for k := n - 1; k >= 0; k-- {
		var m float64
		for j, s := range b.succ[k] {
			m = max(m, float64(float64(b.n)*float64(b.ecost[k][j]))+up[s])
		}
		up[k] = b.wbar[k] + m
		b.rank[ts[k].ID] = up[k]
	}
	return up
}

func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return append(s[:cap(s)], make([]T, n-cap(s))...)
}

// eft is when t would finish on node i if started there now.
func eft(v *sim.View, t *sim.Task, i int) sim.Time {
	return max(v.Now(), v.DataReady(t, i)) + v.Runtime(t, i)
}

// bestNode is the node t fits on now with the earliest finish time (the
// lowest index among equals), or -1.
func bestNode(v *sim.View, t *sim.Task) (int, sim.Time) {
	best, bt := -1, sim.MaxTime
	for i := 0; i < v.Len(); i++ {
		if !v.Fits(i, t) {
			continue
		}
		if f := eft(v, t, i); f < bt {
			best, bt = i, f
		}
	}
	return best, bt
}

// Place implements sim.Placer, for executors that place one task at a
// time (a task outside any workflow, or an executor without Selector
// support): the node t fits on now with the earliest finish time.
func (b *wfBase) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	i, _ := bestNode(v, t)
	if i < 0 {
		return false
	}
	p.Node = i
	p.GPUs = v.PickGPUs(i, t, p.GPUs[:0])
	return true
}

func (b *wfBase) Started(v *sim.View, t *sim.Task, i int)                { delete(b.rank, t.ID) }
func (b *wfBase) Finished(v *sim.View, t *sim.Task, i int, lat sim.Time) {}
func (b *wfBase) Failed(v *sim.View, t *sim.Task, i int)                 {}
func (b *wfBase) Submitted(v *sim.View, ts []*sim.Task)                  { b.graph(v, ts) }
func (b *wfBase) selectBy(v *sim.View, ready []*sim.Task, p *sim.Placement, better func(a, b float64) bool, key func(k int, t *sim.Task) (float64, int)) int {
	bestK, bestI := -1, -1
	var bestKey float64
	for k, t := range ready {
		kv, i := key(k, t)
		if i < 0 {
			continue
		}
		if bestK < 0 || better(kv, bestKey) {
			bestK, bestI, bestKey = k, i, kv
		}
	}
	if bestK >= 0 {
		p.Node = bestI
	}
	return bestK
}

// Online list schedulers.

type onlineWF struct {
	wfBase
	name string
}

// Name implements sim.Strategy.
func (s *onlineWF) Name() string { return s.name }

// ReadyFIFO starts ready tasks in the order they became ready, each on the
// node where it would finish first.
type ReadyFIFO struct{ onlineWF }

func newReadyFIFO(Args, *sim.Rand) (sim.Strategy, error) {
	return &ReadyFIFO{onlineWF{name: "ready-fifo"}}, nil
}

// Select implements sim.Selector.
func (s *ReadyFIFO) Select(v *sim.View, ready []*sim.Task, p *sim.Placement) int {
	for k, t := range ready {
		if i, _ := bestNode(v, t); i >= 0 {
			p.Node = i
			return k
		}
	}
	return -1
}

// CriticalPath starts the ready task with the largest upward rank (the
// longest expected path to its workflow's end) first, on its EFT node.
type CriticalPath struct{ onlineWF }

func newCriticalPath(Args, *sim.Rand) (sim.Strategy, error) {
	return &CriticalPath{onlineWF{name: "critical-path"}}, nil
}

// Select implements sim.Selector.
func (s *CriticalPath) Select(v *sim.View, ready []*sim.Task, p *sim.Placement) int {
	return s.selectBy(v, ready, p, func(a, b float64) bool { return a > b }, func(_ int, t *sim.Task) (float64, int) {
		i, _ := bestNode(v, t)
		return s.rank[t.ID], i
	})
}

// MinMin starts the ready task whose earliest completion time over the
// nodes it fits on now is smallest, on that node; MaxMin the one whose
// earliest completion time is largest.
type MinMin struct {
	onlineWF
	maxMin bool
}

func newMinMin(Args, *sim.Rand) (sim.Strategy, error) {
	return &MinMin{onlineWF: onlineWF{name: "min-min"}}, nil
}

func newMaxMin(Args, *sim.Rand) (sim.Strategy, error) {
	return &MinMin{onlineWF: onlineWF{name: "max-min"}, maxMin: true}, nil
}

// Select implements sim.Selector.
func (s *MinMin) Select(v *sim.View, ready []*sim.Task, p *sim.Placement) int {
	better := func(a, b float64) bool { return a < b }
	if s.maxMin {
		better = func(a, b float64) bool { return a > b }
	}
	return s.selectBy(v, ready, p, better, func(_ int, t *sim.Task) (float64, int) {
		i, f := bestNode(v, t)
		return float64(f), i
	})
}

// Static list schedulers: HEFT and CPOP.

// interval is a planned busy period of a processor.
type interval struct{ start, end sim.Time }

// proc is one processor of the plan: a core of a node.
type proc struct {
	node    int
	lastEnd sim.Time   // end of its last planned busy period
	busy    []interval // sorted by start
	queue   []int64    // planned tasks not yet started, in planned start order
	start   []sim.Time // their planned starts
	head    int
}

type planned struct {
	proc       int
	start, end sim.Time
}

// planner is HEFT, the heterogeneous-earliest-finish-time list scheduler,
// or CPOP, the critical-path-on-a-processor one (Topcuoglu, Hariri and Wu
// 2002). It holds the processors and the plan of tasks not yet started.
type planner struct {
	wfBase
	name  string
	cpop  bool
	procs []proc
	plan  map[int64]planned

	nodeProcs [][]int    // node -> its processors
	kindProcs [][]int    // kind -> its processors
	idle      []procHeap // kind -> its processors by lastEnd (lazy: stale entries skipped)
	par       []parInfo  // scratch: the parents of the task being assigned
	aft       []sim.Time // scratch: planned finish of each task of a workflow
	where     []int      // scratch: planned node of each task

	// Under the dispatch model (View.Dispatch > 0): each node's planned
	// starts, Dispatch long each, one at a time (dispPlan).
	disp   sim.Time
	starts [][]interval
}

func newHEFT(Args, *sim.Rand) (sim.Strategy, error) { return &planner{name: "heft"}, nil }
func newCPOP(Args, *sim.Rand) (sim.Strategy, error) { return &planner{name: "cpop", cpop: true}, nil }

// Name implements sim.Strategy.
func (s *planner) Name() string { return s.name }

// Init implements sim.Initializer: one processor per core of each node
// (at least one).
func (s *planner) Init(v *sim.View) error {
	if err := s.wfBase.Init(v); err != nil {
		return err
	}
	s.procs = s.procs[:0]
	s.nodeProcs = make([][]int, v.Len())
	s.kindProcs = make([][]int, len(s.kinds))
	s.idle = make([]procHeap, len(s.kinds))
	for i := 0; i < v.Len(); i++ {
		for c := int64(0); c < max(1, v.Spec(i).CPU/1000); c++ {
			q := len(s.procs)
			s.procs = append(s.procs, proc{node: i})
			s.nodeProcs[i] = append(s.nodeProcs[i], q)
			kd := s.kindOf[i]
			s.kindProcs[kd] = append(s.kindProcs[kd], q)
			s.idle[kd] = append(s.idle[kd], procEnt{0, q}) // sorted: a heap
		}
	}
	s.plan = map[int64]planned{}
	s.disp, s.starts = v.Dispatch(), nil
	if s.disp > 0 {
		s.starts = make([][]interval, v.Len())
	}
	return nil
}

// dispPlan is the dispatch model in the plan: a task's start on node i
// takes disp and the node makes one start at a time, so its start is
// booked in the first free slot of node i's starts from when its parents
// finish (pr; the scheduler places a task once they have), and its work
// begins after it. dispPlan returns that slot's start.
func (s *planner) dispPlan(v *sim.View, i int, pr sim.Time) sim.Time {
	ds := max(pr, v.DispatchFree(i))
	for _, iv := range s.starts[i] {
		if iv.end <= ds {
			continue
		}
		if ds+s.disp <= iv.start {
			break
		}
		ds = max(ds, iv.end)
	}
	return ds
}

// fitsEmpty reports whether t fits node i when it is empty.
func fitsEmpty(v *sim.View, t *sim.Task, i int) bool {
	sp := v.Spec(i)
	k, _ := t.GPUDemand()
	return t.CPU <= sp.CPU && t.Memory <= sp.Memory && k <= sp.GPUs && (k == 0 || sim.ModelAllowed(t.GPUSpec, sp.GPUModel))
}

// earliest is the insertion-based start on processor q for a task of
// duration d whose data is ready at r: the first idle gap from r on that
// is long enough.
func (q *proc) earliest(r, d sim.Time) sim.Time {
	s := r
	for _, iv := range q.busy {
		if iv.end <= s {
			continue
		}
		if s+d <= iv.start {
			break
		}
		s = max(s, iv.end)
	}
	return s
}

func (q *proc) insert(id int64, start, end sim.Time) {
	i, _ := slices.BinarySearchFunc(q.busy, start, func(iv interval, t sim.Time) int { return cmp.Compare(iv.start, t) })
	q.busy = slices.Insert(q.busy, i, interval{start, end})
	j, _ := slices.BinarySearch(q.start[q.head:], start)
	j += q.head
	for j < len(q.start) && q.start[j] == start {
		j++
	}
	q.queue = slices.Insert(q.queue, j, id)
	q.start = slices.Insert(q.start, j, start)
}

// trim forgets busy periods that ended before now.
func (q *proc) trim(now sim.Time) {
	k := 0
	for k < len(q.busy) && q.busy[k].end <= now {
		k++
	}
	if k > 0 {
		q.busy = append(q.busy[:0], q.busy[k:]...)
	}
}

// Submitted implements sim.WorkflowObserver: the workflow is planned.
func (s *planner) Submitted(v *sim.View, ts []*sim.Task) {
	up := s.graph(v, ts)
	now := v.Now()
	for q := range s.procs {
		s.procs[q].trim(now)
	}
	for i, st := range s.starts {
		k := 0
		for k < len(st) && st[k].end <= now {
			k++
		}
		s.starts[i] = append(st[:0], st[k:]...)
	}
	n := len(ts)
	s.aft = resize(s.aft, n)
	s.where = resize(s.where, n)
	for k := range s.where {
		s.where[k] = -1
	}
	if !s.cpop {
		// HEFT: decreasing upward rank (stream order among equals; a
		// parent's rank exceeds its children's, so parents come first).
		order := make([]int, n)
		for k := range order {
			order[k] = k
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(up[b], up[a]) })
		for _, k := range order {
			s.assign(v, ts, k, -1)
		}
		return
	}
	// CPOP: priority = upward + downward rank; the critical path runs
	// through the entry task along children whose priority equals it.
	down := make([]float64, n)
	for k, t := range ts {
		for _, e := range t.ParentEdges() {
			if p, ok := s.idx[e.Parent]; ok {
				down[k] = max(down[k], down[p]+s.wbar[p]+float64(float64(s.n)*float64(v.MeanTransferTime(v.EdgeBytes(e)))))
			}
		}
	}
	prio := make([]float64, n)
	for k := range prio {
		prio[k] = up[k] + down[k]
	}
	onCP := make([]bool, n)
	npar := make([]int, n)
	for k, t := range ts {
		for _, e := range t.ParentEdges() {
			if _, ok := s.idx[e.Parent]; ok {
				npar[k]++
			}
		}
	}
	// The entry tasks with the largest priority start the path.
	cp := -1
	for k := range ts {
		if npar[k] == 0 && (cp < 0 || prio[k] > prio[cp]) {
			cp = k
		}
	}
	cpLen := prio[cp]
	for k := cp; k >= 0; {
		onCP[k] = true
		next := -1
		for _, c := range s.succ[k] {
			if near(prio[c], cpLen) {
				next = int(c)
				break
			}
		}
		k = next
	}
	// The critical-path node: the smallest sum of the path's runtimes.
	cpNode, best := -1, sim.MaxTime
	for i := 0; i < v.Len(); i++ {
		var sum sim.Time
		ok := true
		for k := range ts {
			if onCP[k] {
				if !fitsEmpty(v, ts[k], i) {
					ok = false
					break
				}
				sum += v.Runtime(ts[k], i)
			}
		}
		if ok && sum < best {
			cpNode, best = i, sum
		}
	}
	// List scheduling from a ready queue by priority.
	left := slices.Clone(npar)
	var queue []int
	for k := range ts {
		if left[k] == 0 {
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		bi := 0
		for j := range queue {
			if prio[queue[j]] > prio[queue[bi]] && !near(prio[queue[j]], prio[queue[bi]]) ||
				near(prio[queue[j]], prio[queue[bi]]) && queue[j] < queue[bi] {
				bi = j
			}
		}
		k := queue[bi]
		queue = slices.Delete(queue, bi, bi+1)
		only := -1
		if onCP[k] {
			only = cpNode
		}
		s.assign(v, ts, k, only)
		for _, c := range s.succ[k] {
			if left[c]--; left[c] == 0 {
				queue = append(queue, int(c))
			}
		}
	}
}

// near reports whether two ranks (sums of integers) are equal up to
// rounding.
func near(a, b float64) bool {
	d := a - b
	return d < 1e-6*max(1, a, b) && -d < 1e-6*max(1, a, b)
}

// parInfo is a parent's planned node, finish and data for the child.
type parInfo struct {
	node  int
	aft   sim.Time
	bytes int64
}

// procEnt is a processor and its lastEnd when the entry was pushed.
type procEnt struct {
	end  sim.Time
	proc int
}

// procHeap is a min-heap of processors by lastEnd, then index.
type procHeap []procEnt

func (h procHeap) less(a, b int) bool {
	return h[a].end < h[b].end || h[a].end == h[b].end && h[a].proc < h[b].proc
}

func (h *procHeap) push(e procEnt) {
	*h = append(*h, e)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *procHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && h.less(l, m) {
			m = l
		}
		if l+1 < n && h.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
}

// top is the processor of kind kd whose planned work ends first.
func (s *planner) top(kd int) (int, bool) {
	h := &s.idle[kd]
	for len(*h) > 0 {
		e := (*h)[0]
		if s.procs[e.proc].lastEnd == e.end {
			return e.proc, true
		}
		h.pop() // stale
	}
	return -1, false
}

// assign plans task k on the processor with the earliest insertion-based
// finish time (the lowest index among equals), among the processors of
// node only when only >= 0. Processors are evaluated exactly on nodes
// holding a parent's data and, per node kind, the others all see one
// data-ready time r: when the kind's processor whose plan ends first is
// free by r, no other of the kind can start earlier, so it alone is
// evaluated; otherwise every processor of the kind is.
func (s *planner) assign(v *sim.View, ts []*sim.Task, k, only int) {
	t := ts[k]
	s.par = s.par[:0]
	for _, e := range t.ParentEdges() {
		if p, ok := s.idx[e.Parent]; ok && s.where[p] >= 0 {
			s.par = append(s.par, parInfo{node: s.where[p], aft: s.aft[p], bytes: v.EdgeBytes(e)})
		}
	}
	bq, bs, be, bds := -1, sim.Time(0), sim.MaxTime, sim.Time(0)
	pr := v.Now() // when the parents finish
	for _, pi := range s.par {
		pr = max(pr, pi.aft)
	}
	try := func(q int) {
		i := s.procs[q].node
		r := v.Now()
		for _, pi := range s.par {
			at := pi.aft
			if pi.node != i {
				at += v.TransferTime(pi.node, i, pi.bytes)
			}
			r = max(r, at)
		}
		var ds sim.Time
		if s.starts != nil {
			ds = s.dispPlan(v, i, pr)
			r = max(r, ds+s.disp)
		}
		d := v.Runtime(t, i)
		st := s.procs[q].earliest(r, d)
		if st+d < be || st+d == be && q < bq {
			bq, bs, be, bds = q, st, st+d, ds
		}
	}
	switch {
	case only >= 0:
		if fitsEmpty(v, t, only) {
			for _, q := range s.nodeProcs[only] {
				try(q)
			}
		}
	case s.starts != nil:
		// Nodes of a kind differ in their planned starts: each is
		// evaluated.
		for i := range s.nodeProcs {
			if fitsEmpty(v, t, i) {
				for _, q := range s.nodeProcs[i] {
					try(q)
				}
			}
		}
	default:
		for _, pi := range s.par {
			if fitsEmpty(v, t, pi.node) {
				for _, q := range s.nodeProcs[pi.node] {
					try(q)
				}
			}
		}
		for kd, kn := range s.kinds {
			if !fitsEmpty(v, t, kn.rep) {
				continue
			}
			r, ok := v.Now(), true
			for _, pi := range s.par {
				to := kn.rep
				if to == pi.node {
					to = kn.rep2
				}
				if to < 0 {
					ok = false // the kind's only node holds the data: done above
					break
				}
				r = max(r, pi.aft+v.TransferTime(pi.node, to, pi.bytes))
			}
			if !ok {
				continue
			}
			if q, found := s.top(kd); found && s.procs[q].lastEnd <= r {
				try(q)
				continue
			}
			for _, q := range s.kindProcs[kd] {
				try(q)
			}
		}
	}
	if bq < 0 {
		return // fits no node: left to the engine, which drops it
	}
	s.aft[k], s.where[k] = be, s.procs[bq].node
	if s.starts != nil {
		i := s.procs[bq].node
		j, _ := slices.BinarySearchFunc(s.starts[i], bds, func(iv interval, t sim.Time) int { return cmp.Compare(iv.start, t) })
		s.starts[i] = slices.Insert(s.starts[i], j, interval{bds, bds + s.disp})
	}
	q := &s.procs[bq]
	q.insert(t.ID, bs, be)
	if be > q.lastEnd {
		q.lastEnd = be
		s.idle[s.kindOf[q.node]].push(procEnt{be, bq})
	}
	s.plan[t.ID] = planned{proc: bq, start: bs, end: be}
}

// Select implements sim.Selector: among ready tasks that are next on their
// planned processor and fit its node now, the one planned earliest. A
// ready task without a plan (not in a workflow) goes to its EFT node.
func (s *planner) Select(v *sim.View, ready []*sim.Task, p *sim.Placement) int {
	bk, bs := -1, sim.MaxTime
	for k, t := range ready {
		pe, ok := s.plan[t.ID]
		if !ok {
			if i, _ := bestNode(v, t); i >= 0 {
				p.Node = i
				return k
			}
			continue
		}
		q := &s.procs[pe.proc]
		if q.queue[q.head] == t.ID && pe.start < bs && v.Fits(q.node, t) {
			bk, bs = k, pe.start
		}
	}
	if bk >= 0 {
		p.Node = s.procs[s.plan[ready[bk].ID].proc].node
	}
	return bk
}

// Started implements sim.Observer: the task leaves its processor's queue.
func (s *planner) Started(v *sim.View, t *sim.Task, i int) {
	delete(s.rank, t.ID)
	pe, ok := s.plan[t.ID]
	if !ok {
		return
	}
	delete(s.plan, t.ID)
	q := &s.procs[pe.proc]
	q.head++
	if q.head > 64 && q.head*2 > len(q.queue) {
		q.queue = append(q.queue[:0], q.queue[q.head:]...)
		q.start = append(q.start[:0], q.start[q.head:]...)
		q.head = 0
	}
}

// Plan returns the planned node, start and finish of a task not yet
// started (ok false when it has none): for tests and reports.
func (s *planner) Plan(id int64) (node int, start, end sim.Time, ok bool) {
	pe, ok := s.plan[id]
	if !ok {
		return -1, 0, 0, false
	}
	return s.procs[pe.proc].node, pe.start, pe.end, true
}
