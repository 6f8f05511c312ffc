package kube

import (
	"fmt"
)

// Filter reasons, worded as kube-scheduler words them in its FitError.
const (
	ReasonUnschedulable      = "node(s) were unschedulable"
	ReasonNodeName           = "node(s) didn't match the requested node name"
	ReasonNodeAffinity       = "node(s) didn't match Pod's node affinity/selector"
	ReasonTooManyPods        = "Too many pods"
	ReasonSpreadNotMatch     = "node(s) didn't match pod topology spread constraints"
	ReasonSpreadMissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)"
	ReasonAffinity           = "node(s) didn't match pod affinity rules"
	ReasonAntiAffinity       = "node(s) didn't match pod anti-affinity rules"
	ReasonExistingAnti       = "node(s) didn't satisfy existing pods anti-affinity rules"
)

// untoleratedReason is TaintToleration's reason for taint t.
func untoleratedReason(t *Taint) string {
	return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)
}

// taintReason is untoleratedReason, formatted once per key and value: a
// zone outage taints a third of the nodes, and every pod scheduled
// meanwhile fails on each of them.
// The last reason is kept apart: the nodes of an outage share one taint,
// whose strings compare by pointer, faster than a map's hash.
func (c *Cluster) taintReason(t *Taint) string {
	if l := &c.lastTaintReason; l.ok && l.key == t.Key && l.value == t.Value {
		return l.reason
	}
	k := [2]string{t.Key, t.Value}
	r, ok := c.taintReasons[k]
	if !ok {
		if c.taintReasons == nil {
			c.taintReasons = map[[2]string]string{}
		}
		r = untoleratedReason(t)
		c.taintReasons[k] = r
	}
	c.lastTaintReason = taintReasonEntry{key: t.Key, value: t.Value, reason: r, ok: true}
	return r
}

type taintReasonEntry struct {
	key, value, reason string
	ok                 bool
}

// Insufficient-resource reasons.
var (
	reasonNoCPU      = "Insufficient " + ResourceCPU
	reasonNoMemory   = "Insufficient " + ResourceMemory
	reasonNoGPU      = "Insufficient " + ResourceGPU
	reasonNoGPUShare = "Insufficient " + GPUShareResource
)

// status is one node's filter outcome: reasons (more than one only for
// NodeResourcesFit) and whether removing pods could help (preemption
// skips nodes whose failure is UnschedulableAndUnresolvable).
type status struct {
	reasons    []string
	unresolved bool
}

// spreadState is PodTopologySpread's PreFilter state for one hard
// constraint: matching pods per domain of the eligible nodes.
type spreadState struct {
	c         *TopologySpreadConstraint
	ti        *topoIndex
	counts    []int32 // per domain
	present   []bool  // domain has an eligible node (nil: all do)
	min       int32
	selfMatch int32
}

// cycleState is what PreFilter works out once per pod.
type cycleState struct {
	pod    *Pod
	spread []spreadState
	// required affinity: one aggregate per term, counting pods that match
	// all terms; affinityAny: some bound pod matches them all
	affinity    []*agg
	affinityAny bool
	selfAffine  bool
	anti        []*agg       // the pod's required anti-affinity terms
	existing    []*termEntry // existing pods' required anti-affinity terms that match the pod
}

