package kube

// Clock orders the controllers' timers on the run's simulated clock
// (nanoseconds): the kubelet's restarts, probe times, the controllers'
// resyncs. It is not an engine of its own: whoever drives the run calls
// RunUntil as its clock advances (a test, or the central engine through
// sim.Waker, waking at Next). Timers due at the same instant run in the
// order they were set.
//
// The control loops set many timers for the same instant (every pod bound
// in one pass starts its container Startup later; every pod of a failed
// zone is evicted at once), so the clock keeps one first-in first-out
// list per instant and a heap of the instants: a timer set or run is an
// append or a step along its instant's list, and the heap sees each
// instant once.
type Clock struct {
	now  int64
	h    []*instant // by time
	at   map[int64]*instant
	last *instant // the instant a timer was last set for
	free []*instant
}

// instant is the timers due at one time, in the order they were set.
type instant struct {
	t    int64
	fs   []func()
	head int
}

// Now is the time of the timer running, or the time RunUntil reached.
func (c *Clock) Now() int64 { return c.now }

// At runs f at time t (now, if t is in the past).
func (c *Clock) At(t int64, f func()) {
	t = max(t, c.now)
	in := c.last
	if in == nil || in.t != t {
		in = c.at[t]
		if in == nil {
			in = c.newInstant(t)
		}
		c.last = in
	}
	in.fs = append(in.fs, f)
}

func (c *Clock) newInstant(t int64) *instant {
	var in *instant
	if k := len(c.free); k > 0 {
		in, c.free = c.free[k-1], c.free[:k-1]
		in.t = t
	} else {
		in = &instant{t: t}
	}
	if c.at == nil {
		c.at = map[int64]*instant{}
	}
	c.at[t] = in
	// sift up
	c.h = append(c.h, in)
	h := c.h
	for j := len(h) - 1; j > 0; {
		i := (j - 1) / 2
		if h[i].t <= h[j].t {
			break
		}
		h[i], h[j] = h[j], h[i]
		j = i
	}
	return in
}

// popInstant removes the earliest instant (its timers all taken).
func (c *Clock) popInstant() {
	h := c.h
	in := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = nil
	h = h[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h[r].t < h[l].t {
			j = r
		}
		if h[i].t <= h[j].t {
			break
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
	c.h = h
	delete(c.at, in.t)
	if c.last == in {
		c.last = nil
	}
	clear(in.fs)
	in.fs, in.head = in.fs[:0], 0
	c.free = append(c.free, in)
}

// After runs f d nanoseconds from now.
func (c *Clock) After(d int64, f func()) { c.At(c.now+d, f) }

// Next is the time of the earliest timer; false when none is set.
func (c *Clock) Next() (int64, bool) {
	if len(c.h) == 0 {
		return 0, false
	}
	return c.h[0].t, true
}

// RunUntil runs every timer due at or before t, in order (timers they set
// for times up to t run too), and leaves the clock at t.
func (c *Clock) RunUntil(t int64) {
	for len(c.h) > 0 && c.h[0].t <= t {
		in := c.h[0]
		f := in.fs[in.head]
		in.fs[in.head] = nil
		in.head++
		c.now = in.t
		if in.head == len(in.fs) {
			c.popInstant() // f may set a timer for now: a new instant, next
		}
		f()
	}
	c.now = max(c.now, t)
}
