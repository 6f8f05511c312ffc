package queue

import (
	"math/bits"
	"slices"
)

// RadixHeap is a monotone priority queue, the radix heap of R. K. Ahuja,
// K. Mehlhorn, J. B. Orlin and R. E. Tarjan ("Faster algorithms for the
// shortest path problem", JACM 37(2):213-223, 1990), in its one-level form
// on 64-bit times: an event lives in bucket k when the highest bit in which
// its At differs from the last popped time is bit k-1 (bucket 0: the same
// time). Pop takes from bucket 0; when it is empty, the lowest non-empty
// bucket is emptied into lower ones around its smallest time, so an event
// moves down at most 64 times in its life and usually a few. Events of
// equal At leave in Seq order: bucket 0 is sorted by Seq when it is
// refilled, and events pushed at the current time afterwards carry larger
// Seq.
//
// It is monotone: an event must not be pushed earlier than the last
// popped (Push panics), which a simulation never does. The engine uses it
// for large clusters, where it beats the calendar queue
// (docs/performance.md).
//
// The zero value is an empty queue ready to use. Buckets are slices of
// Events and hold no pointers.
type RadixHeap struct {
	b    [65][]Event
	head int    // first event of b[0] not yet popped
	last uint64 // key of the last popped time: buckets are relative to it
	size int
	// The smallest event of buckets 1..64, when known (minB >= 1): its
	// bucket and index. Peek finds it without moving anything, so that a
	// caller may still push events between the last popped and it.
	minB, minI int
}

// key maps a time to an unsigned key of the same order.
func key(at int64) uint64 { return uint64(at) ^ 1<<63 }

// Len is the number of pending events.
func (q *RadixHeap) Len() int { return q.size }

// Reset empties the queue, keeping its storage.
func (q *RadixHeap) Reset() {
	for i := range q.b {
		q.b[i] = q.b[i][:0]
	}
	q.head, q.last, q.size, q.minB = 0, 0, 0, 0
}

// Push adds e. It panics if e is earlier than the last popped event.
func (q *RadixHeap) Push(e Event) {
	k := key(e.At)
	if k < q.last {
		panic("queue: RadixHeap: event pushed before the last popped")
	}
	i := bits.Len64(k ^ q.last)
	q.b[i] = append(q.b[i], e)
	q.size++
	if i > 0 && q.minB > 0 {
		if i < q.minB {
			q.minB, q.minI = i, len(q.b[i])-1
		} else if i == q.minB && e.Before(&q.b[i][q.minI]) {
			q.minI = len(q.b[i]) - 1
		}
	}
}

// findMin locates the smallest event of buckets 1..64 (b[0] is spent and
// the queue is not empty).
func (q *RadixHeap) findMin() {
	if q.minB > 0 {
		return
	}
	i := 1
	for len(q.b[i]) == 0 {
		i++
	}
	b, m := q.b[i], 0
	for j := 1; j < len(b); j++ {
		if b[j].Before(&b[m]) {
			m = j
		}
	}
	q.minB, q.minI = i, m
}

// Peek returns the next event without removing it. The queue must not be empty.
func (q *RadixHeap) Peek() Event {
	if q.head < len(q.b[0]) {
		return q.b[0][q.head]
	}
	q.findMin()
	return q.b[q.minB][q.minI]
}

// PopBefore removes and returns the next event if it fires before an event
// at time at with sequence number seq would (Event.Before), and reports
// whether it did; otherwise it leaves the queue as it is (Calendar.PopBefore).
// The queue must not be empty.
func (q *RadixHeap) PopBefore(at int64, seq uint64) (Event, bool) {
	var e *Event
	if q.head < len(q.b[0]) {
		e = &q.b[0][q.head]
	} else {
		q.findMin()
		e = &q.b[q.minB][q.minI]
	}
	if at < e.At || (at == e.At && seq < e.Seq) {
		return Event{}, false
	}
	return q.Pop(), true
}

// Pop removes and returns the next event. The queue must not be empty.
func (q *RadixHeap) Pop() Event {
	if q.head == len(q.b[0]) {
		// b[0] is spent: empty the bucket of the smallest event into
		// lower ones around its time, which becomes the last popped.
		q.b[0], q.head = q.b[0][:0], 0
		q.findMin()
		src := q.b[q.minB]
		m := key(src[q.minI].At)
		q.last = m
		for _, e := range src {
			j := bits.Len64(key(e.At) ^ m)
			q.b[j] = append(q.b[j], e)
		}
		q.b[q.minB] = src[:0]
		q.minB = 0
		if len(q.b[0]) > 1 {
			slices.SortFunc(q.b[0], func(x, y Event) int {
				if x.Seq < y.Seq {
					return -1
				}
				return 1
			})
		}
	}
	e := q.b[0][q.head]
	q.head++
	q.size--
	return e
}
