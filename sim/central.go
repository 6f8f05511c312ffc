package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/fleetsim/fleetsim/sim/metrics"
)

// Central configures central queueing: a scheduler holds the pending queue
// and places its head on a node with enough free resources (job placement,
// as in Kubernetes and Slurm).
type Central struct {
	// Queue orders the pending queue; nil is first come, first served.
	Queue QueueSorter
	// Backfill says what happens behind a head task that cannot be placed.
	Backfill Backfill
	// Timeout is how long a task may wait before it is given up as
	// unschedulable (0: forever). DropUnplaceable gives a task one try: if
	// it cannot be placed when it first reaches the head, it is dropped.
	Timeout         Time
	DropUnplaceable bool
	// Hold keeps every started task running to the end of the run (no
	// departures): the FGD paper's workload-inflation experiment.
	Hold bool
	// Shapes is the target workload for the fragmentation measure and for
	// fragmentation-aware strategies (View.Shapes).
	Shapes []TaskShape
	// SampleEvery, when > 0, samples the allocation of each resource and
	// the GPU fragmentation every SampleEvery of simulated time, from the
	// first arrival to the end (PlacementResult.Series).
	SampleEvery Time

	// Workflows (dag.go): the network model of data moved between a
	// task's parents and it, and a runtime table (task class → node group
	// → runtime) that overrides work at the node's speed where it has an
	// entry (the HEFT paper's computation costs).
	Transfer Transfer
	Runtimes map[string]map[string]Time
	// Dispatch is the per-node dispatch model of a workflow system's
	// overhead (dag.go): a node starts one task at a time, each start
	// taking Dispatch, and a task placed on it waits, holding what it was
	// given, for the starts before its own (0: none).
	Dispatch Time

	// Gangs (gang.go): TopologyGangs places a gang on the fewest racks
	// instead of first-fit; RackSlowdown stretches a gang's run by
	// RackSlowdown for every rack beyond its first (distributed training
	// slowed by cross-rack communication).
	TopologyGangs bool
	RackSlowdown  float64
}

// Backfill is the rule for tasks queued behind a head that does not fit.
type Backfill uint8

// Backfilling rules.
const (
	// NoBackfill: the head blocks the queue until it is placed.
	NoBackfill Backfill = iota
	// EASY backfilling (Lifka 1995; Mu'alem and Feitelson 2001): the head
	// gets a reservation at the earliest time running tasks' estimates say
	// it fits; a task behind it starts now only if it cannot delay that
	// reservation: it ends (by its estimate) before the reservation, or it
	// runs on another node, or it fits beside the head on the reserved node.
	EASY
	// Greedy: every queued task that fits starts, in queue order, with no
	// reservation (the Kubernetes scheduler's behaviour); large tasks can
	// starve.
	Greedy
	// Conservative backfilling (Mu'alem and Feitelson 2001): every queued
	// task gets a reservation in queue order; a task starts now only if it
	// delays none of the reservations ahead of it (conservative.go).
	Conservative
)

var backfillNames = [...]string{NoBackfill: "none", EASY: "easy", Greedy: "greedy", Conservative: "conservative"}

func (b Backfill) String() string {
	if int(b) < len(backfillNames) {
		return backfillNames[b]
	}
	return "unknown"
}

// ParseBackfill is the inverse of Backfill.String.
func ParseBackfill(s string) (Backfill, bool) {
	for i, n := range backfillNames {
		if n == s {
			return Backfill(i), true
		}
	}
	return 0, false
}

// Runner is a run in progress, whichever queueing model drives it.
type Runner interface {
	Step(max int) (done bool, err error)
	Result() Result
	Now() Time
	Arrived() int64
	Events() uint64
	// Latency is the histogram of measured sojourn times (ns).
	Latency() *metrics.Histogram
}

// Start prepares a run: node queueing with an Engine, or central queueing
// with a Scheduler when central is set.
func Start(cfg Config, src Source, s Strategy, central bool) (Runner, error) {
	if central {
		return NewScheduler(cfg, src, s)
	}
	return NewEngine(cfg, src, s)
}

// Task states in the scheduler's slab.
const (
	stFree uint8 = iota
	stPending
	stRunning
	stWaiting // a workflow task whose parents have not all completed
)

