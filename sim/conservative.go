package sim

import "slices"

// Conservative backfilling (Mu'alem and Feitelson, IEEE TPDS 12(6), 2001):
// every queued task, in queue order, gets a reservation at the earliest
// time the running tasks' estimates and the reservations of the tasks
// ahead of it leave room for it on enough nodes for its whole estimated
// run; a task starts now only where that time is now, on the nodes the
// strategy picks, if it fits beside those reservations there. The
// reservations are worked out again at every scheduling cycle (the
// schedule is compressed when tasks end before their estimates).
//
// The profile of a node is its capacity less the running tasks (each
// until its estimated end, or now when it has run past it) and the
// reservations on it. GPUs are counted as milli-GPUs per node in the
// profile, not GPU by GPU. Reservations are first-fit: a task, or each
// node of a gang, goes on the lowest-indexed nodes with room.

// cseg is one interval of use of a node's resources in the profile.
type cseg struct {
	start, end    Time
	cpu, mem, gpu int64
}

// profile is conservative backfilling's plan: per node, what is used when.
type profile struct {
	segs [][]cseg
	// scratch for reserveConservative
	wins []cwin
	evs  []cev
	dels []cdelta
}

// buildProfile fills e.prof with the running tasks.
func (e *Scheduler) buildProfile() *profile {
	p := e.prof
	if p == nil {
		p = &profile{segs: make([][]cseg, len(e.cfg.Nodes))}
		e.prof = p
	}
	for i := range p.segs {
		p.segs[i] = p.segs[i][:0]
	}
	for s := range e.slab {
		sl := &e.slab[s]
		if sl.state != stRunning {
			continue
		}
		end := max(sl.estEnd, e.now)
		p.add(int(sl.node), &sl.t, e.now, end)
		for _, m := range sl.gang {
			p.add(int(m.node), &sl.t, e.now, end)
		}
	}
	return p
}

// add puts t's use of node i over [start, end) in the profile.
func (p *profile) add(i int, t *Task, start, end Time) {
	p.segs[i] = append(p.segs[i], cseg{start: start, end: end, cpu: t.CPU, mem: t.Memory, gpu: t.GPURequest()})
}

// fits reports whether t fits on node i (spec n) over [a, b) beside what
// the profile has there. Use only grows where an interval starts, so it
// is checked at a and at every start inside the interval.
func (p *profile) fits(n *NodeSpec, i int, t *Task, a, b Time) bool {
	segs := p.segs[i]
	gcap := int64(n.GPUs) * GPUMilliPerGPU
	check := func(at Time) bool {
		cpu, mem, gpu := t.CPU, t.Memory, t.GPURequest()
		for _, s := range segs {
			if s.start <= at && at < s.end {
				cpu += s.cpu
				mem += s.mem
				gpu += s.gpu
			}
		}
		return cpu <= n.CPU && mem <= n.Memory && gpu <= gcap
	}
	if !check(a) {
		return false
	}
	for _, s := range segs {
		if a < s.start && s.start < b && !check(s.start) {
			return false
		}
	}
	return true
}

// reserveConservative finds t's reservation: the earliest time at which
// enough nodes (those the strategy's filter accepts) have room for its
// estimated run, first-fit among the nodes with room then; it adds it to
// the profile. It reports false when there is none (no node the filter
// accepts has room for t even once everything planned has ended).
//
// On node i, with L its estimated run there, let the busy intervals be
// those where t does not fit beside what the profile holds; a start τ is
// feasible when [τ, τ+L) meets none, so the feasible starts are the
// windows [now or the end of a busy interval, the start of the next − L].
// A sweep over every node's windows finds the earliest time inside k of
// them.
func (e *Scheduler) reserveConservative(p *profile, t *Task) bool {
	k := t.gangSize()
	p.wins = p.wins[:0]
	p.evs = p.evs[:0]
	for i := range e.cfg.Nodes {
		if e.filter != nil && !e.filter.Filter(e.view, t, i) {
			continue
		}
		n0 := len(p.wins)
		p.windows(&e.cfg.Nodes[i], i, t, e.now, e.estimated(i, t))
		for _, w := range p.wins[n0:] {
			p.evs = append(p.evs, cev{at: w.lo, d: 1}, cev{at: w.hi, d: -1})
		}
	}
	// +1 before -1 at the same time: a window's end is a feasible start.
	slices.SortFunc(p.evs, func(a, b cev) int {
		if c := cmpTime(a.at, b.at); c != 0 {
			return c
		}
		return int(b.d) - int(a.d)
	})
	at, n, found := Time(0), 0, false
	for x, ev := range p.evs {
		n += int(ev.d)
		if ev.d > 0 && n >= k && (x+1 == len(p.evs) || p.evs[x+1].at != ev.at || p.evs[x+1].d < 0) {
			at, found = ev.at, true
			break
		}
	}
	if !found {
		return false
	}
	// The first k nodes (by index) with a window holding at.
	var picked int
	for _, w := range p.wins {
		if picked == k {
			break
		}
		if w.lo <= at && at <= w.hi {
			p.add(w.node, t, at, at+e.estimated(w.node, t))
			picked++
		}
	}
	return true
}

