package sim

import "unsafe"

// View is what a strategy may see of the cluster at the moment it decides:
// each node's specification, how many tasks it is serving and queueing, and
// whether health checks report it up. It holds no service times of queued
// work and nothing about the future (rule 3 of the design).
//
// The simulator keeps one View up to date as events happen; the real
// executor fills one from what live nodes report. Strategies must treat it
// as read-only and must not keep pointers into it past the call.
type View struct {
	now   Time
	specs []NodeSpec
	load  []vnode

	// Allocation, for central queueing (resources.go).
	cpuUsed, memUsed []int64
	gpuFree          []int32 // free thousandths of every GPU, node by node
	gpuOff           []int32 // node i's GPUs are gpuFree[gpuOff[i]:gpuOff[i+1]]
	shapes           []TaskShape

	// Network (network.go): region names, each node's region index, the
	// configured round-trip times between regions (row-major), and the
	// origin region of the task being decided.
	regions    []string
	nodeRegion []int32
	rtt        []Time
	origin     int32

	dag *dagState // workflows in flight (central queueing)

	// Load indexes strategies asked for (TrackLoad), kept current by
	// changed.
	indexes []*LoadIndex
	// Functions strategies asked to be called on every change (Watch).
	watchers []func(i int)
	logs     []*ChangeLog // change logs (TrackChanges), kept by changed
}

// NodeLoad is the observable state of one node.
type NodeLoad struct {
	Active int32 // tasks being served
	Queued int32 // tasks waiting in the node's queue
	Down   bool  // reported down by health checks (not necessarily really down)
	// Out is true while the node is not in the pool: not yet provisioned
	// by an autoscaler, removed, or drained for maintenance. Membership
	// is known at once (service discovery), unlike health.
	Out bool
}

// vnode is a node's entry in the View: its observable state (NodeLoad's
// fields, flat) and, on the same 64-byte line, the engine's fast-path
// record of the node when every node has one slot (fast.go, "per-node
// records"): the task in service and the node's totals. A request then
// touches one line of the node it is sent to (which the strategy has just
// read) and one of the node that completes, where separate arrays cost a
// cache miss each at 10^6 nodes. Other executors leave the record zero.
type vnode struct {
	Active, Queued int32
	Down, Out      bool

	// The fast path's per-node record (the engine's only).
	measured             bool  // the task in service is measured
	tail                 int32 // the node's FIFO's last entry (its next is the first), -1: empty
	arrival, start, work Time  // the task in service
	busy                 int64 // service time of the tasks completed here, ns
	nwork                int64 // work (ns at speed 1) of measured tasks completed here
	served               int64 // measured tasks completed here
}

// NewView returns a View of the given nodes, all idle and up at time 0.
func NewView(specs []NodeSpec) *View {
	v := &View{specs: specs, load: make([]vnode, len(specs)),
		cpuUsed: make([]int64, len(specs)), memUsed: make([]int64, len(specs)),
		gpuOff: make([]int32, len(specs)+1), origin: -1}
	for i := range specs {
		v.gpuOff[i+1] = v.gpuOff[i] + int32(max(specs[i].GPUs, 0))
	}
	v.gpuFree = make([]int32, v.gpuOff[len(specs)])
	for g := range v.gpuFree {
		v.gpuFree[g] = GPUMilliPerGPU
	}
	return v
}

// Now is the current simulated (or, in real execution, elapsed) time.
func (v *View) Now() Time { return v.now }

// Len is the number of nodes; nodes are indexed 0..Len()-1.
func (v *View) Len() int { return len(v.specs) }

// Spec returns node i's specification. The result must not be modified.
func (v *View) Spec(i int) *NodeSpec { return &v.specs[i] }

// Active is the number of tasks node i is serving.
func (v *View) Active(i int) int { return int(v.load[i].Active) }

// Queued is the number of tasks waiting in node i's queue.
func (v *View) Queued(i int) int { return int(v.load[i].Queued) }

// InSystem is Active plus Queued: the node's outstanding tasks.
func (v *View) InSystem(i int) int { return int(v.load[i].Active + v.load[i].Queued) }

// Healthy reports whether node i is in the pool and up as far as health
// checks know. A node that really failed stays healthy here until the
// checker has seen interval × threshold failed probes.
func (v *View) Healthy(i int) bool { l := &v.load[i]; return !l.Down && !l.Out }

// Member reports whether node i is in the pool (provisioned and not
// drained). Strategies that ignore health checks (DNS-style round robin)
// still send work only to members.
func (v *View) Member(i int) bool { return !v.load[i].Out }

// PrefetchMinNodes is the cluster size from which Prefetch asks for
// anything: below it the View's entries stay in the caches anyway.
const PrefetchMinNodes = 1 << 15

// Prefetch hints that node i's state is about to be read: on clusters of
// PrefetchMinNodes nodes or more it asks the processor to bring node i's
// entry into its caches without waiting for it. A strategy that knows its
// next decision's candidates early (power of two choices draws them from
// a copy of its random stream) calls it so that the cache misses of 10^5
// to 10^6 nodes overlap with other work. It changes no result; an index
// out of range is ignored.
func (v *View) Prefetch(i int) {
	if len(v.load) >= PrefetchMinNodes && uint(i) < uint(len(v.load)) {
		prefetchLine(unsafe.Pointer(&v.load[i]))
	}
}

// Load returns node i's observable state.
func (v *View) Load(i int) NodeLoad {
	l := &v.load[i]
	return NodeLoad{Active: l.Active, Queued: l.Queued, Down: l.Down, Out: l.Out}
}

// SetNow sets the current time. It is for executors (the engine, realexec).
func (v *View) SetNow(t Time) { v.now = t }

// SetLoad records node i's state. It is for executors (the engine, realexec).
func (v *View) SetLoad(i int, l NodeLoad) {
	n := &v.load[i]
	n.Active, n.Queued, n.Down, n.Out = l.Active, l.Queued, l.Down, l.Out
	v.changed(i)
}
