package sim

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/fleetsim/fleetsim/sim/queue"
)

// Config is what an Engine needs besides its workload and strategy.
type Config struct {
	Nodes []NodeSpec

	// Arrivals stop after StopTasks tasks or at StopTime, whichever is set
	// (both zero: at the end of the source). Work in flight then drains.
	StopTasks int64
	StopTime  Time

	// The first WarmupTasks tasks, or those arriving before WarmupTime, run
	// normally but are left out of every statistic.
	WarmupTasks int64
	WarmupTime  Time

	// OnRecord, when set, receives every task's record as the task ends.
	OnRecord func(*Record)

	// Series, when Every > 0, samples every node's state over time
	// (Result.Series).
	Series Sampling

	// Central queueing (job placement) only; see Scheduler.
	Central Central

	// Startup, when set, delays each task's service: a service starts
	// with a delay drawn from Startup (container start-up), before its
	// work; the delay occupies the slot and is not scaled by the node's
	// speed. Draws come from the stream (Seed, "startup"), one per service
	// start, in the order services start (under node queueing with client
	// timeouts, in the order attempts reach their nodes, whose ends are
	// projected then). A task's record starts when its start-up does.
	Startup Delay

	// Seed derives the random streams of random faults and health-check
	// phases (the workload and strategy have their own).
	Seed uint64

	// Node queueing only (dynamics.go): the network between regions,
	// scheduled failures and maintenance, random failures, the clients'
	// retries, health checks and autoscalers. Zero values: none. Central
	// queueing uses the network (without spikes) for workflow transfers
	// (dag.go).
	Network      *Network
	Faults       []Fault
	RandomFaults []RandomFaults
	Client       Client
	Health       *Health
	Autoscale    []Autoscaler
}

// Initializer is implemented by strategies that size their state from the
// cluster before the first decision. An error stops the run before it starts.
type Initializer interface {
	Init(v *View) error
}

// Event kinds.
const (
	evArrival uint32 = iota
	evComplete
	evWarmupEnd
	evTimeout
)

// radixMinSlots is the cluster size, in slots, from which the Engine
// keeps its events in a radix heap instead of the calendar queue: about the
// number of events pending (one completion per busy slot), and between
// 10^4 and 10^5, where the radix heap overtakes the calendar on the hold
// benchmark (docs/performance.md). A variable for the tests.
var radixMinSlots int64 = 32768

// enode is the Engine's state of one node.
type enode struct {
	q      fifo    // tasks waiting for a slot
	slots  int32   // tasks served at once
	inv    float64 // 1 / effective speed
	busy   int64   // integral of active slots over time, slot-ns
	lastT  Time    // when busy was last brought up to date
	work   int64   // work (ns at speed 1) of measured tasks completed
	served int64   // measured tasks completed
}

// Engine runs one workload through one strategy on one modeled cluster.
// It is a state machine driven by Step; it does no I/O and reads no clock.
//
// The caller's loop:
//
//	e, err := sim.NewEngine(cfg, src, strategy)
//	for done := false; !done && err == nil; {
//		done, err = e.Step(1 << 16) // between steps: check for Ctrl-C, draw progress
//	}
//	res := e.Result()
type Engine struct {
	core
	strat  Strategy
	picker Picker
	filter Filter
	scorer Scorer
	obs    Observer

	view *View

	// in holds the task whose arrival event is pending, when pending:
	// the source reads each task into it, the strategy decides on it, and
	// a slot takes what the engine needs of it (slab.go).
	in      Task
	pending bool

	// The pending task's arrival event, kept out of the queue
	// (pushArrival): its time and sequence number, and whether it is
	// scheduled.
	arrAt  Time
	arrSeq uint64
	arrQ   bool

	slab     chunked[slot]
	xs       chunked[attempt] // per slot, under dynamics only
	free     int32
	cold     chunked[Task] // the tasks that have more than a slot holds
	coldFree []int32
	tmp      Task // Engine.task's result for a task without a cold copy

	// Per node, indexed like view: what an arrival or a completion on
	// the node touches, in one cache line (at 10^6 nodes every per-node
	// array read is a cache miss).
	nd       []enode
	busyBase []int64 // busy at the start of the measurement window

	x *ext // dynamics (ext.go); nil when the run has none

	f fastState // the fast path (fast.go), when f.on
}

