package kube

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Property tests: random clusters and workloads, each placement checked
// against naive re-implementations that walk every bound pod (the fast
// indexes are not used), as raft's quorum/quick_test.go checks its fast
// path against dumb code.

type world struct {
	s     *Scheduler
	nodes []*Node
}

func randomWorld(r *rand.Rand) *world {
	n := 3 + r.IntN(10)
	zones := 1 + r.IntN(3)
	nodes := make([]*Node, n)
	for i := range nodes {
		name := fmt.Sprintf("n%d", i)
		nd := &Node{Name: name, Labels: map[string]string{LabelHostname: name, LabelZone: fmt.Sprintf("z%d", i%zones)},
			Allocatable: Resources{MilliCPU: int64(1000 * (1 + r.IntN(4))), Memory: int64(1+r.IntN(4)) * gi, GPU: int64(r.IntN(3)), Pods: int64(3 + r.IntN(8))}}
		if r.IntN(2) == 0 {
			nd.Labels["disk"] = "ssd"
		}
		if r.IntN(4) == 0 {
			nd.Taints = append(nd.Taints, Taint{Key: "gpu", Value: "true", Effect: NoSchedule})
		}
		if r.IntN(5) == 0 {
			nd.Taints = append(nd.Taints, Taint{Key: "spot", Effect: PreferNoSchedule})
		}
		nodes[i] = nd
	}
	c, _ := NewCluster(nodes)
	s, _ := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(r.Uint64(), 1)))
	return &world{s: s, nodes: nodes}
}

var groupSel = [3]*LabelSelector{sel("grp", "a"), sel("grp", "b"), sel("grp", "c")}
var antiTerms = [2][3]*PodAffinityTerm{}

func init() {
	for k, key := range []string{LabelHostname, LabelZone} {
		for g := range 3 {
			antiTerms[k][g] = &PodAffinityTerm{Selector: groupSel[g], TopologyKey: key}
		}
	}
}

func randomPod(r *rand.Rand, id int) *Pod {
	g := r.IntN(3)
	p := mkPod(fmt.Sprintf("p%d", id)).label("grp", string(rune('a'+g))).
		req(int64(100*(1+r.IntN(15))), int64(1+r.IntN(8))*gi/4).prio(int32(r.IntN(4)) * 10).start(int64(id))
	if r.IntN(5) == 0 {
		p.gpu(1)
	}
	if r.IntN(4) == 0 {
		p.tolerate(Toleration{Key: "gpu", Operator: "Exists", Effect: NoSchedule})
	}
	if r.IntN(5) == 0 {
		p.NodeSelector = map[string]string{"disk": "ssd"}
	}
	if r.IntN(6) == 0 {
		p.aff().NodeAffinity = &NodeAffinity{Required: []NodeSelectorTerm{{MatchExpressions: []Requirement{{Key: LabelZone, Operator: OpNotIn, Values: []string{"z1"}}}}}}
	}
	if r.IntN(4) == 0 {
		p.aff().PodAntiAffinity = &PodAffinity{Required: []*PodAffinityTerm{antiTerms[r.IntN(2)][r.IntN(3)]}}
	}
	if r.IntN(3) == 0 {
		key := []string{LabelHostname, LabelZone}[r.IntN(2)]
		p.spread(int32(1+r.IntN(2)), key, DoNotSchedule, groupSel[g])
	}
	if r.IntN(4) == 0 {
		p.PreemptionPolicy = PreemptNever
	}
	return p.Pod
}

// naive checks, walking every bound pod.

func (w *world) bound() map[*Pod]int {
	m := map[*Pod]int{}
	for i := range w.nodes {
		for _, p := range w.s.c.Pods(i) {
			m[p] = i
		}
	}
	return m
}

func naiveAntiOK(w *world, p *Pod, i int, bound map[*Pod]int) bool {
	same := func(key string, a, b int) bool {
		va, oka := w.nodes[a].Labels[key]
		vb, okb := w.nodes[b].Labels[key]
		return oka && okb && va == vb
	}
	for q, j := range bound {
		if q == p {
			continue
		}
		if p.Affinity != nil && p.Affinity.PodAntiAffinity != nil {
			for _, t := range p.Affinity.PodAntiAffinity.Required {
				if same(t.TopologyKey, i, j) && termMatches(t, p.Namespace, q) {
					return false
				}
			}
		}
		if q.Affinity != nil && q.Affinity.PodAntiAffinity != nil {
			for _, t := range q.Affinity.PodAntiAffinity.Required {
				if same(t.TopologyKey, i, j) && termMatches(t, q.Namespace, p) {
					return false
				}
			}
		}
	}
	return true
}

