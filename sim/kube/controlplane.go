package kube

import "slices"

// Second is one second of simulated time, in nanoseconds.
const Second int64 = 1_000_000_000

// Config holds the control plane's timings. DefaultConfig gives
// Kubernetes' defaults; each is overridable.
type Config struct {
	// NodeMonitorPeriod is how often the node lifecycle controller checks
	// node heartbeats (kube-controller-manager --node-monitor-period, 5s).
	NodeMonitorPeriod int64
	// NodeMonitorGracePeriod is how long a node may miss heartbeats before
	// it is NotReady (--node-monitor-grace-period: 50s in current
	// releases, 40s before v1.32).
	NodeMonitorGracePeriod int64
	// NodeHeartbeat is how often a kubelet renews its node Lease (10s:
	// a quarter of the 40 s lease duration, kubelet nodeLeaseDurationSeconds).
	NodeHeartbeat int64
	// TolerationSeconds is how long pods tolerate the not-ready and
	// unreachable NoExecute taints before eviction (the
	// DefaultTolerationSeconds admission plugin: 300s).
	TolerationSeconds int64
	// BackoffInitial, BackoffMax and BackoffReset are the kubelet's
	// CrashLoopBackOff: 10s, doubling per crash up to 5m, reset after a
	// container ran 10m without crashing (pkg/kubelet: backOffPeriod,
	// MaxContainerBackOff; the backoff entry expires after 2·MaxContainerBackOff).
	BackoffInitial, BackoffMax, BackoffReset int64
	// Grace is terminationGracePeriodSeconds when a pod sets none (30s).
	Grace int64
	// ReadinessPeriod is the readiness probe's periodSeconds when a
	// workload sets none (10s).
	ReadinessPeriod int64
	// DrainRetry is how often a drain retries evictions a PodDisruptionBudget
	// refused (kubectl drain: 5s).
	DrainRetry int64
}

// DefaultConfig is Kubernetes' defaults (each field's documentation names
// its source).
func DefaultConfig() Config {
	return Config{NodeMonitorPeriod: 5 * Second, NodeMonitorGracePeriod: 50 * Second, NodeHeartbeat: 10 * Second,
		TolerationSeconds: 300 * Second, BackoffInitial: 10 * Second, BackoffMax: 300 * Second, BackoffReset: 600 * Second,
		Grace: 30 * Second, ReadinessPeriod: 10 * Second, DrainRetry: 5 * Second}
}

// Event is one entry of the run's event log, as `kubectl get events`
// shows it: when, the object ("Pod/web-1", "Node/n1", ...), the reason
// (Scheduled, Started, Ready, Killing, Evicted, BackOff, NodeNotReady,
// ScalingReplicaSet, SuccessfulRescale, ScaledUpGroup, ...) and a message.
type Event struct {
	Time    int64
	Object  string
	Reason  string
	Message string
}

// PodPhase is where a pod is in its life.
type PodPhase uint8

// Pod phases: Pending (not bound), Starting (bound, image pull and start),
// Running (container running; Ready says whether it passes readiness),
// BackOff (crashed, waiting to restart), Terminating (deleted, in its grace
// period), Gone.
const (
	PodPending PodPhase = iota
	PodStarting
	PodRunning
	PodBackOff
	PodTerminating
	PodGone
)

// PodState is a pod of the control plane and what happened to it.
// Times are nanoseconds, -1 when not yet.
type PodState struct {
	Pod     *Pod
	Phase   PodPhase
	Node    int
	Created int64
	Bound   int64
	// Started is the latest container start, ReadySince when it last
	// became Ready (-1 while not Ready).
	Started    int64
	ReadySince int64
	Restarts   int
	// Ended is when the pod left (deleted and terminated), -1 while not;
	// Reason why: Killing (scaled down or rolled), Evicted, ...
	Ended   int64
	Reason  string
	crashes int // since the backoff was last reset
	rs      *ReplicaSet
	gen     int   // bumped on every change of phase, voiding older timers
	idx     int32 // in ControlPlane.pods
}

// Ready reports whether the pod passes readiness (it receives traffic).
func (ps *PodState) Ready() bool { return ps.ReadySince >= 0 }

