package strategies

// costTree is the tournament tree of least-request's sampled nodes keyed by
// (cost, outstanding): every tree node holds the best leaf of its range,
// the lower index among equals, with that leaf's key beside its index, so
// an update or a search compares keys along one root path instead of
// reading two nodes' cost and outstanding count (two random memory
// accesses at 10^5 nodes) per level, as the closure-ordered tree it
// replaced did.
type costTree struct {
	size, n int
	t       []costKey // 2·size; t[size+i] is leaf i
	dirty   []bool    // leaf changed (mark) since its path was last repaired
	marked  []int32   // the dirty leaves, repaired by flush
}

type costKey struct {
	cost float64
	out  int32
	idx  int32 // -1: no leaf
	ties int32 // leaves of the range with the best key, idx's included
}

func newCostTree(n int) *costTree {
	size := 1
	for size < n {
		size <<= 1
	}
	c := &costTree{size: size, n: n, t: make([]costKey, 2*size), dirty: make([]bool, n)}
	for i := range c.t {
		c.t[i].idx = -1
	}
	return c
}

// before reports whether key a orders strictly before key b.
func (a costKey) before(b costKey) bool {
	return a.cost < b.cost || (a.cost == b.cost && a.out < b.out)
}

func (c *costTree) pull(p int) {
	a, b := c.t[2*p], c.t[2*p+1]
	switch {
	case a.idx < 0 || (b.idx >= 0 && b.before(a)):
		a = b
	case b.idx >= 0 && !a.before(b):
		a.ties += b.ties
	}
	c.t[p] = a
}

// leaf sets leaf i without updating the tree above it (rebuild does).
func (c *costTree) leaf(i int, present bool, cost float64, out int32) {
	k := costKey{cost: cost, out: out, idx: int32(i), ties: 1}
	if !present {
		k = costKey{idx: -1}
	}
	c.t[c.size+i] = k
}

// set sets leaf i and updates its path, O(log n), stopping where a tree
// node comes out as it was (its ancestors depend only on its key and index).
func (c *costTree) set(i int, present bool, cost float64, out int32) {
	q := c.size + i
	old := c.t[q]
	c.leaf(i, present, cost, out)
	if c.t[q] == old {
		return
	}
	for p := q >> 1; p >= 1; p >>= 1 {
		was := c.t[p]
		c.pull(p)
		if c.t[p] == was {
			return
		}
	}
}

// mark sets leaf i and leaves the repair of its path to the next flush
// (bestFrom flushes): a leaf changed several times between two reads,
// as a node's is when a task completes (its count falls, then its
// estimate moves), climbs the tree once.
func (c *costTree) mark(i int, present bool, cost float64, out int32) {
	q := c.size + i
	old := c.t[q]
	c.leaf(i, present, cost, out)
	if c.t[q] != old && !c.dirty[i] {
		c.dirty[i] = true
		c.marked = append(c.marked, int32(i))
	}
}

// flush repairs the paths of the marked leaves, each stopping where a tree
// node comes out as it was: a node is recomputed from both children, so
// after the last path every node agrees with its children.
func (c *costTree) flush() {
	for _, i := range c.marked {
		c.dirty[i] = false
		for p := (c.size + int(i)) >> 1; p >= 1; p >>= 1 {
			was := c.t[p]
			c.pull(p)
			if c.t[p] == was {
				break
			}
		}
	}
	c.marked = c.marked[:0]
}

func (c *costTree) rebuild() {
	for p := c.size - 1; p >= 1; p-- {
		c.pull(p)
	}
}

// bestFrom is the first leaf at or after from as good as the best (the
// choice of a scan from there that keeps the first strictly better leaf),
// else the best, the lowest index among equals; -1 when the tree is empty.
// It descends only into ranges holding such a leaf: O(log² n) at most.
func (c *costTree) bestFrom(from int) int {
	if len(c.marked) > 0 {
		c.flush()
	}
	m := c.t[1]
	if m.idx < 0 {
		return -1
	}
	if from <= 0 || from >= c.n || m.ties == 1 {
		return int(m.idx) // with one best leaf, the first as good is it
	}
	if i := c.firstEqual(1, 0, c.size, from, m); i >= 0 {
		return int(i)
	}
	return int(m.idx)
}

func (c *costTree) firstEqual(p, lo, hi, from int, m costKey) int32 {
	if hi <= from {
		return -1
	}
	if b := c.t[p]; b.idx < 0 || m.before(b) {
		return -1
	} else if hi-lo == 1 {
		return b.idx
	}
	mid := (lo + hi) / 2
	if i := c.firstEqual(2*p, lo, mid, from, m); i >= 0 {
		return i
	}
	return c.firstEqual(2*p+1, mid, hi, from, m)
}
