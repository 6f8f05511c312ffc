package strategies

// tourney is a tournament tree over node indexes: every tree node holds
// the best present leaf of its range under an order given by less, so the
// best node, and the first best one in cyclic order from any index, cost
// O(log n) and a change of one node's key O(log n). The indexed balancers
// keep one current from the View's change notifications (sim.View.Watch)
// and from their own observations.
type tourney struct {
	size, n int
	best    []int32 // best present leaf of each tree node (-1: none)
	// less reports whether node a is strictly better than node b; it must
	// be a strict weak order (equivalent nodes tie, and ties go to the
	// lower index).
	less func(a, b int32) bool
}

func newTourney(n int, less func(a, b int32) bool) *tourney {
	size := 1
	for size < n {
		size <<= 1
	}
	t := &tourney{size: size, n: n, best: make([]int32, 2*size), less: less}
	for i := range t.best {
		t.best[i] = -1
	}
	return t
}

func (t *tourney) better(a, b int32) int32 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	case t.less(b, a):
		return b
	}
	return a
}

// set marks node i present (a candidate) or not, after its key changed.
func (t *tourney) set(i int, present bool) {
	p := t.size + i
	if present {
		t.best[p] = int32(i)
	} else {
		t.best[p] = -1
	}
	for p >>= 1; p >= 1; p >>= 1 {
		t.best[p] = t.better(t.best[2*p], t.best[2*p+1])
	}
}

// rebuild recomputes every tree node from the leaves, after many set
// calls made with fix false.
func (t *tourney) rebuild() {
	for p := t.size - 1; p >= 1; p-- {
		t.best[p] = t.better(t.best[2*p], t.best[2*p+1])
	}
}

// leaf marks node i present or not without updating the tree (rebuild
// follows).
func (t *tourney) leaf(i int, present bool) {
	if present {
		t.best[t.size+i] = int32(i)
	} else {
		t.best[t.size+i] = -1
	}
}

// bestFrom is the first best present node at or after from in cyclic
// order (from, …, n-1, 0, …), -1 when none is present: the choice of a
// scan from from that keeps the first strictly better node.
func (t *tourney) bestFrom(from int) int {
	m := t.best[1]
	if m < 0 {
		return -1
	}
	if from <= 0 || from >= t.n {
		return int(m)
	}
	if i := t.firstEqual(1, 0, t.size, from, m); i >= 0 {
		return int(i)
	}
	return int(m)
}

func (t *tourney) firstEqual(p, lo, hi, from int, m int32) int32 {
	if hi <= from {
		return -1
	}
	if b := t.best[p]; b < 0 || t.less(m, b) {
		return -1
	} else if hi-lo == 1 {
		return b
	}
	mid := (lo + hi) / 2
	if i := t.firstEqual(2*p, lo, mid, from, m); i >= 0 {
		return i
	}
	return t.firstEqual(2*p+1, mid, hi, from, m)
}