// NewEngine prepares a run. The strategy must implement Picker, or Scorer
// (with an optional Filter), the extension points of node queueing.
func NewEngine(cfg Config, src Source, s Strategy) (*Engine, error) {
	if src == nil || s == nil {
		return nil, errors.New("sim: NewEngine needs a source and a strategy")
	}
	if cfg.StopTasks < 0 || cfg.StopTime < 0 || cfg.WarmupTasks < 0 || cfg.WarmupTime < 0 {
		return nil, errors.New("sim: stop and warm-up limits must be >= 0")
	}
	if err := cfg.Startup.Validate(); err != nil {
		return nil, fmt.Errorf("sim: startup: %w", err)
	}
	if err := CheckNodes(cfg.Nodes); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	n := len(cfg.Nodes)
	e := &Engine{core: core{cfg: cfg, src: src, su: newDelays(cfg.Startup, cfg.Seed, "startup")}, strat: s, free: -1}
	// e.in is written by NextPlain only, so its other fields stay zero.
	e.plain, _ = src.(PlainSource)
	e.picker, _ = s.(Picker)
	e.filter, _ = s.(Filter)
	e.scorer, _ = s.(Scorer)
	e.obs, _ = s.(Observer)
	if e.picker == nil && e.scorer == nil {
		return nil, fmt.Errorf("sim: strategy %s implements neither Picker nor Scorer, so it cannot place tasks on nodes that queue their own work", s.Name())
	}
	e.view = NewView(cfg.Nodes)
	e.nd = make([]enode, n)
	e.busyBase = make([]int64, n)
	for i, nd := range cfg.Nodes {
		if nd.Slots < 1 || nd.Slots > math.MaxInt32 {
			return nil, fmt.Errorf("sim: node %s: slots must be in [1, %d], got %d", nd.Name, math.MaxInt32, nd.Slots)
		}
		if !(nd.Speed > 0) || math.IsInf(nd.Speed, 0) {
			return nil, fmt.Errorf("sim: node %s: speed must be a finite number > 0, got %v", nd.Name, nd.Speed)
		}
		e.nd[i].q = emptyFIFO
		e.nd[i].inv = 1 / (nd.Speed * (1 - nd.Background)) // (Background is checked below)
		e.nd[i].slots = int32(nd.Slots)
	}
	if err := cfg.checkDynamic(); err != nil {
		return nil, err
	}
	_, pulls := s.(Puller)
	ticker, ticks := s.(Ticker)
	var slots int64
	for i := range e.nd {
		slots += int64(e.nd[i].slots)
	}
	// A large cluster keeps its events in a radix heap, which needs every
	// event scheduled at or after the last one taken: true of every event
	// the engine schedules, none before now (should one come, the events
	// move to the calendar, core.toCalendar). Set before dynamics push
	// their first events.
	e.radix = slots >= radixMinSlots
	if e.radix {
		e.rq.Ahead = e.prefetchEvent
	}
	// A Ticker without dynamics takes the fast path, which keeps its ticks
	// itself (fast.go); elsewhere ticks are dynamics.
	fastTick := ticks && !cfg.dynamic() && !pulls && e.fastAllowedCfg(slots)
	if cfg.dynamic() || pulls || ticks && !fastTick {
		// The network model must be in the View before Init, so
		// strategies can size their state from it.
		x, err := newExt(e)
		if err != nil {
			return nil, err
		}
		e.x = x
	}
	// The first tick's sequence number, as newExt would have pushed it.
	var tickSeq uint64
	var every Time
	if fastTick {
		if every = ticker.Every(); every > 0 {
			tickSeq = e.seq
			e.seq++
		}
	}
	if in, ok := s.(Initializer); ok {
		if err := in.Init(e.view); err != nil {
			return nil, fmt.Errorf("strategy %s: %w", s.Name(), err)
		}
	}
	e.smp = newSampler(cfg.Series, n, e.snapshot)
	if e.fastAllowed(slots) {
		e.initFast(slots)
		if every > 0 {
			e.f.ticker, e.f.every = ticker, every
			e.fastPush(fev{at: int64(every), key: tickSeq<<fastRefBits | fastTickRef})
		}
	} else if fastTick {
		return nil, errors.New("sim: internal error: a Ticker run set up for the fast path cannot take it")
	}
	if cfg.WarmupTasks == 0 && cfg.WarmupTime == 0 {
		e.warm = true
	} else if cfg.WarmupTime > 0 {
		if e.f.on {
			e.fastPush(fev{at: int64(cfg.WarmupTime), key: e.seq<<fastRefBits | fastWarmRef})
			e.seq++
		} else {
			e.push(cfg.WarmupTime, evWarmupEnd, -1, 0)
		}
	}
	e.readNext()
	if e.err != nil {
		return nil, e.err
	}
	if e.pending {
		e.firstArr = e.in.Arrival
		e.pushArrival(e.firstArr)
	}
	return e, nil
}