type cslot struct {
	t        Task
	start    Time
	estEnd   Time // start + estimated duration on its node (EASY)
	node     int32
	next     int32 // free list
	gen      uint32
	state    uint8
	measured bool
	oom      bool  // its end event is an OOM kill, not its completion
	halted   bool  // its work stopped (Eviction.Halt): its completion event is void
	fits     uint8 // whether the task fits some empty node: 0 not known yet, fitsSome, fitsNone
	gpus     []int
	gang     []gangMember // a gang's nodes beyond node (gang.go)
}

const (
	fitsSome = 1 + iota
	fitsNone
)

// Scheduler runs one workload on one modeled cluster under central
// queueing: arriving tasks join a pending queue ordered by the queue
// policy; a scheduling cycle runs whenever a task arrives or ends, and
// places tasks from the head with the placement strategy until the head
// does not fit (then waits for resources to free, event-driven, or
// backfills behind it). Every placement is checked against the model.
type Scheduler struct {
	core
	strat  Strategy
	placer Placer
	// preemption (nil without a Preemptor): running slots by task ID,
	// and the slots whose eviction requeues them
	preemptor Preemptor
	waker     Waker
	byID      map[int64]int32
	requeue   map[int32]bool
	filter    Filter
	scorer    Scorer
	obs       []Observer
	sel       Selector
	wfObs     WorkflowObserver
	loss      gangLoss
	dag       *dagState
	ready     []*Task
	gang      []int32  // the nodes chooseGang picked
	one       []int32  // scratch: a single-node placement as a node list
	prof      *profile // conservative backfilling's plan (conservative.go)
	less      func(a, b *Task) bool
	reorder   bool

	view *View

	nextSlot int32 // the task whose arrival is pending, read into its slot (-1: none)

	slab    []cslot
	free    int32
	pending []int32 // slots in queue order
	running int
	pl      Placement
	proj    *View // EASY's projection of the cluster at the reservation
	order   []int32

	invSpeed []float64

	unsched  int64
	oomKills int64             // measured tasks killed over their memory limit
	slowdown metrics.Histogram // bounded slowdown x 1e6

	// Allocation totals and their time integrals over the window.
	cap, used [3]int64 // cpu milli, memory bytes, GPU milli
	usedArea  [3]float64
	usedT     Time

	// Fragmentation, kept per node when shapes are known.
	frag      []float64
	fragTotal float64

	arrivedGPU   int64 // arrived GPU request, milli
	atFull       float64
	atFullSet    bool
	firstFailGPU float64 // unallocated GPU share when the first task could not be placed
	firstFailSet bool
	curve        []CurvePoint
	nextMark     int64
	series       []SamplePoint
	nextSample   Time
	sampling     bool

	dirty bool // a cycle is due at the end of this instant

	reason string // the Record.Reason of the task end() is closing

	// Integrals of the most allocated resource's share over time, per
	// node and for the cluster (kept only for Config.Series).
	domArea  []float64
	domT     []Time
	cdomArea float64
	cdomT    Time
}

// SamplePoint is the cluster's allocation at one instant: each resource's
// allocated share, GPU fragmentation over unallocated GPU capacity, and
// the tasks pending and running.
type SamplePoint struct {
	T            float64 `json:"t_s"`
	CPU          float64 `json:"cpu"`
	Memory       float64 `json:"memory"`
	GPU          float64 `json:"gpu"`
	GPUFragRatio float64 `json:"gpu_frag_ratio"`
	Pending      int     `json:"pending"`
	Running      int     `json:"running"`
}

// CurvePoint is the cluster's GPU state when the arrived GPU request
// reached a share of GPU capacity (the FGD paper's x axis).
type CurvePoint struct {
	ArrivedGPUShare float64 `json:"arrived_gpu_share"`
	GPUAllocRatio   float64 `json:"gpu_alloc_ratio"`
	GPUFragRatio    float64 `json:"gpu_frag_ratio"`
}

