package scenario

import (
	"fmt"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// Jobs' pods and bare pods (tasks of the central engine) and the cluster
// autoscaler. The engine's nodes are fixed when the run starts, the
// control plane's cluster grows and shrinks; so the engine is given, for
// each autoscaled group, as many nodes as the group's max (its nodes of
// cluster.nodes, then slots named GROUP-autoscaled-K, shaped like the
// group's first node). A node the autoscaler adds takes a free engine node
// of its group (one whose kube node was removed, or a slot never used)
// when the first engine pod is placed there; the kube scheduler, which
// sees only the nodes that have joined, decides every placement, so
// nothing runs on a slot whose node is not provisioned. The cluster
// autoscaler counts the engine's pods that wait for room
// (ControlPlane.ExternalPending) and, scaling a node down, evicts those
// with an owner (recreated, as a preempted pod is) and keeps a node
// running a bare pod (ExternalEvict), as cluster-autoscaler does.

// EngineNodes is the engine's nodes: Nodes, then, for a Kubernetes
// workload with a cluster autoscaler, each autoscaled group's slots for
// the nodes it may add (max less the group's nodes in cluster.nodes),
// named GROUP-autoscaled-K and shaped like the group's first node.
// Records and series.csv name nodes by it.
func (s *Scenario) EngineNodes() []sim.NodeSpec {
	nodes := s.Nodes()
	if k := s.Workload.Kubernetes; k != nil && k.Controllers {
		nodes = append(nodes, kubeSlots(nodes, k.Autoscaler)...)
	}
	return nodes
}

// kubeSlots is the engine nodes the autoscaled groups may add.
func kubeSlots(nodes []sim.NodeSpec, groups []KubeNodeGroup) []sim.NodeSpec {
	var out []sim.NodeSpec
	for _, g := range groups {
		first, n := -1, 0
		for i := range nodes {
			if nodes[i].Group == g.Group {
				if first < 0 {
					first = i
				}
				n++
			}
		}
		if first < 0 {
			continue // checked when read
		}
		for k := 0; k < g.Max-n; k++ {
			sp := nodes[first]
			sp.Name = fmt.Sprintf("%s-autoscaled-%d", g.Group, k)
			out = append(out, sp)
		}
	}
	return out
}

// startSlots adds the autoscaled groups' slots to the engine's nodes
// (nodes are cluster.nodes, as the kube cluster was built from).
func (kr *kubeRun) startSlots(nodes []sim.NodeSpec, groups []KubeNodeGroup) []sim.NodeSpec {
	if kr.ca == nil {
		return nodes
	}
	kr.eng2kube = make([]int, len(nodes))
	kr.kube2eng = map[int]int{}
	for i := range nodes {
		kr.eng2kube[i] = i
		kr.kube2eng[i] = i
		kr.engGroup = append(kr.engGroup, kr.group[i])
	}
	out := slices.Clip(nodes)
	for _, sp := range kubeSlots(nodes, groups) {
		out = append(out, sp)
		kr.eng2kube = append(kr.eng2kube, -1)
		kr.engGroup = append(kr.engGroup, sp.Group)
	}
	kr.cp.ExternalPending = kr.waitingPods
	kr.cp.ExternalEvict = kr.scaleDownEvict
	return out
}

// engineNode is the engine's node for kube node i (-1: none free).
func (kr *kubeRun) engineNode(i int) int {
	if kr.eng2kube == nil {
		return i
	}
	if e, ok := kr.kube2eng[i]; ok {
		return e
	}
	g := kr.cp.GroupOf(i)
	for e, k := range kr.eng2kube {
		if kr.engGroup[e] == g && g != "" && (k < 0 || kr.c.Gone(k)) {
			if k >= 0 {
				delete(kr.kube2eng, k)
			}
			kr.eng2kube[e], kr.kube2eng[i] = i, e
			return e
		}
	}
	return -1
}

// kubeNode is the kube node of the engine's node e.
func (kr *kubeRun) kubeNode(e int) int {
	if kr.eng2kube == nil || e < 0 {
		return e
	}
	return kr.eng2kube[e]
}

// waitingPods is the control plane's ExternalPending: the engine's pods
// whose last scheduling cycle found no node and that are not nominated
// (a nominated pod binds once its victims are gone).
func (kr *kubeRun) waitingPods() []*kube.Pod {
	var out []*kube.Pod
	for _, kp := range kr.pods {
		if !kp.tried || kp.bound >= 0 || kp.created < 0 || kp.nominate >= 0 || kp.dropped {
			continue
		}
		if j := kp.job; j != nil && (j.failed > j.j.BackoffLimit || j.deadline) {
			continue
		}
		out = append(out, kp.pod)
	}
	return out
}

// scaleDownEvict is the control plane's ExternalEvict.
func (kr *kubeRun) scaleDownEvict(p *kube.Pod, evict bool) bool {
	id, ok := kr.byPod[p]
	if !ok || p.Owner == "" {
		return false // a snapshot's pod, or a bare pod: nothing recreates it
	}
	kp := kr.pods[id]
	if !evict || kp.halted || kp.kill != "" || kp.scaledDown != "" {
		return true
	}
	i := kr.c.NodeOf(p)
	if i < 0 {
		return true
	}
	kp.scaledDown = "evicted: scale-down of node " + kr.c.Node(i).Name
	kr.cp.LogEvent("Pod/"+p.Name, "Killing", "Stopping container")
	kr.queueEviction(sim.Eviction{ID: id, After: kp.grace, Requeue: true})
	return true
}

// podLeft notes that an engine pod left engine node e: kickControl,
// once the control plane's clock is at the engine's, tells the cluster
// autoscaler (a node being scaled down waits for its pods).
func (kr *kubeRun) podLeft(e int) {
	if kr.eng2kube != nil && kr.cp != nil {
		kr.left = append(kr.left, kr.kubeNode(e))
	}
}

// nodesLeft hands the nodes podLeft noted to the cluster autoscaler.
func (kr *kubeRun) nodesLeft() {
	for _, i := range kr.left {
		kr.cp.ExternalPodGone(i)
	}
	kr.left = kr.left[:0]
}

// zoneOf is node i's zone label.
func (kr *kubeRun) zoneOf(i int) string {
	if i < len(kr.zone) {
		return kr.zone[i]
	}
	return kr.c.Node(i).Labels[kube.LabelZone]
}