// readNext reads the next admissible task into e.in.
func (e *Engine) readNext() {
	e.pending = e.more() && e.read(&e.in)
}

// Step processes up to max events. It returns done once every task has
// ended (or on error); Result is then final.
func (e *Engine) Step(max int) (done bool, err error) {
	if e.finished {
		return true, e.err
	}
	if e.f.on {
		return e.stepFast(max)
	}
	for k := 0; k < max; k++ {
		qn := e.q.Len()
		if e.radix {
			qn = e.rq.Len()
		}
		if (qn == 0 && !e.arrQ) || (e.x != nil && !e.live()) {
			// (Under dynamics, periodic events and faults scheduled past
			// the last task do not stretch the run.)
			e.finished = true
			return true, nil
		}
		// The next event: the queue's first or the pending arrival,
		// whichever comes first in (time, sequence) order.
		var ev queue.Event
		popped := false
		switch {
		case qn == 0:
		case e.radix && e.arrQ:
			ev, popped = e.rq.PopBefore(int64(e.arrAt), e.arrSeq)
		case e.radix:
			ev, popped = e.rq.Pop(), true
		case e.arrQ:
			ev, popped = e.q.PopBefore(int64(e.arrAt), e.arrSeq)
		default:
			ev, popped = e.q.Pop(), true
		}
		if !popped {
			ev = queue.Event{At: int64(e.arrAt), Seq: e.arrSeq, Kind: evArrival, Node: -1}
			e.arrQ = false
		}
		e.sampleTo(Time(ev.At))
		e.now = Time(ev.At)
		e.view.now = e.now
		e.events++
		switch ev.Kind {
		case evArrival:
			e.arrive()
		case evComplete:
			if e.x != nil {
				e.completeX(ev.Node, ev.Ref)
			} else {
				e.complete(ev.Node, int32(ev.Ref))
			}
		case evWarmupEnd:
			e.startWindow()
		default:
			e.stepX(ev.Kind, ev.Node, ev.Ref)
		}
		if e.err != nil {
			e.finished = true
			return true, e.err
		}
	}
	return false, nil
}

// pushArrival schedules the arrival of the pending task at t. It is kept
// out of the event queue (one push and one pop less per task) but takes
// its place in the order of events, a sequence number, as if queued.
func (e *Engine) pushArrival(t Time) {
	e.arrAt, e.arrSeq, e.arrQ = t, e.seq, true
	e.seq++
}

// nextAt is the time of the next event, the queue's first or the pending
// arrival's; false when there is none.
func (e *Engine) nextAt() (Time, bool) {
	var at Time
	ok := false
	if e.f.on {
		var ev fev
		ev, ok = e.fastFirst()
		at = Time(ev.at)
	} else if e.radix {
		if e.rq.Len() > 0 {
			at, ok = Time(e.rq.Peek().At), true
		}
	} else if e.q.Len() > 0 {
		at, ok = Time(e.q.Peek().At), true
	}
	if e.arrQ && (!ok || e.arrAt < at) {
		at, ok = e.arrAt, true
	}
	return at, ok
}

