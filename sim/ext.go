package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/fleetsim/fleetsim/sim/metrics"
)

// This file runs the dynamics of dynamics.go under node queueing: network
// delay, failures and maintenance, client retries and timeouts, health
// checks, autoscaling, the broker queue and inference replicas. A run that
// asks for none of them never allocates an ext, and the Engine's event loop
// keeps its short path (one nil check per event).
//
// An attempt is one try of a task on one node. Its slot carries a
// generation (slot.gen) that changes whenever the attempt is taken off a
// node behind its events' backs (a node failure) and whenever the slot is
// recycled, so an event that names a slot carries the generation it was
// scheduled for and is ignored when they differ.

// Node states for autoscaling. A node outside any autoscaler is always
// nsMember.
const (
	nsMember   uint8 = iota // in the pool (unless drained)
	nsOff                   // not provisioned: not billed
	nsPending               // requested, provisioning: billed, not in the pool
	nsRemoving              // scaled in: out of the pool, finishing its work, billed
)

// More event kinds (see engine.go).
const (
	evReach   uint32 = iota + 16 // an attempt reaches its node (after the network)
	evNotice                     // the client notices an attempt's loss or timeout
	evRetry                      // the client sends a retry
	evFail                       // a node fails (Ref 1: random)
	evRepair                     // a node is back (Ref 1: random)
	evDrain                      // maintenance starts (Ref: how long)
	evUndrain                    // maintenance ends
	evSeen                       // the health checker reports (Ref: gen<<1 | up)
	evTick                       // the strategy's Ticker
	evScale                      // autoscaler Node evaluates
	evReady                      // a provisioned node joins (Ref: its scaling generation)
)

type token struct {
	node  int32
	epoch uint32
}

type nodeFaults struct {
	rng        *Rand
	mtbf, mttr Time
	k          float64
}

type scaler struct {
	a         Autoscaler
	lastScale Time
	lastBusy  []int64 // per node of a.Nodes: busy slot-ns at the last evaluation
	lastSvc   []int64 // per node: in-service ns at the last evaluation
}

type ext struct {
	cfg *Config
	net *Network
	reg map[string]int32
	nr  []int32 // node region

	cl     Client
	health *Health

	// With timeouts, each node's slots' projected free times (a min-heap
	// per node, free[freeOff[i]:freeOff[i+1]]): FIFO service with known
	// durations makes an attempt's end known when it reaches its node, so
	// a timeout event is scheduled only for attempts that will time out.
	proj    bool
	free    []Time
	freeOff []int
	phase   []Time

	faulty    bool // keep each node's active attempts listed (failures can take them)
	depth     []int32
	drain     []int32
	epoch     []uint32 // changes when a node stops taking work: old tokens die
	aHead     []int32  // per node: its active attempts, linked through slot.prevA/nextA
	hgen      []uint32
	rf        []nodeFaults // per node; rng nil: no random faults
	downCount int
	downSince Time
	downTotal Time

	broker   bool
	brokered fifo
	tokens   []token
	tHead    int

	state      []uint8
	sgen       []uint32
	billed     []int64
	billSince  []Time
	svc        []int64 // per node: time in service (member, not drained, up), ns
	svcSince   []Time
	scalers    []scaler
	scaleOuts  int64
	scaleIns   int64
	peakNodes  int
	billedNow  int
	inference  bool
	prefill    []Time
	decode     []Time
	bgInv      []float64
	ttft       metrics.Histogram
	ticker     Ticker
	every      Time
	endedAll   int64
	st         FaultResult
	winLatency metrics.Histogram
}

// Puller marks a Picker whose Pick returns ToBroker: the engine then keeps
// the broker queue and the list of free consumers for it.
type Puller interface {
	Picker
	Pulls()
}

