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
	win   []int32 // winning leaf of each tree node (-1: none present)
	melt  []int64 // first time the winner of the node may change
}

const never = math.MaxInt64

func newKinetic(n int) *kinetic {
	size := 1
	for size < n {
		size <<= 1
	}
	k := &kinetic{size: size, base: make([]int64, n), slope: make([]int64, n),
		win: make([]int32, 2*size), melt: make([]int64, 2*size)}
	for p := range k.win {
		k.win[p], k.melt[p] = -1, never
	}
	return k
}

func (k *kinetic) val(i int32, t int64) int64 { return k.base[i] + k.slope[i]*t }

// pull recomputes tree node p at time t from its children.
func (k *kinetic) pull(p int, t int64) {
	a, b := k.win[2*p], k.win[2*p+1]
	m := min(k.melt[2*p], k.melt[2*p+1])
	switch {
	case a < 0:
		k.win[p] = b
	case b < 0:
		k.win[p] = a
	default:
		va, vb := k.val(a, t), k.val(b, t)
		if vb > va || (vb == va && b < a) {
			a, b = b, a
		}
		k.win[p] = a
		m = min(m, k.overtake(a, b, t))
	}
	k.melt[p] = m
}

// overtake is the first time after t at which b beats a, a winning at t.
func (k *kinetic) overtake(a, b int32, t int64) int64 {
	s := k.slope[b] - k.slope[a]
	if s <= 0 {
		return never
	}
	d := k.base[a] - k.base[b] // b wins at u when s·u > d (≥ d if b < a)
	var u int64
	if b < a {
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

// set changes leaf i (present or not) at time t and repairs its path.
func (k *kinetic) set(i int, present bool, t int64) {
	p := k.size + i
	if present {
		k.win[p] = int32(i)
	} else {
		k.win[p] = -1
	}
	for p >>= 1; p >= 1; p >>= 1 {
		k.pull(p, t)
	}
}

// leaf sets leaf i without repairing the tree (build follows).
func (k *kinetic) leaf(i int, present bool) {
	if present {
		k.win[k.size+i] = int32(i)
	} else {
		k.win[k.size+i] = -1
	}
}

// build recomputes every tree node at time t.
func (k *kinetic) build(t int64) {
	for p := k.size - 1; p >= 1; p-- {
		k.pull(p, t)
	}
}

// top is the present leaf of largest value at time t (ties to the lower
// index), -1 when none is; t must not be less than the last time used.
func (k *kinetic) top(t int64) int {
	if k.melt[1] <= t {
		k.advance(1, t)
	}
	return int(k.win[1])
}

func (k *kinetic) advance(p int, t int64) {
	if p >= k.size {
		return
	}
	if k.melt[2*p] <= t {
		k.advance(2*p, t)
	}
	if k.melt[2*p+1] <= t {
		k.advance(2*p+1, t)
	}
	k.pull(p, t)
}
