package sim

// LoadIndex keeps the healthy nodes of a View ordered by tasks in system
// (or by tasks in system per unit of weight) so that a balancer finds the
// least loaded node in O(log n) instead of scanning every node: a segment
// tree whose every node holds the best leaf of its range. When every node
// has the same weight (unweighted, or a homogeneous cluster) the order is
// that of the integer counts and the index keeps, instead of the tree,
// the healthy nodes in one bitset per count (buckets, loadbuckets.go): a
// change moves a node between two buckets in O(1), and the answers are the
// tree's. The View updates it on every change of a node's load or health
// (View.changed), so it costs nothing to strategies that do not ask for
// one.
//
// Order: node a is better than b when InSystem(a)·w(b) < InSystem(b)·w(a),
// the comparison least-connections makes (w = 1 unweighted), with ties to
// the lower index; nodes that are not Healthy are never chosen.
type LoadIndex struct {
	v      *View
	w      []float64 // weights (nil: all 1)
	c      []float64 // tasks in system of every node (as float64, exact)
	off    []bool    // not healthy
	size   int       // leaves: the next power of two ≥ n
	best   []int32   // best leaf of each tree node (-1: none)
	n      int
	weight func(i int) float64
	cnt    []int32 // with CountTies: leaves of each tree node as good as its best

	// b, when every weight is the same, replaces the tree: the healthy
	// nodes bucketed by count (loadbuckets.go), O(1) per change instead
	// of O(log n), with the same answers.
	b *buckets
}

// TrackLoad returns the View's load index, ordering nodes by tasks in
// system divided by weight(i) (nil: unweighted), creating it on the first
// call. Strategies call it once, in Init; the View keeps it current.
func (v *View) TrackLoad(weight func(i int) float64) *LoadIndex {
	return v.trackLoad(weight, !uniformWeight(len(v.specs), weight))
}

// trackLoad is TrackLoad with the segment tree (tree) or the buckets, which
// need every weight to be the same.
func (v *View) trackLoad(weight func(i int) float64, tree bool) *LoadIndex {
	n := len(v.specs)
	if !tree {
		x := &LoadIndex{v: v, n: n, weight: weight, b: newBuckets(n)}
		for i := 0; i < n; i++ {
			x.b.set(i, v.InSystem(i), v.Healthy(i))
		}
		v.indexes = append(v.indexes, x)
		return x
	}
	size := 1
	for size < n {
		size <<= 1
	}
	x := &LoadIndex{v: v, c: make([]float64, n), off: make([]bool, n), size: size, best: make([]int32, 2*size), n: n, weight: weight}
	if weight != nil {
		x.w = make([]float64, n)
		for i := range x.w {
			x.w[i] = weight(i)
		}
	}
	for i := range x.best {
		x.best[i] = -1
	}
	for i := 0; i < n; i++ {
		x.c[i] = float64(v.InSystem(i))
		x.off[i] = !v.Healthy(i)
		if !x.off[i] {
			x.best[size+i] = int32(i)
		}
	}
	for p := size - 1; p >= 1; p-- {
		x.best[p] = x.better(x.best[2*p], x.best[2*p+1])
	}
	v.indexes = append(v.indexes, x)
	return x
}

// uniformWeight reports whether weight gives every one of n nodes the same
// weight w (or is nil, w = 1), with w a normal number between 2^-900 and
// 2^900: then InSystem(a)·w < InSystem(b)·w exactly when InSystem(a) <
// InSystem(b) (counts below 2^31: no product overflows, underflows or
// rounds two counts to one value), and the index buckets by count.
func uniformWeight(n int, weight func(i int) float64) bool {
	if weight == nil {
		return true
	}
	if n == 0 {
		return false
	}
	w := weight(0)
	if !(w >= 0x1p-900 && w <= 0x1p900) {
		return false
	}
	for i := 1; i < n; i++ {
		if weight(i) != w {
			return false
		}
	}
	return true
}

