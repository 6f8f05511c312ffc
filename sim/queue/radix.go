package queue

import (
	"math/bits"
	"slices"
)

// RadixHeap is a monotone priority queue: a radix heap (R. K. Ahuja,
// K. Mehlhorn, J. B. Orlin and R. E. Tarjan, "Faster algorithms for the
// shortest path problem", JACM 37(2):213-223, 1990) on 64-bit times with
// 8-bit digits, the multi-level form of their paper's one-level heap. An
// event pending at a time later than the last popped lives in bucket
// (l, d): l is the highest digit in which its time differs from the last
// popped, d its own value of that digit; events at the last popped time
// wait in a run of their own, in Seq order. Buckets of lower l, and of
// lower d within a level, hold earlier times, so the first non-empty
// bucket (found through a bitmap per level) holds the next event. When the
// run is spent, that bucket's smallest event becomes the last popped and
// the bucket is emptied into lower levels around it: an event moves down
// at most once per digit in its life (at most eight times; three or four
// for events seconds apart in nanoseconds), where the one-level heap moves
// an event once per bit.
//
// Buckets are chains of 4-KiB chunks drawn from a free list shared by all
// buckets, so a growing bucket copies nothing and an emptied one gives its
// memory back to the others at once: the queue holds its pending events
// plus at most a chunk per non-empty bucket.
//
// Events of equal At leave in Seq order: the run at the last popped time
// is sorted by Seq when it is formed, and events pushed at that time
// afterwards carry larger Seq (as in a simulation, whose sequence numbers
// only grow).
//
// It is monotone: an event must not be pushed earlier than the last
// popped (Push panics), which a simulation never does. The engine uses it
// for large clusters, where it beats the calendar queue
// (docs/performance.md).
//
// The engine's fast path keeps its own copy of this algorithm for its
// 16-byte events (sim/fast_radix.go: why a copy, not a generic type); a
// change to one belongs in both.
//
// The zero value is an empty queue ready to use.
type RadixHeap struct {
	run  []Event // pending events at the last popped time, by Seq, from head
	head int
	last uint64 // key of the last popped time: buckets are relative to it
	size int

	b   [radixLevels][radixDigits]radixBucket
	occ [radixLevels][radixDigits / 64]uint64 // non-empty buckets

	// Ahead, when set, is called with each event of a bucket of one chunk
	// as the heap empties it into lower buckets: events that will be
	// popped soon (a few hundred at most), for a caller that prefetches
	// what they refer to so that its cache misses overlap (the engine on
	// large clusters). It must not change the heap.
	Ahead func(*Event)

	// Chunks are numbered from 1 (0: none); chunk c is chunks[c-1] and
	// next[c-1] the chunk after it in its bucket or in the free list.
	chunks []*[radixChunk]Event
	next   []int32
	free   int32

	// The smallest event of the buckets, when known (minOK): its bucket
	// and place. Peek finds it without moving anything, so that a caller
	// may still push events between the last popped and it.
	minOK      bool
	minL, minD int
	minC, minP int32
}

const (
	radixDigitBits = 8
	radixDigits    = 1 << radixDigitBits // buckets per level
	radixLevels    = 64 / radixDigitBits
	radixChunk     = 128 // events per chunk (4 KiB)
)

// radixBucket is a chain of chunks; head 0 is an empty bucket.
type radixBucket struct {
	head, tail int32
	n          int32 // events in the tail chunk
}

// key maps a time to an unsigned key of the same order.
func key(at int64) uint64 { return uint64(at) ^ 1<<63 }

// Len is the number of pending events.
func (q *RadixHeap) Len() int { return q.size }

// Reset empties the queue, keeping its storage.
func (q *RadixHeap) Reset() {
	for l := range q.b {
		for d := range q.b[l] {
			if b := &q.b[l][d]; b.head != 0 {
				q.next[b.tail-1] = q.free
				q.free = b.head
				*b = radixBucket{}
			}
		}
		q.occ[l] = [radixDigits / 64]uint64{}
	}
	q.run, q.head, q.last, q.size, q.minOK = q.run[:0], 0, 0, 0, false
}

// bucket is where an event of key k > q.last belongs.
func (q *RadixHeap) bucket(k uint64) (l, d int) {
	l = (bits.Len64(k^q.last) - 1) / radixDigitBits
	d = int(k>>(uint(l)*radixDigitBits)) & (radixDigits - 1)
	return l, d
}

// newChunk takes a chunk from the free list, or allocates one.
func (q *RadixHeap) newChunk() int32 {
	if c := q.free; c != 0 {
		q.free = q.next[c-1]
		q.next[c-1] = 0
		return c
	}
	q.chunks = append(q.chunks, new([radixChunk]Event))
	q.next = append(q.next, 0)
	return int32(len(q.chunks))
}

