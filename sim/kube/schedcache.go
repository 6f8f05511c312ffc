package kube

import "slices"

// The scheduling cycle's fast path, for the pods whose filters and scores
// read nothing but the node itself: no node name, selector or affinity, no
// topology spread (their own or the system default's), no pod
// (anti-)affinity of theirs or of a bound pod that matches them, and no
// nominated pod anywhere, under a profile with a built-in resource scorer.
// For such a pod every node's outcome (feasible, and its total score) is a
// function of the node and of the pod's class: its requests and
// tolerations. The scheduler keeps each node's outcome for the last class
// and recomputes only the nodes whose version (Cluster.vers: binds,
// unbinds, taints, cordons, removal) moved, so a ReplicaSet's pods,
// scheduled one after another, cost a pass over a compact array instead
// of the filters and scores of every node examined. The walk, the number
// of nodes examined, the scores and the random tie-break are the full
// cycle's; when it would fail, or a feasible node carries an untolerated
// PreferNoSchedule taint (TaintToleration then normalises over the nodes
// examined), the full cycle runs instead.

// fastEntry is one node's outcome for the cached class.
type fastEntry struct {
	ver, gen uint32
	ok       bool  // passes the filters
	taint    bool  // an untolerated PreferNoSchedule taint
	score    int64 // total score (TaintToleration taken as MaxNodeScore)
}

// fastClass is what a fast-path pod's outcome on a node depends on.
type fastClass struct {
	req     Resources
	nzCPU   int64
	nzMem   int64
	scorer  uintptr
	weights Weights
}

// fastEligible reports whether p's cycle may take the fast path (after
// preFilter has run for p).
func (s *Scheduler) fastEligible(p *Pod) bool {
	c, cs := s.c, &s.cs
	if p.NodeName != "" || len(p.NodeSelector) > 0 || p.Affinity != nil || len(p.TopologySpread) > 0 || p.OwnerSelector != nil {
		return false
	}
	if len(cs.spread) > 0 || len(cs.affinity) > 0 || len(cs.anti) > 0 || len(cs.existing) > 0 || len(c.nomOf) > 0 {
		return false
	}
	if !s.memoizable() {
		return false
	}
	if s.prof.Weights.InterPodAffinity != 0 {
		for _, e := range c.termSeq {
			if e.total > 0 && e.kind != reqAnti && termMatches(e.term, e.ns, p) {
				return false // bound pods' terms score this pod
			}
		}
	}
	return true
}

// fastSchedule is the cycle's fast path; false when the full cycle must
// run (it then starts afresh: nothing here changed the scheduler's state
// but the cache).
func (s *Scheduler) fastSchedule(p *Pod) (int, bool) {
	c := s.c
	if !s.fastEligible(p) {
		return -1, false
	}
	key := fastClass{req: p.Requests, nzCPU: p.NonZero.MilliCPU, nzMem: p.NonZero.Memory, scorer: s.memoFor, weights: s.prof.Weights}
	if s.fgen == 0 || key != s.fkey || !slices.Equal(p.Tolerations, s.ftols) {
		s.fgen++
		s.fkey = key
		s.ftols = append(s.ftols[:0], p.Tolerations...)
	}
	n := c.Len()
	if len(s.fcache) < n {
		s.fcache = append(s.fcache, make([]fastEntry, n-len(s.fcache))...)
	}
	want := NumFeasibleNodesToFind(n, s.prof.PercentageOfNodesToScore)
	fs, tot := s.feasible[:0], s.total[:0]
	processed := 0
	i := s.next - 1
	for k := 0; k < n && len(fs) < want; k++ {
		if i++; i >= n {
			i = 0
		}
		processed++
		e := &s.fcache[i]
		if e.gen != s.fgen || e.ver != c.vers[i] {
			s.fastFill(p, i, e)
		}
		if e.ok {
			if e.taint {
				s.feasible, s.total = fs, tot
				return -1, false
			}
			fs = append(fs, i)
			tot = append(tot, e.score)
		}
	}
	s.feasible, s.total = fs, tot
	switch len(fs) {
	case 0:
		return -1, false // the full cycle gathers every node's reasons
	}
	s.next = (s.next + processed) % n
	s.fastCycles++
	if len(fs) == 1 {
		return fs[0], true
	}
	return s.selectHost(tot), true
}

// fastFill computes node i's outcome for the class of p, as the full
// cycle's filter and score do.
func (s *Scheduler) fastFill(p *Pod, i int, e *fastEntry) {
	c := s.c
	w := s.prof.Weights
	*e = fastEntry{ver: c.vers[i], gen: s.fgen}
	if c.nodes[i].gone || !c.filter(&s.cs, i, &s.status[i]) {
		return
	}
	e.ok = true
	if w.TaintToleration != 0 {
		e.taint = taintScore(p, c.nodes[i].node) != 0
		e.score += w.TaintToleration * MaxNodeScore
	}
	if w.NodeResourcesFit != 0 {
		e.score += w.NodeResourcesFit * s.prof.Resource(c, p, i)
	}
	if w.NodeResourcesBalancedAllocation != 0 && (p.Requests.MilliCPU > 0 || p.Requests.Memory > 0) {
		e.score += w.NodeResourcesBalancedAllocation * balancedAllocation(c, p, i)
	}
}
