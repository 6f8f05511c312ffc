package strategies

import "math"

// kinetic is a kinetic tournament tree (Basch, Guibas and Hershberger,
// "Data structures for mobile data", 1999) over lines: leaf i holds the
// value base[i] + slope[i]·t of an integer time t that only grows, and
// every tree node the leaf of largest value in its range at the current
// time (ties to the lower index) with the first time at which that may
// change (its melt time). Advancing time repairs only the subtrees whose
// melt time has come; changing one leaf repairs its path. Smooth weighted
// round robin's current weights are such lines (weighted-round-robin).
type kinetic struct {
	size  int
	base  []int64
	slope []int64
	nd    []knode // tree nodes; nd[size+i] is leaf i
}

// knode is a tree node: its winning leaf with that leaf's line beside it
// (so that comparing two children reads the children, not two leaves'
// lines elsewhere in memory) and its melt time.
type knode struct {
	win         int32 // winning leaf (-1: none present)
	melt        int64 // first time the winner of the node may change
	base, slope int64 // the winner's line
}

const never = math.MaxInt64

func newKinetic(n int) *kinetic {
	size := 1
	for size < n {
		size <<= 1
	}
	k := &kinetic{size: size, base: make([]int64, n), slope: make([]int64, n), nd: make([]knode, 2*size)}
	for p := range k.nd {
		k.nd[p] = knode{win: -1, melt: never}
	}
	return k
}

func (k *kinetic) val(i int32, t int64) int64 { return k.base[i] + k.slope[i]*t }

// pull recomputes tree node p at time t from its children.
func (k *kinetic) pull(p int, t int64) {
	a, b := &k.nd[2*p], &k.nd[2*p+1]
	m := min(a.melt, b.melt)
	switch {
	case a.win < 0:
		k.nd[p] = *b
	case b.win < 0:
		k.nd[p] = *a
	default:
		va, vb := a.base+a.slope*t, b.base+b.slope*t
		if vb > va || (vb == va && b.win < a.win) {
			a, b = b, a
		}
		k.nd[p] = *a
		m = min(m, overtake(a, b, t))
	}
	k.nd[p].melt = m
}

// overtake is the first time after t at which b beats a, a winning at t.
func overtake(a, b *knode, t int64) int64 {
	s := b.slope - a.slope
	if s <= 0 {
		return never
	}
	d := a.base - b.base // b wins at u when s·u > d (≥ d if b < a)
	var u int64
	if b.win < a.win {
		u = ceilDiv(d, s)
	} else {
		u = floorDiv(d, s) + 1
	}
	return max(u, t+1)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// set changes leaf i (present or not) at time t, its line being base[i]
// and slope[i] as they are now, and repairs its path.
func (k *kinetic) set(i int, present bool, t int64) {
	k.leaf(i, present)
	for p := (k.size + i) >> 1; p >= 1; p >>= 1 {
		k.pull(p, t)
	}
}

// leaf sets leaf i (present or not, its line base[i] and slope[i] as they
// are now) without repairing the tree (build follows).
func (k *kinetic) leaf(i int, present bool) {
	w := int32(-1)
	if present {
		w = int32(i)
	}
	k.nd[k.size+i] = knode{win: w, melt: never, base: k.base[i], slope: k.slope[i]}
}

// build recomputes every tree node at time t, reading every present
// leaf's line again from base and slope.
func (k *kinetic) build(t int64) {
	for i := range k.base {
		k.leaf(i, k.nd[k.size+i].win >= 0)
	}
	for p := k.size - 1; p >= 1; p-- {
		k.pull(p, t)
	}
}

// top is the present leaf of largest value at time t (ties to the lower
// index), -1 when none is; t must not be less than the last time used.
func (k *kinetic) top(t int64) int {
	if k.nd[1].melt <= t {
		k.advance(1, t)
	}
	return int(k.nd[1].win)
}

func (k *kinetic) advance(p int, t int64) {
	if p >= k.size {
		return
	}
	if k.nd[2*p].melt <= t {
		k.advance(2*p, t)
	}
	if k.nd[2*p+1].melt <= t {
		k.advance(2*p+1, t)
	}
	k.pull(p, t)
}
