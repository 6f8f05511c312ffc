package sim

import "slices"

// reservation is EASY backfilling's promise to the blocked head: it starts
// on node by shadow, by the running tasks' estimates.
type reservation struct {
	ok     bool
	shadow Time
	node   int
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
		if !p.Fits(i, head) {
			continue
		}
		var gpus [64]int
		if p.Allocate(i, head, p.PickGPUs(i, head, gpus[:0])) != nil {
			continue
		}
		return reservation{ok: true, shadow: max(sl.estEnd, e.now), node: i}
	}
	return reservation{}
}

// allowed reports whether slot s, which the strategy would place as in
// e.pl, may start now without delaying the reservation: it runs on another
// node, or ends (by its estimate) by the reservation, or fits beside the
// head on the reserved node (it is then added to the projection).
func (e *Scheduler) allowed(r *reservation, s int32) bool {
	if !r.ok || e.pl.Node != r.node {
		return true
	}
	t := &e.slab[s].t
	if d := e.estimated(e.pl.Node, t); e.now+d <= r.shadow {
		return true
	}
	return e.proj.Allocate(r.node, t, e.pl.GPUs) == nil
}