// naiveSkewOK: for each hard constraint, placing p on node i keeps
// count(domain of i) + 1 - min over domains of eligible nodes <= maxSkew
// (bound excludes p).
func naiveSkewOK(w *world, p *Pod, i int, bound map[*Pod]int) bool {
	for _, c := range p.TopologySpread {
		if c.WhenUnsatisfiable != DoNotSchedule {
			continue
		}
		counts := map[string]int{}
		for j, n := range w.nodes {
			if v, ok := n.Labels[c.TopologyKey]; ok && requiredNodeMatch(p, n) {
				if _, seen := counts[v]; !seen {
					counts[v] = 0
				}
				_ = j
			}
		}
		for q, j := range bound {
			if q == p || q.Namespace != p.Namespace || !c.Selector.Matches(q.Labels) {
				continue
			}
			n := w.nodes[j]
			if v, ok := n.Labels[c.TopologyKey]; ok && requiredNodeMatch(p, n) {
				counts[v]++
			}
		}
		mn := -1
		for _, k := range counts {
			if mn < 0 || k < mn {
				mn = k
			}
		}
		v, ok := w.nodes[i].Labels[c.TopologyKey]
		if !ok {
			return false
		}
		if counts[v]+1-mn > int(c.MaxSkew) {
			return false
		}
	}
	return true
}

func naiveStaticOK(w *world, p *Pod, i int) bool {
	n := w.nodes[i]
	return untolerated(n.Taints, p.Tolerations, NoSchedule, NoExecute) == nil && requiredNodeMatch(p, n) && !n.Unschedulable
}

func naiveFits(w *world, p *Pod, i int, bound map[*Pod]int) bool {
	var used Resources
	for q, j := range bound {
		if j == i && q != p {
			used.Add(q.Requests)
		}
	}
	a := w.nodes[i].Allocatable
	r := p.Requests
	return used.MilliCPU+r.MilliCPU <= a.MilliCPU && used.Memory+r.Memory <= a.Memory &&
		used.GPU+r.GPU <= a.GPU && used.Pods+1 <= a.Pods &&
		naiveStaticOK(w, p, i) && naiveAntiOK(w, p, i, bound) && naiveSkewOK(w, p, i, bound)
}

func TestPropertyRandomClusters(t *testing.T) {
	const worlds, podsPer = 300, 40
	r := rand.New(rand.NewPCG(18, 18))
	var bound, pending, preempted int
	for wi := range worlds {
		w := randomWorld(r)
		s := w.s
		for id := range podsPer {
			// Now and then a running pod ends.
			if id%7 == 6 {
				b := w.bound()
				for q := range b {
					_ = s.c.Unbind(q)
					break
				}
			}
			p := randomPod(r, id)
			before := w.bound()
			i, err := s.Schedule(p, -1)
			if err != nil {
				fe := err.(*FitError)
				pr := s.Preempt(p, fe, nil)
				if pr != nil {
					for _, v := range pr.Victims {
						if v.Priority >= p.Priority {
							t.Fatalf("world %d: victim %s priority %d >= preemptor's %d", wi, v.Name, v.Priority, p.Priority)
						}
						_ = s.c.Unbind(v)
						preempted++
					}
					before = w.bound()
					i, err = s.Schedule(p, pr.Node)
					if err != nil || i != pr.Node {
						t.Fatalf("world %d: %s nominated to %d, then %d %v", wi, p.Name, pr.Node, i, err)
					}
				}
			}
			if err != nil {
				pending++
				// Pending only when no node passes, even with every
				// lower-priority pod removed (when the pod may preempt).
				for j := range w.nodes {
					if naiveFits(w, p, j, before) {
						t.Fatalf("world %d: %s pending but fits %s: %v", wi, p.Name, w.nodes[j].Name, err)
					}
					if p.PreemptionPolicy == PreemptNever {
						continue
					}
					reduced := map[*Pod]int{}
					for q, k := range before {
						if k != j || q.Priority >= p.Priority {
							reduced[q] = k
						}
					}
					if naiveFits(w, p, j, reduced) {
						t.Fatalf("world %d: %s pending but preempting on %s would fit: %v", wi, p.Name, w.nodes[j].Name, err)
					}
				}
				continue
			}
			if !naiveFits(w, p, i, before) {
				t.Fatalf("world %d: %s placed on %s where the naive checks fail", wi, p.Name, w.nodes[i].Name)
			}
			_ = s.c.Bind(p, i)
			bound++
			// Invariants over the whole cluster after the bind.
			all := w.bound()
			for j := range w.nodes {
				var used Resources
				for _, q := range s.c.Pods(j) {
					used.Add(q.Requests)
				}
				a := w.nodes[j].Allocatable
				if used.MilliCPU > a.MilliCPU || used.Memory > a.Memory || used.GPU > a.GPU || used.Pods > a.Pods {
					t.Fatalf("world %d: node %s over-committed: %+v > %+v", wi, w.nodes[j].Name, used, a)
				}
				if used != s.c.Requested(j) {
					t.Fatalf("world %d: node %s requested %+v, index says %+v", wi, w.nodes[j].Name, used, s.c.Requested(j))
				}
			}
			for q, j := range all {
				if !naiveAntiOK(w, q, j, all) || !naiveStaticOK(w, q, j) {
					t.Fatalf("world %d: %s on %s violates anti-affinity, taints or node affinity", wi, q.Name, w.nodes[j].Name)
				}
			}
		}
	}
	t.Logf("%d bound, %d pending, %d preempted", bound, pending, preempted)
	if bound == 0 || pending == 0 || preempted == 0 {
		t.Fatalf("random workloads must exercise binds (%d), pending pods (%d) and preemption (%d)", bound, pending, preempted)
	}
}