func newExt(e *Engine) (*ext, error) {
	cfg := &e.cfg
	n := len(cfg.Nodes)
	x := &ext{cfg: cfg, net: cfg.Network, cl: cfg.Client, health: cfg.Health, brokered: emptyFIFO}
	if x.cl.Timeout == 0 {
		x.cl.Timeout = MaxTime
	}
	x.depth = make([]int32, n)
	x.drain = make([]int32, n)
	x.epoch = make([]uint32, n)
	x.hgen = make([]uint32, n)
	x.state = make([]uint8, n)
	x.sgen = make([]uint32, n)
	x.billed = make([]int64, n)
	x.billSince = make([]Time, n)
	x.svc = make([]int64, n)
	x.svcSince = make([]Time, n)
	x.bgInv = make([]float64, n)
	for i, nd := range cfg.Nodes {
		x.bgInv[i] = 1 / (1 - nd.Background)
		if nd.PrefillPerToken > 0 || nd.DecodePerToken > 0 {
			x.inference = true
		}
	}
	if x.inference {
		x.prefill = make([]Time, n)
		x.decode = make([]Time, n)
		for i, nd := range cfg.Nodes {
			x.prefill[i], x.decode[i] = nd.PrefillPerToken, nd.DecodePerToken
		}
	}
	if nw := x.net; nw != nil {
		x.reg = make(map[string]int32, len(nw.Regions))
		for k, r := range nw.Regions {
			x.reg[r] = int32(k)
		}
		x.nr = make([]int32, n)
		for i, nd := range cfg.Nodes {
			x.nr[i] = -1
			if nd.Region != "" {
				k, ok := x.reg[nd.Region]
				if !ok {
					return nil, fmt.Errorf("sim: node %s is in region %q, which the network does not list (%s)", nd.Name, nd.Region, strings.Join(nw.Regions, ", "))
				}
				x.nr[i] = k
			}
		}
		e.view.SetNetwork(nw.Regions, x.nr, nw.RTT)
	}
	x.faulty = len(cfg.Faults) > 0 || len(cfg.RandomFaults) > 0
	if x.faulty {
		x.aHead = make([]int32, n)
		for i := range x.aHead {
			x.aHead[i] = -1
		}
	}
	if x.cl.Timeout < MaxTime {
		total := 0
		for _, nd := range cfg.Nodes {
			total += nd.Slots
			if total > 1<<24 {
				break
			}
		}
		if total <= 1<<24 {
			x.proj = true
			x.free = make([]Time, total)
			x.freeOff = make([]int, n+1)
			for i, nd := range cfg.Nodes {
				x.freeOff[i+1] = x.freeOff[i] + nd.Slots
			}
		}
	}
	if h := x.health; h != nil {
		r := NewRand(cfg.Seed, "health")
		x.phase = make([]Time, n)
		for i := range x.phase {
			x.phase[i] = Time(r.Float64() * float64(h.Interval))
		}
	}
	for _, f := range cfg.Faults {
		if f.Drain {
			e.push(f.At, evDrain, int32(f.Node), int64(f.For))
		} else {
			e.push(f.At, evFail, int32(f.Node), 0)
			e.push(f.At+f.For, evRepair, int32(f.Node), 0)
		}
	}
	if len(cfg.RandomFaults) > 0 {
		x.rf = make([]nodeFaults, n)
		for _, g := range cfg.RandomFaults {
			for _, i := range g.Nodes {
				if x.rf[i].rng != nil {
					return nil, fmt.Errorf("sim: node %s has two random fault models", cfg.Nodes[i].Name)
				}
				x.rf[i] = nodeFaults{rng: NewRand(cfg.Seed, "faults/"+cfg.Nodes[i].Name), mtbf: g.MTBF, mttr: g.MTTR, k: g.Weibull}
				e.push(draw(x.rf[i].rng, g.MTBF, g.Weibull), evFail, int32(i), 1)
			}
		}
	}
	for k, a := range cfg.Autoscale {
		sc := scaler{a: a, lastScale: math.MinInt64 / 2, lastBusy: make([]int64, len(a.Nodes)), lastSvc: make([]int64, len(a.Nodes))}
		for j, i := range a.Nodes {
			if j >= a.Initial {
				x.state[i] = nsOff
				e.view.load[i].Out = true
				e.view.changed(i)
			}
		}
		x.scalers = append(x.scalers, sc)
		e.push(a.Interval, evScale, int32(k), 0)
	}
	for i := range x.state {
		if x.state[i] != nsOff {
			x.billedNow++
		}
	}
	x.peakNodes = x.billedNow
	if _, ok := e.strat.(Puller); ok {
		x.broker = true
		for i := range cfg.Nodes {
			x.refill(e, i)
		}
	}
	if t, ok := e.strat.(Ticker); ok {
		if x.every = t.Every(); x.every > 0 {
			x.ticker = t
			e.push(x.every, evTick, -1, 0)
		}
	}
	return x, nil
}

