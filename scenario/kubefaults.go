package scenario

import (
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// Faults of a Kubernetes run with controllers. The scenario's faults list
// (docs/dynamics.md) drives the node lifecycle controller as the
// workload.kubernetes events do: a scheduled fault {node, at, for} fails
// the machine at `at` and brings it back `for` later; random faults
// {group, mtbf, mttr, dist, shape} fail each node of the group after an
// up time and bring it back after a down time, drawn from the stream
// (seed, "faults/"+node) in the order up, down, up, ... exactly as the
// node-queueing engine draws them (sim.FaultTime). Failures nest: a
// machine is back when every fault holding it down is over.

// startFaults schedules the faults on the control plane's clock.
func (kr *kubeRun) startFaults(faults []FaultSpec, seed uint64) {
	cp := kr.cp
	for _, f := range faults {
		if f.Node != "" {
			i := kr.c.NodeIndex(f.Node)
			cp.Clock.At(int64(f.At), func() { kr.failNode(i, true) })
			cp.Clock.At(int64(f.At+f.For), func() { kr.recoverNode(i) })
			continue
		}
		for i, g := range kr.group {
			if g != f.Group {
				continue
			}
			rng := sim.NewRand(seed, "faults/"+kr.c.Node(i).Name)
			var up func()
			up = func() {
				kr.failNode(i, true)
				cp.Clock.After(int64(sim.FaultTime(rng, f.MTTR, f.Weibull)), func() {
					kr.recoverNode(i)
					cp.Clock.After(int64(sim.FaultTime(rng, f.MTBF, f.Weibull)), up)
				})
			}
			cp.Clock.At(int64(sim.FaultTime(rng, f.MTBF, f.Weibull)), up)
		}
	}
}

// failNode takes node i's machine down (one more fault holding it); a
// node fault opens its window (window false: part of a zone outage).
func (kr *kubeRun) failNode(i int, window bool) {
	if i < 0 {
		return
	}
	for len(kr.down) <= i {
		kr.down = append(kr.down, 0)
	}
	kr.down[i]++
	now := sim.Time(kr.cp.Clock.Now())
	if window {
		kr.tl.openWindow(WindowNodeFailure, kr.c.Node(i).Name, now)
	}
	if kr.down[i] == 1 {
		kr.cp.FailNode(i)
		kr.haltNode(i)
	}
}

// failZone fails every node of the zone (the control plane's FailZone).
func (kr *kubeRun) failZone(zone string) {
	kr.tl.openWindow(WindowZoneOutage, zone, sim.Time(kr.cp.Clock.Now()))
	for i := 0; i < kr.c.Len(); i++ {
		if !kr.c.Gone(i) && kr.c.Node(i).Labels[kube.LabelZone] == zone {
			kr.failNode(i, false)
		}
	}
}

// recoverNode ends one fault holding node i down; the machine comes back
// when none is left.
func (kr *kubeRun) recoverNode(i int) {
	if i < 0 || i >= len(kr.down) || kr.down[i] == 0 {
		return
	}
	kr.down[i]--
	if kr.down[i] > 0 {
		return
	}
	now := sim.Time(kr.cp.Clock.Now())
	kr.cp.RecoverNode(i)
	kr.recoverPods(i)
	n := kr.c.Node(i)
	kr.tl.closeWindow(WindowNodeFailure, n.Name, now)
	zone := n.Labels[kube.LabelZone]
	for j := 0; j < kr.c.Len() && zone != ""; j++ {
		if j < len(kr.down) && kr.down[j] > 0 && kr.c.Node(j).Labels[kube.LabelZone] == zone {
			return
		}
	}
	if zone != "" {
		kr.tl.closeWindow(WindowZoneOutage, zone, now)
	}
}
