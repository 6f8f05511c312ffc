package sim

import (
	"fmt"
	"math"
	"slices"
)

// Workflows (DAGs of dependent tasks) under central queueing.
//
// A task with a Workflow name belongs to a DAG. The workflow arrives whole:
// its tasks share one arrival time and follow one another in the stream,
// each after its parents. A task whose parents have not all completed waits
// outside the pending queue; when the last one completes it joins the
// queue (it is ready). When it is placed on node i, its node is held from
// then on, and its work starts once every parent's output has reached i:
//
//	data ready = max over parents p of finish(p) + transfer(node(p), i, bytes(p→task))
//	transfer(a, b, n) = 0 when a = b, else latency(a, b) + n / bandwidth(a, b)
//	latency(a, b)   = Network.RTT[ra][rb] / 2, else Transfer.Latency
//	bandwidth(a, b) = the smallest of Network.Bandwidth[ra][rb] (else
//	                  Transfer.Bandwidth), Link(a) and Link(b) that is set
//
// where ra and rb are the regions of nodes a and b in Config.Network; the
// network's figures apply when both nodes have a region, Transfer's
// otherwise (and without a network). With every bandwidth unset, a
// transfer takes the latency alone. The task's record starts when its
// work does; its wait includes the transfer.
// A parent that fails or is dropped drops its waiting descendants.

// Deps holds a workflow task's dependencies.
type Deps struct {
	Parents []Edge
}

// ParentEdges is t's parents (nil when it has none).
func (t *Task) ParentEdges() []Edge {
	if t.Deps == nil {
		return nil
	}
	return t.Deps.Parents
}

// Edge is one dependency of a task: the parent's ID and the bytes the
// parent hands this child. Bytes < 0 means the parent's OutputBytes.
type Edge struct {
	Parent int64
	Bytes  int64
}

// Transfer is the network model of data moved between the tasks of a
// workflow: a start-up latency per transfer and a bandwidth shared by
// every pair of nodes (bytes per second; 0: unlimited), narrowed by each
// node's Link where set.
type Transfer struct {
	Latency   Time
	Bandwidth float64
	// Serial makes links contend: a node's link carries one transfer at a
	// time, in and out alike, so a transfer between a and b starts when
	// its parent has finished and both a's and b's links are free, in the
	// order the children are placed (each link is booked after the
	// transfers booked on it before). Strategies plan (View.DataReady)
	// without the queueing.
	Serial bool
}

// Selector is implemented by workflow (list-scheduling) strategies: they
// see every ready task at once and choose which starts next and where.
// Select returns an index into ready and fills p (p.GPUs may be left
// empty: the engine picks GPUs), or -1 when nothing more should start
// now. The engine calls it again after each start, with the started task
// removed, until it returns -1. ready is in the order tasks became ready;
// it and the tasks are valid only during the call. A strategy that is a
// Selector needs neither Placer nor Scorer.
type Selector interface {
	Strategy
	Select(v *View, ready []*Task, p *Placement) int
}

// WorkflowObserver is told of each workflow once all its tasks have
// arrived, before the scheduling cycle of that instant: static list
// schedulers (HEFT, CPOP) plan it then. tasks are in stream order (parents
// first) and valid only during the call.
type WorkflowObserver interface {
	Strategy
	Submitted(v *View, tasks []*Task)
}

// WorkflowResult holds workflow figures (central queueing runs with
// workflows only). Response is a workflow's last finish minus its arrival;
// its critical path is the longest chain of tasks, each at its shortest
// runtime on any node, transfers left out; SLR (schedule length ratio) is
// response / critical path and speedup is the sum of shortest runtimes /
// response (the HEFT paper's definitions).
type WorkflowResult struct {
	Workflows      int64   `json:"workflows"`
	MeanResponseS  float64 `json:"mean_response_s"`
	MaxResponseS   float64 `json:"max_response_s"`
	MeanSLR        float64 `json:"mean_slr"` // response / critical path
	MeanSpeedup    float64 `json:"mean_speedup"`
	CriticalPathS  float64 `json:"critical_path_s"` // mean over workflows
	DataMovedBytes int64   `json:"data_moved_bytes"`
	Transfers      int64   `json:"transfers"`
}

type dagTask struct {
	slot     int32 // the task's slot until it ends, then -1
	flow     *dagFlow
	waiting  int32 // parents not yet completed
	children []int64
	ended    bool
	status   Status
	node     int32
	finish   Time
	out      int64
	cp       Time // longest chain of shortest runtimes ending with this task
}

