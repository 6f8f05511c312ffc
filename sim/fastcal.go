package sim

// fcal is the fast path's event queue: a calendar queue (Brown 1988) of
// 16-byte (time, sequence<<24 | mark) events over a fixed pool (the
// fast path never has more pending events than the cluster has slots,
// plus the warm-up's end), in (time, key) order, ties included. Its
// buckets are 2^shift ns wide; an event's bucket is its time's absolute
// bucket number (at >> shift) modulo the bucket count, and each bucket is
// a list sorted by (time, key), so the first entry of the current
// absolute bucket is the first event; an event after the last of its
// bucket (events of equal times among them) is appended without a walk.
// The width follows the events: it doubles when pops step over many
// empty buckets and halves when pushes walk long lists. At about 10^3
// pending events a pop and a push cost less than a sift of a 4-ary heap
// of the same entries (BenchmarkFastQueueHold; docs/performance.md).
type fcal struct {
	ents  []cent
	free  int32
	bk    []fbucket
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

// fbucket is a bucket of fcal: its first and last entries, or -1.
type fbucket struct{ head, tail int32 }

// cent is an entry of fcal: an event, the next entry of its bucket (or
// of the free list), and the fast path's service record of the task whose
// completion it is, so that the completion finds it in the line that
// first has just read.
type cent struct {
	ev   fev
	next int32
	sv   svc // 40 bytes: the entry is 64, one cache line each (the pool is page-aligned; TestFastEntrySize)
}

const fcalCheck = 1024 // pops between width checks

// init makes room for up to max pending events.
func (q *fcal) init(max int) {
	nb := 16
	for nb < 2*max {
		nb *= 2
	}
	q.bk = make([]fbucket, nb)
	for b := range q.bk {
		q.bk[b] = fbucket{-1, -1}
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

// push adds x (x.at >= 0) and returns its entry, whose sv is the
// caller's until the event is popped.
func (q *fcal) push(x fev) int32 {
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
	return k
}

// link puts entry k into its bucket, in order: at its end in the usual
// case (no later event there: a later time, or the same time and a later
// sequence number, as events of equal times are), else after a walk from
// its start.
func (q *fcal) link(k int32) {
	ents := q.ents
	x := ents[k].ev
	b := &q.bk[(x.at>>q.shift)&q.mask]
	if b.head < 0 {
		ents[k].next = -1
		b.head, b.tail = k, k
		return
	}
	if !x.before(ents[b.tail].ev) {
		ents[k].next = -1
		ents[b.tail].next = k
		b.tail = k
		return
	}
	p := &b.head
	for ents[*p].ev.before(x) { // ends before the tail
		p = &ents[*p].next
		q.walks++
	}
	ents[k].next = *p
	*p = k
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
	bk, ents, shift, mask := q.bk, q.ents, q.shift, q.mask
	cb := q.cb
	for s := int64(0); ; s++ {
		if h := bk[cb&mask].head; h >= 0 {
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
	for _, b := range q.bk {
		if h := b.head; h >= 0 && (!found || q.ents[h].ev.before(m)) {
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
	b := &q.bk[q.cb&q.mask]
	if b.head = q.ents[k].next; b.head < 0 {
		b.tail = -1
	}
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
	for b := range q.bk {
		for h := q.bk[b].head; h >= 0; {
			nx := q.ents[h].next
			q.ents[h].next = all
			all = h
			h = nx
		}
		q.bk[b] = fbucket{-1, -1}
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