// ControlPlane runs the controllers over one Cluster on a Clock: the
// scheduler (the profile's filters and scores; no preemption here), the
// kubelet (start-up, readiness, restarts), ReplicaSets and Deployments,
// the node lifecycle controller, HorizontalPodAutoscalers and the
// cluster autoscaler. Each controller lives in its own file.
type ControlPlane struct {
	cfg   Config
	Clock *Clock
	c     *Cluster
	s     *Scheduler

	pods        []*PodState
	pending     []*PodState
	deployments []*Deployment
	nodes       []nodeState
	hpas        []*HPA
	ca          *Autoscaler
	pdbs        []*PDB

	schedQueued bool
	log         eventLog // the event log (eventlog.go)
	events      []Event  // log formatted, as far as Events was asked
	// OnEvent, when set, sees each event as it happens.
	OnEvent func(Event)
	// OnNotReady, when set, is called when node i turns NotReady for
	// each pod bound there that this control plane did not create (a
	// Job's or bare pod of the central engine, a snapshot's pod), with
	// how long the pod tolerates the node.kubernetes.io/unreachable
	// NoExecute taint, as the taint manager computes it for the control
	// plane's own pods (0: at once, -1: for ever): the pod's owner evicts
	// it then, unless the node is back first.
	OnNotReady func(p *Pod, i int, stay int64)
	// ExternalPending, when set, lists the pods this control plane did
	// not create (the central engine's Jobs' and bare pods) that wait
	// for room now: the cluster autoscaler's scale-up counts them after
	// its own pending pods, in the order given.
	ExternalPending func() []*Pod
	// ExternalEvict, when set, is the cluster autoscaler's scale-down
	// asking about a pod bound to a node it would remove that this
	// control plane did not create: with evict false, whether the pod
	// may be evicted (its controller recreates it; a pod without one
	// blocks the removal, as cluster-autoscaler's FAQ says); with evict
	// true, to evict it, after which its owner calls ExternalPodGone
	// when it has left the node. Without it such pods block removal.
	ExternalEvict func(p *Pod, evict bool) bool
}

// LogEvent adds an event of an object the control plane does not manage
// (a pod of the central engine: Object "Pod/NAME") to the event log, at
// the clock's time.
func (cp *ControlPlane) LogEvent(object, reason, message string) {
	cp.event(object, reason, "%s", message)
}

// NewControlPlane makes a control plane over the scheduler's cluster.
func NewControlPlane(s *Scheduler, cfg Config) *ControlPlane {
	cp := &ControlPlane{cfg: cfg, Clock: &Clock{}, c: s.c, s: s}
	cp.nodes = make([]nodeState, s.c.Len())
	return cp
}

// Cluster is the control plane's cluster.
func (cp *ControlPlane) Cluster() *Cluster { return cp.c }

// Pods lists every pod created so far, in creation order.
func (cp *ControlPlane) Pods() []*PodState { return cp.pods }

// SetPDBs sets the PodDisruptionBudgets drains respect.
func (cp *ControlPlane) SetPDBs(pdbs []*PDB) { cp.pdbs = pdbs }

// Run advances the clock to t, running every controller action due.
func (cp *ControlPlane) Run(t int64) { cp.Clock.RunUntil(t) }

// podAndState holds a pod the control plane creates and its record in one
// allocation: they live as long as each other.
type podAndState struct {
	pod Pod
	ps  PodState
}

// createPod adds the pod b holds, of rs (nil: a bare pod), and queues it
// for scheduling.
func (cp *ControlPlane) createPod(b *podAndState, rs *ReplicaSet) *PodState {
	p, ps := &b.pod, &b.ps
	*ps = PodState{Pod: p, Node: -1, Created: cp.Clock.Now(), Bound: -1, Started: -1, ReadySince: -1, Ended: -1, rs: rs, idx: int32(len(cp.pods))}
	cp.pods = append(cp.pods, ps)
	p.state = ps
	cp.pending = append(cp.pending, ps)
	cp.queueSchedule()
	return ps
}

// queueSchedule runs a scheduling pass at the current instant, after
// whatever else happens at it.
func (cp *ControlPlane) queueSchedule() {
	if cp.schedQueued {
		return
	}
	cp.schedQueued = true
	cp.Clock.At(cp.Clock.Now(), cp.schedulePass)
}