// ref names slot s at its current generation in an event.
func (e *Engine) ref(s int32) int64 { return int64(s) | int64(e.xs.at(s).gen)<<32 }

// live reports whether work remains: a task to arrive or one not ended.
func (e *Engine) live() bool { return e.pending || e.arrivedAll > e.x.endedAll }

// inService reports whether node i takes work: a member, not drained, up.
func (x *ext) inService(i int) bool {
	return x.state[i] == nsMember && x.drain[i] == 0 && x.depth[i] == 0
}

// nodeState is node i's state as a Series records it.
func (x *ext) nodeState(i int) NodeState {
	switch {
	case x.depth[i] > 0:
		return NodeDown
	case x.state[i] == nsOff || x.state[i] == nsPending:
		return NodeOff
	case x.state[i] == nsRemoving || x.drain[i] > 0:
		return NodeDrained
	}
	return NodeUp
}

// mark brings node i's billing and in-service clocks up to now; call it
// before anything that changes either.
func (x *ext) mark(e *Engine, i int) {
	now := e.now
	if x.state[i] != nsOff {
		x.billed[i] += int64(now - x.billSince[i])
	}
	x.billSince[i] = now
	if x.inService(i) {
		x.svc[i] += int64(now - x.svcSince[i])
	}
	x.svcSince[i] = now
}

func (x *ext) refreshOut(e *Engine, i int) {
	e.view.load[i].Out = x.state[i] != nsMember || x.drain[i] > 0
	e.view.changed(i)
}

// rtt is the round trip between origin region o and node i now.
func (x *ext) rtt(o int32, i int, now Time) Time {
	if x.net == nil || o < 0 || x.nr[i] < 0 {
		return 0
	}
	r := x.nr[i]
	d := x.net.RTT[int(o)*len(x.net.Regions)+int(r)]
	for _, sp := range x.net.Spikes {
		if now >= sp.At && now-sp.At < sp.For && (int32(sp.Region) == o || int32(sp.Region) == r) {
			d += sp.Add
		}
	}
	return d
}

// arriveX sends a new task's first attempt.
func (e *Engine) arriveX(s int32) {
	x := e.x
	sl, a := e.slab.at(s), e.xs.at(s)
	a.origin, sl.node = -1, -1
	a.lost, a.abandoned, a.armed = false, false, false
	a.attempt, a.back = 0, 0
	if x.net != nil && e.task(s).Region != "" {
		k, ok := x.reg[e.task(s).Region]
		if !ok {
			e.err = fmt.Errorf("sim: task %d comes from region %q, which the network does not list (%s)", sl.id, e.task(s).Region, strings.Join(x.net.Regions, ", "))
			return
		}
		a.origin = k
	}
	a.inFault = x.downCount > 0
	e.sendX(s)
}

// sendX asks the strategy where attempt s goes and sends it.
func (e *Engine) sendX(s int32) {
	x := e.x
	a := e.xs.at(s)
	e.view.origin = a.origin
	i := e.place(e.task(s))
	if e.err != nil {
		return
	}
	sl := e.slab.at(s)
	a.sent = e.now
	a.suDrawn = false
	switch i {
	case Drop:
		e.endAt(s, int(sl.node), Dropped, e.now)
		return
	case ToBroker:
		x.put(e, s)
		return
	}
	sl.node = int32(i)
	a.deadline = MaxTime
	if x.cl.Timeout < MaxTime-e.now {
		a.deadline = e.now + x.cl.Timeout
	}
	d := x.rtt(a.origin, i, e.now)
	fwd := d / 2
	a.back = d - fwd
	if fwd > 0 {
		if a.deadline <= e.now+fwd {
			a.armed = true
			e.push(a.deadline, evNotice, int32(i), e.ref(s))
		}
		e.push(e.now+fwd, evReach, int32(i), e.ref(s))
		return
	}
	e.reach(i, s)
}

