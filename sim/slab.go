package sim

// The slab: every task in flight under node queueing has a slot, recycled
// through a free list, so memory follows the work in flight and not the
// length of the trace.
//
// A slot is 64 bytes, one cache line: what the event loop reads of a task
// (its arrival, work, start, id, cpu and memory requests, node, FIFO link).
// The rest of a Task (strings, GPU shares, tokens, priorities ...) is kept
// aside in Engine.cold, only for the tasks that have any of it; the plain
// requests of a load-balancing workload have none. The state of an attempt
// under dynamics (ext.go) is kept aside too, in Engine.xs, allocated only
// for runs that have dynamics.

// slabBits sets the chunk the slab grows by: 4,096 slots (256 KiB).
const (
	slabBits  = 12
	slabChunk = 1 << slabBits
)

// chunked is a slab of T that grows by chunks of slabChunk values instead
// of doubling one array: nothing is copied when it grows, and it never
// holds more than one chunk beyond the high-water mark of the work in
// flight (a doubled array holds up to twice it, and three times while it
// is copied). Indexes are int32.
type chunked[T any] struct {
	c []*[slabChunk]T
	n int32 // values handed out so far
}

// at returns value i, which grow has handed out.
func (b *chunked[T]) at(i int32) *T { return &b.c[i>>slabBits][i&(slabChunk-1)] }

// grow hands out the next value (zero) and returns its index.
func (b *chunked[T]) grow() int32 {
	if int(b.n) == len(b.c)*slabChunk {
		b.c = append(b.c, new([slabChunk]T))
	}
	b.n++
	return b.n - 1
}

// slot holds one task in flight (node queueing).
type slot struct {
	arrival, work, start Time
	id                   int64
	cpu, memory          int64
	node                 int32
	next                 int32 // next slot in the node's FIFO, or the free list
	cold                 int32 // the whole Task in Engine.cold, or -1: every other field is zero
	measured             bool
}

// attempt is a slot's state under dynamics (ext.go).
type attempt struct {
	lost, abandoned, armed, inFault bool
	suDrawn                         bool // su was drawn when the attempt reached its node
	attempt                         uint16
	gen                             uint32 // changes when the slot is recycled or its attempt lost
	origin                          int32  // origin region index, -1 none
	prevA, nextA                    int32  // the node's active attempts
	sent, back, deadline            Time
	su                              Time // the attempt's start-up delay (Config.Startup)
}

// hotOnly reports whether every field of t but those a slot holds is zero.
func hotOnly(t *Task) bool {
	return *t == Task{ID: t.ID, Arrival: t.Arrival, Work: t.Work, CPU: t.CPU, Memory: t.Memory}
}

// fill makes slot s hold task t.
func (e *Engine) fill(s int32, t *Task) {
	sl := e.slab.at(s)
	sl.arrival, sl.work, sl.id, sl.cpu, sl.memory = t.Arrival, t.Work, t.ID, t.CPU, t.Memory
	sl.cold = -1
	if e.plain == nil && !hotOnly(t) {
		sl.cold = e.coldCopy(t)
	}
}

// coldCopy keeps a copy of t aside and returns its index.
func (e *Engine) coldCopy(t *Task) int32 {
	var k int32
	if n := len(e.coldFree); n > 0 {
		k = e.coldFree[n-1]
		e.coldFree = e.coldFree[:n-1]
	} else {
		k = e.cold.grow()
	}
	*e.cold.at(k) = *t
	return k
}

// task returns slot s's task, whole. The pointer is valid until the next
// call of task or fill.
func (e *Engine) task(s int32) *Task {
	sl := e.slab.at(s)
	if sl.cold >= 0 {
		return e.cold.at(sl.cold)
	}
	e.tmp = Task{ID: sl.id, Arrival: sl.arrival, Work: sl.work, CPU: sl.cpu, Memory: sl.memory}
	return &e.tmp
}

func (e *Engine) alloc() int32 {
	if e.free >= 0 {
		s := e.free
		e.free = e.slab.at(s).next
		return s
	}
	s := e.slab.grow()
	if e.x != nil {
		e.xs.grow()
	}
	return s
}

// release returns slot s to the free list.
func (e *Engine) release(s int32) {
	sl := e.slab.at(s)
	if sl.cold >= 0 {
		*e.cold.at(sl.cold) = Task{} // drop its strings and Deps for the collector
		e.coldFree = append(e.coldFree, sl.cold)
		sl.cold = -1
	}
	sl.next = e.free
	e.free = s
}

// fifo is a queue of slots linked through slot.next: a node's queue, or
// the broker's.
type fifo struct{ head, tail int32 }

var emptyFIFO = fifo{-1, -1}

// push appends slot s.
func (f *fifo) push(slab *chunked[slot], s int32) {
	slab.at(s).next = -1
	if f.tail < 0 {
		f.head = s
	} else {
		slab.at(f.tail).next = s
	}
	f.tail = s
}

// pop removes and returns the oldest slot, or -1 when f is empty.
func (f *fifo) pop(slab *chunked[slot]) int32 {
	h := f.head
	if h >= 0 {
		if f.head = slab.at(h).next; f.head < 0 {
			f.tail = -1
		}
	}
	return h
}
