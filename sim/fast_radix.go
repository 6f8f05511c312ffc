package sim

import (
	"math/bits"
	"slices"
	"unsafe"
)

// fradix is the fast path's event queue on large clusters (from
// fastRadixMinSlots slots): a radix heap with 8-bit digits, as
// queue.RadixHeap, of the fast path's 16-byte events (fev) instead of the
// general queue's 40-byte ones. It is monotone: every event is pushed at
// or after the time of the last popped one, true of the fast path
// (completions and the warm-up's end are never before now). Events leave
// in (time, key) order, ties included: the events at the last popped time
// wait in a run sorted by key when it is formed, and those pushed at that
// time afterwards carry larger sequence numbers, so larger keys.
//
// It is a copy of queue.RadixHeap's algorithm, not an instance of a
// generic one on purpose: a Go 1.26 generic type calls its element's
// methods (the time, the order) through the instantiation's dictionary,
// an indirect call that is not inlined, once per event moved, on the
// path every request takes. A change to one belongs in both;
// TestFastRadixOrder and sim/queue's tests check each against a scan.
//
// At 10^6 pending events it costs less than the calendar (fcal), whose
// pushes and pops each miss the cache on a bucket and an entry at random,
// where the radix heap appends to a few chunks and moves each event down
// at most once per digit (docs/performance.md, "The fast path on large
// clusters").
type fradix struct {
	run  []fev // pending events at the last popped time, by key, from head
	head int
	last uint64 // the last popped time: buckets are relative to it
	size int

	b   [fradixLevels][fradixDigits]radixBucket
	occ [fradixLevels][fradixDigits / 64]uint64 // non-empty buckets

	// Chunks are numbered from 1 (0: none); chunk c is chunks[c-1] and
	// next[c-1] the chunk after it in its bucket or in the free list.
	chunks []*[fradixChunk]fev
	next   []int32
	free   int32

	// warm: the fast path's per-node records, by event reference. When a
	// bucket of one chunk is emptied, its events are the next few hundred
	// to be popped at most: their records are prefetched (prefetchLine),
	// so that their completions find them in the cache.
	warm []vnode

	// The smallest event of the buckets, when known (minOK): its bucket
	// and place. first finds it without moving anything, so that events
	// may still be pushed between the last popped and it.
	minOK      bool
	minL, minD int
	minC, minP int32
}

// radixBucket is a chain of chunks; head 0 is an empty bucket.
type radixBucket struct {
	head, tail int32
	n          int32 // events in the tail chunk
}

const (
	fradixDigitBits = 8
	fradixDigits    = 1 << fradixDigitBits // buckets per level
	fradixLevels    = 64 / fradixDigitBits
	fradixChunk     = 256 // events per chunk (4 KiB)
)

// fastRadixMinSlots is the cluster size, in slots, from which the fast
// path keeps its events in fradix instead of fcal (radixMinSlots for the
// general path). A variable for the tests.
var fastRadixMinSlots int64 = 32768

// bucket is where an event at time k > q.last belongs.
func (q *fradix) bucket(k uint64) (l, d int) {
	l = (bits.Len64(k^q.last) - 1) / fradixDigitBits
	d = int(k>>(uint(l)*fradixDigitBits)) & (fradixDigits - 1)
	return l, d
}

// newChunk takes a chunk from the free list, or allocates one.
func (q *fradix) newChunk() int32 {
	if c := q.free; c != 0 {
		q.free = q.next[c-1]
		q.next[c-1] = 0
		return c
	}
	q.chunks = append(q.chunks, new([fradixChunk]fev))
	q.next = append(q.next, 0)
	return int32(len(q.chunks))
}