// reach delivers attempt s to node i.
func (e *Engine) reach(i int, s int32) {
	x := e.x
	sl, a := e.slab.at(s), e.xs.at(s)
	if a.abandoned {
		// Given up by the client on the way: the node serves it anyway
		// (it cannot know), unless it cannot take work.
		if !x.inService(i) {
			e.releaseX(s)
			return
		}
	} else if x.depth[i] > 0 {
		e.lose(s, i)
		return
	} else if !x.inService(i) {
		// Out of the pool: the connection is refused, which the client
		// learns a network trip later.
		x.st.Refused++
		if e.obs != nil {
			e.obs.Failed(e.view, e.task(s), i)
		}
		e.noticeAt(s, e.now+a.back)
		return
	}
	if x.proj {
		d := e.duration(int32(i), e.task(s))
		if e.su.on {
			// Drawn now, so the projection and the service agree.
			a.su, a.suDrawn = e.drawStartup(sl.id), true
			d = e.withStartup(d, a.su, sl.id)
		}
		if e.err != nil {
			return
		}
		if end := x.project(i, e.now, d); !a.abandoned && !a.armed && end+a.back > a.deadline {
			a.armed = true
			e.push(a.deadline, evNotice, int32(i), e.ref(s))
		}
	}
	l := &e.view.load[i]
	if l.Active < e.nd[i].slots {
		e.touch(i)
		l.Active++
		e.view.changed(i)
		e.startX(int32(i), s)
		return
	}
	l.Queued++
	e.view.changed(i)
	e.nd[i].q.push(&e.slab, s)
	if !x.proj && !a.abandoned && !a.armed && a.deadline < MaxTime {
		a.armed = true
		e.push(a.deadline, evNotice, int32(i), e.ref(s))
	}
}

// project reserves node i's earliest free slot for an attempt of duration
// d that reaches it now, and returns when the attempt will end.
func (x *ext) project(i int, now, d Time) Time {
	h := x.free[x.freeOff[i]:x.freeOff[i+1]]
	end := max(h[0], now) + d
	h[0] = end
	// Sift the root down the min-heap.
	for j := 0; ; {
		c := 2*j + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[j] <= h[c] {
			break
		}
		h[j], h[c] = h[c], h[j]
		j = c
	}
	return end
}

// byTokens reports whether node i serves t by the token model: an
// inference replica, and a request with tokens.
func (x *ext) byTokens(i int32, t *Task) bool {
	return x.inference && x.prefill[i]+x.decode[i] > 0 && (t.PromptTokens > 0 || t.OutputTokens > 0)
}

// duration is how long node i takes to serve t.
func (e *Engine) duration(i int32, t *Task) Time {
	x := e.x
	if x.byTokens(i, t) {
		w := Time(t.PromptTokens)*x.prefill[i] + Time(t.OutputTokens)*x.decode[i]
		return e.scaled(w, x.bgInv[i], t.ID, i)
	}
	return e.scaled(t.Work, e.nd[i].inv, t.ID, i)
}

// startX starts attempt s on node i, whose Active already counts it.
func (e *Engine) startX(i int32, s int32) {
	x := e.x
	sl, a := e.slab.at(s), e.xs.at(s)
	sl.start = e.now
	d := e.duration(i, e.task(s))
	if e.su.on {
		if !a.suDrawn {
			a.su = e.drawStartup(sl.id)
		}
		a.suDrawn = false
		d = e.withStartup(d, a.su, sl.id)
	}
	if e.err != nil {
		return
	}
	e.push(e.now+d, evComplete, i, e.ref(s))
	e.view.use(int(i), sl.cpu, sl.memory)
	if x.faulty {
		a.prevA, a.nextA = -1, x.aHead[i]
		if a.nextA >= 0 {
			e.xs.at(a.nextA).prevA = s
		}
		x.aHead[i] = s
	}
	if !x.proj && !a.abandoned && !a.armed && a.deadline < MaxTime && d+a.back > a.deadline-e.now {
		a.armed = true
		e.push(a.deadline, evNotice, i, e.ref(s))
	}
	if e.obs != nil && !a.abandoned {
		e.obs.Started(e.view, e.task(s), int(i))
	}
}