type dagFlow struct {
	name    string
	arrival Time
	ids     []int64
	ended   int
	closed  bool
	last    Time // latest finish so far
	cp      Time
	minWork Time
	failed  bool
}

// dagState is the scheduler's record of workflows in flight; it is also
// what View's workflow methods read.
type dagState struct {
	tasks map[int64]*dagTask
	flows map[string]*dagFlow
	open  *dagFlow

	tr       Transfer
	specs    []NodeSpec
	runtimes map[string]map[string]Time
	maxSpeed float64
	dispatch Time
	dispFree []Time // per node: when its last start ends
	linkFree []Time // per node, under Transfer.Serial: when its last transfer ends

	// With a network (Config.Network): each node's region index (-1:
	// none), the regions' one-way latencies and bandwidths (row-major),
	// and the mean latency and mean 1/bandwidth over ordered pairs of
	// distinct nodes (MeanTransferTime).
	net              *Network
	region           []int32
	meanLat, meanInv float64

	res                     WorkflowResult
	respSum, slrSum, spdSum float64
	cpSum                   float64
	ptrs                    []*Task
}

func newDagState(cfg *Config) *dagState {
	d := &dagState{tr: cfg.Central.Transfer, specs: cfg.Nodes, runtimes: cfg.Central.Runtimes, dispatch: cfg.Central.Dispatch}
	if d.dispatch > 0 {
		d.dispFree = make([]Time, len(cfg.Nodes))
	}
	if d.tr.Serial {
		d.linkFree = make([]Time, len(cfg.Nodes))
	}
	for _, n := range cfg.Nodes {
		d.maxSpeed = max(d.maxSpeed, n.Speed)
	}
	if nw := cfg.Network; nw != nil {
		d.net = nw
		d.region = make([]int32, len(cfg.Nodes))
		for i, n := range cfg.Nodes {
			d.region[i] = int32(slices.Index(nw.Regions, n.Region))
		}
		d.means()
	}
	return d
}

// pair is the latency and bandwidth (0: unlimited) of transfers between
// nodes of regions ra and rb (-1: no region), links left out.
func (d *dagState) pair(ra, rb int32) (Time, float64) {
	if d.net == nil || ra < 0 || rb < 0 {
		return d.tr.Latency, d.tr.Bandwidth
	}
	k := int(ra)*len(d.net.Regions) + int(rb)
	bw := d.tr.Bandwidth
	if d.net.Bandwidth != nil && d.net.Bandwidth[k] > 0 {
		bw = d.net.Bandwidth[k]
	}
	return d.net.RTT[k] / 2, bw
}

// means sets meanLat and meanInv: the pair's latency and 1/bandwidth
// averaged over ordered pairs of distinct nodes, counted per region (the
// last class is nodes without one).
func (d *dagState) means() {
	r := len(d.net.Regions)
	count := make([]float64, r+1)
	for _, g := range d.region {
		if g < 0 {
			g = int32(r)
		}
		count[g]++
	}
	var pairs, lat, inv float64
	for a := range count {
		for b := range count {
			n := float64(count[a] * count[b])
			if a == b {
				n -= count[a]
			}
			if n <= 0 {
				continue
			}
			ra, rb := int32(a), int32(b)
			if a == r {
				ra = -1
			}
			if b == r {
				rb = -1
			}
			l, bw := d.pair(ra, rb)
			pairs += n
			lat += float64(n * float64(l))
			if bw > 0 {
				inv += n / bw
			}
		}
	}
	if pairs > 0 {
		d.meanLat, d.meanInv = lat/pairs, inv/pairs
	}
}

// TransferTime is how long bytes take from node from to node to (0 on
// the same node), by the model in dag.go.
func (v *View) TransferTime(from, to int, bytes int64) Time {
	if from == to || v.dag == nil {
		return 0
	}
	d := v.dag
	t, bw := d.tr.Latency, d.tr.Bandwidth
	if d.net != nil {
		t, bw = d.pair(d.region[from], d.region[to])
	}
	for _, l := range [2]float64{d.specs[from].Link, d.specs[to].Link} {
		if l > 0 && (bw <= 0 || l < bw) {
			bw = l
		}
	}
	if bw > 0 && bytes > 0 {
		f := float64(bytes) / bw * float64(Second)
		if f >= float64(MaxTime/4) {
			return MaxTime / 4
		}
		t += Time(math.Round(f))
	}
	return t
}