// put appends e to bucket (l, d).
func (q *RadixHeap) put(l, d int, e *Event) *radixBucket {
	b := &q.b[l][d]
	if b.head == 0 {
		c := q.newChunk()
		*b = radixBucket{head: c, tail: c}
		q.occ[l][d/64] |= 1 << (d % 64)
	} else if b.n == radixChunk {
		c := q.newChunk()
		q.next[b.tail-1] = c
		b.tail, b.n = c, 0
	}
	q.chunks[b.tail-1][b.n] = *e
	b.n++
	return b
}

// CanPush reports whether an event at time at may be pushed: it is not
// earlier than the last popped event.
func (q *RadixHeap) CanPush(at int64) bool { return key(at) >= q.last }

// Push adds e. It panics if e is earlier than the last popped event.
func (q *RadixHeap) Push(e Event) {
	k := key(e.At)
	if k <= q.last {
		if k < q.last {
			panic("queue: RadixHeap: event pushed before the last popped")
		}
		q.run = append(q.run, e)
		q.size++
		return
	}
	l, d := q.bucket(k)
	b := q.put(l, d, &e)
	q.size++
	if q.minOK && (l < q.minL || l == q.minL && (d < q.minD || d == q.minD && e.Before(q.minEvent()))) {
		q.minL, q.minD, q.minC, q.minP = l, d, b.tail, b.n-1
	}
}

// minEvent is the smallest event of the buckets (minOK).
func (q *RadixHeap) minEvent() *Event { return &q.chunks[q.minC-1][q.minP] }

// findMin locates the smallest event of the buckets (the run is spent
// and the queue is not empty).
func (q *RadixHeap) findMin() {
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
			best := &q.chunks[bc-1][0]
			for c := b.head; c != 0; c = q.next[c-1] {
				ch, n := q.chunks[c-1], int32(radixChunk)
				if c == b.tail {
					n = b.n
				}
				for p := range n {
					if ch[p].Before(best) {
						best, bc, bp = &ch[p], c, p
					}
				}
			}
			q.minOK, q.minL, q.minD, q.minC, q.minP = true, l, d, bc, bp
			return
		}
	}
	panic("queue: RadixHeap: empty")
}

// Peek returns the next event without removing it. The queue must not be empty.
func (q *RadixHeap) Peek() Event {
	if q.head < len(q.run) {
		return q.run[q.head]
	}
	q.findMin()
	return *q.minEvent()
}

// PopBefore removes and returns the next event if it fires before an event
// at time at with sequence number seq would (Event.Before), and reports
// whether it did; otherwise it leaves the queue as it is (Calendar.PopBefore).
// The queue must not be empty.
func (q *RadixHeap) PopBefore(at int64, seq uint64) (Event, bool) {
	var e *Event
	if q.head < len(q.run) {
		e = &q.run[q.head]
	} else {
		q.findMin()
		e = q.minEvent()
	}
	if at < e.At || (at == e.At && seq < e.Seq) {
		return Event{}, false
	}
	return q.Pop(), true
}

// Pop removes and returns the next event. The queue must not be empty.
func (q *RadixHeap) Pop() Event {
	if q.head == len(q.run) {
		q.refill()
	}
	e := q.run[q.head]
	q.head++
	q.size--
	return e
}

// refill makes the smallest event of the buckets the last popped time and
// empties its bucket: the events at that time into the run, the others
// into lower levels.
func (q *RadixHeap) refill() {
	q.run, q.head = q.run[:0], 0
	q.findMin()
	l, d := q.minL, q.minD
	src := q.b[l][d]
	q.b[l][d] = radixBucket{}
	q.occ[l][d/64] &^= 1 << (d % 64)
	m := key(q.minEvent().At)
	q.last, q.minOK = m, false
	if src.head == src.tail && q.Ahead != nil {
		ch := q.chunks[src.head-1]
		for p := range ch[:src.n] {
			q.Ahead(&ch[p])
		}
	}
	for c := src.head; c != 0; {
		ch, n := q.chunks[c-1], radixChunk
		if c == src.tail {
			n = int(src.n)
		}
		for p := range ch[:n] {
			e := &ch[p]
			if k := key(e.At); k == m {
				q.run = append(q.run, *e)
			} else {
				l, d := q.bucket(k)
				q.put(l, d, e)
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
		slices.SortFunc(q.run, func(x, y Event) int {
			if x.Seq < y.Seq {
				return -1
			}
			return 1
		})
	}
}