// changed tells the View's load indexes that node i's load or health
// changed. The engine calls it after every such change.
func (v *View) changed(i int) {
	// Small enough to inline: with nothing listening (most runs), a
	// change costs three length checks and no call.
	if len(v.indexes)+len(v.watchers)+len(v.logs) > 0 {
		v.notify(i)
	}
}

// notify tells the indexes, watchers and change logs that node i changed.
func (v *View) notify(i int) {
	for _, x := range v.indexes {
		x.update(i)
	}
	for _, f := range v.watchers {
		f(i)
	}
	for _, c := range v.logs {
		c.add(i)
	}
}

// Watch asks the View to call f(i) after every change of node i's load
// (Active, Queued), health (Down, Out) or allocation (Allocate, Release,
// SetUsed): what a strategy needs to keep an index of its own current, as
// TrackLoad's is. Strategies call it once, in
// Init; f must not modify the View.
func (v *View) Watch(f func(i int)) {
	v.watchers = append(v.watchers, f)
}

// ChangeLog lists the nodes whose load or health changed since its last
// Reset, as the View learns of them (View.changed), so that a strategy
// that predicted the View can check the prediction in O(changes) instead
// of comparing every node: an external strategy's batch of picks does.
// Past a bound it stops listing and says so (Overflow); the caller then
// compares every node.
type ChangeLog struct {
	nodes    []int32
	overflow bool
}

// changeLogMax bounds a ChangeLog's list between resets.
const changeLogMax = 256

// TrackChanges returns a new ChangeLog of the View's load and health
// changes. Like TrackLoad it is asked once, by a strategy that needs it;
// the View keeps it current.
func (v *View) TrackChanges() *ChangeLog {
	c := &ChangeLog{}
	v.logs = append(v.logs, c)
	return c
}

func (c *ChangeLog) add(i int) {
	if c.overflow {
		return
	}
	if len(c.nodes) >= changeLogMax {
		c.overflow, c.nodes = true, c.nodes[:0]
		return
	}
	c.nodes = append(c.nodes, int32(i))
}

// Nodes are the nodes changed since the last Reset, in the order of the
// changes, with repeats; meaningless when Overflow.
func (c *ChangeLog) Nodes() []int32 { return c.nodes }

// Overflow reports that more changes happened since the last Reset than
// the log lists: any node may have changed.
func (c *ChangeLog) Overflow() bool { return c.overflow }

// Reset empties the log.
func (c *ChangeLog) Reset() { c.nodes, c.overflow = c.nodes[:0], false }

func (x *LoadIndex) wt(i int32) float64 {
	if x.w == nil {
		return 1
	}
	return x.w[i]
}

// less reports whether node a is strictly less loaded than node b.
func (x *LoadIndex) less(a, b int32) bool {
	return x.c[a]*x.wt(b) < x.c[b]*x.wt(a)
}

// better is the better of two candidates (-1: none), the lower index on a tie.
func (x *LoadIndex) better(a, b int32) int32 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	case x.less(b, a):
		return b
	}
	return a
}

func (x *LoadIndex) update(i int) {
	if x.b != nil {
		x.b.set(i, x.v.InSystem(i), x.v.Healthy(i))
		return
	}
	c, off := float64(x.v.InSystem(i)), !x.v.Healthy(i)
	if c == x.c[i] && off == x.off[i] {
		return // nothing the tree orders by changed
	}
	x.c[i], x.off[i] = c, off
	p := x.size + i
	if x.off[i] {
		x.best[p] = -1
	} else {
		x.best[p] = int32(i)
	}
	// Up the path, stopping at a tree node whose best leaf (and tie
	// count) came out as before and is not i: its ancestors depend only
	// on those and on that leaf's load, which did not change.
	if x.cnt != nil {
		x.cnt[p] = 0
		if !x.off[i] {
			x.cnt[p] = 1
		}
		for p >>= 1; p >= 1; p >>= 1 {
			b, k := x.best[p], x.cnt[p]
			x.pull(p)
			if x.best[p] == b && x.cnt[p] == k && b != int32(i) {
				return
			}
		}
		return
	}
	for p >>= 1; p >= 1; p >>= 1 {
		b := x.best[p]
		x.best[p] = x.better(x.best[2*p], x.best[2*p+1])
		if x.best[p] == b && b != int32(i) {
			return
		}
	}
}

