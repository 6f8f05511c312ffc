package kube

import (
	"fmt"
	"math/rand/v2"
)

// Autoscaler is the cluster autoscaler over node groups, with its
// defaults (cluster-autoscaler FAQ): every ScanInterval (10 s) it scales
// a group up when pods are pending that a new node of the group would
// fit (the first group in order that fits, as many nodes as first-fit
// packing of those pods needs, within the group's Max; a node joins
// ProvisionDelay after it is requested and costs from the request), and
// scales down a group's node whose requested cpu and memory are both under
// UtilizationThreshold (0.5) of its allocatable and whose pods fit on the
// other nodes, once it has been so for UnneededTime (10 min) and not
// within DelayAfterAdd (10 min) of a scale-up: its pods are evicted and it
// is removed once empty, never below the group's Min. Pods the control
// plane did not create take part through ControlPlane.ExternalPending
// (counted as pending) and ExternalEvict (evicted, or keeping their node).
type Autoscaler struct {
	ScanInterval         int64
	UnneededTime         int64
	DelayAfterAdd        int64
	UtilizationThreshold float64
	Groups               []*NodeGroup

	lastUp   int64
	unneeded map[int]int64
	// covered: pods a requested node is expected to take
	covered map[*Pod]bool
}

// NodeGroup is one group: nodes made from Template, Min to Max of them.
type NodeGroup struct {
	Name           string
	Template       Node
	Min, Max       int
	ProvisionDelay int64
	CostPerHour    float64

	nodes []*groupNode
	seq   int
	// ScaleUps and ScaleDowns count the nodes requested and removed; Peak
	// is the largest size.
	ScaleUps, ScaleDowns, Peak int
}

type groupNode struct {
	name      string
	index     int // cluster index once joined, -1 before
	requested int64
	removed   int64 // -1 while alive
	// pendingRemoval: drained, waiting for its pods to terminate
	pendingRemoval bool
	covers         []*Pod // the pending pods it was requested for
}

// Cost is the group's cost up to time t: each node from its request to
// its removal (or t).
func (g *NodeGroup) Cost(t int64) float64 {
	var c float64
	for _, n := range g.nodes {
		end := t
		if n.removed >= 0 {
			end = min(n.removed, t)
		}
		c += float64(float64(end-n.requested) / float64(3600*Second) * g.CostPerHour)
	}
	return c
}

// Size is the number of the group's nodes requested and not removed.
func (g *NodeGroup) Size() int {
	k := 0
	for _, n := range g.nodes {
		if n.removed < 0 {
			k++
		}
	}
	return k
}

// AddAutoscaler starts the cluster autoscaler; zero fields take the
// defaults. Nodes already in the cluster may belong to a group: pass their
// indexes in initial.
func (cp *ControlPlane) AddAutoscaler(a *Autoscaler, initial map[*NodeGroup][]int) {
	if a.ScanInterval <= 0 {
		a.ScanInterval = 10 * Second
	}
	if a.UnneededTime <= 0 {
		a.UnneededTime = 600 * Second
	}
	if a.DelayAfterAdd <= 0 {
		a.DelayAfterAdd = 600 * Second
	}
	if a.UtilizationThreshold <= 0 {
		a.UtilizationThreshold = 0.5
	}
	a.lastUp = -1 << 62
	a.unneeded, a.covered = map[int]int64{}, map[*Pod]bool{}
	for _, g := range a.Groups {
		for _, i := range initial[g] {
			g.nodes = append(g.nodes, &groupNode{name: cp.c.Node(i).Name, index: i, requested: cp.Clock.Now(), removed: -1})
		}
		g.seq = len(g.nodes) // new nodes are named after the initial ones
	}
	cp.ca = a
	var tick func()
	tick = func() {
		cp.scan(a)
		cp.Clock.After(a.ScanInterval, tick)
	}
	cp.Clock.After(a.ScanInterval, tick)
}

