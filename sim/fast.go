package sim

import "errors"

// The fast path of node queueing: a run without dynamics (a Ticker
// strategy's ticks aside, which it keeps as events of their own), start-up
// delays, records or series (and without an Observer strategy unless the
// source is a PlainSource: an Observer is told the task, which from a
// PlainSource is its id, arrival and work, as on the general path) needs of a task only its
// arrival, work, id, cpu and memory and whether it is measured (nothing
// else of a task reaches anything but the strategy's Pick, which sees the
// whole task as on the general path), and of the event queue only
// completions (and the warm-up's end). It keeps
//
//   - a service record per busy slot (svc) in the calendar entry of its
//     completion (preallocated: one per slot of the cluster) instead of a
//     64-byte slab slot per task in flight;
//   - per node, a FIFO of the queued tasks' (arrival, work, id, measured)
//     in 32-byte entries (fqent) instead of slab slots;
//   - a calendar queue of 16-byte (time, sequence<<24 | mark) events
//     in 64-byte entries that hold the service record too, over a fixed
//     pool (fcal, fastcal.go), instead of the general one's 40-byte events;
//   - from fastRadixMinSlots slots, a radix heap of (time, sequence<<24 |
//     record) events instead (fradix, fast_radix.go), the service records
//     in an array with a free list;
//   - when every node has one slot (pn), per-node records instead: the
//     task a node serves, its FIFO (a ring through its last entry) and its
//     totals in the node's 64-byte View entry (vnode), beside the load the
//     strategy reads, and the node in the event's low bits. A request then
//     touches the line of the node it is sent to, which Pick has just
//     read, and that of the node that completes; fradix prefetches the
//     records of the next few hundred events when it empties a bucket of
//     one chunk, so that on 10^5-10^6 nodes their misses overlap.
//
// It pushes every event at the moment the general path does, with the
// same sequence number, and pops in the same (time, sequence) order, so a
// run's Result is byte for byte the general path's (TestFastPathSameResult
// runs both).

// fastPath enables the fast path where a run allows it; the tests switch
// it off to run the general path as the oracle.
var fastPath = true

const (
	fastRefBits = 24 // room for 2^24-1 service records (fradix), and 2^40 sequence numbers
	fastRefMask = 1<<fastRefBits - 1
	fastWarmRef = fastRefMask     // the warm-up's end's mark; a completion's is 0 or its record
	fastTickRef = fastRefMask - 1 // a Ticker's tick's mark
	fastMaxSeq  = 1 << (64 - fastRefBits)
)

// fev is a pending event of the fast path: its time, and its sequence
// number above 0 (a completion, its service record in its calendar entry;
// with fradix, the index of its service record) or fastWarmRef (the
// warm-up's end).
type fev struct {
	at  int64
	key uint64
}

func (a fev) before(b fev) bool { return a.at < b.at || a.at == b.at && a.key < b.key }

// svc is the task a busy slot serves (fast path): what its completion
// needs, and the id an Observer's Finished is told.
type svc struct {
	arrival, start, work Time
	id                   int64
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
	on     bool
	fc     fcal
	unit   bool // every node's inv is 1: work is served as it is
	fq     chunked[fqent]
	fqFree int32

	// Large clusters (fast_radix.go): big is the queue instead of fc, and
	// the service records are svc (unless pn).
	big     *fradix
	svc     []svc
	svcFree []int32

	// pn: every node has one slot, so the task a node serves and its
	// FIFO and totals are kept in its View entry (vnode), on the line the
	// strategy reads, instead of in calendar entries or svc and the
	// Engine's enode: a completion's event carries its node. ids holds
	// the served tasks' ids by node, for an Observer only.
	pn  bool
	ids []int64

	// A Ticker strategy's ticks every every (a tick event's mark is
	// fastTickRef), while work remains (as Engine.live says with dynamics:
	// a task to arrive, or one not ended; ended counts the tasks
	// completed or dropped).
	ticker Ticker
	every  Time
	ended  int64

	// res: a task with cpu or memory has been read (never from a
	// PlainSource), which the View accounts while tasks are served: sres
	// holds a busy slot's (by its calendar entry, or its fradix record),
	// qres a queued task's (by its FIFO entry). Until then the fast path
	// keeps no resources at all (useRes); nres is sres's length.
	res  bool
	nres int
	sres []fres
	qres chunked[fres]
}