// MeanTransferTime is the transfer time of bytes between two distinct
// nodes with the shared bandwidth (no per-node link): the mean
// communication cost of list schedulers' ranks. With a network it is the
// mean over ordered pairs of distinct nodes of the pair's latency plus
// bytes over its bandwidth (links left out).
func (v *View) MeanTransferTime(bytes int64) Time {
	if v.dag == nil {
		return 0
	}
	if d := v.dag; d.net != nil {
		f := d.meanLat
		if bytes > 0 {
			f += float64(float64(bytes) * d.meanInv * float64(Second))
		}
		if f >= float64(MaxTime/4) {
			return MaxTime / 4
		}
		return Time(math.Round(f))
	}
	t := v.dag.tr.Latency
	if bw := v.dag.tr.Bandwidth; bw > 0 && bytes > 0 {
		t += Time(math.Round(float64(bytes) / bw * float64(Second)))
	}
	return t
}

// Dispatch is the per-node dispatch time of the dispatch model
// (Central.Dispatch; 0: none): each start on a node takes this long, one
// at a time.
func (v *View) Dispatch() Time {
	if v.dag == nil {
		return 0
	}
	return v.dag.dispatch
}

// DispatchFree is when node i's last start queued so far ends under the
// dispatch model (0 without it).
func (v *View) DispatchFree(i int) Time {
	if v.dag == nil || v.dag.dispFree == nil {
		return 0
	}
	return v.dag.dispFree[i]
}

// EdgeBytes is the data that edge e of a task carries: its own amount, or
// its parent's OutputBytes (0 when the parent is unknown).
func (v *View) EdgeBytes(e Edge) int64 {
	if e.Bytes >= 0 {
		return e.Bytes
	}
	if v.dag != nil {
		if p := v.dag.tasks[e.Parent]; p != nil {
			return p.out
		}
	}
	return 0
}

// ParentDone reports where and when a completed task of a workflow in
// flight ran (ok false when it has not completed or is unknown).
func (v *View) ParentDone(id int64) (node int, finish Time, ok bool) {
	if v.dag == nil {
		return -1, 0, false
	}
	p := v.dag.tasks[id]
	if p == nil || !p.ended || p.status != Completed {
		return -1, 0, false
	}
	return int(p.node), p.finish, true
}

// DataReady is when every completed parent's output would be on node i:
// the earliest time t's work could start there (now, for a task without
// parents). Under the dispatch model (Central.Dispatch) it is also no
// earlier than the end of t's own start on node i, after the starts
// already queued there.
func (v *View) DataReady(t *Task, i int) Time {
	r := v.now
	if v.dag != nil && v.dag.dispatch > 0 {
		r = satAdd(max(r, v.dag.dispFree[i]), v.dag.dispatch)
	}
	for _, e := range t.ParentEdges() {
		if n, f, ok := v.ParentDone(e.Parent); ok {
			r = max(r, f+v.TransferTime(n, i, v.EdgeBytes(e)))
		}
	}
	return r
}

// Runtime is how long t is expected to run on node i: the runtime table's
// entry for t's class on the node's group where there is one, else its
// estimate (its work when it has none) at the node's speed. It is what
// list schedulers plan with; the engine runs the task for the table's
// entry, or its work at the node's speed.
func (v *View) Runtime(t *Task, i int) Time {
	if v.dag != nil {
		if d, ok := v.dag.table(t, i); ok {
			return d
		}
	}
	return Time(float64(t.estimate())/v.specs[i].Speed + 0.5)
}

func (d *dagState) table(t *Task, i int) (Time, bool) {
	if d.runtimes == nil {
		return 0, false
	}
	row, ok := d.runtimes[t.Class]
	if !ok {
		return 0, false
	}
	r, ok := row[d.specs[i].Group]
	return r, ok
}

// minRuntime is t's shortest expected runtime on any node.
func (d *dagState) minRuntime(t *Task) Time {
	best := Time(float64(t.estimate())/d.maxSpeed + 0.5)
	if row, ok := d.runtimes[t.Class]; ok {
		best = MaxTime
		for i := range d.specs {
			if r, ok := row[d.specs[i].Group]; ok {
				best = min(best, r)
			} else {
				best = min(best, Time(float64(t.estimate())/d.specs[i].Speed+0.5))
			}
		}
	}
	return best
}