// completeX ends attempt s on node i.
func (e *Engine) completeX(i int32, ref int64) {
	x := e.x
	s := int32(ref)
	sl, a := e.slab.at(s), e.xs.at(s)
	if a.gen != uint32(ref>>32) {
		return // lost to a failure
	}
	if x.faulty {
		if a.prevA >= 0 {
			e.xs.at(a.prevA).nextA = a.nextA
		} else {
			x.aHead[i] = a.nextA
		}
		if a.nextA >= 0 {
			e.xs.at(a.nextA).prevA = a.prevA
		}
	}
	l := &e.view.load[i]
	e.view.use(int(i), -sl.cpu, -sl.memory)
	if a.abandoned {
		e.touch(int(i))
		l.Active--
		e.view.changed(int(i))
		e.releaseX(s)
	} else {
		finish := e.now + a.back
		if e.obs != nil {
			e.obs.Finished(e.view, e.task(s), int(i), finish-a.sent)
		}
		if sl.measured {
			e.nd[i].work += int64(sl.work)
			e.nd[i].served++
			if x.byTokens(i, e.task(s)) {
				first := Time(float64(float64(Time(e.task(s).PromptTokens)*x.prefill[i]+x.decode[i])*x.bgInv[i]) + 0.5)
				x.ttft.Record(int64(sl.start + a.su + first + a.back - sl.arrival))
			}
		}
		e.touch(int(i))
		l.Active--
		e.view.changed(int(i))
		e.endAt(s, int(i), Completed, finish)
	}
	e.next(int(i))
}

// next gives node i's free slot its next work: the head of its queue, or
// the broker's oldest task. A node being scaled in is released once empty.
func (e *Engine) next(i int) {
	x := e.x
	l := &e.view.load[i]
	if h := e.nd[i].q.pop(&e.slab); h >= 0 {
		l.Queued--
		l.Active++
		e.view.changed(i)
		e.startX(int32(i), h)
		return
	}
	if x.broker && x.inService(i) {
		if s := x.brokered.pop(&e.slab); s >= 0 {
			e.startOn(i, s)
		} else {
			x.tokens = append(x.tokens, token{int32(i), x.epoch[i]})
		}
		return
	}
	if x.state[i] == nsRemoving && l.Active == 0 && l.Queued == 0 {
		x.release(e, i)
	}
}

// put hands attempt s to the broker: a free consumer takes it at once,
// else it waits in the broker's FIFO.
func (x *ext) put(e *Engine, s int32) {
	e.xs.at(s).deadline = MaxTime // a queued message does not time out
	for x.tHead < len(x.tokens) {
		tk := x.tokens[x.tHead]
		x.tHead++
		i := int(tk.node)
		if tk.epoch == x.epoch[i] && x.inService(i) && e.view.load[i].Active < e.nd[i].slots {
			e.startOn(i, s)
			x.compact()
			return
		}
	}
	x.compact()
	x.brokered.push(&e.slab, s)
}

func (x *ext) compact() {
	if x.tHead > 1024 && 2*x.tHead > len(x.tokens) {
		x.tokens = x.tokens[:copy(x.tokens, x.tokens[x.tHead:])]
		x.tHead = 0
	}
}

// startOn starts brokered attempt s on node i, which has a free slot.
func (e *Engine) startOn(i int, s int32) {
	sl, a := e.slab.at(s), e.xs.at(s)
	sl.node = int32(i)
	a.back = e.x.rtt(a.origin, i, e.now)
	e.touch(i)
	e.view.load[i].Active++
	e.view.changed(i)
	e.startX(int32(i), s)
}

// refill offers node i's free slots to the broker once it takes work
// again.
func (x *ext) refill(e *Engine, i int) {
	if !x.broker || !x.inService(i) {
		return
	}
	for e.view.load[i].Active < e.nd[i].slots {
		if x.brokered.head < 0 {
			for k := e.view.load[i].Active; k < e.nd[i].slots; k++ {
				x.tokens = append(x.tokens, token{int32(i), x.epoch[i]})
			}
			return
		}
		e.startOn(i, x.brokered.pop(&e.slab))
	}
}

// lose records that attempt s was lost on node i; the client notices at
// its timeout, or at once without one.
func (e *Engine) lose(s int32, i int) {
	x := e.x
	a := e.xs.at(s)
	x.st.LostAttempts++
	if e.obs != nil {
		e.obs.Failed(e.view, e.task(s), i)
	}
	at := e.now
	if a.deadline < MaxTime && a.deadline > at {
		at = a.deadline
	}
	e.noticeAt(s, at)
}

