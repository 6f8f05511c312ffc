package queue

import "math/bits"

// QuadHeap is an implicit 4-ary min-heap of Events ordered by Before: the
// children of slot i are slots 4i+1 to 4i+4 of one slice. A 4-ary heap halves
// the depth of a binary heap and keeps the four children of a node on two
// cache lines, which pays off once the heap no longer fits in L1.
//
// Push and Pop take O(log n); neither allocates once the backing slice has
// reached the queue's working size. Pop sifts bottom-up like BinaryHeap: the
// hole at the root goes down to a leaf along the smallest children, three
// comparisons per level, and the former last element is sifted up from
// there. In the first branchFreeSlots slots the smallest of four children is
// found by a branch-free tournament; deeper down by branches, which let the
// CPU speculate ahead and overlap cache misses.
type QuadHeap struct {
	h []Event
}

// branchFreeSlots is how far down the heaps choose children without
// branching: 1<<14 slots are 512 KiB of Events, which stay in L2. Measured
// with BenchmarkHold: branch-free selection is faster while the levels are
// cached and slower beyond that.
const branchFreeSlots = 1 << 14

// before01 is Before as 0 or 1, computed without branches: (At, Seq) compared
// as one 128-bit unsigned number, with At's sign bit flipped to order
// negative times first.
func before01(e, f *Event) uint64 {
	_, borrow := bits.Sub64(e.Seq, f.Seq, 0)
	_, borrow = bits.Sub64(uint64(e.At)^(1<<63), uint64(f.At)^(1<<63), borrow)
	return borrow
}

// Len is the number of pending events.
func (q *QuadHeap) Len() int { return len(q.h) }

// Reset empties the queue, keeping its storage.
func (q *QuadHeap) Reset() { q.h = q.h[:0] }

// Peek returns the next event without removing it. The queue must not be empty.
func (q *QuadHeap) Peek() Event { return q.h[0] }

// Push adds e.
func (q *QuadHeap) Push(e Event) {
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !e.Before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// Pop removes and returns the next event. The queue must not be empty.
func (q *QuadHeap) Pop() Event {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	if n == 0 {
		return top
	}
	// Walk the hole from the root down to a leaf along the smallest child.
	i := 0
	for {
		c := 4*i + 1
		if c+3 >= n {
			if c < n { // one to three children
				m := c
				for j := c + 1; j < n; j++ {
					if h[j].Before(&h[m]) {
						m = j
					}
				}
				h[i] = h[m]
				i = m
			}
			break
		}
		var m int
		if c < branchFreeSlots {
			a := c + int(before01(&h[c+1], &h[c]))
			b := c + 2 + int(before01(&h[c+3], &h[c+2]))
			m = a ^ (a^b)&-int(before01(&h[b], &h[a]))
		} else {
			m = c
			if h[c+1].Before(&h[m]) {
				m = c + 1
			}
			if h[c+2].Before(&h[m]) {
				m = c + 2
			}
			if h[c+3].Before(&h[m]) {
				m = c + 3
			}
		}
		h[i] = h[m]
		i = m
	}
	// Sift the former last element up from the leaf.
	for i > 0 {
		p := (i - 1) >> 2
		if !last.Before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = last
	return top
}