// NewScheduler prepares a central-queueing run. The strategy must implement
// Placer, or Scorer (with an optional Filter).
func NewScheduler(cfg Config, src Source, s Strategy) (*Scheduler, error) {
	if src == nil || s == nil {
		return nil, errors.New("sim: NewScheduler needs a source and a strategy")
	}
	if cfg.StopTasks < 0 || cfg.StopTime < 0 || cfg.WarmupTasks < 0 || cfg.WarmupTime < 0 || cfg.Central.Timeout < 0 {
		return nil, errors.New("sim: stop, warm-up and timeout limits must be >= 0")
	}
	if cfg.Central.Dispatch < 0 {
		return nil, fmt.Errorf("sim: dispatch must be >= 0, got %v", cfg.Central.Dispatch)
	}
	if err := cfg.Startup.Validate(); err != nil {
		return nil, fmt.Errorf("sim: startup: %w", err)
	}
	if err := CheckNodes(cfg.Nodes); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := cfg.Network.checkCentral(cfg.Nodes); err != nil {
		return nil, err
	}
	e := &Scheduler{core: core{cfg: cfg, src: src, su: newDelays(cfg.Startup, cfg.Seed, "startup")}, strat: s, free: -1, nextSlot: -1}
	e.placer, _ = s.(Placer)
	e.waker, _ = s.(Waker)
	if e.preemptor, _ = s.(Preemptor); e.preemptor != nil || e.waker != nil {
		e.byID, e.requeue = map[int64]int32{}, map[int32]bool{}
	}
	e.filter, _ = s.(Filter)
	e.scorer, _ = s.(Scorer)
	e.sel, _ = s.(Selector)
	if g, ok := s.(GangTopology); ok && g.TopologyGangs() {
		e.cfg.Central.TopologyGangs = true
	}
	e.wfObs, _ = s.(WorkflowObserver)
	if e.placer == nil && e.scorer == nil && e.sel == nil {
		return nil, fmt.Errorf("sim: strategy %s implements neither Placer nor Scorer, so it cannot place jobs from a central queue", s.Name())
	}
	if o, ok := s.(Observer); ok {
		e.obs = append(e.obs, o)
	}
	if qs := cfg.Central.Queue; qs != nil {
		e.less = qs.Less
		_, e.reorder = qs.(Reorderer)
		if o, ok := qs.(Observer); ok {
			e.obs = append(e.obs, o)
		}
	}
	n := len(cfg.Nodes)
	e.view = NewView(cfg.Nodes)
	e.view.shapes = cfg.Central.Shapes
	e.loss.idle = n
	e.dag = newDagState(&e.cfg)
	e.view.dag = e.dag
	if nw := cfg.Network; nw != nil {
		e.view.SetNetwork(nw.Regions, e.dag.region, nw.RTT)
	}
	e.invSpeed = make([]float64, n)
	e.work = make([]int64, n)
	e.served = make([]int64, n)
	for i, nd := range cfg.Nodes {
		if !(nd.Speed > 0) || math.IsInf(nd.Speed, 0) {
			return nil, fmt.Errorf("sim: node %s: speed must be a finite number > 0, got %v", nd.Name, nd.Speed)
		}
		if nd.CPU < 0 || nd.Memory < 0 || nd.GPUs < 0 {
			return nil, fmt.Errorf("sim: node %s: cpu, memory and gpus must be >= 0", nd.Name)
		}
		e.invSpeed[i] = 1 / nd.Speed
		e.cap[0] += nd.CPU
		e.cap[1] += nd.Memory
		e.cap[2] += int64(nd.GPUs) * GPUMilliPerGPU
	}
	if len(e.view.shapes) > 0 {
		e.frag = make([]float64, n)
		for i := range e.frag {
			e.frag[i] = e.view.Fragmentation(i)
			e.fragTotal += e.frag[i]
		}
	}
	if e.smp = newSampler(cfg.Series, n, e.snapshot); e.smp != nil {
		e.domArea = make([]float64, n)
		e.domT = make([]Time, n)
	}
	for _, st := range []Strategy{s, cfg.Central.Queue} {
		if in, ok := st.(Initializer); ok {
			if err := in.Init(e.view); err != nil {
				return nil, fmt.Errorf("strategy %s: %w", st.Name(), err)
			}
		}
	}
	if cfg.WarmupTasks == 0 && cfg.WarmupTime == 0 {
		e.warm = true
	} else if cfg.WarmupTime > 0 {
		e.push(cfg.WarmupTime, evWarmupEnd, -1, 0)
	}
	if e.waker != nil {
		e.waker.SetAlarm(func(at Time, ref int64) { e.push(max(at, e.now), evWake, -1, ref) })
		if la, ok := e.waker.(Lookahead); ok {
			la.SetLookahead(e.lookahead)
		}
	}
	e.readNext()
	if e.err != nil {
		return nil, e.err
	}
	if e.nextSlot >= 0 {
		e.firstArr = e.slab[e.nextSlot].t.Arrival
		e.push(e.firstArr, evArrival, -1, 0)
	}
	return e, nil
}

