package sim

import (
	"errors"
	"math/bits"
)

// The fast path of node queueing: a run without dynamics, start-up
// delays, Observer strategy, records, series or per-task resources (the
// workload a PlainSource: no cpu or memory to account) needs of a task
// only its arrival, work, id and whether it is measured, and of the event
// queue only completions (and the warm-up's end). It keeps
//
//   - a service record per busy slot (svc, preallocated: one per slot of
//     the cluster) instead of a 64-byte slab slot per task in flight;
//   - per node, a FIFO of the queued tasks' (arrival, work, id, measured)
//     in 32-byte entries (fqent) instead of slab slots;
//   - a 4-ary heap of 16-byte (time, sequence<<16 | record) entries
//     (fheap) instead of the calendar queue's 40-byte events.
//
// It pushes every event at the moment the general path does, with the
// same sequence number, and pops in the same (time, sequence) order, so a
// run's Result is byte for byte the general path's (TestFastPathSameResult
// runs both).

// fastPath enables the fast path where a run allows it; the tests switch
// it off to run the general path as the oracle.
var fastPath = true

const (
	fastRefBits = 16
	fastRefMask = 1<<fastRefBits - 1
	fastWarmRef = fastRefMask // the warm-up's end; records are below
	fastMaxSeq  = 1 << (64 - fastRefBits)
)

// fev is a pending event of the fast path: its time, and its sequence
// number above the index of its service record (or fastWarmRef).
type fev struct {
	at  int64
	key uint64
}

func (a fev) before(b fev) bool { return a.at < b.at || a.at == b.at && a.key < b.key }

// fheap is a 4-ary min-heap of fev in (time, sequence) order: the four
// children of an entry are one 64-byte line.
type fheap struct{ h []fev }