// cwin is a window of feasible starts on a node: [lo, hi], hi inclusive.
type cwin struct {
	node   int
	lo, hi Time
}

// cev is one end of a window in the sweep.
type cev struct {
	at Time
	d  int8
}

// windows appends to p.wins the windows of feasible starts of t on node i
// (spec n) from now, for a run of l (see reserveConservative): a sweep
// over the changes of use, in time order.
func (p *profile) windows(n *NodeSpec, i int, t *Task, now, l Time) {
	gcap := int64(n.GPUs) * GPUMilliPerGPU
	tc, tm, tg := t.CPU, t.Memory, t.GPURequest()
	if tc > n.CPU || tm > n.Memory || tg > gcap {
		return
	}
	p.dels = p.dels[:0]
	for _, s := range p.segs[i] {
		if s.end > now {
			p.dels = append(p.dels, cdelta{at: max(s.start, now), cpu: s.cpu, mem: s.mem, gpu: s.gpu},
				cdelta{at: s.end, cpu: -s.cpu, mem: -s.mem, gpu: -s.gpu})
		}
	}
	slices.SortFunc(p.dels, func(a, b cdelta) int { return cmpTime(a.at, b.at) })
	lo := now // start of the current window
	busy := false
	var cpu, mem, gpu int64
	for x := 0; x < len(p.dels); {
		at := p.dels[x].at
		for ; x < len(p.dels) && p.dels[x].at == at; x++ {
			cpu += p.dels[x].cpu
			mem += p.dels[x].mem
			gpu += p.dels[x].gpu
		}
		over := cpu+tc > n.CPU || mem+tm > n.Memory || gpu+tg > gcap
		switch {
		case over && !busy:
			if hi := at - l; hi >= lo {
				p.wins = append(p.wins, cwin{node: i, lo: lo, hi: hi})
			}
			busy = true
		case !over && busy:
			lo, busy = at, false
		}
	}
	if !busy {
		p.wins = append(p.wins, cwin{node: i, lo: lo, hi: MaxTime})
	}
}

// cdelta is a change of a node's use at a time.
type cdelta struct {
	at            Time
	cpu, mem, gpu int64
}

func cmpTime(a, b Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// startsBeside reports whether the placement the strategy chose for t (in
// e.pl, or e.gang for a gang) fits beside the profile's reservations for
// its estimated run from now.
func (e *Scheduler) startsBeside(p *profile, t *Task) bool {
	cand := e.gang
	if t.Nodes <= 1 {
		cand = append(e.one[:0], int32(e.pl.Node))
		e.one = cand
	}
	for _, i := range cand {
		if !p.fits(&e.cfg.Nodes[i], int(i), t, e.now, e.now+e.estimated(int(i), t)) {
			return false
		}
	}
	return true
}

// conservativePass walks the queue once under conservative backfilling
// (see pass).
func (e *Scheduler) conservativePass() (restart bool) {
	p := e.buildProfile()
	keep := e.pending[:0]
	blocked := false
	for k, s := range e.pending {
		if restart || e.err != nil {
			keep = append(keep, e.pending[k:]...)
			break
		}
		t := &e.slab[s].t
		placed := e.choose(t)
		if placed && e.startsBeside(p, t) {
			e.startTask(s)
			sl := &e.slab[s]
			end := max(sl.estEnd, e.now)
			p.add(int(sl.node), t, e.now, end)
			for _, m := range sl.gang {
				p.add(int(m.node), t, e.now, end)
			}
			restart = e.reorder
			continue
		}
		if e.err != nil {
			keep = append(keep, s)
			continue
		}
		if !placed {
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
		}
		// No room for t on every node the filter accepts, even after
		// everything planned: it waits without a reservation.
		e.reserveConservative(p, t)
		blocked = true
		keep = append(keep, s)
	}
	e.pending = keep
	e.setBlocked(blocked)
	return restart
}