func (e *Scheduler) alloc() int32 {
	if e.free >= 0 {
		s := e.free
		e.free = e.slab[s].next
		return s
	}
	e.slab = append(e.slab, cslot{})
	return int32(len(e.slab) - 1)
}

func (e *Scheduler) release(s int32) {
	sl := &e.slab[s]
	sl.state = stFree
	sl.gen++
	sl.next = e.free
	e.free = s
}

// readNext reads the next admissible task into a fresh slot, e.nextSlot.
func (e *Scheduler) readNext() {
	e.nextSlot = -1
	if !e.more() {
		return
	}
	s := e.alloc()
	if e.read(&e.slab[s].t) {
		if e.err = checkDemand(&e.slab[s].t); e.err == nil && e.slab[s].t.Nodes != 0 {
			e.err = e.checkGang(&e.slab[s].t)
		}
		if e.err == nil {
			e.nextSlot = s
			return
		}
	}
	e.release(s)
}

// Step processes up to max events. It returns done once every task has
// ended (or on error); Result is then final.
func (e *Scheduler) Step(max int) (done bool, err error) {
	if e.finished {
		return true, e.err
	}
	for k := 0; k < max; k++ {
		if e.q.Len() == 0 {
			// Nothing will free resources any more: what still waits
			// never starts.
			for _, s := range e.pending {
				e.unschedulable(s)
			}
			e.pending = e.pending[:0]
			e.finished = true
			return true, nil
		}
		ev := e.q.Pop()
		e.sampleTo(Time(ev.At))
		if e.cfg.Central.SampleEvery > 0 {
			e.sample(Time(ev.At))
		}
		e.now = Time(ev.At)
		e.view.now = e.now
		e.events++
		switch ev.Kind {
		case evArrival:
			e.arrive()
		case evComplete:
			if s := int32(ev.Ref); e.slab[s].gen == uint32(ev.Ref>>32) && !e.slab[s].halted {
				e.complete(ev.Node, s)
			}
			e.dirty = true
		case evEvict:
			e.evict(int32(ev.Ref), uint32(ev.Ref>>32))
		case evWake:
			e.wake(ev.Ref)
		case evWarmupEnd:
			e.startWindow()
		case evTimeout:
			e.timeout(int32(ev.Ref), uint32(ev.Ref>>32))
		}
		// One scheduling cycle per instant, after every arrival and end
		// at that instant: tasks arriving together compete together.
		if e.dirty && e.err == nil && (e.q.Len() == 0 || Time(e.q.Peek().At) > e.now) {
			e.dirty = false
			e.cycle()
			e.mark()
		}
		if e.err != nil {
			e.finished = true
			return true, e.err
		}
	}
	return false, nil
}

// Run steps until done.
func (e *Scheduler) Run() error { return drain(e.Step) }

func (e *Scheduler) startWindow() {
	if e.warm {
		return
	}
	e.touchUsed()
	e.openWindow()
	e.usedArea = [3]float64{}
}

func (e *Scheduler) touchUsed() {
	if e.warm {
		dt := float64(e.now - e.usedT)
		for r := range e.used {
			e.usedArea[r] += float64(float64(e.used[r]) * dt)
		}
	}
	e.usedT = e.now
}