// dagArrive registers slot s's task when it belongs to a workflow. It
// reports whether the task is ready (joins the pending queue now).
func (e *Scheduler) dagArrive(s int32) bool {
	t := &e.slab[s].t
	if t.Workflow == "" {
		if len(t.ParentEdges()) > 0 {
			e.err = fmt.Errorf("sim: task %d names parents but no workflow", t.ID)
		}
		return true
	}
	d := e.dag
	if d.tasks == nil {
		d.tasks, d.flows = map[int64]*dagTask{}, map[string]*dagFlow{}
	}
	f := d.open
	if f == nil || f.name != t.Workflow {
		if f != nil {
			e.dagClose()
		}
		if d.flows[t.Workflow] != nil {
			e.err = fmt.Errorf("sim: task %d of workflow %q arrives after tasks of another workflow: a workflow's tasks must follow one another", t.ID, t.Workflow)
			return false
		}
		f = &dagFlow{name: t.Workflow, arrival: t.Arrival}
		d.flows[f.name] = f
		d.open = f
	}
	if t.Arrival != f.arrival {
		e.err = fmt.Errorf("sim: task %d of workflow %q arrives at %v, the workflow at %v: a workflow arrives whole", t.ID, t.Workflow, t.Arrival, f.arrival)
		return false
	}
	if d.tasks[t.ID] != nil {
		e.err = fmt.Errorf("sim: task id %d appears twice in workflow %q", t.ID, t.Workflow)
		return false
	}
	n := &dagTask{slot: s, flow: f, node: -1, out: t.OutputBytes}
	d.tasks[t.ID] = n
	f.ids = append(f.ids, t.ID)
	run := d.minRuntime(t)
	f.minWork += run
	for _, ed := range t.ParentEdges() {
		p := d.tasks[ed.Parent]
		if p == nil || p.flow != f {
			e.err = fmt.Errorf("sim: task %d of workflow %q names parent %d, which is not an earlier task of that workflow", t.ID, t.Workflow, ed.Parent)
			return false
		}
		n.cp = max(n.cp, p.cp)
		if !p.ended {
			n.waiting++
			p.children = append(p.children, t.ID)
		}
	}
	n.cp += run
	f.cp = max(f.cp, n.cp)
	e.slab[s].state = stWaiting
	if n.waiting > 0 {
		return false
	}
	e.slab[s].state = stPending
	return true
}

// dagAfterRead closes the open workflow when the next task (if any) is
// not one of its tasks.
func (e *Scheduler) dagAfterRead() {
	f := e.dag.open
	if f == nil || e.err != nil {
		return
	}
	if e.nextSlot >= 0 && e.slab[e.nextSlot].t.Workflow == f.name {
		return
	}
	e.dagClose()
}

// dagClose ends the open workflow's arrival and tells the strategy.
func (e *Scheduler) dagClose() {
	d := e.dag
	f := d.open
	d.open = nil
	f.closed = true
	if e.wfObs != nil {
		d.ptrs = d.ptrs[:0]
		for _, id := range f.ids {
			if n := d.tasks[id]; n.slot >= 0 {
				d.ptrs = append(d.ptrs, &e.slab[n.slot].t)
			}
		}
		e.wfObs.Submitted(e.view, d.ptrs)
		clear(d.ptrs)
	}
	e.dagRetire(f)
}

// satAdd is a + b (both >= 0), at most MaxTime/4: past any run, and far
// enough below MaxTime that adding a runtime cannot wrap (the engine then
// refuses a finish past the end of representable time).
func satAdd(a, b Time) Time {
	if a >= MaxTime/4-b {
		return MaxTime / 4
	}
	return a + b
}

