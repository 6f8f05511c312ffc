package queue

// BinaryHeap is an implicit binary min-heap of Events ordered by Before: the
// children of slot i are slots 2i+1 and 2i+2 of one slice.
//
// Push and Pop take O(log n); neither allocates once the backing slice has
// reached the queue's working size. Pop sifts bottom-up (Wegener's
// "bottom-up heapsort" trick): the hole left at the root is walked down to a
// leaf along the smaller children, one comparison per level, and the former
// last element is then sifted up from there; it almost always belongs near
// the bottom, so this saves most of the comparisons with it. Near the root
// (the first branchFreeSlots slots, which stay in cache) the smaller child is
// chosen without a branch, since that choice is a coin flip the branch
// predictor cannot learn; deeper down a branch is faster because the CPU
// speculates past it and overlaps the cache misses of successive levels.
type BinaryHeap struct {
	h []Event
}

// Len is the number of pending events.
func (q *BinaryHeap) Len() int { return len(q.h) }

// Reset empties the queue, keeping its storage.
func (q *BinaryHeap) Reset() { q.h = q.h[:0] }

// Peek returns the next event without removing it. The queue must not be empty.
func (q *BinaryHeap) Peek() Event { return q.h[0] }

// Push adds e.
func (q *BinaryHeap) Push(e Event) {
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 1
		if !e.Before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// Pop removes and returns the next event. The queue must not be empty.
func (q *BinaryHeap) Pop() Event {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	if n == 0 {
		return top
	}
	// Walk the hole from the root down to a leaf along the smaller child.
	i := 0
	for {
		c := 2*i + 1
		if c+1 >= n {
			if c < n { // an only child
				h[i] = h[c]
				i = c
			}
			break
		}
		if c < branchFreeSlots {
			c += int(before01(&h[c+1], &h[c]))
		} else if h[c+1].Before(&h[c]) {
			c++
		}
		h[i] = h[c]
		i = c
	}
	// Sift the former last element up from the leaf.
	for i > 0 {
		p := (i - 1) >> 1
		if !last.Before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = last
	return top
}
