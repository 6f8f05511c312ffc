package kube

import (
	"slices"
	"testing"
)

func wantFeasible(t *testing.T, s *Scheduler, p podW, want ...string) {
	t.Helper()
	got := feasibleNames(s, p.Pod)
	if !slices.Equal(got, want) {
		t.Fatalf("feasible nodes for %s: got %v, want %v", p.Name, got, want)
	}
}

// fourNodes is the topology-spread page's cluster: zoneA holds node1 and
// node2, zoneB node3 and node4.
func fourNodes(t *testing.T) *Scheduler {
	return newTestScheduler(t, mkNode("node1").zone("zoneA"), mkNode("node2").zone("zoneA"),
		mkNode("node3").zone("zoneB"), mkNode("node4").zone("zoneB"))
}

// Kubernetes docs, "Pod Topology Spread Constraints", example "one
// topology spread constraint": three foo=bar pods on node1, node2 and node3;
// maxSkew 1 over zones, DoNotSchedule. zoneA would reach skew 3-1 = 2, so
// the incoming pod can only go to zoneB.
func TestSpreadDocsOneConstraint(t *testing.T) {
	s := fourNodes(t)
	for i, n := range []string{"node1", "node2", "node3"} {
		bindTo(t, s, mkPod("p"+string(rune('1'+i))).label("foo", "bar"), n)
	}
	p := mkPod("mypod").label("foo", "bar").spread(1, LabelZone, DoNotSchedule, sel("foo", "bar"))
	wantFeasible(t, s, p, "node3", "node4")
}

// Same page, "multiple topology spread constraints": adding maxSkew 1 over
// nodes (kubernetes.io/hostname) leaves node4 only: zoneB by the first
// constraint, and node3 already holds one pod while node4 holds none.
func TestSpreadDocsTwoConstraints(t *testing.T) {
	s := fourNodes(t)
	for i, n := range []string{"node1", "node2", "node3"} {
		bindTo(t, s, mkPod("p"+string(rune('1'+i))).label("foo", "bar"), n)
	}
	p := mkPod("mypod").label("foo", "bar").
		spread(1, LabelZone, DoNotSchedule, sel("foo", "bar")).
		spread(1, LabelHostname, DoNotSchedule, sel("foo", "bar"))
	wantFeasible(t, s, p, "node4")
	if got, err := place(t, s, p); err != nil || got != "node4" {
		t.Fatalf("placed on %q (%v), want node4", got, err)
	}
}

// Conflicting constraints (the page's third example, worked by hand on
// this cluster): zoneA = {node1: 3 pods}, zoneB = {node3: 2, node4: 2}.
// Zone: A+1-3 = 1 ok, B: 4+1-3 = 2 > 1. Host on node1: 3+1-2 = 2 > 1.
// No node passes: the pod stays pending with 3 spread rejections.
func TestSpreadConflictPending(t *testing.T) {
	s := newTestScheduler(t, mkNode("node1").zone("zoneA"), mkNode("node3").zone("zoneB"), mkNode("node4").zone("zoneB"))
	for i, n := range []string{"node1", "node1", "node1", "node3", "node3", "node4", "node4"} {
		bindTo(t, s, mkPod("p"+string(rune('a'+i))).label("foo", "bar"), n)
	}
	p := mkPod("mypod").label("foo", "bar").
		spread(1, LabelZone, DoNotSchedule, sel("foo", "bar")).
		spread(1, LabelHostname, DoNotSchedule, sel("foo", "bar"))
	_, err := s.Schedule(p.Pod, -1)
	want := "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints."
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// minDomains (docs: "when the number of eligible domains is less than
// minDomains, the global minimum is treated as 0"): two zones with one pod
// each, minDomains 3, maxSkew 1: skew 1+1-0 = 2 everywhere, pending; with
// minDomains 2 the minimum is 1 and every node passes.
func TestSpreadMinDomains(t *testing.T) {
	for _, tc := range []struct {
		minDomains int32
		want       []string
	}{{3, nil}, {2, []string{"node1", "node2", "node3", "node4"}}} {
		s := fourNodes(t)
		bindTo(t, s, mkPod("a").label("foo", "bar"), "node1")
		bindTo(t, s, mkPod("b").label("foo", "bar"), "node3")
		p := mkPod("mypod").label("foo", "bar").spread(1, LabelZone, DoNotSchedule, sel("foo", "bar"))
		p.TopologySpread[0].MinDomains = tc.minDomains
		wantFeasible(t, s, p, tc.want...)
	}
}

// nodeAffinityPolicy (docs: Honor counts only nodes matching the pod's
// nodeAffinity/nodeSelector): zoneA and zoneB hold one pod each, zoneC
// none, and the pod may only run in A or B. Honor: domains {A: 1, B: 1},
// skew 1 everywhere, both zones pass. Ignore: zoneC counts with 0, skew 2,
// and zoneC fails node affinity: pending.
func TestSpreadNodeAffinityPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy InclusionPolicy
		want   []string
	}{{Honor, []string{"a1", "b1"}}, {Ignore, nil}} {
		s := newTestScheduler(t, mkNode("a1").zone("A"), mkNode("b1").zone("B"), mkNode("c1").zone("C"))
		bindTo(t, s, mkPod("x").label("foo", "bar"), "a1")
		bindTo(t, s, mkPod("y").label("foo", "bar"), "b1")
		p := mkPod("mypod").label("foo", "bar").spread(1, LabelZone, DoNotSchedule, sel("foo", "bar"))
		p.TopologySpread[0].NodeAffinityPolicy = tc.policy
		p.aff().NodeAffinity = &NodeAffinity{Required: []NodeSelectorTerm{{MatchExpressions: []Requirement{{Key: LabelZone, Operator: OpIn, Values: []string{"A", "B"}}}}}}
		wantFeasible(t, s, p, tc.want...)
	}
}