// Run steps until done.
func (e *Engine) Run() error { return drain(e.Step) }

// startWindow opens the measurement window at the current time.
func (e *Engine) startWindow() {
	if !e.openWindow() {
		return
	}
	for i := range e.nd {
		e.touch(i)
		e.busyBase[i] = e.busyAt(i, e.now)
	}
}

// busyAt is node i's busy integral (slot-ns) from the start to t, no
// earlier than its last event: on a node of one slot, the time it served.
// With the fast path's per-node records that is the service time of the
// tasks completed there and of the one in service.
func (e *Engine) busyAt(i int, t Time) int64 {
	if e.f.pn {
		v := &e.view.load[i]
		b := v.busy
		if v.Active > 0 {
			b += int64(t - v.start)
		}
		return b
	}
	return e.nd[i].busy + int64(e.view.load[i].Active)*int64(t-e.nd[i].lastT)
}

// touch brings node i's busy integral up to now.
func (e *Engine) touch(i int) {
	e.nd[i].busy += int64(e.view.load[i].Active) * int64(e.now-e.nd[i].lastT)
	e.nd[i].lastT = e.now
}

func (e *Engine) arrive() {
	if !e.warm && e.cfg.WarmupTasks > 0 && e.arrivedAll >= e.cfg.WarmupTasks {
		e.startWindow()
	}
	e.arrivedAll++
	s := e.alloc()
	e.fill(s, &e.in)
	sl := e.slab.at(s)
	e.lastArrival = sl.arrival
	sl.measured = e.warm
	if sl.measured {
		e.arrived++
		e.changeInSys(1)
	}

	if e.x != nil {
		e.arriveX(s)
		if e.err != nil {
			return
		}
	} else if i := e.place(&e.in); e.err != nil {
		return
	} else if i == Drop {
		e.end(s, -1, Dropped)
	} else {
		sl.node = int32(i)
		l := &e.view.load[i]
		if l.Active < e.nd[i].slots {
			e.touch(i)
			l.Active++
			e.view.changed(i)
			e.start(int32(i), s)
		} else {
			l.Queued++
			e.view.changed(i)
			e.nd[i].q.push(&e.slab, s)
		}
	}

	e.readNext()
	if e.pending {
		e.pushArrival(e.in.Arrival)
	}
}

// badPick sets the error of a Picker's answer i out of range.
func (e *Engine) badPick(i int, t *Task) {
	e.err = fmt.Errorf("sim: strategy %s picked node %d for task %d; valid nodes are 0..%d", e.strat.Name(), i, t.ID, len(e.cfg.Nodes)-1)
}

// place asks the strategy for a node and checks the answer.
func (e *Engine) place(t *Task) int {
	n := len(e.cfg.Nodes)
	if e.picker != nil {
		i := e.picker.Pick(e.view, t)
		if i == Drop || (i == ToBroker && e.x != nil && e.x.broker) {
			return i
		}
		if i < 0 || i >= n {
			e.badPick(i, t)
			return Drop
		}
		return i
	}
	best, bestScore := Drop, MinScore-1
	for i := 0; i < n; i++ {
		if e.filter != nil && !e.filter.Filter(e.view, t, i) {
			continue
		}
		sc := e.scorer.Score(e.view, t, i)
		if sc < MinScore || sc > MaxScore {
			e.err = fmt.Errorf("sim: strategy %s scored node %d at %d for task %d; scores must be in [%d, %d]", e.strat.Name(), i, sc, t.ID, MinScore, MaxScore)
			return Drop
		}
		if sc > bestScore {
			best, bestScore = i, sc
		}
	}
	return best
}