func (c *Cluster) preFilter(p *Pod, st *cycleState) {
	*st = cycleState{pod: p, spread: st.spread[:0], affinity: st.affinity[:0], anti: st.anti[:0], existing: st.existing[:0]}
	// InterPodAffinity: existing pods' anti-affinity against this pod.
	for _, e := range c.termSeq {
		if e.kind == reqAnti && e.total > 0 && termMatches(e.term, e.ns, p) {
			st.existing = append(st.existing, e)
		}
	}
	if a := p.Affinity; a != nil {
		if pa := a.PodAffinity; pa != nil && len(pa.Required) > 0 {
			st.selfAffine = true
			for _, t := range pa.Required {
				ag := c.aggregate(aggKey{all: pa, ns: p.Namespace, key: t.TopologyKey})
				st.affinity = append(st.affinity, ag)
				if ag.total > 0 {
					st.affinityAny = true
				}
				if !termMatches(t, p.Namespace, p) {
					st.selfAffine = false
				}
			}
		}
		if pa := a.PodAntiAffinity; pa != nil {
			for _, t := range pa.Required {
				st.anti = append(st.anti, c.termAgg(t, p.Namespace))
			}
		}
	}
	// PodTopologySpread: hard constraints.
	for k := range p.TopologySpread {
		sc := &p.TopologySpread[k]
		if sc.WhenUnsatisfiable != DoNotSchedule {
			continue
		}
		ss := spreadState{c: sc}
		ss.counts, ss.present, ss.ti = c.spreadCounts(p, sc, true)
		ss.min = -1
		domains := 0
		for d, n := range ss.counts {
			if ss.present != nil && !ss.present[d] {
				continue
			}
			domains++
			if ss.min < 0 || n < ss.min {
				ss.min = n
			}
		}
		if ss.min < 0 || int32(domains) < max(sc.MinDomains, 1) {
			ss.min = 0
		}
		if sc.Selector.Matches(p.Labels) {
			ss.selfMatch = 1
		}
		st.spread = append(st.spread, ss)
	}
}

// spreadCounts counts, per domain of sc's topology key, the pods in p's
// namespace matching sc's selector on the nodes that count for p: those
// with every key of p's constraints (of the same kind when hard is set),
// passing p's node affinity (nodeAffinityPolicy Honor) and tolerated
// (nodeTaintsPolicy Honor). present marks the domains of such nodes; nil
// when every domain has one.
func (c *Cluster) spreadCounts(p *Pod, sc *TopologySpreadConstraint, hard bool) (counts []int32, present []bool, ti *topoIndex) {
	ti = c.index(sc.TopologyKey)
	honorAff := sc.NodeAffinityPolicy != Ignore && (len(p.NodeSelector) > 0 || (p.Affinity != nil && p.Affinity.NodeAffinity != nil && p.Affinity.NodeAffinity.Required != nil))
	honorTaints := sc.NodeTaintsPolicy == Honor && c.taintedNS > 0
	allKeys := true
	for k := range p.TopologySpread {
		o := &p.TopologySpread[k]
		if (o.WhenUnsatisfiable == DoNotSchedule) == hard && c.index(o.TopologyKey).missing > 0 {
			allKeys = false
		}
	}
	if !honorAff && !honorTaints && allKeys {
		return c.selectorAgg(sc.Selector, p.Namespace, sc.TopologyKey).counts, nil, ti
	}
	per := c.selectorAgg(sc.Selector, p.Namespace, nodeKey).counts
	counts = make([]int32, len(ti.values))
	present = make([]bool, len(ti.values))
	for i := range c.nodes {
		n := c.nodes[i].node
		d := ti.dom[i]
		if d < 0 || !c.spreadEligible(p, sc, n, hard, honorAff, honorTaints) {
			continue
		}
		present[d] = true
		counts[d] += per[i]
	}
	return counts, present, ti
}

func (c *Cluster) spreadEligible(p *Pod, sc *TopologySpreadConstraint, n *Node, hard, honorAff, honorTaints bool) bool {
	for k := range p.TopologySpread {
		o := &p.TopologySpread[k]
		if (o.WhenUnsatisfiable == DoNotSchedule) == hard {
			if _, ok := n.Labels[o.TopologyKey]; !ok {
				return false
			}
		}
	}
	if honorAff && !requiredNodeMatch(p, n) {
		return false
	}
	if honorTaints && untolerated(n.Taints, p.Tolerations, NoSchedule, NoExecute) != nil {
		return false
	}
	return true
}