// fres is the cpu and memory a task holds while it is served.
type fres struct{ cpu, memory int64 }

var errFastSeq = errors.New("sim: more than 2^40 events scheduled; the run is too long for the fast path")

// fastAllowed reports whether the run may take the fast path (called by
// NewEngine once the rest is set up, before the first event is pushed).
func (e *Engine) fastAllowed(slots int64) bool {
	return e.x == nil && e.smp == nil && e.fastAllowedCfg(slots)
}

// fastAllowedCfg is fastAllowed's conditions on the configuration, known
// before dynamics and series are set up.
func (e *Engine) fastAllowedCfg(slots int64) bool {
	return fastPath && !e.su.on && (e.obs == nil || e.plain != nil) && e.cfg.OnRecord == nil &&
		e.cfg.Series.Every <= 0 && slots < fastTickRef
}

// initFast sets the fast path up for a cluster of slots slots.
func (e *Engine) initFast(slots int64) {
	f := &e.f
	f.on = true
	f.unit = true
	for i := range e.nd {
		f.unit = f.unit && e.nd[i].inv == 1
	}
	f.fqFree = -1
	f.nres = int(slots)
	// read calls useRes at the first task with cpu or memory.
	e.firstRes = e.useRes
	if f.pn = fastPerNode && slots == int64(len(e.nd)); f.pn { // (every node has at least one slot)
		for i := range e.view.load {
			e.view.load[i].tail = -1
		}
		if e.obs != nil {
			f.ids = make([]int64, slots)
		}
		if slots < fastRadixMinSlots {
			f.fc.init(int(slots) + 2) // (and the warm-up's end and a tick)
		} else {
			f.big = &fradix{warm: e.view.load}
		}
		return
	}
	if slots < fastRadixMinSlots {
		f.fc.init(int(slots) + 2) // (and the warm-up's end and a tick)
		f.nres = int(slots) + 2
		return
	}
	f.big = new(fradix)
	f.svc = make([]svc, slots)
	f.svcFree = make([]int32, slots)
	for k := range f.svcFree {
		f.svcFree[k] = int32(slots) - 1 - int32(k)
	}
}

// fastPush adds x to the fast path's queue (the warm-up's end).
func (e *Engine) fastPush(x fev) {
	if e.f.big != nil {
		e.f.big.push(x)
	} else {
		e.f.fc.push(x)
	}
}

// fastFirst is the fast path's next event, if any.
func (e *Engine) fastFirst() (fev, bool) {
	if e.f.big != nil {
		return e.f.big.first()
	}
	return e.f.fc.first()
}

// arrivalFirst reports whether the pending arrival comes before the
// queue's first event top (ok: there is one) in (time, sequence) order,
// and if so takes it: the clock moves to it and it is no longer pending.
func (e *Engine) arrivalFirst(top fev, ok bool) bool {
	if !e.arrQ || ok && (Time(top.at) < e.arrAt || Time(top.at) == e.arrAt && top.key>>fastRefBits <= e.arrSeq) {
		return false
	}
	e.arrQ = false
	e.clockTo(int64(e.arrAt))
	return true
}

// clockTo moves the clock to the event at t, which is about to be handled.
func (e *Engine) clockTo(t int64) {
	e.now = Time(t)
	e.view.now = e.now
	e.events++
}