func (cp *ControlPlane) scan(a *Autoscaler) {
	cp.scaleUp(a)
	cp.scaleDown(a)
}

// fitsTemplate reports whether p passes the filters on an empty node
// made from tmpl.
func fitsTemplate(p *Pod, tmpl *Node) bool {
	n := *tmpl
	c, _ := NewCluster([]*Node{&n})
	s, _ := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
	_, err := s.Schedule(p, -1)
	return err == nil
}

func (cp *ControlPlane) scaleUp(a *Autoscaler) {
	now := cp.Clock.Now()
	// The pending pods: the control plane's, then those of ExternalPending.
	var waiting []*Pod
	for _, ps := range cp.pending {
		if ps.Phase == PodPending {
			waiting = append(waiting, ps.Pod)
		}
	}
	if cp.ExternalPending != nil {
		waiting = append(waiting, cp.ExternalPending()...)
	}
	for _, g := range a.Groups {
		var bins []Resources // free space of the nodes to request
		var take []*Pod
		for _, p := range waiting {
			if a.covered[p] || !fitsTemplate(p, &g.Template) {
				continue
			}
			placed := false
			for k := range bins {
				if fitsIn(&p.Requests, &bins[k]) {
					bins[k].Sub(p.Requests)
					placed = true
					break
				}
			}
			if !placed {
				if g.Size()+len(bins) >= g.Max {
					continue
				}
				free := g.Template.Allocatable
				free.Sub(p.Requests)
				bins = append(bins, free)
			}
			take = append(take, p)
		}
		if len(bins) == 0 {
			continue
		}
		for _, p := range take {
			a.covered[p] = true
		}
		from := g.Size()
		for k := range bins {
			gn := &groupNode{name: fmt.Sprintf("%s-%d", g.Name, g.seq), index: -1, requested: now, removed: -1}
			if k == 0 {
				gn.covers = take // released when the first of them joins
			}
			g.seq++
			g.nodes = append(g.nodes, gn)
			cp.Clock.After(g.ProvisionDelay, func() { cp.nodeJoins(a, g, gn) })
		}
		a.lastUp = now
		g.ScaleUps += len(bins)
		g.Peak = max(g.Peak, g.Size())
		cp.event("NodeGroup/"+g.Name, "ScaledUpGroup", "Scale-up: setting group %s size to %d (from %d)", g.Name, g.Size(), from)
	}
}

func (cp *ControlPlane) nodeJoins(a *Autoscaler, g *NodeGroup, gn *groupNode) {
	n := g.Template
	n.Name = gn.name
	n.Labels = map[string]string{LabelHostname: gn.name}
	for k, v := range g.Template.Labels {
		n.Labels[k] = v
	}
	n.Taints = append([]Taint(nil), g.Template.Taints...)
	i, err := cp.c.AddNode(&n)
	if err != nil {
		return
	}
	gn.index = i
	cp.growNodes()
	cp.event("Node/"+n.Name, "NodeReady", "Node %s status is now: NodeReady", n.Name)
	// The scheduler reacts to the node's arrival at once, before the
	// autoscaler's next scan can count its pods as pending again.
	cp.schedulePass()
	for _, p := range gn.covers {
		delete(a.covered, p) // the next scan sees what is still pending
	}
}

func (cp *ControlPlane) scaleDown(a *Autoscaler) {
	now := cp.Clock.Now()
	for _, g := range a.Groups {
		for _, gn := range g.nodes {
			i := gn.index
			if i < 0 || gn.removed >= 0 {
				continue
			}
			if !cp.unneededNode(a, i) {
				delete(a.unneeded, i)
				continue
			}
			since, ok := a.unneeded[i]
			if !ok {
				a.unneeded[i] = now
				continue
			}
			if now-since < a.UnneededTime || now-a.lastUp < a.DelayAfterAdd || g.Size() <= g.Min {
				continue
			}
			cp.removeGroupNode(a, g, gn)
		}
	}
}

