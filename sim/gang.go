package sim

import (
	"fmt"
	"slices"
)

// Gangs: a task with Nodes = k > 1 runs on k distinct nodes at once, each
// holding the task's CPU, Memory and GPUs; all start together and all free
// together (rigid jobs: MPI, distributed training). The engine places a
// gang first-fit: the k lowest-indexed nodes it fits on now (that the
// strategy's Filter, if any, accepts); it runs for its duration on the
// slowest of them. A gang that fits on no k nodes even when the cluster is
// empty is unschedulable; one asking for more nodes than the cluster has
// stops the run with an error. EASY backfilling reserves k nodes for a
// gang at the head, and a task behind it may start early only if it runs
// on none of them, ends (by its estimate) before the reservation, or fits
// beside the head on those it shares.

// GangTopology is implemented by placement strategies that want gangs on
// the fewest racks (Central.TopologyGangs) rather than first-fit.
type GangTopology interface {
	Strategy
	TopologyGangs() bool
}

// gangSize is how many nodes t runs on.
func (t *Task) gangSize() int {
	if t.Nodes > 1 {
		return int(t.Nodes)
	}
	return 1
}

// checkGang reports a gang larger than the cluster.
func (e *Scheduler) checkGang(t *Task) error {
	if t.Nodes < 0 {
		return fmt.Errorf("sim: task %d asks for %d nodes; nodes must be >= 0", t.ID, t.Nodes)
	}
	if int(t.Nodes) > len(e.cfg.Nodes) {
		return fmt.Errorf("sim: task %d asks for a gang of %d nodes; the cluster has %d", t.ID, t.Nodes, len(e.cfg.Nodes))
	}
	return nil
}

// chooseGang places gang t first-fit into e.gang (e.pl.Node is its first
// node).
func (e *Scheduler) chooseGang(t *Task) bool {
	k := t.gangSize()
	e.gang = e.gang[:0]
	for i := range e.cfg.Nodes {
		if e.view.Fits(i, t) && (e.filter == nil || e.filter.Filter(e.view, t, i)) {
			e.gang = append(e.gang, int32(i))
			if len(e.gang) == k && !e.cfg.Central.TopologyGangs {
				break
			}
		}
	}
	if len(e.gang) < k {
		return false
	}
	if e.cfg.Central.TopologyGangs {
		e.fewestRacks(t, k)
	}
	e.pl.Node = int(e.gang[0])
	e.pl.GPUs = e.view.PickGPUs(e.pl.Node, t, e.pl.GPUs[:0])
	return true
}

// startGang allocates the other nodes of slot s's gang (e.gang[1:]) and
// returns the longest duration over them (0 for one node).
func (e *Scheduler) startGang(s int32) (d, est Time) {
	sl := &e.slab[s]
	sl.gang = sl.gang[:0]
	for _, j := range e.gang[1:] {
		i := int(j)
		if e.smp != nil {
			e.touchDom(i)
		}
		gpus := e.view.PickGPUs(i, &sl.t, nil)
		if err := e.view.Allocate(i, &sl.t, gpus); err != nil {
			e.err = fmt.Errorf("sim: gang task %d does not fit node %d: %w", sl.t.ID, i, err)
			return 0, 0
		}
		e.account(i, &sl.t, 1)
		e.activeAdd(i, 1)
		sl.gang = append(sl.gang, gangMember{node: j, gpus: gpus})
		d = max(d, e.duration(i, &sl.t, sl.t.Work))
		est = max(est, e.estimated(i, &sl.t))
	}
	return d, est
}

// gangMember is one node of a running gang beyond its first.
type gangMember struct {
	node int32
	gpus []int
}

// endGang releases the other nodes of slot s's gang.
func (e *Scheduler) endGang(s int32) {
	sl := &e.slab[s]
	for _, m := range sl.gang {
		i := int(m.node)
		if e.smp != nil {
			e.touchDom(i)
		}
		e.view.Release(i, &sl.t, m.gpus)
		e.account(i, &sl.t, -1)
		e.activeAdd(i, -1)
	}
	sl.gang = sl.gang[:0]
}

// gangNeverFits reports whether gang t fits on fewer than its k nodes even
// when they are empty.
func (e *Scheduler) gangNeverFits(t *Task) bool {
	k, _ := t.GPUDemand()
	n := 0
	for i := range e.cfg.Nodes {
		sp := &e.cfg.Nodes[i]
		if t.CPU <= sp.CPU && t.Memory <= sp.Memory && k <= sp.GPUs && (k == 0 || ModelAllowed(t.GPUSpec, sp.GPUModel)) {
			n++
		}
	}
	return n < t.gangSize()
}