// noticeAt makes the client learn at time at that attempt s failed. Events
// already scheduled for the attempt become stale.
func (e *Engine) noticeAt(s int32, at Time) {
	sl, a := e.slab.at(s), e.xs.at(s)
	a.gen++
	a.lost = true
	a.armed = false
	e.push(at, evNotice, sl.node, e.ref(s))
}

// notice handles an evNotice: a lost attempt is retried (or the task
// fails); a live attempt past its deadline is abandoned (its node serves it
// anyway) and a copy is retried.
func (e *Engine) notice(ref int64) {
	x := e.x
	s := int32(ref)
	if e.xs.at(s).gen != uint32(ref>>32) {
		return
	}
	if e.xs.at(s).lost {
		e.xs.at(s).lost = false
		e.retry(s)
		return
	}
	x.st.Timeouts++
	if e.obs != nil {
		e.obs.Failed(e.view, e.task(s), int(e.slab.at(s).node))
	}
	n := e.alloc()
	c, ca := e.slab.at(n), e.xs.at(n)
	g := ca.gen
	*c, *ca = *e.slab.at(s), *e.xs.at(s)
	if c.cold >= 0 {
		c.cold = e.coldCopy(e.cold.at(c.cold))
	}
	ca.gen, c.next, ca.prevA, ca.nextA, ca.armed = g, -1, -1, -1, false
	e.xs.at(s).abandoned = true
	e.xs.at(s).armed = false
	e.retry(n)
}

// retry sends the next attempt of s after the backoff, or fails the task
// when its retries are spent.
func (e *Engine) retry(s int32) {
	x := e.x
	sl, a := e.slab.at(s), e.xs.at(s)
	if int(a.attempt) >= x.cl.Retries {
		e.endAt(s, int(sl.node), Failed, e.now)
		return
	}
	a.attempt++
	x.st.Retries++
	if d := x.cl.backoff(int(a.attempt)); d > 0 {
		e.push(e.now+d, evRetry, -1, e.ref(s))
		return
	}
	e.sendX(s)
}

func (e *Engine) releaseX(s int32) {
	e.xs.at(s).gen++
	e.release(s)
}

// fail takes node i down: everything it serves or queues is lost.
func (e *Engine) fail(i int, random bool) {
	x := e.x
	x.mark(e, i)
	if random && e.live() {
		e.push(e.now+draw(x.rf[i].rng, x.rf[i].mttr, x.rf[i].k), evRepair, int32(i), 1)
	}
	x.depth[i]++
	if x.depth[i] > 1 {
		return
	}
	x.st.Failures++
	if x.downCount == 0 {
		x.downSince = e.now
	}
	x.downCount++
	x.epoch[i]++
	for s := x.aHead[i]; s >= 0; {
		nx := e.xs.at(s).nextA
		e.view.use(int(i), -e.slab.at(s).cpu, -e.slab.at(s).memory)
		if e.xs.at(s).abandoned {
			e.releaseX(s)
		} else {
			e.lose(s, i)
		}
		s = nx
	}
	x.aHead[i] = -1
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
	if x.proj {
		clear(x.free[x.freeOff[i]:x.freeOff[i+1]])
	}
	e.touch(i)
	l := &e.view.load[i]
	l.Active, l.Queued = 0, 0
	e.view.changed(i)
	x.hgen[i]++
	if x.health != nil {
		e.push(x.seen(i, e.now, x.health.Threshold), evSeen, int32(i), int64(x.hgen[i])<<1)
	}
	if x.state[i] == nsRemoving {
		x.release(e, i)
	}
}

// repair brings node i back, empty.
func (e *Engine) repair(i int, random bool) {
	x := e.x
	x.mark(e, i)
	if random && e.live() {
		e.push(e.now+draw(x.rf[i].rng, x.rf[i].mtbf, x.rf[i].k), evFail, int32(i), 1)
	}
	x.depth[i]--
	if x.depth[i] > 0 {
		return
	}
	x.downCount--
	if x.downCount == 0 {
		x.downTotal += e.now - x.downSince
	}
	x.epoch[i]++
	x.hgen[i]++
	if x.health != nil {
		e.push(x.seen(i, e.now, x.health.Rise), evSeen, int32(i), int64(x.hgen[i])<<1|1)
	}
	x.refill(e, i)
}

