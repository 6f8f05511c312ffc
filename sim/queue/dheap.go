package queue

// QuadHeap is an implicit 4-ary min-heap of Events ordered by Before.
// A 4-ary heap halves the depth of a binary heap and keeps the four
// children of a node on one or two cache lines, which pays off once the
// heap no longer fits in L1.
//
// Push and Pop take O(log n); neither allocates once the backing slice has
// reached the queue's working size.
type QuadHeap struct {
	h []Event
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
	q.h = h[:n]
	h = h[:n]
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].Before(&h[m]) {
				m = j
			}
		}
		if !h[m].Before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}
