package sim

// fcal is the fast path's event queue: a calendar queue (Brown 1988) of
// 16-byte (time, sequence<<16 | record) events over a fixed pool (the
// fast path never has more pending events than the cluster has slots,
// plus the warm-up's end), in (time, key) order, ties included. Its
// buckets are 2^shift ns wide; an event's bucket is its time's absolute
// bucket number (at >> shift) modulo the bucket count, and each bucket is
// a list sorted by (time, key), so the first entry of the current
// absolute bucket is the first event. The width follows the events: it
// doubles when pops step over many empty buckets and halves when pushes
// walk long lists. At about 10^3 pending events a push and a pop cost
// about what one sift of a 4-ary heap does (BenchmarkFastQueueHold).
type fcal struct {
	ents  []cent
	free  int32
	heads []int32 // per bucket, its first entry, or -1
	mask  int64
	shift uint
	cb    int64 // absolute bucket at or before every pending event's
	top   int32 // the entry first returned last
	valid bool  // top is still the first (no push or pop since)
	n     int

	// Width adaptation: buckets stepped over by pops and list entries
	// walked by pushes since the last check.
	pops, steps, pushes, walks int
}

// cent is an entry of fcal: an event and the next entry of its bucket (or
// of the free list).
type cent struct {
	ev   fev
	next int32
}

const fcalCheck = 1024 // pops between width checks

// init makes room for up to max pending events.
func (q *fcal) init(max int) {
	nb := 16
	for nb < 2*max {
		nb *= 2
	}
	q.heads = make([]int32, nb)
	for b := range q.heads {
		q.heads[b] = -1
	}
	q.mask = int64(nb - 1)
	q.shift = 20 // about 1 ms; adapted
	q.ents = make([]cent, max)
	for k := range q.ents {
		q.ents[k].next = int32(k) + 1
	}
	if max > 0 {
		q.ents[max-1].next = -1
		q.free = 0
	} else {
		q.free = -1
	}
}

// push adds x (x.at >= 0).
func (q *fcal) push(x fev) {
	k := q.free
	q.free = q.ents[k].next
	q.ents[k].ev = x
	q.valid = false
	q.link(k)
	q.n++
	q.pushes++
	if ab := x.at >> q.shift; ab < q.cb || q.n == 1 {
		q.cb = ab
	}
}

// link puts entry k into its bucket, in order.
func (q *fcal) link(k int32) {
	x := q.ents[k].ev
	b := &q.heads[(x.at>>q.shift)&q.mask]
	for *b >= 0 && q.ents[*b].ev.before(x) {
		b = &q.ents[*b].next
		q.walks++
	}
	q.ents[k].next = *b
	*b = k
}

// first returns the first event; false when there is none. It moves the
// current bucket up to it.
func (q *fcal) first() (fev, bool) {
	if q.valid {
		return q.ents[q.top].ev, true
	}
	if q.n == 0 {
		return fev{}, false
	}
	heads, ents, shift, mask := q.heads, q.ents, q.shift, q.mask
	cb := q.cb
	for s := int64(0); ; s++ {
		if h := heads[cb&mask]; h >= 0 {
			if x := ents[h].ev; x.at>>shift == cb {
				q.cb, q.top, q.valid = cb, h, true
				q.steps += int(s)
				return x, true
			}
		}
		if s > mask {
			// A whole year of empty buckets: find the first directly.
			q.steps += int(s)
			cb = q.minAt() >> shift
			s = -1
			continue
		}
		cb++
	}
}

// minAt is the earliest pending time (n > 0): the least of the buckets'
// first entries.
func (q *fcal) minAt() int64 {
	var m fev
	found := false
	for _, h := range q.heads {
		if h >= 0 && (!found || q.ents[h].ev.before(m)) {
			m, found = q.ents[h].ev, true
		}
	}
	return m.at
}

// pop removes the first event; first must have returned it, and nothing
// been pushed since.
func (q *fcal) pop() {
	k := q.top
	q.valid = false
	q.heads[q.cb&q.mask] = q.ents[k].next
	q.ents[k].next = q.free
	q.free = k
	q.n--
	if q.pops++; q.pops == fcalCheck {
		q.adapt()
	}
}

// adapt doubles or halves the width when pops stepped over more than 4
// buckets each, or pushes walked more than 4 entries each, on average.
func (q *fcal) adapt() {
	d := 0
	switch {
	case q.steps > 4*q.pops && q.shift < 62:
		d = 1
	case q.walks > 4*max(q.pushes, 1) && q.shift > 0:
		d = -1
	}
	q.pops, q.steps, q.pushes, q.walks = 0, 0, 0, 0
	if d == 0 {
		return
	}
	// Relink every entry at the new width.
	var all int32 = -1
	for b, h := range q.heads {
		for h >= 0 {
			nx := q.ents[h].next
			q.ents[h].next = all
			all = h
			h = nx
		}
		q.heads[b] = -1
	}
	q.shift = uint(int(q.shift) + d)
	for all >= 0 {
		nx := q.ents[all].next
		q.link(all)
		all = nx
	}
	q.walks = 0
	if q.n > 0 {
		q.cb = q.minAt() >> q.shift
	}
}