// put appends x to bucket (l, d).
func (q *fradix) put(l, d int, x fev) *radixBucket {
	b := &q.b[l][d]
	if b.head == 0 {
		c := q.newChunk()
		*b = radixBucket{head: c, tail: c}
		q.occ[l][d/64] |= 1 << (d % 64)
	} else if b.n == fradixChunk {
		c := q.newChunk()
		q.next[b.tail-1] = c
		b.tail, b.n = c, 0
	}
	q.chunks[b.tail-1][b.n] = x
	b.n++
	return b
}

// push adds x (x.at at or after the last popped time).
func (q *fradix) push(x fev) {
	k := uint64(x.at)
	q.size++
	if k <= q.last {
		if k < q.last {
			panic("sim: fradix: event pushed before the last popped")
		}
		q.run = append(q.run, x)
		return
	}
	l, d := q.bucket(k)
	b := q.put(l, d, x)
	if q.minOK && (l < q.minL || l == q.minL && (d < q.minD || d == q.minD && x.before(*q.minEvent()))) {
		q.minL, q.minD, q.minC, q.minP = l, d, b.tail, b.n-1
	}
}

// minEvent is the smallest event of the buckets (minOK).
func (q *fradix) minEvent() *fev { return &q.chunks[q.minC-1][q.minP] }

// findMin locates the smallest event of the buckets (the run is spent
// and the queue is not empty).
func (q *fradix) findMin() {
	if q.minOK {
		return
	}
	for l := range q.occ {
		for w, o := range q.occ[l] {
			if o == 0 {
				continue
			}
			d := w*64 + bits.TrailingZeros64(o)
			b := &q.b[l][d]
			bc, bp := b.head, int32(0)
			best := q.chunks[bc-1][0]
			for c := b.head; c != 0; c = q.next[c-1] {
				ch, n := q.chunks[c-1], int32(fradixChunk)
				if c == b.tail {
					n = b.n
				}
				for p := range n {
					if ch[p].before(best) {
						best, bc, bp = ch[p], c, p
					}
				}
			}
			q.minOK, q.minL, q.minD, q.minC, q.minP = true, l, d, bc, bp
			return
		}
	}
	panic("sim: fradix: empty")
}

// first returns the first event; false when there is none.
func (q *fradix) first() (fev, bool) {
	if q.head < len(q.run) {
		return q.run[q.head], true
	}
	if q.size == 0 {
		return fev{}, false
	}
	q.findMin()
	return *q.minEvent(), true
}

// pop removes the first event (the queue is not empty).
func (q *fradix) pop() {
	if q.head == len(q.run) {
		q.refill()
	}
	q.head++
	q.size--
}

// refill makes the smallest event of the buckets the last popped time and
// empties its bucket: the events at that time into the run, the others
// into lower levels.
func (q *fradix) refill() {
	q.run, q.head = q.run[:0], 0
	q.findMin()
	l, d := q.minL, q.minD
	src := q.b[l][d]
	q.b[l][d] = radixBucket{}
	q.occ[l][d/64] &^= 1 << (d % 64)
	m := uint64(q.minEvent().at)
	q.last, q.minOK = m, false
	if src.head == src.tail && q.warm != nil {
		for _, x := range q.chunks[src.head-1][:src.n] {
			if r := x.key & fastRefMask; r < uint64(len(q.warm)) {
				prefetchLine(unsafe.Pointer(&q.warm[r]))
			}
		}
	}
	for c := src.head; c != 0; {
		ch, n := q.chunks[c-1], fradixChunk
		if c == src.tail {
			n = int(src.n)
		}
		for _, x := range ch[:n] {
			if k := uint64(x.at); k == m {
				q.run = append(q.run, x)
			} else {
				l, d := q.bucket(k)
				q.put(l, d, x)
			}
		}
		// Chunk c is read: it goes back to the free list (the puts
		// above may take it again only once it is there).
		nx := q.next[c-1]
		q.next[c-1] = q.free
		q.free = c
		c = nx
	}
	if len(q.run) > 1 {
		slices.SortFunc(q.run, func(x, y fev) int {
			if x.key < y.key {
				return -1
			}
			return 1
		})
	}
}