// nodeTaintsPolicy: Honor leaves out nodes whose taints the pod does not
// tolerate. zoneC's only node is tainted: with Honor the domains are
// {A: 1, B: 1} and both pass; with Ignore (the default) zoneC counts 0,
// A and B reach skew 2 and zoneC fails its taint: pending.
func TestSpreadNodeTaintsPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy InclusionPolicy
		want   []string
	}{{Honor, []string{"a1", "b1"}}, {Ignore, nil}} {
		s := newTestScheduler(t, mkNode("a1").zone("A"), mkNode("b1").zone("B"), mkNode("c1").zone("C").taint("dedicated", "x", NoSchedule))
		bindTo(t, s, mkPod("x").label("foo", "bar"), "a1")
		bindTo(t, s, mkPod("y").label("foo", "bar"), "b1")
		p := mkPod("mypod").label("foo", "bar").spread(1, LabelZone, DoNotSchedule, sel("foo", "bar"))
		p.TopologySpread[0].NodeTaintsPolicy = tc.policy
		wantFeasible(t, s, p, tc.want...)
	}
}

// A node without the constraint's key fails as "missing required label".
func TestSpreadMissingLabel(t *testing.T) {
	s := newTestScheduler(t, mkNode("a1").zone("A"), mkNode("nozone"))
	p := mkPod("mypod").label("foo", "bar").spread(1, LabelZone, DoNotSchedule, sel("foo", "bar"))
	wantFeasible(t, s, p, "a1")
	s.c.preFilter(p.Pod, &s.cs)
	var st status
	if s.c.filter(&s.cs, 1, &st) || st.reasons[0] != ReasonSpreadMissingLabel || !st.unresolved {
		t.Fatalf("nozone: %+v", st)
	}
}

