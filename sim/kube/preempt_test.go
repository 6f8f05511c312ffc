package kube

import (
	"testing"
)

func victimNames(pr *Preemption) []string {
	var out []string
	for _, v := range pr.Victims {
		out = append(out, v.Name)
	}
	return out
}

// preemptCluster, worked by hand: n1 (4 cores) runs a (priority 10,
// 2000m) and b (5, 2000m); n2 (4 cores) runs c (1, 1000m, started at 1),
// d (1, 1000m, started at 2) and e (20, 2000m). The preemptor asks 2000m at
// priority 15.
//
//	n1: remove a, b (free 4000); reprieve a (free 2000, fits): kept;
//	    reprieve b (free 0): victim. Victims {b}: highest 5.
//	n2: remove c, d (free 2000); reprieve c (free 1000): victim; d: victim.
//	    Victims {c, d}: highest 1.
//
// With no budgets: 0 violations each, lower highest-victim priority wins:
// n2, although it evicts two pods.
func preemptCluster(t *testing.T) (*Scheduler, podW) {
	s := newTestScheduler(t, mkNode("n1"), mkNode("n2"))
	bindTo(t, s, mkPod("a").req(2000, 0).prio(10), "n1")
	bindTo(t, s, mkPod("b").req(2000, 0).prio(5), "n1")
	bindTo(t, s, mkPod("c").label("app", "batch").req(1000, 0).prio(1).start(1), "n2")
	bindTo(t, s, mkPod("d").label("app", "batch").req(1000, 0).prio(1).start(2), "n2")
	bindTo(t, s, mkPod("e").req(2000, 0).prio(20), "n2")
	return s, mkPod("hi").req(2000, 0).prio(15)
}

func preemptOnce(t *testing.T, s *Scheduler, p podW, pdbs []*PDB) (*Preemption, *FitError) {
	t.Helper()
	_, err := s.Schedule(p.Pod, -1)
	fe, ok := err.(*FitError)
	if !ok {
		t.Fatalf("Schedule: %v, want a FitError", err)
	}
	return s.Preempt(p.Pod, fe, pdbs), fe
}

func TestPreemptionHandWorked(t *testing.T) {
	s, p := preemptCluster(t)
	pr, _ := preemptOnce(t, s, p, nil)
	if pr == nil || s.c.Node(pr.Node).Name != "n2" || len(pr.Victims) != 2 || pr.Victims[0].Name != "c" || pr.Victims[1].Name != "d" {
		t.Fatalf("got %+v, want n2 evicting [c d]", pr)
	}
	// The cluster is left as it was.
	if len(s.c.Pods(0)) != 2 || len(s.c.Pods(1)) != 3 {
		t.Fatal("Preempt changed the cluster")
	}
	// Evict, then the nominated node takes the preemptor.
	for _, v := range pr.Victims {
		_ = s.c.Unbind(v)
	}
	if i, err := s.Schedule(p.Pod, pr.Node); err != nil || i != pr.Node {
		t.Fatalf("after eviction: %d %v", i, err)
	}
}

// A budget on app=batch with minAvailable 2 allows no disruption: n2 would
// violate it twice, n1 not at all, so n1 is chosen with victim b.
func TestPreemptionRespectsPDB(t *testing.T) {
	s, p := preemptCluster(t)
	two := int32(2)
	pdb := &PDB{Name: "batch", Namespace: "default", Selector: sel("app", "batch"), MinAvailable: &two}
	pr, _ := preemptOnce(t, s, p, []*PDB{pdb})
	if pr == nil || s.c.Node(pr.Node).Name != "n1" || len(pr.Victims) != 1 || pr.Victims[0].Name != "b" || pr.PDBViolations != 0 {
		t.Fatalf("got %+v, want n1 evicting [b]", pr)
	}
}

// On one node, x (started at 2) and y (started at 1) have the same
// priority and one must go. Without budgets y, the more important
// (earlier start), is reprieved first and x is the victim; with a budget
// protecting x (maxUnavailable 0), x is reprieved first and y goes.
func TestPreemptionPDBVictimChoice(t *testing.T) {
	for _, tc := range []struct {
		pdb  bool
		want string
	}{{false, "x"}, {true, "y"}} {
		s := newTestScheduler(t, mkNode("n1").cap(2000, 16*gi))
		bindTo(t, s, mkPod("x").label("role", "protected").req(1000, 0).start(2), "n1")
		bindTo(t, s, mkPod("y").req(1000, 0).start(1), "n1")
		var pdbs []*PDB
		if tc.pdb {
			zero := int32(0)
			pdbs = []*PDB{{Name: "p", Namespace: "default", Selector: sel("role", "protected"), MaxUnavailable: &zero}}
		}
		pr, _ := preemptOnce(t, s, mkPod("hi").req(1000, 0).prio(100), pdbs)
		if pr == nil || len(pr.Victims) != 1 || pr.Victims[0].Name != tc.want {
			t.Fatalf("pdb=%v: victims %v, want [%s]", tc.pdb, victimNames(pr), tc.want)
		}
	}
}

// Nodes that fail an unresolvable filter are not candidates ("Preemption
// is not helpful for scheduling"); a node without lower-priority pods gives
// "No preemption victims found for incoming pod", one where evicting every
// lower-priority pod does not help gives the filter's reason again; a pod
// with preemptionPolicy Never does not preempt. The wording is
// kube-scheduler's: FitError.Error() appends " " + the PostFilter message +
// ".", so a preemption message ends in two periods, as in its events
// ("... Preemption is not helpful for scheduling..").
func TestPreemptionNotPossible(t *testing.T) {
	s := newTestScheduler(t, mkNode("n1").cap(1000, gi), mkNode("n2").taint("k", "v", NoSchedule))
	bindTo(t, s, mkPod("a").req(500, 0).prio(50), "n1")
	p := mkPod("p").req(800, 0).prio(10)
	_, fe := preemptOnce(t, s, p, nil)
	want := "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.."
	if fe.Error() != want {
		t.Fatalf("got  %s\nwant %s", fe.Error(), want)
	}
	_, fe = preemptOnce(t, s, mkPod("big").req(1500, 0).prio(100), nil)
	want = "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling.."
	if fe.Error() != want {
		t.Fatalf("got  %s\nwant %s", fe.Error(), want)
	}
	p.PreemptionPolicy = PreemptNever
	p.Priority = 100
	pr, fe := preemptOnce(t, s, p, nil)
	if pr != nil || fe.PostFilter != "preemption: not eligible due to preemptionPolicy=Never." ||
		fe.Error() != "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}. preemption: not eligible due to preemptionPolicy=Never.." {
		t.Fatalf("Never: %+v %q", pr, fe.Error())
	}
}
