package sim

// Preemptor is a Placer that may evict running tasks for a task that fits
// nowhere: the Kubernetes scheduler's PostFilter (DefaultPreemption).
// Under central queueing, when the Placer cannot place t, the scheduler
// calls Preempt; each Eviction names a running task (by ID) that ends
// After its grace period. The preemptor then stays pending and is tried
// again in the cycles that follow, as any pending task; a Preemptor keeps
// track of its nominations itself.
//
// An evicted task's Observer.Failed hook is called. With Requeue, its
// controller recreates it: the task returns to the pending queue, arriving
// anew at the eviction (one record, when it finally ends); without, it ends
// with status Failed.
type Preemptor interface {
	Placer
	Preempt(v *View, t *Task) []Eviction
}

// Eviction is one victim of a preemption, or (from a Waker) a task its
// machine's failure touches.
//
// With Halt the task's work stops now, as its container dies with its
// machine: it never completes, but it keeps its node and resources (its
// pod stays bound, phase Unknown) until a later Eviction without Halt ends
// it; After and Requeue are ignored. A halted task that no later eviction
// ends has no record.
type Eviction struct {
	ID      int64
	After   Time
	Requeue bool
	Halt    bool
}

// Waker is a central-queueing strategy with timers of its own on the
// run's clock: the grace period of a victim that is not a task of the run
// (a pod already running when the run started), a Job's
// activeDeadlineSeconds, a controller's resync. When the run starts the
// engine calls SetAlarm with a function that schedules Wake(v, ref) at
// time at (not before now; in order with other events at that instant,
// as any event). Wake may return evictions, applied as a Preemptor's are;
// a scheduling cycle follows it, since the cluster may have changed.
type Waker interface {
	Strategy
	SetAlarm(alarm func(at Time, ref int64))
	Wake(v *View, ref int64) []Eviction
}

// Event kinds of central queueing: evEvict ends a preempted task, evWake
// calls the Waker.
const (
	evEvict uint32 = 8
	evWake  uint32 = 9
)

// wake calls the Waker for ref.
func (e *Scheduler) wake(ref int64) {
	e.evictAll(e.waker.Wake(e.view, ref))
	e.dirty = true
}

// preemptFor runs the Preemptor for t, which could not be placed.
func (e *Scheduler) preemptFor(t *Task) {
	e.evictAll(e.preemptor.Preempt(e.view, t))
}

// evictAll schedules the evictions of running tasks.
func (e *Scheduler) evictAll(evs []Eviction) {
	for _, ev := range evs {
		s, ok := e.byID[ev.ID]
		if !ok || e.slab[s].state != stRunning || ev.After < 0 {
			continue // not running: nothing to evict
		}
		if ev.Halt {
			e.slab[s].halted = true // its completion event is void
			continue
		}
		if ev.Requeue {
			e.requeue[s] = true
		} else {
			delete(e.requeue, s)
		}
		e.push(e.now+ev.After, evEvict, e.slab[s].node, int64(s)|int64(e.slab[s].gen)<<32)
	}
}

// evict ends running slot s (generation gen) for a preemption.
func (e *Scheduler) evict(s int32, gen uint32) {
	sl := &e.slab[s]
	if sl.gen != gen || sl.state != stRunning {
		return
	}
	i := int(sl.node)
	if e.smp != nil {
		e.touchDom(i)
	}
	e.view.Release(i, &sl.t, sl.gpus)
	e.account(i, &sl.t, -1)
	e.view.load[i].Active--
	e.view.changed(i)
	e.running--
	delete(e.byID, sl.t.ID)
	for _, o := range e.obs {
		o.Failed(e.view, &sl.t, i)
	}
	e.dirty = true
	if e.requeue[s] {
		delete(e.requeue, s)
		sl.gen++ // its completion event is void
		sl.state = stPending
		sl.node = -1
		sl.fits = 0
		sl.t.Arrival = e.now
		e.enqueue(s)
		return
	}
	e.end(s, i, Failed)
}