// schedulePass tries every pending pod, by priority then creation (the
// scheduling queue's PrioritySort), binding those that fit.
func (cp *ControlPlane) schedulePass() {
	cp.schedQueued = false
	slices.SortStableFunc(cp.pending, func(a, b *PodState) int {
		if a.Pod.Priority != b.Pod.Priority {
			return int(b.Pod.Priority) - int(a.Pod.Priority)
		}
		return 0
	})
	keep := cp.pending[:0]
	for _, ps := range cp.pending {
		if ps.Phase != PodPending {
			continue
		}
		i, err := cp.s.Schedule(ps.Pod, -1)
		if err != nil {
			keep = append(keep, ps)
			continue
		}
		cp.bind(ps, i)
	}
	clear(cp.pending[len(keep):])
	cp.pending = keep
}

// Pending lists the pods waiting to be scheduled.
func (cp *ControlPlane) Pending() []*PodState { return cp.pending }

func (cp *ControlPlane) bind(ps *PodState, i int) {
	_ = cp.c.Bind(ps.Pod, i)
	ps.Node, ps.Bound, ps.Phase = i, cp.Clock.Now(), PodStarting
	ps.Pod.Start = cp.Clock.Now()
	ps.gen++
	cp.podEvent(ps, "Scheduled", msgScheduled, i, 0)
	cp.kubeletStart(ps)
}

// deletePod starts a pod's graceful deletion (reason: the event's, e.g.
// Killing); it leaves its node after the grace period (at once if it was
// never bound, or its node is down).
func (cp *ControlPlane) deletePod(ps *PodState, reason string) {
	if ps.Phase == PodTerminating || ps.Phase == PodGone {
		return
	}
	wasReady := ps.Ready()
	ps.ReadySince = -1
	ps.Reason = reason
	ps.gen++
	if ps.rs != nil {
		ps.rs.remove(ps)
	}
	if ps.Phase == PodPending {
		ps.Phase, ps.Ended = PodGone, cp.Clock.Now()
		return
	}
	ps.Phase = PodTerminating
	if ps.rs != nil {
		ps.rs.d.terminating++
	}
	cp.podEvent(ps, reason, msgStopping, 0, 0)
	grace := cp.grace(ps)
	if cp.nodes[ps.Node].failed {
		grace = 0 // nothing runs there to wait for
	}
	gen := ps.gen
	cp.Clock.After(grace, func() {
		if ps.gen == gen {
			cp.podGone(ps)
		}
	})
	if wasReady && ps.rs != nil {
		ps.rs.d.changed(cp)
	}
}

// Preempted deletes pod p, one of this control plane's, as a victim of
// preemption by a pod scheduled elsewhere (a Job's pod of the run's
// engine): it terminates after its grace period and its ReplicaSet
// replaces it, as kube-scheduler's preemption deletes a victim through
// the API. It reports false for a pod this control plane did not create.
func (cp *ControlPlane) Preempted(p *Pod) bool {
	ps := cp.stateOf(p)
	if ps == nil {
		return false
	}
	cp.deletePod(ps, "Preempted")
	return true
}

func (cp *ControlPlane) grace(ps *PodState) int64 {
	if ps.rs != nil && ps.rs.d.Spec.Grace > 0 {
		return ps.rs.d.Spec.Grace
	}
	return cp.cfg.Grace
}

// podGone removes a terminated pod from its node.
func (cp *ControlPlane) podGone(ps *PodState) {
	if ps.Node >= 0 && cp.c.NodeOf(ps.Pod) >= 0 {
		_ = cp.c.Unbind(ps.Pod)
	}
	if ps.rs != nil && ps.Phase == PodTerminating {
		ps.rs.d.terminating--
	}
	ps.Phase, ps.Ended = PodGone, cp.Clock.Now()
	ps.gen++
	cp.queueSchedule()
	if ps.rs != nil {
		ps.rs.d.changed(cp) // Recreate waits for old pods to be gone
	}
	if cp.ca != nil {
		cp.ca.podGone(cp, ps)
	}
}