// reserveGang allocates gang head in the projection on the first k nodes
// it fits, if there are k; it returns them.
func (e *Scheduler) reserveGang(head *Task) []int32 {
	p := e.proj
	var nodes []int32
	for i := range e.cfg.Nodes {
		if p.Fits(i, head) {
			nodes = append(nodes, int32(i))
			if len(nodes) == head.gangSize() {
				break
			}
		}
	}
	if len(nodes) < head.gangSize() {
		return nil
	}
	for _, j := range nodes {
		var gpus [64]int
		if p.Allocate(int(j), head, p.PickGPUs(int(j), head, gpus[:0])) != nil {
			return nil
		}
	}
	return nodes
}

// fewestRacks narrows e.gang (every node gang t fits on now, in index
// order) to k nodes on the fewest racks: the rack with the fewest fitting
// nodes that still holds the whole gang (best fit, to keep big racks for
// big gangs), else racks by decreasing fitting nodes; nodes in index order
// within a rack, racks by first appearance among equals.
func (e *Scheduler) fewestRacks(t *Task, k int) {
	type rack struct {
		name  string
		nodes []int32
	}
	var racks []rack
	for _, j := range e.gang {
		name := e.cfg.Nodes[j].Rack
		r := -1
		for x := range racks {
			if racks[x].name == name {
				r = x
				break
			}
		}
		if r < 0 {
			racks = append(racks, rack{name: name})
			r = len(racks) - 1
		}
		racks[r].nodes = append(racks[r].nodes, j)
	}
	best := -1
	for x := range racks {
		if len(racks[x].nodes) >= k && (best < 0 || len(racks[x].nodes) < len(racks[best].nodes)) {
			best = x
		}
	}
	if best >= 0 {
		e.gang = append(e.gang[:0], racks[best].nodes[:k]...)
		return
	}
	order := make([]int, len(racks))
	for x := range order {
		order[x] = x
	}
	// Stable: larger racks first, first appearance among equals.
	for a := 1; a < len(order); a++ {
		for b := a; b > 0 && len(racks[order[b]].nodes) > len(racks[order[b-1]].nodes); b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	e.gang = e.gang[:0]
	for _, x := range order {
		for _, j := range racks[x].nodes {
			if len(e.gang) == k {
				break
			}
			e.gang = append(e.gang, j)
		}
	}
	slices.Sort(e.gang)
}

// rackFactor is the slowdown of a gang on first node i and the others in
// members: 1 + RackSlowdown x (racks - 1).
func (e *Scheduler) rackFactor(i int, members []gangMember) float64 {
	if e.cfg.Central.RackSlowdown <= 0 {
		return 1
	}
	racks := []string{e.cfg.Nodes[i].Rack}
	for _, m := range members {
		if r := e.cfg.Nodes[m.node].Rack; !slices.Contains(racks, r) {
			racks = append(racks, r)
		}
	}
	return 1 + float64(e.cfg.Central.RackSlowdown*float64(len(racks)-1))
}

// gangLoss integrates idle nodes over the time the queue's head waits.
type gangLoss struct {
	on      bool // a gang has arrived: the measure is reported
	blocked bool // the head could not start at the last cycle
	idle    int  // nodes with nothing running
	area    float64
	t       Time
}

// lossTouch brings the integral up to now.
func (e *Scheduler) lossTouch() {
	l := &e.loss
	if l.on && l.blocked && e.warm {
		l.area += float64(float64(l.idle) * float64(e.now-l.t))
	}
	l.t = e.now
}

// activeAdd changes node i's running count by d, keeping the idle count.
func (e *Scheduler) activeAdd(i int, d int32) {
	e.lossTouch()
	a := &e.view.load[i].Active
	if *a == 0 && d > 0 {
		e.loss.idle--
	}
	*a += d
	if *a == 0 && d < 0 {
		e.loss.idle++
	}
	e.view.changed(i)
}

// setBlocked records whether the head waits after a scheduling cycle.
func (e *Scheduler) setBlocked(b bool) {
	if b != e.loss.blocked {
		e.lossTouch()
		e.loss.blocked = b
	}
}
