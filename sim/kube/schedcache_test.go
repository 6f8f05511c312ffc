package kube

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// Property: the scheduling cycle's fast path (schedcache.go) picks the
// node the full cycle picks, fails where it fails, and leaves the same
// next start index, on a cluster that changes under it: binds, unbinds,
// taints set and removed (NoSchedule and PreferNoSchedule), cordons, nodes
// removed and added, pods of several classes interleaved (plain pods of
// three shapes, pods tolerating a taint, with a node selector, with
// default spreading, pods that fit nowhere). Two clusters get the same
// operations; one scheduler's resource scorer is a wrapper the fast path
// does not take, so it runs the full cycle every time. 150 nodes make
// five blocks of verBlock, and windows of 100 feasible nodes that take some
// blocks whole and end inside others.
func TestFastPathMatchesFullCycle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	mk := func() []*Node {
		r := rand.New(rand.NewPCG(9, 9))
		var ns []*Node
		for i := range 150 {
			n := mkNode(fmt.Sprintf("n%d", i)).zone(fmt.Sprintf("z%d", i%3)).cap(2000+r.Int64N(6000), (4+r.Int64N(28))*gi)
			if i%17 == 0 {
				n = n.taint("dedicated", "db", NoSchedule)
			}
			ns = append(ns, n.Node)
		}
		return ns
	}
	nodesA, nodesB := mk(), mk()
	ca, _ := NewCluster(nodesA)
	cb, _ := NewCluster(nodesB)
	fast, _ := NewScheduler(ca, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
	full, _ := NewScheduler(cb, DefaultProfile(), rand.New(rand.NewPCG(1, 1)))
	full.prof.Resource = func(c *Cluster, p *Pod, i int) int64 { return LeastAllocated(c, p, i) }
	classes := []func() podW{
		func() podW { return mkPod("").req(100, gi/4) },
		func() podW { return mkPod("").req(100, gi/4) },
		func() podW { return mkPod("").req(500, gi) },
		func() podW { return mkPod("").req(0, 0) },
		func() podW {
			return mkPod("").req(100, gi/4).tolerate(Toleration{Key: "dedicated", Operator: "Exists"})
		},
		func() podW { return mkPod("").req(100, gi/4).tolerate(Toleration{Key: "spot", Operator: "Exists"}) },
		func() podW {
			p := mkPod("").req(200, gi/2)
			p.NodeSelector = map[string]string{LabelZone: "z1"}
			return p
		},
		func() podW {
			p := mkPod("").req(200, gi/2).label("app", "web")
			p.OwnerSelector = &LabelSelector{MatchLabels: map[string]string{"app": "web"}}
			return p
		},
		func() podW { return mkPod("").req(64000, gi) }, // fits nowhere
	}
	type pair struct{ a, b *Pod }
	var bound []pair
	for step := range 4000 {
		switch r := rng.IntN(100); {
		case r < 60:
			w := classes[rng.IntN(len(classes))]()
			// a ReplicaSet's pods come in runs: repeat the class a while
			for range 1 + rng.IntN(8) {
				pa, pb := *w.Pod, *w.Pod
				pa.Name, pb.Name = fmt.Sprintf("p%d", step), fmt.Sprintf("p%d", step)
				ia, ea := fast.Schedule(&pa, -1)
				ib, eb := full.Schedule(&pb, -1)
				if ia != ib || (ea == nil) != (eb == nil) || ea != nil && ea.Error() != eb.Error() || fast.next != full.next {
					t.Fatalf("step %d, pod %+v: fast path %d (%v, next %d), full cycle %d (%v, next %d)", step, pa, ia, ea, fast.next, ib, eb, full.next)
				}
				if ia >= 0 && !slices.Equal(fast.feasible, full.feasible) {
					t.Fatalf("step %d: feasible nodes differ:\n%v\n%v", step, fast.feasible, full.feasible)
				}
				if ia < 0 {
					break
				}
				if err := ca.Bind(&pa, ia); err != nil {
					t.Fatal(err)
				}
				if err := cb.Bind(&pb, ib); err != nil {
					t.Fatal(err)
				}
				bound = append(bound, pair{&pa, &pb})
			}
		case r < 85 && len(bound) > 0:
			k := rng.IntN(len(bound))
			if ca.Unbind(bound[k].a) != nil || cb.Unbind(bound[k].b) != nil {
				t.Fatal("unbind")
			}
			bound = slices.Delete(bound, k, k+1)
		case r < 92:
			i := rng.IntN(ca.Len())
			var ts []Taint
			switch rng.IntN(6) { // mostly taints removed: a spot taint sends pods to the full cycle
			case 0:
				ts = []Taint{{Key: "spot", Value: "yes", Effect: PreferNoSchedule}}
			case 1:
				ts = []Taint{{Key: TaintUnreachable, Effect: NoExecute}}
			}
			ca.SetTaints(i, slices.Clone(ts))
			cb.SetTaints(i, slices.Clone(ts))
		case r < 96:
			i := rng.IntN(ca.Len())
			v := !ca.Node(i).Unschedulable
			ca.Node(i).Unschedulable, cb.Node(i).Unschedulable = v, v
			ca.NodeUpdated(i)
			cb.NodeUpdated(i)
		case r < 98:
			// scale a node down: its pods go, then the node
			i := rng.IntN(ca.Len())
			bound = slices.DeleteFunc(bound, func(b pair) bool {
				if ca.NodeOf(b.a) != i {
					return false
				}
				if ca.Unbind(b.a) != nil || cb.Unbind(b.b) != nil {
					t.Fatal("unbind")
				}
				return true
			})
			// a cycle first, so the fast path's cache holds the node empty
			pa, pb := *classes[0]().Pod, *classes[0]().Pod
			if ia, _ := fast.Schedule(&pa, -1); true {
				if ib, _ := full.Schedule(&pb, -1); ia != ib {
					t.Fatalf("step %d: fast path %d, full cycle %d", step, ia, ib)
				}
			}
			if ca.RemoveNode(i) != nil || cb.RemoveNode(i) != nil {
				t.Fatal("remove")
			}
		default:
			name := fmt.Sprintf("added%d", step)
			if _, err := ca.AddNode(mkNode(name).zone("z0").Node); err != nil {
				t.Fatal(err)
			}
			if _, err := cb.AddNode(mkNode(name).zone("z0").Node); err != nil {
				t.Fatal(err)
			}
		}
	}
	if full.fastCycles != 0 || fast.fastCycles < 1000 {
		t.Fatalf("fast path cycles: %d and %d (want 0 and over 1,000): the test checks too little", full.fastCycles, fast.fastCycles)
	}
	t.Logf("%d cycles on the fast path", fast.fastCycles)
}
