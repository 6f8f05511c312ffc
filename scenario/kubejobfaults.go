package scenario

import (
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// Machine faults and the central engine's pods (Jobs' pods, bare pods, a
// ReplicaSet's pods read without controllers of their own) in a run with
// controllers. When a machine fails its containers die with it: each such
// task's work stops there (sim.Eviction.Halt: it never completes, its
// progress is lost) while its pod stays bound, holding its requests, as
// a pod in phase Unknown does. The node lifecycle controller marks the
// node NotReady (kube.ControlPlane.OnNotReady) and the pod is evicted
// after its toleration of the unreachable taint (tolerationTime: the
// pod's own tolerationSeconds, by default 300 s): it ends there, and a
// pod with an owner is recreated at once (a Job counts it against
// backoffLimit, as a preempted pod) and scheduled by the same scheduler;
// a bare pod is gone. If the machine comes back first, the kubelet finds
// the container gone: the model ends the pod at the machine's return as
// restartPolicy Never would (recreated by its owner, a bare pod gone); it
// does not restart the container in place. A pod still lost at the stop
// time (tolerated for ever, or evicted later) ends there, not recreated.

// Wake references of this file.
const (
	wakeFlush int64 = 5 << 40 // evictions made outside Wake
	wakeStop  int64 = 6 << 40 // the stop time: pods still lost end
)

// queueEviction hands ev to the engine: at the end of the Wake in
// progress, or from a Wake at the current instant.
func (kr *kubeRun) queueEviction(ev sim.Eviction) {
	kr.evq = append(kr.evq, ev)
	if !kr.inWake && !kr.flushArmed {
		kr.flushArmed = true
		kr.alarm(sim.Time(kr.cp.Clock.Now()), wakeFlush)
	}
}

// haltNode stops the work of the engine's pods bound to node i, whose
// machine failed now.
func (kr *kubeRun) haltNode(i int) {
	for _, p := range kr.c.Pods(i) {
		if id, ok := kr.byPod[p]; ok {
			kr.halt(kr.pods[id], id)
		}
	}
}

// halt stops kp's container: its machine is down.
func (kr *kubeRun) halt(kp *kubePod, id int64) {
	if kp.halted || kp.bound < 0 {
		return
	}
	kp.halted = true
	kr.queueEviction(sim.Eviction{ID: id, Halt: true})
	if !kr.stopArmed {
		kr.stopArmed = true
		kr.alarm(kr.horizon, wakeStop)
	}
}

// lose ends the halted pod kp now (reason for pods.csv): with recreate
// its owner, if any, recreates it.
func (kr *kubeRun) lose(kp *kubePod, reason string, recreate bool) {
	if !kp.halted || kp.lost != "" || kp.kill != "" {
		return // its Job's deadline terminates it already
	}
	kp.lost, kp.recreate = reason, recreate && kp.pod.Owner != ""
	kr.queueEviction(sim.Eviction{ID: kr.byPod[kp.pod], Requeue: kp.recreate})
}

// podNotReady is the control plane's OnNotReady: the node lifecycle
// controller evicts an engine pod on node i after stay (-1: never).
func (kr *kubeRun) podNotReady(p *kube.Pod, i int, stay int64) {
	id, ok := kr.byPod[p]
	if !ok || stay < 0 {
		return // a snapshot's pod, or tolerated for ever
	}
	kp := kr.pods[id]
	attempt := kp.attempt
	name := kr.c.Node(i).Name
	kr.cp.Clock.After(stay, func() {
		if kp.attempt != attempt || !kp.halted || kp.lost != "" || kr.c.NodeOf(p) != i {
			return
		}
		kr.cp.LogEvent("Pod/"+p.Name, "TaintManagerEviction", "Marking for deletion Pod "+p.Namespace+"/"+p.Name)
		kr.lose(kp, "evicted: node "+name+" NotReady", true)
	})
}

// recoverPods ends the lost pods of node i, whose machine is back.
func (kr *kubeRun) recoverPods(i int) {
	for _, p := range kr.c.Pods(i) {
		if id, ok := kr.byPod[p]; ok {
			kr.lose(kr.pods[id], "failed: node "+kr.c.Node(i).Name+" failed, container lost", true)
		}
	}
}

// stopLost ends, at the stop time, the pods still lost.
func (kr *kubeRun) stopLost() {
	for _, kp := range kr.pods {
		if kp.halted && kp.lost == "" {
			if node := kr.c.NodeOf(kp.pod); node >= 0 {
				kr.lose(kp, "lost: node "+kr.c.Node(node).Name+" failed, not evicted by the stop time", false)
			}
		}
	}
}

// lostEnded is Failed for a pod its machine's failure ended: recreated by
// its owner (a Job counts a failure), a bare pod gone.
func (kr *kubeRun) lostEnded(kp *kubePod, node int, now sim.Time) {
	kr.sum.NodeLost++
	kr.emit(kp, node, now, kp.lost)
	kp.halted, kp.lost = false, ""
	if kp.job != nil {
		kp.job.running--
		kp.job.failed++
	}
	if kp.recreate {
		kp.attempt++
		kp.created, kp.bound = now, -1
		kr.sum.Pods++
	}
}
