package kube

// Clock orders the controllers' timers on the run's simulated clock
// (nanoseconds): the kubelet's restarts, probe times, the controllers'
// resyncs. It is not an engine of its own: whoever drives the run calls
// RunUntil as its clock advances (a test, or the central engine through
// sim.Waker, waking at Next). Timers due at the same instant run in the
// order they were set.
type Clock struct {
	now int64
	seq uint64
	h   timerHeap
}

type timer struct {
	at  int64
	seq uint64
	f   func()
}

// timerHeap is a 4-ary min-heap on (at, seq), written out rather than
// through container/heap, whose interface boxes every timer pushed; four
// children per node halve the levels a pop sifts through. (at, seq) is a
// total order, so the order timers run in is the same for any heap.
type timerHeap []timer

func (h timerHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *timerHeap) push(t timer) {
	*h = append(*h, t)
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 4
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

func (h *timerHeap) pop() timer {
	q := *h
	n := len(q) - 1
	t := q[0]
	q[0] = q[n]
	q[n] = timer{} // let the closure go
	q = q[:n]
	for i := 0; ; {
		c := 4*i + 1
		if c >= n {
			break
		}
		j := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if q.less(k, j) {
				j = k
			}
		}
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		i = j
	}
	*h = q
	return t
}

// Now is the time of the timer running, or the time RunUntil reached.
func (c *Clock) Now() int64 { return c.now }

// At runs f at time t (now, if t is in the past).
func (c *Clock) At(t int64, f func()) {
	c.h.push(timer{at: max(t, c.now), seq: c.seq, f: f})
	c.seq++
}

// After runs f d nanoseconds from now.
func (c *Clock) After(d int64, f func()) { c.At(c.now+d, f) }

// Next is the time of the earliest timer; false when none is set.
func (c *Clock) Next() (int64, bool) {
	if len(c.h) == 0 {
		return 0, false
	}
	return c.h[0].at, true
}

// RunUntil runs every timer due at or before t, in order (timers they set
// for times up to t run too), and leaves the clock at t.
func (c *Clock) RunUntil(t int64) {
	for len(c.h) > 0 && c.h[0].at <= t {
		tm := c.h.pop()
		c.now = tm.at
		tm.f()
	}
	c.now = max(c.now, t)
}