// stageIn is how long slot s's task, placed on node i now, waits for its
// parents' data; it counts the data moved.
func (e *Scheduler) stageIn(s int32, i int) Time {
	t := &e.slab[s].t
	if len(t.ParentEdges()) == 0 && e.dag.dispatch == 0 {
		return 0
	}
	ready := e.view.DataReady(t, i)
	if e.dag.dispatch > 0 {
		e.dag.dispFree[i] = satAdd(max(e.now, e.dag.dispFree[i]), e.dag.dispatch)
		if e.dag.dispFree[i] == MaxTime/4 {
			e.err = fmt.Errorf("sim: task %d would start after the end of representable time (dispatch %v per start)", t.ID, e.dag.dispatch)
			return 0
		}
	}
	for _, ed := range t.ParentEdges() {
		if n, f, ok := e.view.ParentDone(ed.Parent); ok && n != i {
			bytes := e.view.EdgeBytes(ed)
			e.dag.res.DataMovedBytes += bytes
			e.dag.res.Transfers++
			if lf := e.dag.linkFree; lf != nil {
				start := max(f, lf[n], lf[i])
				end := satAdd(start, e.view.TransferTime(n, i, bytes))
				lf[n], lf[i] = end, end
				ready = max(ready, end)
			}
		}
	}
	return ready - e.now
}

// dagEnd records the end of slot s's task: its children become ready when
// it completed, or are dropped when it did not.
func (e *Scheduler) dagEnd(s int32, node int, st Status) {
	t := &e.slab[s].t
	if t.Workflow == "" {
		return
	}
	d := e.dag
	n := d.tasks[t.ID]
	if n == nil || n.slot != s {
		return
	}
	n.slot, n.ended, n.status, n.node, n.finish = -1, true, st, int32(node), e.now
	f := n.flow
	f.ended++
	f.last = max(f.last, e.now)
	if st != Completed {
		f.failed = true
	}
	for _, c := range n.children {
		cn := d.tasks[c]
		if cn == nil || cn.ended {
			continue
		}
		if st != Completed {
			if cs := cn.slot; e.slab[cs].state == stWaiting {
				cn.waiting = -1
				e.unschedulable(cs)
			}
			continue
		}
		if cn.waiting--; cn.waiting == 0 {
			e.slab[cn.slot].state = stPending
			e.enqueue(cn.slot)
			e.dirty = true
		}
	}
	e.dagRetire(f)
}

// dagRetire forgets a workflow whose tasks have all arrived and ended,
// adding it to the figures.
func (e *Scheduler) dagRetire(f *dagFlow) {
	if !f.closed || f.ended < len(f.ids) {
		return
	}
	d := e.dag
	for _, id := range f.ids {
		delete(d.tasks, id)
	}
	delete(d.flows, f.name)
	if f.failed {
		return
	}
	resp := (f.last - f.arrival).Seconds()
	d.res.Workflows++
	d.respSum += resp
	d.res.MaxResponseS = max(d.res.MaxResponseS, resp)
	d.cpSum += f.cp.Seconds()
	if resp > 0 {
		d.slrSum += resp / f.cp.Seconds()
		d.spdSum += f.minWork.Seconds() / resp
	}
}

// result is the workflow figures, nil when no workflow ran.
func (d *dagState) result() *WorkflowResult {
	if d.tasks == nil {
		return nil
	}
	r := d.res
	if k := float64(r.Workflows); k > 0 {
		r.MeanResponseS = d.respSum / k
		r.MeanSLR = d.slrSum / k
		r.MeanSpeedup = d.spdSum / k
		r.CriticalPathS = d.cpSum / k
	}
	return &r
}

// selectCycle places ready tasks as a Selector strategy chooses.
func (e *Scheduler) selectCycle() {
	for len(e.pending) > 0 && e.err == nil {
		e.ready = e.ready[:0]
		for _, s := range e.pending {
			e.ready = append(e.ready, &e.slab[s].t)
		}
		e.pl.Node, e.pl.GPUs = -1, e.pl.GPUs[:0]
		k := e.sel.Select(e.view, e.ready, &e.pl)
		if k < 0 {
			break
		}
		if k >= len(e.pending) || e.pl.Node < 0 || e.pl.Node >= len(e.cfg.Nodes) {
			e.err = fmt.Errorf("sim: strategy %s selected ready task %d on node %d, out of range", e.strat.Name(), k, e.pl.Node)
			break
		}
		s := e.pending[k]
		if t := &e.slab[s].t; t.Nodes > 1 && !e.chooseGang(t) {
			break // a gang goes first-fit; it waits for k nodes
		} else if len(e.pl.GPUs) == 0 && t.GPURequest() > 0 {
			e.pl.GPUs = e.view.PickGPUs(e.pl.Node, t, e.pl.GPUs)
		}
		e.pending = append(e.pending[:k], e.pending[k+1:]...)
		e.startTask(s)
	}
	clear(e.ready)
}