func (e *Scheduler) arrive() {
	if !e.warm && e.cfg.WarmupTasks > 0 && e.arrivedAll >= e.cfg.WarmupTasks {
		e.startWindow()
	}
	e.arrivedAll++
	s := e.nextSlot
	sl := &e.slab[s]
	e.lastArrival = sl.t.Arrival
	sl.measured = e.warm
	sl.state = stPending
	sl.node = -1
	sl.fits = 0
	if sl.measured {
		e.arrived++
		e.changeInSys(1)
	}
	e.arrivedGPU += sl.t.GPURequest()
	if sl.t.Nodes > 1 && !e.loss.on {
		e.loss.on, e.loss.t = true, e.now
	}
	if e.dagArrive(s) {
		e.enqueue(s)
	}
	if to := e.cfg.Central.Timeout; to > 0 && !e.cfg.Central.DropUnplaceable {
		e.push(e.now+min(to, MaxTime-e.now), evTimeout, -1, int64(s)|int64(sl.gen)<<32)
	}
	e.readNext()
	e.dagAfterRead()
	if e.nextSlot >= 0 {
		e.push(e.slab[e.nextSlot].t.Arrival, evArrival, -1, 0)
	}
	e.dirty = true
}

// enqueue inserts slot s into the pending queue: after every task it does
// not go before, so equal tasks keep arrival order.
func (e *Scheduler) enqueue(s int32) {
	if e.less == nil || e.reorder {
		e.pending = append(e.pending, s)
		return
	}
	t := &e.slab[s].t
	i, j := 0, len(e.pending)
	for i < j {
		h := int(uint(i+j) >> 1)
		if e.less(t, &e.slab[e.pending[h]].t) {
			j = h
		} else {
			i = h + 1
		}
	}
	e.pending = slices.Insert(e.pending, i, s)
}

// mark records the curve of allocation against arrived GPU request, in
// steps of 1 % of GPU capacity, when tasks never depart.
func (e *Scheduler) mark() {
	if e.cap[2] == 0 {
		return
	}
	if !e.atFullSet && e.arrivedGPU >= e.cap[2] {
		e.atFull, e.atFullSet = e.share(2), true
	}
	if !e.cfg.Central.Hold {
		return
	}
	for e.arrivedGPU*100 >= e.nextMark*e.cap[2] {
		e.curve = append(e.curve, CurvePoint{
			ArrivedGPUShare: float64(e.nextMark) / 100,
			GPUAllocRatio:   e.share(2),
			GPUFragRatio:    e.gpuFragRatio(),
		})
		e.nextMark++
	}
}

// sample records the state at every sampling instant before an event at
// time at, once every event of the instant has run (the state is constant
// between events, so samples are exact). Samples run from the first event
// to the last sampling instant before the last event.
func (e *Scheduler) sample(at Time) {
	if !e.sampling {
		e.sampling, e.nextSample = true, at // the first event: sampling starts here
		return
	}
	for e.nextSample < at {
		e.series = append(e.series, e.samplePoint(e.nextSample))
		e.nextSample += e.cfg.Central.SampleEvery
	}
}

func (e *Scheduler) samplePoint(t Time) SamplePoint {
	return SamplePoint{T: t.Seconds(), CPU: e.share(0), Memory: e.share(1), GPU: e.share(2), GPUFragRatio: e.gpuFragRatio(), Pending: len(e.pending), Running: e.running}
}

func (e *Scheduler) gpuFragRatio() float64 {
	free := e.cap[2] - e.used[2]
	if e.frag == nil || free <= 0 {
		return 0
	}
	return e.fragTotal / float64(free)
}

// cycle places pending tasks from the head, in queue order.
func (e *Scheduler) cycle() {
	if len(e.pending) == 0 {
		e.setBlocked(false)
		return
	}
	if e.sel != nil {
		e.selectCycle()
		return
	}
	if e.reorder {
		e.sortPending()
	}
	if e.cfg.Central.Backfill == Conservative {
		for e.conservativePass() && e.reorder {
			e.sortPending()
		}
		return
	}
	for e.pass() && e.reorder {
		// A start changed the order (DRF shares): sort and go again.
		e.sortPending()
	}
}

// sortPending orders the queue of a Reorderer policy.
func (e *Scheduler) sortPending() {
	slices.SortStableFunc(e.pending, func(a, b int32) int {
		ta, tb := &e.slab[a].t, &e.slab[b].t
		switch {
		case e.less(ta, tb):
			return -1
		case e.less(tb, ta):
			return 1
		}
		return 0
	})
}

