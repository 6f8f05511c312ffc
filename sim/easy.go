package sim

import "slices"

// reservation is EASY backfilling's promise to the blocked head: it starts
// on node by shadow, by the running tasks' estimates.
type reservation struct {
	ok     bool
	shadow Time
	node   int
	nodes  []int32 // a gang head's nodes (node is then -1)
}

// reserve finds the head's reservation: running tasks end, in order of
// their estimated end, in a projection of the cluster until the head fits
// on the node the last one freed. The head is then allocated in the
// projection, which keeps what the reserved node has left beside it.
// A task without an estimate is taken to run for its true duration.
func (e *Scheduler) reserve(head *Task) reservation {
	if e.proj == nil {
		e.proj = NewView(e.cfg.Nodes)
	}
	p, v := e.proj, e.view
	copy(p.cpuUsed, v.cpuUsed)
	copy(p.memUsed, v.memUsed)
	copy(p.gpuFree, v.gpuFree)
	e.order = e.order[:0]
	for s := range e.slab {
		if e.slab[s].state == stRunning {
			e.order = append(e.order, int32(s))
		}
	}
	slices.SortFunc(e.order, func(a, b int32) int {
		ea, eb := e.slab[a].estEnd, e.slab[b].estEnd
		switch {
		case ea < eb:
			return -1
		case ea > eb:
			return 1
		}
		return int(a - b)
	})
	for _, s := range e.order {
		sl := &e.slab[s]
		i := int(sl.node)
		p.Release(i, &sl.t, sl.gpus)
		for _, m := range sl.gang {
			p.Release(int(m.node), &sl.t, m.gpus)
		}
		if head.Nodes > 1 {
			if nodes := e.reserveGang(head); nodes != nil {
				return reservation{ok: true, shadow: max(sl.estEnd, e.now), node: -1, nodes: nodes}
			}
			continue
		}
		for k := -1; k < len(sl.gang); k++ {
			j := i
			if k >= 0 {
				j = int(sl.gang[k].node)
			}
			if !p.Fits(j, head) {
				continue
			}
			var gpus [64]int
			if p.Allocate(j, head, p.PickGPUs(j, head, gpus[:0])) != nil {
				continue
			}
			return reservation{ok: true, shadow: max(sl.estEnd, e.now), node: j}
		}
	}
	return reservation{}
}

// allowed reports whether slot s, which the strategy would place as in
// e.pl, may start now without delaying the reservation: it runs on another
// node, or ends (by its estimate) by the reservation, or fits beside the
// head on the reserved node (it is then added to the projection).
func (e *Scheduler) allowed(r *reservation, s int32) bool {
	if t := &e.slab[s].t; r.ok && (r.nodes != nil || t.Nodes > 1) {
		return e.allowedGang(r, s)
	}
	if !r.ok || e.pl.Node != r.node {
		return true
	}
	t := &e.slab[s].t
	if d := e.estimated(e.pl.Node, t); e.now+d <= r.shadow {
		return true
	}
	return e.proj.Allocate(r.node, t, e.pl.GPUs) == nil
}

// allowedGang is allowed when the head or the candidate is a gang: the
// candidate (on e.pl.Node, or the nodes in e.gang when it is a gang) may
// start if it shares no node with the reservation, ends by its shadow, or
// fits beside the head on every node it shares (then added to the
// projection there).
func (e *Scheduler) allowedGang(r *reservation, s int32) bool {
	t := &e.slab[s].t
	cand := []int32{int32(e.pl.Node)}
	if t.Nodes > 1 {
		cand = e.gang
	}
	reserved := r.nodes
	if reserved == nil {
		reserved = []int32{int32(r.node)}
	}
	var shared []int32
	var est Time
	for _, c := range cand {
		est = max(est, e.estimated(int(c), t))
		if slices.Contains(reserved, c) {
			shared = append(shared, c)
		}
	}
	if len(shared) == 0 || e.now+est <= r.shadow {
		return true
	}
	picked := make([][]int, 0, len(shared))
	for k, c := range shared {
		gpus := e.proj.PickGPUs(int(c), t, nil)
		if e.proj.Allocate(int(c), t, gpus) != nil {
			for j, d := range shared[:k] {
				e.proj.Release(int(d), t, picked[j])
			}
			return false
		}
		picked = append(picked, gpus)
	}
	return true
}
