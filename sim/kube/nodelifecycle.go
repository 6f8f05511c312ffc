package kube

import "slices"

// The node lifecycle controller and node faults. A failed machine stops
// renewing its Lease; the controller, checking every NodeMonitorPeriod,
// marks it NotReady at the first check more than NodeMonitorGracePeriod
// after it last saw a renewal (renewals every NodeHeartbeat; the
// controller sees one at its first check at or after it), taints it
// node.kubernetes.io/unreachable (NoSchedule and NoExecute) and marks its
// pods not Ready; pods tolerate the NoExecute taint for their toleration's
// tolerationSeconds (TolerationSeconds by default, for ever with a
// toleration that sets none; tolerationTime), then are evicted: deleted at
// once (nothing runs there to wait for), and their ReplicaSets create
// replacements. A node that comes back is Ready at the next check, its
// taints removed. Drain cordons a node and evicts its pods as
// PodDisruptionBudgets allow, retrying every DrainRetry.

// Taint keys the node lifecycle controller, drains and the cluster
// autoscaler set.
const (
	TaintUnreachable   = "node.kubernetes.io/unreachable"
	TaintUnschedulable = "node.kubernetes.io/unschedulable"
	TaintToBeDeleted   = "ToBeDeletedByClusterAutoscaler"
)

type nodeState struct {
	failed   bool
	notReady bool
	failedAt int64
	gen      int
}

func (cp *ControlPlane) growNodes() {
	for len(cp.nodes) < cp.c.Len() {
		cp.nodes = append(cp.nodes, nodeState{})
	}
}

// FailNode makes node i's machine fail now.
func (cp *ControlPlane) FailNode(i int) {
	cp.growNodes()
	ns := &cp.nodes[i]
	if ns.failed {
		return
	}
	now := cp.Clock.Now()
	ns.failed, ns.failedAt = true, now
	ns.gen++
	name := "Node/" + cp.c.Node(i).Name
	cp.event(name, "NodeFailed", "machine failed")
	// Containers on the dead machine stop: their kubelet timers are void;
	// their Deployments count the time to all replicas Ready again.
	for _, p := range cp.c.Pods(i) {
		if ps := cp.stateOf(p); ps != nil && ps.Phase != PodTerminating {
			ps.gen++
			if ps.rs != nil && ps.rs.d.faultAt < 0 {
				ps.rs.d.faultAt = now
			}
		}
	}
	// The last Lease renewal, when the controller saw it, and the first
	// check after the grace period.
	hb := now / cp.cfg.NodeHeartbeat * cp.cfg.NodeHeartbeat
	per := cp.cfg.NodeMonitorPeriod
	seen := (hb + per - 1) / per * per
	notReady := (seen+cp.cfg.NodeMonitorGracePeriod)/per*per + per
	gen := ns.gen
	cp.Clock.At(notReady, func() {
		if ns.gen == gen {
			cp.markNotReady(i)
		}
	})
}

// FailZone fails every node whose zone label is zone.
func (cp *ControlPlane) FailZone(zone string) {
	for i := 0; i < cp.c.Len(); i++ {
		if !cp.c.Gone(i) && cp.c.Node(i).Labels[LabelZone] == zone {
			cp.FailNode(i)
		}
	}
}

func (cp *ControlPlane) markNotReady(i int) {
	ns := &cp.nodes[i]
	ns.notReady = true
	n := cp.c.Node(i)
	cp.event("Node/"+n.Name, "NodeNotReady", "Node %s status is now: NodeNotReady", n.Name)
	taints := append([]Taint{}, n.Taints...)
	taints = append(taints, Taint{Key: TaintUnreachable, Effect: NoSchedule}, Taint{Key: TaintUnreachable, Effect: NoExecute})
	cp.c.SetTaints(i, taints)
	for _, p := range cp.c.Pods(i) {
		ps := cp.stateOf(p)
		if ps == nil {
			if cp.OnNotReady != nil {
				cp.OnNotReady(p, i, cp.tolerationTime(p, n.Taints))
			}
			continue
		}
		if ps.Ready() {
			ps.ReadySince = -1
			cp.podEvent(ps, "NodeNotReady", msgNodeNotRdy, 0, 0)
			if ps.rs != nil {
				ps.rs.d.changed(cp)
			}
		}
		stay := cp.tolerationTime(p, n.Taints)
		if stay < 0 {
			continue // tolerated for ever
		}
		gen := ns.gen
		cp.Clock.After(stay, func() {
			if ns.gen == gen && ps.Node == i && ps.Phase != PodTerminating && ps.Phase != PodGone {
				cp.podEvent(ps, "TaintManagerEviction", msgMarkDelete, 0, 0)
				cp.deletePod(ps, "Evicted")
			}
		})
	}
}