// filter runs the default profile's filters on node i in kube-scheduler's
// order and returns whether the pod passes; on failure st holds why.
func (c *Cluster) filter(cs *cycleState, i int, st *status) bool {
	st.reasons = st.reasons[:0]
	st.unresolved = false
	ni := &c.nodes[i]
	n := ni.node
	p := cs.pod
	// NodeUnschedulable: tolerated only by a toleration of the
	// node.kubernetes.io/unschedulable:NoSchedule taint.
	if n.Unschedulable {
		tainted := Taint{Key: "node.kubernetes.io/unschedulable", Effect: NoSchedule}
		if untolerated([]Taint{tainted}, p.Tolerations, NoSchedule) != nil {
			return st.fail(ReasonUnschedulable, true)
		}
	}
	// NodeName.
	if p.NodeName != "" && p.NodeName != n.Name {
		return st.fail(ReasonNodeName, true)
	}
	// TaintToleration: NoSchedule and NoExecute taints.
	if len(n.Taints) > 0 {
		if t := untolerated(n.Taints, p.Tolerations, NoSchedule, NoExecute); t != nil {
			return st.fail(c.taintReason(t), true)
		}
	}
	// NodeAffinity: nodeSelector and required node affinity.
	if (len(p.NodeSelector) > 0 || p.Affinity != nil) && !requiredNodeMatch(p, n) {
		return st.fail(ReasonNodeAffinity, true)
	}
	// NodeResourcesFit.
	a, used, r := &n.Allocatable, &ni.requested, &p.Requests
	if c.nominated != nil && len(c.nominated[i]) > 0 {
		u := *used
		c.nominatedReq(i, p, &u)
		used = &u
	}
	if used.Pods+1 > a.Pods {
		st.reasons = append(st.reasons, ReasonTooManyPods)
	}
	if r.MilliCPU > 0 && used.MilliCPU+r.MilliCPU > a.MilliCPU {
		st.reasons = append(st.reasons, reasonNoCPU)
	}
	if r.Memory > 0 && used.Memory+r.Memory > a.Memory {
		st.reasons = append(st.reasons, reasonNoMemory)
	}
	if r.GPU > 0 && used.GPU+r.GPU > a.GPU {
		st.reasons = append(st.reasons, reasonNoGPU)
	}
	if r.GPUMilli > 0 && used.GPUMilli+r.GPUMilli > a.GPUMilli {
		st.reasons = append(st.reasons, reasonNoGPUShare)
	}
	if len(st.reasons) > 0 {
		return false
	}
	// PodTopologySpread: skew = matching pods in the node's domain + the
	// pod itself - the global minimum (0 while fewer than minDomains
	// domains exist) must not exceed maxSkew.
	for k := range cs.spread {
		ss := &cs.spread[k]
		d := ss.ti.dom[i]
		if d < 0 {
			return st.fail(ReasonSpreadMissingLabel, true)
		}
		if ss.counts[d]+ss.selfMatch-ss.min > ss.c.MaxSkew {
			return st.fail(ReasonSpreadNotMatch, false)
		}
	}
	// InterPodAffinity.
	for _, e := range cs.existing {
		if d := e.ti.dom[i]; d >= 0 && e.counts[d] > 0 {
			return st.fail(ReasonExistingAnti, false)
		}
	}
	for _, a := range cs.anti {
		if d := a.ti.dom[i]; d >= 0 && a.counts[d] > 0 {
			return st.fail(ReasonAntiAffinity, false)
		}
	}
	if len(cs.affinity) > 0 {
		exist := true
		for _, a := range cs.affinity {
			d := a.ti.dom[i]
			if d < 0 {
				return st.fail(ReasonAffinity, true)
			}
			if a.counts[d] <= 0 {
				exist = false
			}
		}
		// The first pod of a group with affinity to itself may go
		// anywhere its terms' keys exist.
		if !exist && !(!cs.affinityAny && cs.selfAffine) {
			return st.fail(ReasonAffinity, true)
		}
	}
	return true
}

func (st *status) fail(reason string, unresolved bool) bool {
	st.reasons = append(st.reasons, reason)
	st.unresolved = unresolved
	return false
}