// pass walks the queue once, placing what it may. Under a Reorderer policy
// it stops after the first start and reports true, so the caller re-sorts.
func (e *Scheduler) pass() (restart bool) {
	keep := e.pending[:0]
	blocked := false // a task ahead could not be placed
	var res reservation
	for k, s := range e.pending {
		if restart {
			keep = append(keep, e.pending[k:]...)
			break
		}
		if e.err != nil {
			keep = append(keep, s)
			continue
		}
		if blocked && e.cfg.Central.Backfill == NoBackfill {
			keep = append(keep, s)
			continue
		}
		t := &e.slab[s].t
		if !e.choose(t) {
			if e.err != nil {
				keep = append(keep, s)
				continue
			}
			if e.preemptor != nil {
				e.preemptFor(t)
			}
			if !e.firstFailSet && e.cap[2] > 0 {
				e.firstFail()
			}
			if e.cfg.Central.DropUnplaceable || e.neverFits(s) {
				e.unschedulable(s)
				continue
			}
			if !blocked && e.cfg.Central.Backfill == EASY {
				res = e.reserve(t)
			}
			blocked = true
			keep = append(keep, s)
			continue
		}
		if blocked && e.cfg.Central.Backfill == EASY && !e.allowed(&res, s) {
			keep = append(keep, s)
			continue
		}
		e.startTask(s)
		restart = e.reorder
	}
	e.pending = keep
	e.setBlocked(blocked)
	return restart
}

func (e *Scheduler) firstFail() {
	e.firstFailSet = true
	e.firstFailGPU = 1 - e.share(2)
}

// choose asks the strategy where t goes, filling e.pl.
func (e *Scheduler) choose(t *Task) bool {
	e.pl.Node, e.pl.GPUs = -1, e.pl.GPUs[:0]
	if t.Nodes > 1 {
		return e.chooseGang(t)
	}
	if e.placer != nil {
		return e.placer.Place(e.view, t, &e.pl)
	}
	best, bestScore := -1, MinScore-1
	for i := range e.cfg.Nodes {
		if !e.view.Fits(i, t) || (e.filter != nil && !e.filter.Filter(e.view, t, i)) {
			continue
		}
		sc := e.scorer.Score(e.view, t, i)
		if sc < MinScore || sc > MaxScore {
			e.err = fmt.Errorf("sim: strategy %s scored node %d at %d for task %d; scores must be in [%d, %d]", e.strat.Name(), i, sc, t.ID, MinScore, MaxScore)
			return false
		}
		if sc > bestScore {
			best, bestScore = i, sc
		}
	}
	if best < 0 {
		return false
	}
	e.pl.Node = best
	e.pl.GPUs = e.view.PickGPUs(best, t, e.pl.GPUs)
	return true
}

// neverFits reports whether slot s's task fits on no node even when the
// node is empty. It is worked out once per task: a blocked head is retried
// every cycle.
func (e *Scheduler) neverFits(s int32) bool {
	sl := &e.slab[s]
	if sl.fits == 0 && sl.t.Nodes > 1 {
		sl.fits = fitsSome
		if e.gangNeverFits(&sl.t) {
			sl.fits = fitsNone
		}
	}
	if sl.fits == 0 {
		sl.fits = fitsNone
		t := &sl.t
		k, _ := t.GPUDemand()
		for i := range e.cfg.Nodes {
			sp := &e.cfg.Nodes[i]
			if t.CPU <= sp.CPU && t.Memory <= sp.Memory && k <= sp.GPUs && (k == 0 || ModelAllowed(t.GPUSpec, sp.GPUModel)) {
				sl.fits = fitsSome
				break
			}
		}
	}
	return sl.fits == fitsNone
}

