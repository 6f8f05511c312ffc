package kube

import (
	"math/rand/v2"
	"testing"
)

// Fluent fixtures, as kube-scheduler's testing wrappers (MakeNode, MakePod).

const gi = int64(1 << 30)

type nodeW struct{ *Node }

func mkNode(name string) nodeW {
	return nodeW{&Node{Name: name, Labels: map[string]string{LabelHostname: name},
		Allocatable: Resources{MilliCPU: 4000, Memory: 16 * gi, Pods: 110}}}
}

func (n nodeW) label(k, v string) nodeW { n.Labels[k] = v; return n }
func (n nodeW) zone(z string) nodeW     { return n.label(LabelZone, z) }
func (n nodeW) cap(cpu, mem int64) nodeW {
	n.Allocatable.MilliCPU, n.Allocatable.Memory = cpu, mem
	return n
}
func (n nodeW) gpus(k int64) nodeW { n.Allocatable.GPU = k; return n }
func (n nodeW) taint(k, v string, e TaintEffect) nodeW {
	n.Taints = append(n.Taints, Taint{Key: k, Value: v, Effect: e})
	return n
}

type podW struct{ *Pod }

func mkPod(name string) podW {
	return podW{&Pod{Name: name, Namespace: "default", Labels: map[string]string{},
		Requests: Resources{Pods: 1}, NonZero: Resources{MilliCPU: DefaultMilliCPURequest, Memory: DefaultMemoryRequest, Pods: 1}}}
}

func (p podW) label(k, v string) podW { p.Labels[k] = v; return p }
func (p podW) req(cpu, mem int64) podW {
	p.Requests.MilliCPU, p.Requests.Memory = cpu, mem
	p.NonZero.MilliCPU, p.NonZero.Memory = cpu, mem
	if cpu == 0 {
		p.NonZero.MilliCPU = DefaultMilliCPURequest
	}
	if mem == 0 {
		p.NonZero.Memory = DefaultMemoryRequest
	}
	return p
}
func (p podW) gpu(k int64) podW   { p.Requests.GPU = k; p.NonZero.GPU = k; return p }
func (p podW) prio(v int32) podW  { p.Priority = v; return p }
func (p podW) start(t int64) podW { p.Start = t; return p }
func (p podW) tolerate(t Toleration) podW {
	p.Tolerations = append(p.Tolerations, t)
	return p
}
func (p podW) aff() *Affinity {
	if p.Affinity == nil {
		p.Affinity = &Affinity{}
	}
	return p.Affinity
}
func (p podW) spread(skew int32, key string, when UnsatisfiableAction, sel *LabelSelector) podW {
	p.TopologySpread = append(p.TopologySpread, TopologySpreadConstraint{MaxSkew: skew, TopologyKey: key,
		WhenUnsatisfiable: when, Selector: sel, MinDomains: 1, NodeAffinityPolicy: Honor, NodeTaintsPolicy: Ignore})
	return p
}
func (p podW) antiReq(sel *LabelSelector, key string) podW {
	a := p.aff()
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &PodAffinity{}
	}
	a.PodAntiAffinity.Required = append(a.PodAntiAffinity.Required, &PodAffinityTerm{Selector: sel, TopologyKey: key})
	return p
}
func (p podW) affReq(sel *LabelSelector, key string) podW {
	a := p.aff()
	if a.PodAffinity == nil {
		a.PodAffinity = &PodAffinity{}
	}
	a.PodAffinity.Required = append(a.PodAffinity.Required, &PodAffinityTerm{Selector: sel, TopologyKey: key})
	return p
}

func sel(kv ...string) *LabelSelector {
	s := &LabelSelector{MatchLabels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.MatchLabels[kv[i]] = kv[i+1]
	}
	return s
}

func newTestScheduler(t *testing.T, nodes ...nodeW) *Scheduler {
	t.Helper()
	ns := make([]*Node, len(nodes))
	for i, n := range nodes {
		ns[i] = n.Node
	}
	c, err := NewCluster(ns)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewScheduler(c, DefaultProfile(), rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bindTo binds p to the named node.
func bindTo(t *testing.T, s *Scheduler, p podW, node string) {
	t.Helper()
	if err := s.c.Bind(p.Pod, s.c.NodeIndex(node)); err != nil {
		t.Fatal(err)
	}
}

// feasibleNames runs PreFilter and Filter on every node and returns the
// nodes that pass.
func feasibleNames(s *Scheduler, p *Pod) []string {
	s.c.preFilter(p, &s.cs)
	var out []string
	var st status
	for i := 0; i < s.c.Len(); i++ {
		if s.c.filter(&s.cs, i, &st) {
			out = append(out, s.c.Node(i).Name)
		}
	}
	return out
}

// place schedules and binds p, returning the node's name ("" on a fit
// error, which is returned).
func place(t *testing.T, s *Scheduler, p podW) (string, error) {
	t.Helper()
	i, err := s.Schedule(p.Pod, -1)
	if err != nil {
		return "", err
	}
	if err := s.c.Bind(p.Pod, i); err != nil {
		t.Fatal(err)
	}
	return s.c.Node(i).Name, nil
}