// unneededNode: under the utilisation threshold, and its pods fit
// elsewhere (first fit by requests on the other schedulable nodes).
func (cp *ControlPlane) unneededNode(a *Autoscaler, i int) bool {
	n := cp.c.Node(i)
	req := cp.c.Requested(i)
	al := n.Allocatable
	if al.MilliCPU > 0 && float64(req.MilliCPU)/float64(al.MilliCPU) >= a.UtilizationThreshold ||
		al.Memory > 0 && float64(req.Memory)/float64(al.Memory) >= a.UtilizationThreshold {
		return false
	}
	free := make([]Resources, cp.c.Len())
	for j := range free {
		if j == i || cp.c.Gone(j) || cp.c.Node(j).Unschedulable || !cp.NodeReady(j) {
			continue
		}
		free[j] = cp.c.Node(j).Allocatable
		free[j].Sub(cp.c.Requested(j))
	}
	for _, p := range cp.c.Pods(i) {
		if cp.stateOf(p) == nil && (cp.ExternalEvict == nil || !cp.ExternalEvict(p, false)) {
			return false // a pod no controller would recreate blocks the removal
		}
		ok := false
		for j := range free {
			if j != i && fitsIn(&p.Requests, &free[j]) {
				free[j].Sub(p.Requests)
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (cp *ControlPlane) removeGroupNode(a *Autoscaler, g *NodeGroup, gn *groupNode) {
	i := gn.index
	n := cp.c.Node(i)
	cp.c.SetTaints(i, append(append([]Taint(nil), n.Taints...), Taint{Key: TaintToBeDeleted, Effect: NoSchedule}))
	cp.event("Node/"+n.Name, "ScaleDown", "marked the node as toBeDeleted/unschedulable")
	for _, p := range append([]*Pod(nil), cp.c.Pods(i)...) {
		if ps := cp.stateOf(p); ps != nil {
			cp.deletePod(ps, "Killing")
		} else if cp.ExternalEvict != nil {
			cp.ExternalEvict(p, true)
		}
	}
	delete(a.unneeded, i)
	cp.tryRemove(g, gn)
}

// tryRemove deletes the node once its pods are gone.
func (cp *ControlPlane) tryRemove(g *NodeGroup, gn *groupNode) {
	if len(cp.c.Pods(gn.index)) > 0 {
		gn.removed = -1 // still billed while pods terminate
		gn.pendingRemoval = true
		return
	}
	gn.removed = cp.Clock.Now()
	g.ScaleDowns++
	_ = cp.c.RemoveNode(gn.index)
	cp.event("Node/"+gn.name, "RemovingNode", "Removing node %s (group %s size %d)", gn.name, g.Name, g.Size())
}

// ExternalPodGone tells the cluster autoscaler that a pod this control
// plane did not create (one ExternalEvict evicted) left node i, which may
// be waiting for its pods to terminate before it is removed.
func (cp *ControlPlane) ExternalPodGone(i int) {
	if cp.ca != nil {
		cp.ca.nodeFreed(cp, i)
	}
}

// GroupOf is the name of the node group node i was added to by the
// cluster autoscaler or was given to it at the start ("" for another
// node, or without an autoscaler).
func (cp *ControlPlane) GroupOf(i int) string {
	if cp.ca == nil {
		return ""
	}
	for _, g := range cp.ca.Groups {
		for _, gn := range g.nodes {
			if gn.index == i {
				return g.Name
			}
		}
	}
	return ""
}

// podGone lets a node waiting for its pods to terminate go.
func (a *Autoscaler) podGone(cp *ControlPlane, ps *PodState) { a.nodeFreed(cp, ps.Node) }

func (a *Autoscaler) nodeFreed(cp *ControlPlane, i int) {
	for _, g := range a.Groups {
		for _, gn := range g.nodes {
			if gn.pendingRemoval && gn.index == i {
				if len(cp.c.Pods(gn.index)) == 0 {
					gn.pendingRemoval = false
					cp.tryRemove(g, gn)
				}
			}
		}
	}
}