// startTask allocates the placement in e.pl to slot s and starts it.
func (e *Scheduler) startTask(s int32) {
	sl := &e.slab[s]
	i := e.pl.Node
	if e.smp != nil {
		e.touchDom(i)
	}
	if err := e.view.Allocate(i, &sl.t, e.pl.GPUs); err != nil {
		e.err = fmt.Errorf("sim: strategy %s placed task %d where it does not fit: %w", e.strat.Name(), sl.t.ID, err)
		return
	}
	e.account(i, &sl.t, 1)
	sl.gpus = append(sl.gpus[:0], e.pl.GPUs...)
	sl.node = int32(i)
	sl.state = stRunning
	sl.halted = false
	sl.start = e.now
	if e.byID != nil {
		e.byID[sl.t.ID] = s
	}
	e.running++
	e.activeAdd(i, 1)
	d := e.duration(i, &sl.t, sl.t.Work)
	sl.oom = false
	var su Time
	if e.su.on {
		su = e.drawStartup(sl.t.ID)
		dw := d
		d = e.withStartup(d, su, sl.t.ID)
		if k, ok := OOMKill(&sl.t, dw); ok && sl.t.Nodes <= 1 {
			d, sl.oom = su+k, true
		}
	} else if k, ok := OOMKill(&sl.t, d); ok && sl.t.Nodes <= 1 {
		d, sl.oom = k, true
	}
	sl.estEnd = e.now + e.estimated(i, &sl.t)
	if sl.t.Nodes > 1 {
		gd, ge := e.startGang(s)
		d = max(d, gd)
		sl.estEnd = max(sl.estEnd, e.now+ge)
		if f := e.rackFactor(i, sl.gang); f != 1 {
			d = Time(float64(float64(d)*f) + 0.5)
			sl.estEnd = e.now + Time(float64(float64(sl.estEnd-e.now)*f)+0.5)
		}
	}
	if sl.t.Deps != nil || e.dag.dispatch > 0 {
		stage := e.stageIn(s, i)
		sl.start += stage
		sl.estEnd += stage
		d += stage
	}
	if e.err != nil {
		return
	}
	if !e.cfg.Central.Hold {
		e.push(e.now+d, evComplete, int32(i), int64(s)|int64(sl.gen)<<32)
	}
	for _, o := range e.obs {
		o.Started(e.view, &sl.t, i)
	}
}

// duration is how long work w takes on node i: the runtime table's entry
// for t where there is one.
func (e *Scheduler) duration(i int, t *Task, w Time) Time {
	if e.cfg.Central.Runtimes != nil {
		if d, ok := e.dag.table(t, i); ok {
			return e.scaled(d, 1, t.ID, int32(i))
		}
	}
	return e.scaled(w, e.invSpeed[i], t.ID, int32(i))
}

// estimated is how long t is expected to take on node i, started now: its
// estimate at the node's speed plus the mean start-up delay.
func (e *Scheduler) estimated(i int, t *Task) Time {
	d := e.duration(i, t, t.estimate())
	if e.su.on {
		d = e.withStartup(d, e.su.mean, t.ID)
	}
	return d
}

// account adds (sign 1) or removes (sign -1) t's allocation on node i to
// the cluster's totals and node i's fragmentation.
func (e *Scheduler) account(i int, t *Task, sign int64) {
	e.touchUsed()
	e.used[0] += sign * t.CPU
	e.used[1] += sign * t.Memory
	e.used[2] += sign * t.GPURequest()
	e.refrag(i)
}

// dom is the share of node i's most allocated resource.
func (e *Scheduler) dom(i int) float64 {
	nd := &e.cfg.Nodes[i]
	d := ratio(float64(nd.CPU-e.view.FreeCPU(i)), nd.CPU)
	d = max(d, ratio(float64(nd.Memory-e.view.FreeMemory(i)), nd.Memory))
	if nd.GPUs > 0 {
		g := int64(nd.GPUs) * GPUMilliPerGPU
		d = max(d, ratio(float64(g-e.view.FreeGPUMilli(i)), g))
	}
	return d
}

// cdom is the share of the cluster's most allocated resource.
func (e *Scheduler) cdom() float64 { return max(e.share(0), e.share(1), e.share(2)) }

// touchDom brings node i's and the cluster's allocation integrals up to
// now, before an allocation on node i changes.
func (e *Scheduler) touchDom(i int) {
	e.domArea[i] += float64(e.dom(i) * float64(e.now-e.domT[i]))
	e.domT[i] = e.now
	e.cdomArea += float64(e.cdom() * float64(e.now-e.cdomT))
	e.cdomT = e.now
}