// seen is when the checker has seen k probes in a row of node i's state
// since it changed at t: probes run at phase_i + m·Interval.
func (x *ext) seen(i int, t Time, k int) Time {
	iv, p := x.health.Interval, x.phase[i]
	first := p
	if t > p {
		first = p + (t-p+iv-1)/iv*iv
	}
	return first + Time(k-1)*iv
}

// drainStart and drainEnd bracket maintenance of node i.
func (e *Engine) drainStart(i int, d Time) {
	x := e.x
	x.mark(e, i)
	x.drain[i]++
	x.epoch[i]++
	x.refreshOut(e, i)
	e.push(e.now+d, evUndrain, int32(i), 0)
}

func (e *Engine) drainEnd(i int) {
	x := e.x
	x.mark(e, i)
	x.drain[i]--
	x.epoch[i]++
	x.refreshOut(e, i)
	x.refill(e, i)
}

// scale runs autoscaler k.
func (e *Engine) scale(k int) {
	x := e.x
	sc := &x.scalers[k]
	a := &sc.a
	var busy, svc float64
	current := 0
	for j, i := range a.Nodes {
		e.touch(i)
		x.mark(e, i)
		ds := x.svc[i] - sc.lastSvc[j]
		if ds > 0 {
			busy += float64(e.nd[i].busy - sc.lastBusy[j])
			svc += float64(float64(ds) * float64(e.nd[i].slots))
		}
		sc.lastBusy[j], sc.lastSvc[j] = e.nd[i].busy, x.svc[i]
		if st := x.state[i]; st == nsMember || st == nsPending {
			current++
		}
	}
	if svc > 0 {
		u := busy / svc
		desired := int(math.Ceil(float64(current)*u/a.Target - 1e-9))
		desired = min(max(desired, a.Min), a.Max)
		switch {
		case desired > current:
			x.scaleOut(e, sc, desired-current)
		case desired < current && e.now-sc.lastScale >= a.Cooldown:
			x.scaleIn(e, sc, current-desired)
		}
	} else if current < a.Min {
		x.scaleOut(e, sc, a.Min-current)
	}
	if e.live() {
		e.push(e.now+a.Interval, evScale, int32(k), 0)
	}
}

func (x *ext) scaleOut(e *Engine, sc *scaler, n int) {
	for _, i := range sc.a.Nodes {
		if n == 0 {
			break
		}
		if x.state[i] != nsOff {
			continue
		}
		x.mark(e, i)
		x.state[i] = nsPending
		x.sgen[i]++
		x.billedNow++
		x.peakNodes = max(x.peakNodes, x.billedNow)
		x.scaleOuts++
		n--
		e.push(e.now+sc.a.Provision, evReady, int32(i), int64(x.sgen[i]))
	}
	sc.lastScale = e.now
}

func (x *ext) scaleIn(e *Engine, sc *scaler, n int) {
	nodes := sc.a.Nodes
	for _, pass := range []uint8{nsPending, nsMember} {
		for j := len(nodes) - 1; j >= 0 && n > 0; j-- {
			i := nodes[j]
			if x.state[i] != pass {
				continue
			}
			x.mark(e, i)
			x.scaleIns++
			n--
			if pass == nsPending {
				x.state[i] = nsOff
				x.billedNow--
				continue
			}
			x.state[i] = nsRemoving
			x.epoch[i]++
			x.refreshOut(e, i)
			if l := e.view.load[i]; l.Active == 0 && l.Queued == 0 {
				x.release(e, i)
			}
		}
	}
	sc.lastScale = e.now
}

// release ends the billing of a node scaled in, once it is empty.
func (x *ext) release(e *Engine, i int) {
	x.mark(e, i)
	x.state[i] = nsOff
	x.billedNow--
}

// ready lets a provisioned node join the pool.
func (e *Engine) ready(i int, gen uint32) {
	x := e.x
	if x.state[i] != nsPending || x.sgen[i] != gen {
		return
	}
	x.mark(e, i)
	x.state[i] = nsMember
	x.epoch[i]++
	x.refreshOut(e, i)
	x.refill(e, i)
}

