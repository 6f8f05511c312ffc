package sim

import (
	"errors"

	"github.com/fleetsim/fleetsim/sim/metrics"
)

// Endpoints serves a Service's requests over endpoint slots: the
// node-queueing engine (Engine, with its Pickers, FIFO queues, client
// retries and timeouts) whose "nodes" are the slots a Service's pods fill,
// driven from outside on the caller's clock instead of by Step. A caller
// that runs other event handlers on the same clock (the Kubernetes control
// plane) interleaves them with the requests: it asks Next for the time of
// the earliest request event, runs RunUntil(t) for every event due at or
// before t, and calls Advance and Set when a pod changes state at t.
//
// A slot is empty, or holds a pod whose container is alive or dead and
// which the Service lists (Ready) or not. Strategies see a slot as a node:
// one not listed is out of the pool (View.Member false), so no balancer
// sends it work; a listed slot whose container died stays in the pool
// (the Service still lists it until the control plane marks the pod not
// Ready), and an attempt sent there is lost, as on a failed node. A slot
// starts empty: not listed, dead.
type Endpoints struct {
	e            *Engine
	alive, ready []bool
}

// NewEndpoints prepares the engine over len(cfg.Nodes) endpoint slots
// (each node's Slots is the concurrency of the pods that will fill it,
// Speed their speed; SetSpeed changes it while the slot is empty).
// cfg.Faults, RandomFaults, Autoscale and Network are refused: the caller
// owns the slots' states. onStart, when set, is called as each request
// (not one the client abandoned) starts service on slot i, before the
// strategy's Observer hook: an invariant check.
func NewEndpoints(cfg Config, src Source, s Strategy, onStart func(slot int)) (*Endpoints, error) {
	if len(cfg.Faults) > 0 || len(cfg.RandomFaults) > 0 || len(cfg.Autoscale) > 0 || cfg.Network != nil {
		return nil, errors.New("sim: endpoints take no faults, autoscalers or network: their caller sets their states")
	}
	if cfg.WarmupTasks > 0 || cfg.WarmupTime > 0 {
		return nil, errors.New("sim: endpoints take no warm-up")
	}
	e, err := NewEngine(cfg, src, s)
	if err != nil {
		return nil, err
	}
	// The dynamics and hook set below are not the fast path's (nothing is
	// pending yet: endpoints take no warm-up).
	e.f = fastState{}
	if e.x == nil {
		if e.x, err = newExt(e); err != nil {
			return nil, err
		}
	}
	x := e.x
	x.faulty = true
	if x.aHead == nil {
		x.aHead = make([]int32, len(cfg.Nodes))
		for i := range x.aHead {
			x.aHead[i] = -1
		}
	}
	n := len(cfg.Nodes)
	ep := &Endpoints{e: e, alive: make([]bool, n), ready: make([]bool, n)}
	for i := 0; i < n; i++ {
		x.depth[i], x.drain[i] = 1, 1
		x.epoch[i]++
		x.refreshOut(e, i)
	}
	if onStart != nil {
		e.obs = startHook{inner: e.obs, f: onStart}
	}
	return ep, nil
}

// startHook calls f before the strategy's Started hook.
type startHook struct {
	inner Observer
	f     func(int)
}

func (h startHook) Name() string { return "endpoints" }
func (h startHook) Started(v *View, t *Task, i int) {
	h.f(i)
	if h.inner != nil {
		h.inner.Started(v, t, i)
	}
}
func (h startHook) Finished(v *View, t *Task, i int, l Time) {
	if h.inner != nil {
		h.inner.Finished(v, t, i, l)
	}
}
func (h startHook) Failed(v *View, t *Task, i int) {
	if h.inner != nil {
		h.inner.Failed(v, t, i)
	}
}

// Len is the number of endpoint slots.
func (ep *Endpoints) Len() int { return len(ep.alive) }

// Now is the engine's time.
func (ep *Endpoints) Now() Time { return ep.e.now }

// Next is the time of the earliest request event; false when none is due.
func (ep *Endpoints) Next() (Time, bool) {
	e := ep.e
	if e.err != nil || !e.live() {
		return 0, false
	}
	return e.nextAt()
}

// RunUntil processes every request event due at or before t, in order
// (simultaneous events in the order they were scheduled), and leaves the
// clock at the last of them.
func (ep *Endpoints) RunUntil(t Time) error {
	e := ep.e
	for e.err == nil && e.live() {
		at, ok := e.nextAt()
		if !ok || at > t {
			break
		}
		// One event, the engine's own way: the pending arrival is kept
		// out of the queue (pushArrival), so the next event is whichever
		// of the two comes first.
		if _, err := e.Step(1); err != nil {
			return err
		}
	}
	return e.err
}