// tolerationTime is how long pod p stays on a node with the given taints
// once it is NotReady, as the taint manager computes it
// (pkg/controller/tainteviction: getMinTolerationTime): at once if a
// NoExecute taint is not tolerated; otherwise the smallest
// tolerationSeconds of the tolerations matching the NoExecute taints, -1
// (never evicted) when none of them sets one. Pods without a toleration
// of node.kubernetes.io/unreachable:NoExecute get the
// DefaultTolerationSeconds admission plugin's (Config.TolerationSeconds),
// as they do for not-ready.
func (cp *ControlPlane) tolerationTime(p *Pod, taints []Taint) int64 {
	tols := p.Tolerations
	own := false // the plugin's test: key unreachable or empty, effect NoExecute or empty
	for i := range tols {
		own = own || ((tols[i].Key == TaintUnreachable || tols[i].Key == "") && (tols[i].Effect == NoExecute || tols[i].Effect == ""))
	}
	stay := int64(-1)
	for k := range taints {
		t := &taints[k]
		if t.Effect != NoExecute {
			continue
		}
		matched := false
		if t.Key == TaintUnreachable && !own { // the plugin's toleration
			matched = true
			if stay < 0 || cp.cfg.TolerationSeconds < stay {
				stay = max(cp.cfg.TolerationSeconds, 0)
			}
		}
		for i := range tols {
			tol := &tols[i]
			if !tol.Tolerates(t) {
				continue
			}
			matched = true
			if tol.Seconds == nil {
				continue
			}
			s := max(*tol.Seconds, 0) * Second
			if stay < 0 || s < stay {
				stay = s
			}
		}
		if !matched {
			return 0
		}
	}
	return stay
}

// RecoverNode brings node i's machine back: Ready at the next check.
func (cp *ControlPlane) RecoverNode(i int) {
	ns := &cp.nodes[i]
	if !ns.failed {
		return
	}
	ns.failed = false
	ns.gen++
	if !ns.notReady {
		// Back before the controller noticed: the kubelet, back with the
		// machine, finds its pods' sandboxes gone and starts them again
		// (their timers died with the machine; a pod left as it was would
		// stay Starting, or Ready with no container, for ever). A Ready
		// pod is not Ready until its new container passes its probe.
		for _, p := range cp.c.Pods(i) {
			ps := cp.stateOf(p)
			if ps == nil || ps.Phase == PodTerminating || ps.Phase == PodGone {
				continue
			}
			wasReady := ps.Ready()
			ps.Phase, ps.ReadySince = PodStarting, -1
			ps.gen++
			cp.podEvent(ps, "SandboxChanged", msgSandbox, 0, 0)
			if wasReady && ps.rs != nil {
				ps.rs.d.changed(cp)
			}
			cp.kubeletStart(ps)
		}
		return
	}
	per := cp.cfg.NodeMonitorPeriod
	at := (cp.Clock.Now() + per - 1) / per * per
	gen := ns.gen
	cp.Clock.At(at, func() {
		if ns.gen != gen || !ns.notReady {
			return
		}
		ns.notReady = false
		n := cp.c.Node(i)
		var keep []Taint
		for _, t := range n.Taints {
			if t.Key != TaintUnreachable {
				keep = append(keep, t)
			}
		}
		cp.c.SetTaints(i, keep)
		cp.event("Node/"+n.Name, "NodeReady", "Node %s status is now: NodeReady", n.Name)
		// The machine came back: the kubelet starts the pods still bound
		// to it again (those not yet evicted).
		for _, p := range cp.c.Pods(i) {
			if ps := cp.stateOf(p); ps != nil && ps.Phase != PodTerminating && ps.Phase != PodGone {
				ps.Phase = PodStarting
				ps.gen++
				cp.kubeletStart(ps)
			}
		}
		cp.queueSchedule()
	})
}

// NodeReady reports whether node i is Ready as the control plane sees it.
func (cp *ControlPlane) NodeReady(i int) bool {
	return i < len(cp.nodes) && !cp.nodes[i].notReady || i >= len(cp.nodes)
}

// stateOf finds the PodState of a bound pod: nil for a pod this control
// plane did not create (a copy of one of its pods included).
func (cp *ControlPlane) stateOf(p *Pod) *PodState {
	if ps := p.state; ps != nil && ps.Pod == p && int(ps.idx) < len(cp.pods) && cp.pods[ps.idx] == ps {
		return ps
	}
	return nil
}

// NodeFailed reports whether node i's machine is down now (failed and not
// yet recovered), whatever the controller has noticed of it.
func (cp *ControlPlane) NodeFailed(i int) bool { return i < len(cp.nodes) && cp.nodes[i].failed }

// Drain cordons node i and evicts its pods through the eviction API:
// an eviction that would violate a PodDisruptionBudget is refused and
// retried every DrainRetry, as kubectl drain does.
func (cp *ControlPlane) Drain(i int) {
	n := cp.c.Node(i)
	n.Unschedulable = true
	cp.c.NodeUpdated(i)
	cp.event("Node/"+n.Name, "NodeNotSchedulable", "Node %s status is now: NodeNotSchedulable", n.Name)
	cp.drainStep(i)
}

func (cp *ControlPlane) drainStep(i int) {
	left := false
	for _, p := range slices.Clone(cp.c.Pods(i)) {
		ps := cp.stateOf(p)
		if ps == nil || ps.Phase == PodTerminating {
			continue
		}
		if !cp.evictionAllowed(ps) {
			left = true
			continue
		}
		cp.podEvent(ps, "Evicted", msgDrain, i, 0)
		cp.deletePod(ps, "Killing")
	}
	if left {
		cp.Clock.After(cp.cfg.DrainRetry, func() { cp.drainStep(i) })
		return
	}
	cp.event("Node/"+cp.c.Node(i).Name, "Drained", "all pods evicted")
}

// evictionAllowed is the eviction API's PDB check: every budget covering
// the pod must allow one more disruption, counting Ready pods as healthy.
func (cp *ControlPlane) evictionAllowed(ps *PodState) bool {
	for _, b := range cp.pdbs {
		if !b.matches(ps.Pod) {
			continue
		}
		var healthy int32
		for _, q := range cp.pods {
			if q.Ready() && b.matches(q.Pod) {
				healthy++
			}
		}
		if b.allowed(healthy) < 1 {
			return false
		}
	}
	return true
}