// Kubernetes docs, "Assigning Pods to Nodes", inter-pod affinity example:
// a redis-cache Deployment (app=store, 3 replicas, required anti-affinity
// to app=store per hostname) and a web-server Deployment (app=web-store, 3
// replicas, anti-affinity to app=web-store and affinity to app=store per
// hostname) on three nodes: each node runs one cache and one web server.
func TestInterPodAffinityDocsExample(t *testing.T) {
	s := newTestScheduler(t, mkNode("node-1"), mkNode("node-2"), mkNode("node-3"))
	store, web := sel("app", "store"), sel("app", "web-store")
	cacheAff := &Affinity{PodAntiAffinity: &PodAffinity{Required: []*PodAffinityTerm{{Selector: store, TopologyKey: LabelHostname}}}}
	webAff := &Affinity{
		PodAntiAffinity: &PodAffinity{Required: []*PodAffinityTerm{{Selector: web, TopologyKey: LabelHostname}}},
		PodAffinity:     &PodAffinity{Required: []*PodAffinityTerm{{Selector: store, TopologyKey: LabelHostname}}},
	}
	// Web servers first: they must wait for a cache on the node.
	w0 := mkPod("web-server-0").label("app", "web-store")
	w0.Affinity = webAff
	if _, err := s.Schedule(w0.Pod, -1); err == nil || err.Error() != "0/3 nodes are available: 3 node(s) didn't match pod affinity rules." {
		t.Fatalf("web server before any cache: %v", err)
	}
	for i := range 3 {
		p := mkPod("redis-cache-"+string(rune('0'+i))).label("app", "store")
		p.Affinity = cacheAff
		if _, err := place(t, s, p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		p := mkPod("web-server-"+string(rune('0'+i))).label("app", "web-store")
		p.Affinity = webAff
		if _, err := place(t, s, p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		var apps []string
		for _, p := range s.c.Pods(i) {
			apps = append(apps, p.Labels["app"])
		}
		slices.Sort(apps)
		if !slices.Equal(apps, []string{"store", "web-store"}) {
			t.Fatalf("%s runs %v, want one store and one web-store", s.c.Node(i).Name, apps)
		}
	}
	// A fourth cache fits nowhere: existing caches' anti-affinity and its own.
	p := mkPod("redis-cache-3").label("app", "store")
	p.Affinity = cacheAff
	_, err := s.Schedule(p.Pod, -1)
	if err == nil || err.Error() != "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules." {
		t.Fatalf("fourth cache: %v", err)
	}
}

// The pod's own anti-affinity with a zone key, and the first-pod rule of
// required affinity: a pod with affinity to its own labels goes anywhere
// when no pod matches yet, then its peers follow it into its zone.
func TestInterPodAffinityZone(t *testing.T) {
	s := fourNodes(t)
	bindTo(t, s, mkPod("db").label("app", "db"), "node1")
	p := mkPod("x").antiReq(sel("app", "db"), LabelZone)
	wantFeasible(t, s, p, "node3", "node4")
	// An existing pod's anti-affinity binds others too: with x in zoneB an
	// app=db pod cannot go to zoneB.
	bindTo(t, s, p, "node3")
	wantFeasible(t, s, mkPod("db2").label("app", "db"), "node1", "node2")
	// y (app=db, anti to app=db per zone): zoneA holds db, zoneB holds x.
	q := mkPod("y").label("app", "db")
	q.antiReq(sel("app", "db"), LabelZone)
	wantFeasible(t, s, q)

	s = fourNodes(t)
	first := mkPod("g0").label("grp", "g").affReq(sel("grp", "g"), LabelZone)
	wantFeasible(t, s, first, "node1", "node2", "node3", "node4")
	bindTo(t, s, first, "node4")
	second := mkPod("g1").label("grp", "g").affReq(sel("grp", "g"), LabelZone)
	wantFeasible(t, s, second, "node3", "node4")
}

// Kubernetes docs, "Taints and Tolerations": node1 tainted key1=value1
// NoSchedule is tolerated by {key1, Equal, value1, NoSchedule} and by
// {key1, Exists, NoSchedule}; with taints key1=value1:NoSchedule,
// key1=value1:NoExecute and key2=value2:NoSchedule, a pod tolerating the
// first two cannot schedule onto the node (the third is untolerated).
func TestTaintTolerationDocs(t *testing.T) {
	s := newTestScheduler(t, mkNode("node1").taint("key1", "value1", NoSchedule))
	wantFeasible(t, s, mkPod("none"))
	wantFeasible(t, s, mkPod("equal").tolerate(Toleration{Key: "key1", Operator: "Equal", Value: "value1", Effect: NoSchedule}), "node1")
	wantFeasible(t, s, mkPod("exists").tolerate(Toleration{Key: "key1", Operator: "Exists", Effect: NoSchedule}), "node1")
	wantFeasible(t, s, mkPod("wrongvalue").tolerate(Toleration{Key: "key1", Value: "other", Effect: NoSchedule}))
	wantFeasible(t, s, mkPod("all").tolerate(Toleration{Operator: "Exists"}), "node1")

	s = newTestScheduler(t, mkNode("node1").taint("key1", "value1", NoSchedule).taint("key1", "value1", NoExecute).taint("key2", "value2", NoSchedule))
	p := mkPod("p").tolerate(Toleration{Key: "key1", Operator: "Equal", Value: "value1", Effect: NoSchedule}).
		tolerate(Toleration{Key: "key1", Operator: "Equal", Value: "value1", Effect: NoExecute})
	_, err := s.Schedule(p.Pod, -1)
	if err == nil || err.Error() != "0/1 nodes are available: 1 node(s) had untolerated taint {key2: value2}." {
		t.Fatalf("got %v", err)
	}
	// PreferNoSchedule never filters.
	s = newTestScheduler(t, mkNode("node1").taint("k", "v", PreferNoSchedule))
	wantFeasible(t, s, mkPod("p"), "node1")
}

// Kubernetes docs, "Assigning Pods to Nodes", node affinity example: the
// pod requires topology.kubernetes.io/zone In [antarctica-east1,
// antarctica-west1] and prefers another-node-label-key=another-node-label-
// value (weight 1): nodes of other zones are filtered, and of two equal
// nodes the one with the preferred label wins. nodeSelector and
// matchFields metadata.name filter the same way.
func TestNodeAffinityDocs(t *testing.T) {
	s := newTestScheduler(t, mkNode("east").zone("antarctica-east1"),
		mkNode("west").zone("antarctica-west1").label("another-node-label-key", "another-node-label-value"),
		mkNode("south").zone("antarctica-south1").label("another-node-label-key", "another-node-label-value"))
	p := mkPod("with-node-affinity").req(100, gi)
	p.aff().NodeAffinity = &NodeAffinity{
		Required:  []NodeSelectorTerm{{MatchExpressions: []Requirement{{Key: LabelZone, Operator: OpIn, Values: []string{"antarctica-east1", "antarctica-west1"}}}}},
		Preferred: []PreferredSchedulingTerm{{Weight: 1, Term: NodeSelectorTerm{MatchExpressions: []Requirement{{Key: "another-node-label-key", Operator: OpIn, Values: []string{"another-node-label-value"}}}}}},
	}
	wantFeasible(t, s, p, "east", "west")
	for range 5 {
		if i, err := s.Schedule(p.Pod, -1); err != nil || s.c.Node(i).Name != "west" {
			t.Fatalf("got %d %v, want west", i, err)
		}
	}
	q := mkPod("sel")
	q.NodeSelector = map[string]string{LabelZone: "antarctica-south1"}
	wantFeasible(t, s, q, "south")
	r := mkPod("field")
	r.aff().NodeAffinity = &NodeAffinity{Required: []NodeSelectorTerm{{MatchFields: []Requirement{{Key: "metadata.name", Operator: OpIn, Values: []string{"east"}}}}}}
	wantFeasible(t, s, r, "east")
	gt := mkPod("gt")
	gt.aff().NodeAffinity = &NodeAffinity{Required: []NodeSelectorTerm{{MatchExpressions: []Requirement{{Key: "gen", Operator: OpGt, Values: []string{"3"}}}}}}
	s.c.Node(0).Labels["gen"] = "4"
	s.c.Node(1).Labels["gen"] = "3"
	wantFeasible(t, s, gt, "east")
}

// NodeResourcesFit: every insufficient resource is a reason of its own,
// nvidia.com/gpu included; NodeName and unschedulable nodes are filtered
// before resources.
func TestResourcesFitReasons(t *testing.T) {
	s := newTestScheduler(t, mkNode("small").cap(1000, gi), mkNode("gpu").gpus(2), mkNode("cordoned").gpus(8))
	s.c.Node(2).Unschedulable = true
	p := mkPod("p").req(2000, 2*gi).gpu(4)
	_, err := s.Schedule(p.Pod, -1)
	want := "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu."
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	q := mkPod("q").gpu(1)
	q.NodeName = "cordoned"
	_, err = s.Schedule(q.Pod, -1)
	want = "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match the requested node name."
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	q.Tolerations = []Toleration{{Key: "node.kubernetes.io/unschedulable", Operator: "Exists", Effect: NoSchedule}}
	wantFeasible(t, s, q, "cordoned")
}

// percentageOfNodesToScore's adaptive default: 50 - n/125 percent, at
// least 5 %, at least 100 nodes, all nodes below 100.
func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct {
		n    int
		pct  int32
		want int
	}{
		{50, 0, 50}, {99, 0, 99}, {100, 0, 100}, // 48 % of 100 is 48 < 100
		{1000, 0, 420},  // 50 - 8 = 42 %
		{5000, 0, 500},  // 50 - 40 = 10 %
		{6000, 0, 300},  // 50 - 48 = 2 % -> 5 %
		{10000, 0, 500}, // 5 %
		{5000, 30, 1500}, {5000, 1, 100}, {5000, 100, 5000},
	} {
		if got := NumFeasibleNodesToFind(tc.n, tc.pct); got != tc.want {
			t.Errorf("NumFeasibleNodesToFind(%d, %d) = %d, want %d", tc.n, tc.pct, got, tc.want)
		}
	}
}

// With 1000 empty nodes the scheduler filters 420 per cycle and starts the
// next cycle where this one stopped.
func TestFilterStopsAtFeasibleTarget(t *testing.T) {
	var nodes []nodeW
	for i := range 1000 {
		nodes = append(nodes, mkNode("n"+string(rune('A'+i%26))+string(rune('a'+i/26))))
	}
	s := newTestScheduler(t, nodes...)
	if _, err := s.Schedule(mkPod("p").Pod, -1); err != nil {
		t.Fatal(err)
	}
	if len(s.feasible) != 420 || s.next != 420 {
		t.Fatalf("feasible %d, next %d; want 420, 420", len(s.feasible), s.next)
	}
	_, _ = s.Schedule(mkPod("q").Pod, -1)
	if s.feasible[0] != 420 || s.next != 840 {
		t.Fatalf("second cycle starts at %d, next %d; want 420, 840", s.feasible[0], s.next)
	}
}