// Advance moves the clock to t (no earlier than now) without an event,
// before the caller changes a slot at t. Request events due before t must
// have been run.
func (ep *Endpoints) Advance(t Time) {
	e := ep.e
	if t > e.now {
		e.sampleTo(t)
		e.now = t
		e.view.now = t
	}
}

// SetSpeed sets the speed of empty slot i's next pod (work per second
// relative to speed 1).
func (ep *Endpoints) SetSpeed(i int, speed float64) {
	if speed > 0 {
		ep.e.nd[i].inv = 1 / speed
	}
}

// Alive and Ready report slot i's state.
func (ep *Endpoints) Alive(i int) bool { return ep.alive[i] }

// Ready reports whether the Service lists slot i.
func (ep *Endpoints) Ready(i int) bool { return ep.ready[i] }

// Set puts slot i in a state, now: alive (its container runs; when it
// dies, every request it serves or queues is lost, and the client's retry
// model applies) and ready (the Service lists it; when it stops listing
// a live pod, the requests queued there and not yet started are lost
// likewise, those in service finish).
func (ep *Endpoints) Set(i int, alive, ready bool) {
	e, x := ep.e, ep.e.x
	if ep.alive[i] && !alive {
		ep.down(i)
	}
	if ep.ready[i] && !ready {
		x.mark(e, i)
		x.drain[i] = 1
		x.epoch[i]++
		x.refreshOut(e, i)
		if alive {
			ep.shed(i)
		}
	}
	if !ep.alive[i] && alive {
		x.mark(e, i)
		x.depth[i] = 0
		x.epoch[i]++
	}
	if !ep.ready[i] && ready {
		x.mark(e, i)
		x.drain[i] = 0
		x.epoch[i]++
		x.refreshOut(e, i)
	}
	ep.alive[i], ep.ready[i] = alive, ready
	if alive && ready {
		x.refill(e, i)
	}
}

// down is fail without its fault accounting: the container died.
func (ep *Endpoints) down(i int) {
	e, x := ep.e, ep.e.x
	x.mark(e, i)
	x.depth[i] = 1
	x.epoch[i]++
	for s := x.aHead[i]; s >= 0; {
		nx := e.xs.at(s).nextA
		e.view.use(i, -e.slab.at(s).cpu, -e.slab.at(s).memory)
		if e.xs.at(s).abandoned {
			e.releaseX(s)
		} else {
			e.lose(s, i)
		}
		s = nx
	}
	x.aHead[i] = -1
	ep.shed(i)
	if x.proj {
		clear(x.free[x.freeOff[i]:x.freeOff[i+1]])
	}
	e.touch(i)
	l := &e.view.load[i]
	l.Active = 0
	e.view.changed(i)
}

// shed loses the requests queued at slot i (not those in service).
// (Under client timeouts the slot's projected free times keep the shed
// requests' reservations until the container dies; a listed slot that
// sheds is never listed again without dying first in the controllers'
// model.)
func (ep *Endpoints) shed(i int) {
	e := ep.e
	for s := e.nd[i].q.head; s >= 0; {
		nx := e.slab.at(s).next
		if e.xs.at(s).abandoned {
			e.releaseX(s)
		} else {
			e.lose(s, i)
		}
		s = nx
	}
	e.nd[i].q = emptyFIFO
	e.view.load[i].Queued = 0
	e.view.changed(i)
}

// Busy is the integral of slot i's requests in service from the start to
// t (no earlier than the last event), in request-nanoseconds: its cpu
// usage over time is Busy × the cpu one request uses.
func (ep *Endpoints) Busy(i int, t Time) int64 {
	e := ep.e
	return e.nd[i].busy + int64(e.view.load[i].Active)*int64(max(t, e.nd[i].lastT)-e.nd[i].lastT)
}

// Latency is the histogram of served requests' latencies (ns).
func (ep *Endpoints) Latency() *metrics.Histogram { return ep.e.Latency() }

// InSystem is the number of requests arrived and not yet ended.
func (ep *Endpoints) InSystem() int64 { return ep.e.arrivedAll - ep.e.x.endedAll }

// Result is the requests' result so far (final once Next reports none).
func (ep *Endpoints) Result() Result { return ep.e.Result() }

// View is the engine's view of the slots (read-only for callers).
func (ep *Endpoints) View() *View { return ep.e.view }
