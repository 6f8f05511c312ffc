package kube

import (
	"math"
)

// MaxNodeScore is the top of every score plugin's scale.
const MaxNodeScore int64 = 100

// hardPodAffinityWeight is InterPodAffinityArgs' default: the score an
// existing pod's required affinity term gives the nodes of its domain.
const hardPodAffinityWeight = 1

// ResourceScorer scores node i for pod p on [0, MaxNodeScore]: the
// NodeResourcesFit plugin's scoring strategy. LeastAllocated is the
// default; MostAllocated is the other built-in; any function may replace
// them (a fleetsim placement strategy, for one).
type ResourceScorer func(c *Cluster, p *Pod, i int) int64

// LeastAllocated is NodeResourcesFit's default scoring strategy: per
// resource (cpu, memory; weight 1 each), (allocatable - requested) * 100 /
// allocatable with requested = the node's non-zero requests plus the pod's,
// 0 when requested exceeds allocatable; the weighted mean over the
// resources the node has, in integer arithmetic.
func LeastAllocated(c *Cluster, p *Pod, i int) int64 {
	ni := &c.nodes[i]
	least := func(req, alloc int64) int64 {
		if req > alloc {
			return 0
		}
		return (alloc - req) * MaxNodeScore / alloc
	}
	var sum, w int64
	if a := ni.node.Allocatable.MilliCPU; a > 0 {
		sum += least(ni.nonZero.MilliCPU+p.NonZero.MilliCPU, a)
		w++
	}
	if a := ni.node.Allocatable.Memory; a > 0 {
		sum += least(ni.nonZero.Memory+p.NonZero.Memory, a)
		w++
	}
	if w == 0 {
		return 0
	}
	return sum / w
}

// MostAllocated is the MostAllocated scoring strategy: requested * 100 /
// allocatable, requested capped at allocatable.
func MostAllocated(c *Cluster, p *Pod, i int) int64 {
	return allocatedScore(c, p, i, func(req, alloc int64) int64 {
		return min(req, alloc) * MaxNodeScore / alloc
	})
}

func allocatedScore(c *Cluster, p *Pod, i int, f func(req, alloc int64) int64) int64 {
	ni := &c.nodes[i]
	var sum, w int64
	if a := ni.node.Allocatable.MilliCPU; a > 0 {
		sum += f(ni.nonZero.MilliCPU+p.NonZero.MilliCPU, a)
		w++
	}
	if a := ni.node.Allocatable.Memory; a > 0 {
		sum += f(ni.nonZero.Memory+p.NonZero.Memory, a)
		w++
	}
	if w == 0 {
		return 0
	}
	return sum / w
}

// balancedAllocation is NodeResourcesBalancedAllocation: with f_r the
// share of resource r requested on the node once the pod is added (actual
// requests, capped at 1) over cpu and memory, (1 - std(f)) * 100, where
// for two resources std = |f_cpu - f_mem| / 2.
func balancedAllocation(c *Cluster, p *Pod, i int) int64 {
	ni := &c.nodes[i]
	var fr [2]float64
	n := 0
	if a := ni.node.Allocatable.MilliCPU; a > 0 {
		fr[n] = capOne(float64(ni.requested.MilliCPU+p.Requests.MilliCPU) / float64(a))
		n++
	}
	if a := ni.node.Allocatable.Memory; a > 0 {
		fr[n] = capOne(float64(ni.requested.Memory+p.Requests.Memory) / float64(a))
		n++
	}
	std := 0.0
	if n == 2 {
		std = math.Abs((fr[0] - fr[1]) / 2)
	}
	return int64((1 - std) * float64(MaxNodeScore))
}

func capOne(f float64) float64 {
	if f > 1 {
		return 1
	}
	return f
}

// defaultNormalize is the framework's DefaultNormalizeScore: scores scaled
// so the largest is MaxNodeScore (reverse: subtracted from it); when all are
// 0 they stay 0 (reverse: all become MaxNodeScore).
func defaultNormalize(scores []int64, reverse bool) {
	var mx int64
	for _, s := range scores {
		mx = max(mx, s)
	}
	if mx == 0 {
		if reverse {
			for k := range scores {
				scores[k] = MaxNodeScore
			}
		}
		return
	}
	for k, s := range scores {
		s = MaxNodeScore * s / mx
		if reverse {
			s = MaxNodeScore - s
		}
		scores[k] = s
	}
}

// taintScore is TaintToleration's raw score: the node's PreferNoSchedule
// taints that no toleration with effect PreferNoSchedule (or any effect)
// tolerates.
func taintScore(p *Pod, n *Node) int64 {
	var k int64
	for i := range n.Taints {
		t := &n.Taints[i]
		if t.Effect != PreferNoSchedule {
			continue
		}
		ok := false
		for j := range p.Tolerations {
			tol := &p.Tolerations[j]
			if (tol.Effect == "" || tol.Effect == PreferNoSchedule) && tol.Tolerates(t) {
				ok = true
				break
			}
		}
		if !ok {
			k++
		}
	}
	return k
}

// nodeAffinityScore is NodeAffinity's raw score: the sum of the weights of
// the preferred terms the node matches.
func nodeAffinityScore(p *Pod, n *Node) int64 {
	var s int64
	for _, pt := range p.Affinity.NodeAffinity.Preferred {
		if pt.Term.matches(n) {
			s += int64(pt.Weight)
		}
	}
	return s
}

// The system default topology spread constraints (PodTopologySpreadArgs,
// defaultingType System) for pods that have none of their own and an
// owner's selector.
var systemDefaultSpread = []TopologySpreadConstraint{
	{MaxSkew: 3, TopologyKey: LabelHostname, WhenUnsatisfiable: ScheduleAnyway},
	{MaxSkew: 5, TopologyKey: LabelZone, WhenUnsatisfiable: ScheduleAnyway},
}

// softSpread returns the constraints PodTopologySpread scores with, and
// whether nodes must carry every key of them (false for system defaults).
func softSpread(p *Pod, buf []TopologySpreadConstraint) ([]TopologySpreadConstraint, bool) {
	buf = buf[:0]
	if len(p.TopologySpread) == 0 {
		if p.OwnerSelector == nil {
			return nil, false
		}
		for _, d := range systemDefaultSpread {
			d.Selector = p.OwnerSelector
			d.MinDomains, d.NodeAffinityPolicy, d.NodeTaintsPolicy = 1, Honor, Ignore
			buf = append(buf, d)
		}
		return buf, false
	}
	for _, sc := range p.TopologySpread {
		if sc.WhenUnsatisfiable == ScheduleAnyway {
			buf = append(buf, sc)
		}
	}
	return buf, true
}