// stepX handles the events of this file.
func (e *Engine) stepX(ev uint32, node int32, ref int64) {
	x := e.x
	switch ev {
	case evReach:
		if s := int32(ref); e.xs.at(s).gen == uint32(ref>>32) {
			e.reach(int(node), s)
		}
	case evNotice:
		e.notice(ref)
	case evRetry:
		if s := int32(ref); e.xs.at(s).gen == uint32(ref>>32) {
			e.sendX(s)
		}
	case evFail:
		e.fail(int(node), ref == 1)
	case evRepair:
		e.repair(int(node), ref == 1)
	case evDrain:
		e.drainStart(int(node), Time(ref))
	case evUndrain:
		e.drainEnd(int(node))
	case evSeen:
		if uint32(ref>>1) == x.hgen[node] {
			e.view.load[node].Down = ref&1 == 0
			e.view.changed(int(node))
		}
	case evTick:
		x.ticker.Tick(e.view)
		if e.live() {
			e.push(e.now+x.every, evTick, -1, 0)
		}
	case evScale:
		e.scale(int(node))
	case evReady:
		e.ready(int(node), uint32(ref))
	}
}

// FaultResult is what failures, retries and timeouts did to a run.
type FaultResult struct {
	Failures     int64 `json:"failures"`      // node failures (not maintenance)
	LostAttempts int64 `json:"lost_attempts"` // attempts a failing node took down
	Refused      int64 `json:"refused"`       // attempts sent to a node out of the pool
	Timeouts     int64 `json:"timeouts"`      // attempts the client gave up on
	Retries      int64 `json:"retries"`
	// DownS is the time with at least one node down: the failure window.
	DownS float64 `json:"down_s"`
	// WindowTasks counts measured tasks that arrived in the failure
	// window, WindowFailed those of them that failed; WindowP99 is the
	// p99 latency of those that completed.
	WindowTasks  int64   `json:"window_tasks"`
	WindowFailed int64   `json:"window_failed"`
	WindowP99    float64 `json:"window_p99_s"`
}

// CostResult is what the nodes cost over the run, from time 0 to its end
// (warm-up included): node-hours while billed, money from each node's cost
// per hour, and energy from its power model.
type CostResult struct {
	NodeHours float64 `json:"node_hours"`
	USD       float64 `json:"usd"`
	EnergyKWh float64 `json:"energy_kwh"`
}

// ScalingResult is what the autoscalers did.
type ScalingResult struct {
	ScaleOuts int64   `json:"scale_outs"` // nodes requested
	ScaleIns  int64   `json:"scale_ins"`  // nodes removed
	PeakNodes int     `json:"peak_nodes"` // most nodes billed at once
	MeanNodes float64 `json:"mean_nodes"` // billed node-time over the run's span
}

// costs fills r's cost, energy, faults and scaling figures.
func (e *Engine) costs(r *Result) {
	end := max(e.now, e.lastFinish)
	var hours, usd, kwh float64
	priced := false
	for i, nd := range e.cfg.Nodes {
		billed := int64(end)
		if e.x != nil {
			billed = e.x.billed[i]
			if e.x.state[i] != nsOff {
				billed += int64(end - e.x.billSince[i])
			}
		}
		h := float64(billed) / float64(Hour)
		hours += h
		usd += float64(h * nd.CostPerHour)
		if nd.PowerPeak > 0 {
			busy := float64(e.busyAt(i, end)) / float64(Hour) / float64(e.nd[i].slots)
			kwh += (float64(nd.PowerIdle*h) + float64((nd.PowerPeak-nd.PowerIdle)*busy)) / 1000
		}
		priced = priced || nd.CostPerHour > 0 || nd.PowerPeak > 0
	}
	if priced || (e.x != nil && len(e.x.scalers) > 0) {
		r.Cost = &CostResult{NodeHours: hours, USD: usd, EnergyKWh: kwh}
	}
	x := e.x
	if x == nil {
		return
	}
	if x.faulty || x.cfg.Client != (Client{}) || x.health != nil {
		f := x.st
		f.DownS = x.downTotal.Seconds()
		if x.downCount > 0 {
			f.DownS += (e.now - x.downSince).Seconds()
		}
		f.WindowP99 = ns(x.winLatency.Quantile(0.99))
		r.Faults = &f
	}
	if len(x.scalers) > 0 && end > 0 {
		r.Scaling = &ScalingResult{ScaleOuts: x.scaleOuts, ScaleIns: x.scaleIns, PeakNodes: x.peakNodes, MeanNodes: hours * float64(Hour) / float64(end)}
	}
	if x.inference {
		q := Summarize(&x.ttft)
		r.TTFT = &q
	}
}