func (q *fheap) push(x fev) {
	q.h = append(q.h, x)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !x.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// pop removes the first entry.
func (q *fheap) pop() {
	n := len(q.h) - 1
	x := q.h[n]
	q.h = q.h[:n]
	if n > 0 {
		q.down(x)
	}
}

// down puts x in place of the first entry and restores the heap. It
// moves the hole left at the top down to a leaf along the smallest
// children, then x up from there (Floyd): x is usually a late time, so
// it rises little, and the choice of the smallest child is made without
// branches (earlier), which a random order would mispredict.
func (q *fheap) down(x fev) {
	h := q.h
	n := len(h)
	i := 0
	for {
		c := 4*i + 1
		var m int
		if c+3 < n {
			a := c + int(earlier(h[c+1], h[c]))
			b := c + 2 + int(earlier(h[c+3], h[c+2]))
			m = a + (b-a)&-int(earlier(h[b], h[a]))
		} else if c < n {
			m = c
			for j := c + 1; j < n; j++ {
				if h[j].before(h[m]) {
					m = j
				}
			}
		} else {
			break
		}
		h[i] = h[m]
		i = m
	}
	for i > 0 {
		p := (i - 1) >> 2
		if !x.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

// earlier is 1 when a comes before b, else 0, without a branch: a
// 128-bit comparison of (at, key) by subtraction (times are >= 0).
func earlier(a, b fev) uint64 {
	_, br := bits.Sub64(a.key, b.key, 0)
	_, br = bits.Sub64(uint64(a.at), uint64(b.at), br)
	return br
}

// svc is the task a busy slot serves (fast path).
type svc struct {
	arrival, start, work Time
	node                 int32
	measured             bool
}

// fqent is a task waiting in a node's FIFO (fast path), linked through
// next (or the free list).
type fqent struct {
	arrival, work Time
	id            int64
	next          int32
	measured      bool
}

// fastState is the Engine's state on the fast path.
type fastState struct {
	on      bool
	fh      fheap
	svc     []svc
	svcFree []int32
	fq      chunked[fqent]
	fqFree  int32
	topLive bool // the completion being handled is still the heap's first
}

var errFastSeq = errors.New("sim: more than 2^48 events scheduled; the run is too long for the fast path")

// fastAllowed reports whether the run may take the fast path (called by
// NewEngine once the rest is set up, before the first event is pushed).
func (e *Engine) fastAllowed(slots int64) bool {
	return fastPath && e.x == nil && !e.su.on && e.obs == nil && e.cfg.OnRecord == nil &&
		e.smp == nil && e.plain != nil && !e.radix && slots < fastWarmRef
}

// initFast sets the fast path up for a cluster of slots slots.
func (e *Engine) initFast(slots int64) {
	f := &e.f
	f.on = true
	f.svc = make([]svc, slots)
	f.svcFree = make([]int32, slots)
	for k := range f.svcFree {
		f.svcFree[k] = int32(slots) - 1 - int32(k)
	}
	f.fqFree = -1
	f.fh.h = make([]fev, 0, slots+1)
}

// stepFast is Step on the fast path.
func (e *Engine) stepFast(max int) (done bool, err error) {
	f := &e.f
	for k := 0; k < max; k++ {
		h := f.fh.h
		if len(h) == 0 && !e.arrQ {
			e.finished = true
			return true, nil
		}
		if e.arrQ && (len(h) == 0 || e.arrAt < Time(h[0].at) || e.arrAt == Time(h[0].at) && e.arrSeq < h[0].key>>fastRefBits) {
			e.arrQ = false
			e.now = e.arrAt
			e.view.now = e.now
			e.events++
			e.arriveFast()
		} else {
			top := h[0]
			e.now = Time(top.at)
			e.view.now = e.now
			e.events++
			if r := int32(top.key & fastRefMask); r == fastWarmRef {
				f.fh.pop()
				e.startWindow()
			} else {
				f.topLive = true
				e.completeFast(r)
				if f.topLive {
					f.fh.pop()
					f.topLive = false
				}
			}
		}
		if e.err != nil {
			e.finished = true
			return true, e.err
		}
	}
	return false, nil
}

// changedFast is View.changed, called only when something listens.
func (e *Engine) changedFast(i int) {
	if v := e.view; len(v.indexes)+len(v.watchers)+len(v.logs) > 0 {
		v.changed(i)
	}
}

// arriveFast is arrive on the fast path.
func (e *Engine) arriveFast() {
	if !e.warm && e.cfg.WarmupTasks > 0 && e.arrivedAll >= e.cfg.WarmupTasks {
		e.startWindow()
	}
	e.arrivedAll++
	t := &e.in
	e.lastArrival = t.Arrival
	measured := e.warm
	if measured {
		e.arrived++
		e.changeInSys(1)
	}
	if i := e.place(t); e.err != nil {
		return
	} else if i == Drop {
		e.count(t.Arrival, e.now, e.now, Dropped, measured)
	} else {
		l := &e.view.load[i]
		nd := &e.nd[i]
		if l.Active < nd.slots {
			e.touch(i)
			l.Active++
			e.changedFast(i)
			e.startFast(int32(i), t.Arrival, t.Work, t.ID, measured)
		} else {
			l.Queued++
			e.changedFast(i)
			f := &e.f
			k := f.fqFree
			if k >= 0 {
				f.fqFree = f.fq.at(k).next
			} else {
				k = f.fq.grow()
			}
			*f.fq.at(k) = fqent{arrival: t.Arrival, work: t.Work, id: t.ID, next: -1, measured: measured}
			if nd.q.tail < 0 {
				nd.q.head = k
			} else {
				f.fq.at(nd.q.tail).next = k
			}
			nd.q.tail = k
		}
	}
	e.readNext()
	if e.pending {
		e.pushArrival(e.in.Arrival)
	}
}

// startFast starts a task on node i now (start on the fast path).
func (e *Engine) startFast(i int32, arrival, work Time, id int64, measured bool) {
	d := work
	if inv := e.nd[i].inv; inv != 1 || work > MaxTime-e.now {
		// (scaled names the node on an error: its NodeSpec is read only
		// here, off the path of a speed-1 node.)
		if d = e.scaled(work, inv, id, e.cfg.Nodes[i].Name); e.err != nil {
			return
		}
	}
	if e.seq >= fastMaxSeq {
		e.err = errFastSeq
		return
	}
	f := &e.f
	n := len(f.svcFree) - 1
	r := f.svcFree[n]
	f.svcFree = f.svcFree[:n]
	f.svc[r] = svc{arrival: arrival, start: e.now, work: work, node: i, measured: measured}
	ev := fev{at: int64(e.now + d), key: e.seq<<fastRefBits | uint64(r)}
	e.seq++
	if f.topLive {
		f.topLive = false
		f.fh.down(ev)
	} else {
		f.fh.push(ev)
	}
}

// completeFast ends the task of service record r now (complete on the
// fast path).
func (e *Engine) completeFast(r int32) {
	f := &e.f
	sv := &f.svc[r]
	i := sv.node
	nd := &e.nd[i]
	if sv.measured {
		nd.work += int64(sv.work)
		nd.served++
	}
	l := &e.view.load[i]
	e.touch(int(i))
	l.Active--
	e.changedFast(int(i))
	// count(sv.arrival, sv.start, now, Completed, sv.measured), inline
	// (finish is now: the area gains nothing beyond changeInSys's).
	if e.now > e.lastFinish {
		e.lastFinish = e.now
	}
	if sv.measured {
		e.done[Completed]++
		e.latency.Record(int64(e.now - sv.arrival))
		e.wait.Record(int64(sv.start - sv.arrival))
		e.changeInSys(-1)
	}
	f.svcFree = append(f.svcFree, r)
	if k := nd.q.head; k >= 0 {
		q := f.fq.at(k)
		if nd.q.head = q.next; nd.q.head < 0 {
			nd.q.tail = -1
		}
		q.next = f.fqFree
		f.fqFree = k
		l.Queued--
		l.Active++
		e.changedFast(int(i))
		e.startFast(i, q.arrival, q.work, q.id, q.measured)
	}
}