// pull recomputes tree node p's best leaf and tie count from its children.
func (x *LoadIndex) pull(p int) {
	a, b := x.best[2*p], x.best[2*p+1]
	switch {
	case a < 0:
		x.best[p], x.cnt[p] = b, x.cnt[2*p+1]
	case b < 0 || x.less(a, b):
		x.best[p], x.cnt[p] = a, x.cnt[2*p]
	case x.less(b, a):
		x.best[p], x.cnt[p] = b, x.cnt[2*p+1]
	default:
		x.best[p], x.cnt[p] = a, x.cnt[2*p]+x.cnt[2*p+1]
	}
}

// CountTies makes the index count, from now on, how many healthy nodes
// are as good as the best one (Ties) and find the r-th of them in index
// order (NthBest), each in O(log n). It slows updates a little, so only
// strategies that break ties among all the best nodes ask for it.
func (x *LoadIndex) CountTies() {
	if x.cnt != nil || x.b != nil {
		return
	}
	x.cnt = make([]int32, 2*x.size)
	for i := 0; i < x.n; i++ {
		if !x.off[i] {
			x.cnt[x.size+i] = 1
		}
	}
	for p := x.size - 1; p >= 1; p-- {
		x.pull(p)
	}
}

// Ties is the number of healthy nodes as good as Best (0 when none is
// healthy). It needs CountTies.
func (x *LoadIndex) Ties() int {
	if x.b != nil {
		return x.b.Ties()
	}
	if x.best[1] < 0 {
		return 0
	}
	return int(x.cnt[1])
}

// NthBest is the r-th (from 0, in index order) of the Ties() nodes as good
// as Best, r in [0, Ties()); Drop when no node is healthy. It needs
// CountTies.
func (x *LoadIndex) NthBest(r int) int {
	if x.b != nil {
		return x.b.NthBest(r)
	}
	m := x.best[1]
	if m < 0 {
		return Drop
	}
	p := 1
	for p < x.size {
		if l := x.best[2*p]; l >= 0 && !x.less(m, l) {
			if c := int(x.cnt[2*p]); r < c {
				p = 2 * p
				continue
			} else {
				r -= c
			}
		}
		p = 2*p + 1
	}
	return int(x.best[p])
}

// Best is the least loaded healthy node, the lowest index among equals;
// Drop when no node is healthy.
func (x *LoadIndex) Best() int {
	if x.b != nil {
		return x.b.best(0)
	}
	if b := x.best[1]; b >= 0 {
		return int(b)
	}
	return Drop
}

// BestFrom is the first least loaded healthy node at or after from in
// cyclic order (from, from+1, …, n-1, 0, …): the choice of a scan that
// starts at from and keeps the first strictly better node. Drop when no
// node is healthy.
func (x *LoadIndex) BestFrom(from int) int {
	if x.b != nil {
		return x.b.best(from)
	}
	m := x.best[1]
	if m < 0 {
		return Drop
	}
	if from <= 0 || from >= x.n {
		return int(m)
	}
	if i := x.firstEqual(1, 0, x.size, from, m); i >= 0 {
		return int(i)
	}
	return int(m) // the lowest index holds the minimum too
}

// firstEqual is the lowest leaf ≥ from in tree node p (covering [lo, hi))
// as good as m (the global best), or -1. It descends only into ranges that
// hold such a leaf, so it costs O(log² n) at most.
func (x *LoadIndex) firstEqual(p, lo, hi, from int, m int32) int32 {
	if hi <= from {
		return -1
	}
	if b := x.best[p]; b < 0 || x.less(m, b) {
		return -1 // nothing in this range is as good as m
	} else if hi-lo == 1 {
		return b
	}
	mid := (lo + hi) / 2
	if i := x.firstEqual(2*p, lo, mid, from, m); i >= 0 {
		return i
	}
	return x.firstEqual(2*p+1, mid, hi, from, m)
}
