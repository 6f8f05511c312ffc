package sim

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
	load  []NodeLoad

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

// NewView returns a View of the given nodes, all idle and up at time 0.
func NewView(specs []NodeSpec) *View {
	v := &View{specs: specs, load: make([]NodeLoad, len(specs)),
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

// Load returns node i's observable state.
func (v *View) Load(i int) NodeLoad { return v.load[i] }

// SetNow sets the current time. It is for executors (the engine, realexec).
func (v *View) SetNow(t Time) { v.now = t }

// SetLoad records node i's state. It is for executors (the engine, realexec).
func (v *View) SetLoad(i int, l NodeLoad) { v.load[i] = l; v.changed(i) }