func (e *Engine) start(i int32, s int32) {
	sl := e.slab.at(s)
	sl.start = e.now
	d := e.scaled(sl.work, e.nd[i].inv, sl.id, i)
	if e.su.on {
		d = e.withStartup(d, e.drawStartup(sl.id), sl.id)
	}
	if e.err != nil {
		return
	}
	e.push(e.now+d, evComplete, i, int64(s))
	e.view.use(int(i), sl.cpu, sl.memory)
	if e.obs != nil {
		e.obs.Started(e.view, e.task(s), int(i))
	}
}

func (e *Engine) complete(i int32, s int32) {
	sl := e.slab.at(s)
	if e.obs != nil {
		e.obs.Finished(e.view, e.task(s), int(i), e.now-sl.arrival)
	}
	nd := &e.nd[i]
	if sl.measured {
		nd.work += int64(sl.work)
		nd.served++
	}
	l := &e.view.load[i]
	e.view.use(int(i), -sl.cpu, -sl.memory)
	e.touch(int(i))
	l.Active--
	e.view.changed(int(i))
	e.end(s, int(i), Completed)
	if h := nd.q.pop(&e.slab); h >= 0 {
		l.Queued--
		l.Active++
		e.view.changed(int(i))
		e.start(i, h)
	}
}

// end closes task s's life now: statistics, record, slot recycled.
func (e *Engine) end(s int32, node int, st Status) { e.endAt(s, node, st, e.now) }

// endAt closes task s's life, which ends at finish (now, or later by the
// network's return trip).
func (e *Engine) endAt(s int32, node int, st Status, finish Time) {
	sl := e.slab.at(s)
	start := sl.start
	if st != Completed {
		start = finish
	}
	e.count(sl.arrival, start, finish, st, sl.measured)
	attempts := 1
	if x := e.x; x != nil {
		a := e.xs.at(s)
		x.endedAll++
		attempts += int(a.attempt)
		if a.inFault && sl.measured {
			x.st.WindowTasks++
			switch st {
			case Completed:
				x.winLatency.Record(int64(finish - sl.arrival))
			case Failed:
				x.st.WindowFailed++
			}
		}
	}
	if e.cfg.OnRecord != nil {
		e.rec = Record{Task: e.task(s), Node: node, Start: start, Finish: finish, Status: st, Warmup: !sl.measured, Attempts: attempts}
		e.cfg.OnRecord(&e.rec)
	}
	if e.x != nil {
		e.xs.at(s).gen++
	}
	e.release(s)
}

// snapshot is the Engine's snapshotFunc: busy slot time per slot.
func (e *Engine) snapshot(t Time, busy []float64, active, queued []int32, state []NodeState) {
	var sum float64
	var slots int64
	var ca, cq int32
	for i := range e.nd {
		n := e.nd[i].slots
		l := e.view.load[i]
		b := float64(e.busyAt(i, t)) / float64(Second)
		busy[i+1] = b / float64(n)
		active[i+1], queued[i+1] = l.Active, l.Queued
		sum += b
		slots += int64(n)
		ca += l.Active
		cq += l.Queued
	}
	busy[0] = sum / float64(max(slots, 1))
	active[0], queued[0] = ca, cq
	if e.x != nil {
		for i := range e.nd {
			state[i+1] = e.x.nodeState(i)
		}
	}
}

// View is the engine's live view (read-only for callers).
func (e *Engine) View() *View { return e.view }

// prefetchEvent prefetches what a pending event of a large cluster's radix
// heap refers to (queue.RadixHeap.Ahead): for a task's completion or
// arrival at its node, the node's enode and View entry, the task's slot and
// its attempt state under dynamics.
func (e *Engine) prefetchEvent(ev *queue.Event) {
	switch ev.Kind {
	case evComplete, evReach:
		if i := ev.Node; i >= 0 && int(i) < len(e.nd) {
			prefetchLine(unsafe.Pointer(&e.nd[i]))
			prefetchLine(unsafe.Pointer(&e.view.load[i]))
		}
		if s := int32(ev.Ref); s >= 0 && s < e.slab.n {
			prefetchLine(unsafe.Pointer(e.slab.at(s)))
			if e.x != nil && s < e.xs.n {
				prefetchLine(unsafe.Pointer(e.xs.at(s)))
			}
		}
	}
}