// snapshot is the Scheduler's snapshotFunc.
func (e *Scheduler) snapshot(t Time, busy []float64, active, queued []int32, _ []NodeState) {
	for i := range e.domArea {
		busy[i+1] = (e.domArea[i] + float64(e.dom(i)*float64(t-e.domT[i]))) / float64(Second)
		active[i+1], queued[i+1] = e.view.load[i].Active, 0
	}
	busy[0] = (e.cdomArea + float64(e.cdom()*float64(t-e.cdomT))) / float64(Second)
	active[0], queued[0] = int32(e.running), int32(len(e.pending))
}

func (e *Scheduler) refrag(i int) {
	if e.frag == nil {
		return
	}
	f := e.view.Fragmentation(i)
	e.fragTotal += f - e.frag[i]
	e.frag[i] = f
}

func (e *Scheduler) complete(i int32, s int32) {
	sl := &e.slab[s]
	if sl.oom {
		e.oomKill(i, s)
		return
	}
	if e.smp != nil {
		e.touchDom(int(i))
	}
	e.view.Release(int(i), &sl.t, sl.gpus)
	e.account(int(i), &sl.t, -1)
	e.activeAdd(int(i), -1)
	if len(sl.gang) > 0 {
		e.endGang(s)
	}
	e.running--
	if e.byID != nil {
		delete(e.byID, sl.t.ID)
	}
	for _, o := range e.obs {
		o.Finished(e.view, &sl.t, int(i), e.now-sl.t.Arrival)
	}
	if sl.measured {
		e.work[i] += int64(sl.t.Work)
		e.served[i]++
		// Bounded slowdown with the batch-scheduling threshold of 10 s:
		// max(1, (wait + run) / max(run, 10 s)).
		run := e.now - sl.start
		bsd := float64(e.now-sl.t.Arrival) / float64(max(run, 10*Second))
		e.slowdown.Record(int64(max(bsd, 1) * 1e6))
	}
	e.end(s, int(i), Completed)
}

// oomKill ends running slot s on node i, killed because its memory use
// crossed its limit (Task.MemoryUse): its resources are freed, observers
// hear that it failed, and it ends failed with reason ReasonOOM. Central
// queueing has no retries, so the task is not run again.
func (e *Scheduler) oomKill(i int32, s int32) {
	sl := &e.slab[s]
	if e.smp != nil {
		e.touchDom(int(i))
	}
	e.view.Release(int(i), &sl.t, sl.gpus)
	e.account(int(i), &sl.t, -1)
	e.activeAdd(int(i), -1)
	e.running--
	if e.byID != nil {
		delete(e.byID, sl.t.ID)
		delete(e.requeue, s)
	}
	for _, o := range e.obs {
		o.Failed(e.view, &sl.t, int(i))
	}
	if sl.measured {
		e.oomKills++
	}
	e.reason = ReasonOOM
	e.end(s, int(i), Failed)
}

func (e *Scheduler) timeout(s int32, gen uint32) {
	sl := &e.slab[s]
	if sl.gen != gen || sl.state != stPending {
		return
	}
	if i := slices.Index(e.pending, s); i >= 0 {
		e.pending = slices.Delete(e.pending, i, i+1)
	}
	e.unschedulable(s)
	// The head may have changed: what waited behind it may now start.
	e.dirty = true
}

func (e *Scheduler) unschedulable(s int32) {
	if e.slab[s].measured {
		e.unsched++
	}
	e.end(s, -1, Dropped)
}

// end closes task s's life: statistics, record, slot recycled.
func (e *Scheduler) end(s int32, node int, st Status) {
	sl := &e.slab[s]
	reason := e.reason
	e.reason = "" // not the reason of the tasks dagEnd may end
	start := sl.start
	if st != Completed && reason != ReasonOOM {
		start = e.now
	}
	e.count(sl.t.Arrival, start, e.now, st, sl.measured)
	if e.cfg.OnRecord != nil {
		e.rec = Record{Task: &sl.t, Node: node, Start: start, Finish: e.now, Status: st, Warmup: !sl.measured, Reason: reason}
		if node >= 0 {
			e.rec.GPUs = sl.gpus
		}
		e.cfg.OnRecord(&e.rec)
	}
	e.dagEnd(s, node, st)
	e.release(s)
}

// View is the scheduler's live view (read-only for callers).
func (e *Scheduler) View() *View { return e.view }

// Pending is the number of tasks in the pending queue.
func (e *Scheduler) Pending() int { return len(e.pending) }