// stepFast is Step on the fast path.
func (e *Engine) stepFast(max int) (done bool, err error) {
	f := &e.f
	if f.big != nil {
		return e.stepFastBig(max)
	}
	for k := 0; k < max; k++ {
		var top fev
		var ok bool
		if f.fc.valid { // first's usual case, inline
			top, ok = f.fc.ents[f.fc.top].ev, true
		} else {
			top, ok = f.fc.first()
		}
		if !ok && !e.arrQ || f.ticker != nil && !e.liveFast() {
			e.finished = true
			return true, nil
		}
		if e.arrivalFirst(top, ok) {
			e.arriveFast()
		} else {
			k := f.fc.top
			f.fc.pop()
			e.clockTo(top.at)
			if r := int32(top.key & fastRefMask); r == fastWarmRef {
				e.startWindow()
			} else if r == fastTickRef {
				e.tickFast()
			} else if f.pn {
				e.completePN(r)
			} else {
				sv := &f.fc.ents[k].sv
				e.completeFastOn(sv.node, sv, k)
			}
		}
		if e.err != nil {
			e.finished = true
			return true, e.err
		}
	}
	return false, nil
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
	var i int
	if e.picker != nil {
		// place, inline for a Picker: an answer out of range is place's error.
		if i = e.picker.Pick(e.view, t); i != Drop && uint(i) >= uint(len(e.nd)) {
			e.badPick(i, t)
			return
		}
	} else if i = e.place(t); e.err != nil {
		return
	}
	if i == Drop {
		e.count(t.Arrival, e.now, e.now, Dropped, measured)
		e.f.ended++
	} else if e.f.pn {
		e.arrivePN(int32(i), t, measured)
	} else {
		l := &e.view.load[i]
		nd := &e.nd[i]
		if l.Active < nd.slots {
			e.touch(i)
			l.Active++
			e.view.changed(i)
			e.startFast(int32(i), t.Arrival, t.Work, t.ID, measured, t.CPU, t.Memory)
		} else {
			l.Queued++
			e.view.changed(i)
			f := &e.f
			k := e.fqTake(t)
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

// fqTake takes a FIFO entry for task t, which queues now (from the free
// list, or a new one), and records t's cpu and memory for it when they are
// accounted: the entry's index, the entry itself the caller's to fill.
func (e *Engine) fqTake(t *Task) int32 {
	f := &e.f
	k := f.fqFree
	if k >= 0 {
		f.fqFree = f.fq.at(k).next
	} else {
		k = f.fq.grow()
		if f.res {
			f.qres.grow()
		}
	}
	if f.res {
		*f.qres.at(k) = fres{t.CPU, t.Memory}
	}
	return k
}

// useRes starts accounting the cpu and memory of tasks (f.res), when the
// first task that has any is read (core.firstRes): the tasks before it had
// none, so the records of those served or queued now are zero, as they
// start. (Read there, not at each arrival: a PlainSource's tasks, which
// have none, pay nothing.)
func (e *Engine) useRes() {
	f := &e.f
	f.res = true
	f.sres = make([]fres, f.nres)
	for f.qres.n < f.fq.n {
		f.qres.grow()
	}
}

// startFast starts a task on node i now (start on the fast path); cpu and
// memory are the task's (zero from a PlainSource).
func (e *Engine) startFast(i int32, arrival, work Time, id int64, measured bool, cpu, memory int64) {
	d := work
	if !e.f.unit || work > MaxTime-e.now || e.seq >= fastMaxSeq {
		if d = e.fastDuration(i, work, id); e.err != nil {
			return
		}
	}
	f := &e.f
	sv := svc{arrival: arrival, start: e.now, work: work, id: id, node: i, measured: measured}
	var r int32
	if f.big != nil {
		n := len(f.svcFree) - 1
		r = f.svcFree[n]
		f.svcFree = f.svcFree[:n]
		f.svc[r] = sv
		f.big.push(fev{at: int64(e.now + d), key: e.seq<<fastRefBits | uint64(r)})
	} else {
		r = f.fc.push(fev{at: int64(e.now + d), key: e.seq << fastRefBits})
		f.fc.ents[r].sv = sv
	}
	e.seq++
	e.startedFast(i, r, arrival, work, id, cpu, memory)
}

// fastDuration is how long a task of work takes on node i from now when
// that is not simply work (the callers check first: a node whose speed is
// not 1, work that ends past MaxTime, or the sequence numbers spent): its
// work, scaled by the node's speed. It sets e.err when the run cannot go
// on.
func (e *Engine) fastDuration(i int32, work Time, id int64) Time {
	d := work
	if e.nd[i].inv != 1 || work > MaxTime-e.now {
		if d = e.scaled(work, e.nd[i].inv, id, i); e.err != nil {
			return 0
		}
	}
	if e.seq >= fastMaxSeq {
		e.err = errFastSeq
	}
	return d
}

// startedFast accounts a task just started on node i, its record r: its
// cpu and memory in the View (kept in f.sres[r] for its completion), and
// the Observer's Started. (Nothing to do, the usual case, inline.)
func (e *Engine) startedFast(i, r int32, arrival, work Time, id int64, cpu, memory int64) {
	if e.f.res || e.obs != nil {
		e.startedFastSlow(i, r, arrival, work, id, cpu, memory)
	}
}

func (e *Engine) startedFastSlow(i, r int32, arrival, work Time, id int64, cpu, memory int64) {
	if e.f.res {
		e.f.sres[r] = fres{cpu, memory}
		e.view.use(int(i), cpu, memory)
	}
	if e.obs != nil {
		e.observeStart(i, arrival, work, id)
	}
}

// endingFast is what a task ending on node i now, its record r, does
// before the node is updated: the Observer's Finished, and its cpu and
// memory leave the View. (Nothing to do, the usual case, inline.)
func (e *Engine) endingFast(i, r int32, id int64, arrival, work Time) {
	if e.f.res || e.obs != nil {
		e.endingFastSlow(i, r, id, arrival, work)
	}
}

func (e *Engine) endingFastSlow(i, r int32, id int64, arrival, work Time) {
	if e.obs != nil {
		e.tmp = Task{ID: id, Arrival: arrival, Work: work}
		e.obs.Finished(e.view, &e.tmp, int(i), e.now-arrival)
	}
	if e.f.res {
		res := e.f.sres[r]
		e.view.use(int(i), -res.cpu, -res.memory)
	}
}

// countFast counts a task completed now: count(arrival, start, now,
// Completed, measured) without count's other cases (finish is now: the
// area gains nothing beyond changeInSys's), and the tasks ended for a
// Ticker's liveFast.
func (e *Engine) countFast(arrival, start Time, measured bool) {
	e.f.ended++
	e.lastFinish = max(e.lastFinish, e.now)
	if measured {
		e.done[Completed]++
		e.latency.Record(int64(e.now - arrival))
		e.wait.Record(int64(start - arrival))
		e.changeInSys(-1)
	}
}

// observeStart tells the Observer that a task starts on node i: the task
// as the general path's Engine.task gives it from a PlainSource (the
// fast path takes an Observer only then).
func (e *Engine) observeStart(i int32, arrival, work Time, id int64) {
	e.tmp = Task{ID: id, Arrival: arrival, Work: work}
	e.obs.Started(e.view, &e.tmp, int(i))
}

// completeFastOn ends the task of service record sv on node i now
// (complete on the fast path); rk is the record's calendar entry or fradix
// index (its resources in f.sres). sv is read before startFast pushes (and
// may reuse the entry).
func (e *Engine) completeFastOn(i int32, sv *svc, rk int32) {
	e.endingFast(i, rk, sv.id, sv.arrival, sv.work)
	nd := &e.nd[i]
	if sv.measured {
		nd.work += int64(sv.work)
		nd.served++
	}
	e.touch(int(i))
	e.view.load[i].Active--
	e.view.changed(int(i))
	e.countFast(sv.arrival, sv.start, sv.measured)
	if k := nd.q.head; k >= 0 {
		f := &e.f
		q := f.fq.at(k)
		if nd.q.head = q.next; nd.q.head < 0 {
			nd.q.tail = -1
		}
		q.next = f.fqFree
		f.fqFree = k
		l := &e.view.load[i]
		l.Queued--
		l.Active++
		e.view.changed(int(i))
		var r fres
		if f.res {
			r = *f.qres.at(k)
		}
		e.startFast(i, q.arrival, q.work, q.id, q.measured, r.cpu, r.memory)
	}
}

// stepFastBig is stepFast on a large cluster (fradix, service records in
// f.svc).
func (e *Engine) stepFastBig(max int) (done bool, err error) {
	f := &e.f
	for k := 0; k < max; k++ {
		top, ok := f.big.first()
		if !ok && !e.arrQ || f.ticker != nil && !e.liveFast() {
			e.finished = true
			return true, nil
		}
		if e.arrivalFirst(top, ok) {
			e.arriveFast()
		} else {
			f.big.pop()
			e.clockTo(top.at)
			if r := int32(top.key & fastRefMask); r == fastWarmRef {
				e.startWindow()
			} else if r == fastTickRef {
				e.tickFast()
			} else if f.pn {
				e.completePN(r)
			} else {
				sv := &f.svc[r]
				f.svcFree = append(f.svcFree, r)
				e.completeFastOn(sv.node, sv, r)
			}
		}
		if e.err != nil {
			e.finished = true
			return true, e.err
		}
	}
	return false, nil
}

// fastPerNode enables per-node records (pn) where every node has one
// slot; the tests switch it off to check the other records against them.
var fastPerNode = true

// arrivePN puts task t, just sent to node i, into service or the node's
// FIFO (arriveFast with per-node records).
func (e *Engine) arrivePN(i int32, t *Task, measured bool) {
	v := &e.view.load[i]
	if v.Active == 0 { // (one slot)
		v.Active = 1
		e.view.changed(int(i))
		e.startPN(i, t.Arrival, t.Work, t.ID, measured, t.CPU, t.Memory)
		return
	}
	v.Queued++
	e.view.changed(int(i))
	f := &e.f
	k := e.fqTake(t)
	q := f.fq.at(k)
	*q = fqent{arrival: t.Arrival, work: t.Work, id: t.ID, next: k, measured: measured}
	if v.tail >= 0 { // the FIFO is a ring through its last entry
		tq := f.fq.at(v.tail)
		q.next, tq.next = tq.next, k
	}
	v.tail = k
}

// startPN starts a task on node i now (startFast with per-node records).
func (e *Engine) startPN(i int32, arrival, work Time, id int64, measured bool, cpu, memory int64) {
	d := work
	if !e.f.unit || work > MaxTime-e.now || e.seq >= fastMaxSeq {
		if d = e.fastDuration(i, work, id); e.err != nil {
			return
		}
	}
	f := &e.f
	v := &e.view.load[i]
	v.arrival, v.start, v.work, v.measured = arrival, e.now, work, measured
	x := fev{at: int64(e.now + d), key: e.seq<<fastRefBits | uint64(i)}
	if f.big != nil {
		f.big.push(x)
	} else {
		f.fc.push(x)
	}
	e.seq++
	if e.obs != nil {
		f.ids[i] = id
	}
	e.startedFast(i, i, arrival, work, id, cpu, memory)
}

// completePN ends the task node i serves now (completeFastOn with
// per-node records).
func (e *Engine) completePN(i int32) {
	f := &e.f
	v := &e.view.load[i]
	var id int64
	if e.obs != nil {
		id = f.ids[i]
	}
	e.endingFast(i, i, id, v.arrival, v.work)
	v.busy += int64(e.now - v.start)
	if v.measured {
		v.nwork += int64(v.work)
		v.served++
	}
	v.Active--
	e.view.changed(int(i))
	e.countFast(v.arrival, v.start, v.measured)
	if t := v.tail; t >= 0 {
		tq := f.fq.at(t)
		k := tq.next // the first
		q := f.fq.at(k)
		if k == t {
			v.tail = -1
		} else {
			tq.next = q.next
		}
		q.next = f.fqFree
		f.fqFree = k
		v.Queued--
		v.Active++
		e.view.changed(int(i))
		var r fres
		if f.res {
			r = *f.qres.at(k)
		}
		e.startPN(i, q.arrival, q.work, q.id, q.measured, r.cpu, r.memory)
	}
}

// liveFast is Engine.live on the fast path (checked only with a Ticker).
func (e *Engine) liveFast() bool { return e.pending || e.arrivedAll > e.f.ended }

// tickFast handles a tick: the strategy's Tick, and the next tick while
// work remains, as the general path's evTick.
func (e *Engine) tickFast() {
	f := &e.f
	f.ticker.Tick(e.view)
	if !e.liveFast() {
		return
	}
	if e.seq >= fastMaxSeq {
		e.err = errFastSeq
		return
	}
	e.fastPush(fev{at: int64(e.now + f.every), key: e.seq<<fastRefBits | fastTickRef})
	e.seq++
}
