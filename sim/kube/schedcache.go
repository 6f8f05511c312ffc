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
// but the caches). The walk takes whole blocks of verBlock nodes from
// their summaries (feasible count, top score and how many nodes have it)
// where the window cannot end inside them, node by node elsewhere; the
// tie-break draws as selectHost does, then finds the drawn node among the
// window's nodes of top score, block by block.
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
	if nb := (n + verBlock - 1) / verBlock; len(s.fblocks) < nb {
		s.fblocks = append(s.fblocks, make([]fastBlock, nb-len(s.fblocks))...)
		s.fblockOK = append(s.fblockOK, make([]int, nb*verBlock-len(s.fblockOK))...)
	}
	want := NumFeasibleNodesToFind(n, s.prof.PercentageOfNodesToScore)
	segs, fs := s.fsegs[:0], s.feasible[:0]
	found, processed, first := 0, 0, -1
	var top int64
	var cnt int32
	take := func(score int64, k int32) {
		switch {
		case found == 0 || score > top:
			top, cnt = score, k
		case score == top:
			cnt += k
		}
	}
	pos := s.next
	for processed < n && found < want {
		if pos&(verBlock-1) == 0 && pos+verBlock <= n && processed+verBlock <= n {
			if b := s.fastBlock(p, pos>>verBlockShift); found+int(b.ok) < want {
				if b.ok > 0 {
					if b.taint {
						s.fsegs, s.feasible = segs, fs
						return -1, false
					}
					if first < 0 {
						first = int(b.first)
					}
					take(b.top, b.cnt)
					found += int(b.ok)
					fs = append(fs, s.fblockOK[pos:pos+int(b.ok)]...)
					segs = append(segs, fastSeg{start: int32(pos), block: true})
				}
				processed += verBlock
				if pos += verBlock; pos >= n {
					pos = 0
				}
				continue
			}
		}
		e := &s.fcache[pos]
		if e.gen != s.fgen || e.ver != c.vers[pos] {
			s.fastFill(p, pos, e)
		}
		if e.ok {
			if e.taint {
				s.fsegs, s.feasible = segs, fs
				return -1, false
			}
			if first < 0 {
				first = pos
			}
			take(e.score, 1)
			found++
			fs = append(fs, pos)
			segs = append(segs, fastSeg{start: int32(pos)})
		}
		processed++
		if pos++; pos >= n {
			pos = 0
		}
	}
	s.fsegs, s.feasible = segs, fs // the feasible nodes, as the full cycle leaves them
	if found == 0 {
		return -1, false // the full cycle gathers every node's reasons
	}
	s.next = (s.next + processed) % n
	s.fastCycles++
	if found == 1 {
		return first, true
	}
	var k int32
	if cnt > 1 {
		k = int32(s.rng.IntN(int(cnt)))
	}
	for _, sg := range segs {
		if !sg.block {
			if s.fcache[sg.start].score == top {
				if k == 0 {
					return int(sg.start), true
				}
				k--
			}
			continue
		}
		b := &s.fblocks[sg.start>>verBlockShift]
		if b.top != top {
			continue
		}
		if k >= b.cnt {
			k -= b.cnt
			continue
		}
		for i := int(sg.start); i < int(sg.start)+verBlock; i++ {
			if e := &s.fcache[i]; e.ok && e.score == top {
				if k == 0 {
					return i, true
				}
				k--
			}
		}
	}
	panic("kube: fast path lost its drawn node") // unreachable: cnt counts the nodes walked
}

// fastSeg is a stretch of the window with a feasible node: one node, or
// a whole block.
type fastSeg struct {
	start int32
	block bool
}

// fastBlock is a block's summary for the cached class; its feasible
// nodes are listed in Scheduler.fblockOK from the block's first index.
type fastBlock struct {
	ver, gen uint32
	ok       int32 // feasible nodes
	first    int32 // the first of them
	cnt      int32 // feasible nodes of score top
	top      int64
	taint    bool  // a feasible node has an untolerated PreferNoSchedule taint
	ntaint   int32 // how many
}

// fastBlock returns block bi's summary, brought up to date.
func (s *Scheduler) fastBlock(p *Pod, bi int) *fastBlock {
	c := s.c
	b := &s.fblocks[bi]
	if b.gen == s.fgen && b.ver == c.bvers[bi] {
		return b
	}
	if b.gen == s.fgen && b.ver+1 == c.bvers[bi] {
		// one node changed since: fastFill updates the summary
		if i := int(c.blast[bi]); s.fcache[i].gen == s.fgen && s.fcache[i].ver+1 == c.vers[i] {
			s.fastFill(p, i, &s.fcache[i])
			if b.gen == s.fgen && b.ver == c.bvers[bi] {
				return b
			}
		}
	}
	*b = fastBlock{gen: s.fgen, ver: c.bvers[bi], first: -1}
	for i := bi << verBlockShift; i < (bi+1)<<verBlockShift; i++ {
		e := &s.fcache[i]
		if e.gen != s.fgen || e.ver != c.vers[i] {
			s.fastFill(p, i, e)
		}
		if !e.ok {
			continue
		}
		if e.taint {
			b.taint = true
			b.ntaint++
		}
		s.fblockOK[bi<<verBlockShift+int(b.ok)] = i
		switch {
		case b.ok == 0:
			b.first, b.top, b.cnt = int32(i), e.score, 1
		case e.score > b.top:
			b.top, b.cnt = e.score, 1
		case e.score == b.top:
			b.cnt++
		}
		b.ok++
	}
	return b
}

// fastFill computes node i's outcome for the class of p, as the full
// cycle's filter and score do. When node i's change is the only one in
// its block since the block's summary was made, the summary is updated
// from the old outcome and the new (a bind changes one node: the block
// need not be read again).
func (s *Scheduler) fastFill(p *Pod, i int, e *fastEntry) {
	c := s.c
	bi := i >> verBlockShift
	var b *fastBlock
	if bi < len(s.fblocks) {
		if b = &s.fblocks[bi]; b.gen != s.fgen || b.ver+1 != c.bvers[bi] || c.blast[bi] != int32(i) || e.gen != s.fgen || e.ver+1 != c.vers[i] {
			b = nil
		}
	}
	old := *e
	s.fastOutcome(p, i, e)
	if b != nil {
		s.blockDelta(bi, b, i, &old, e)
	}
}

// blockDelta updates block bi's summary b for node i's outcome changing
// from o to e; where the top score's last node went, the summary is voided
// (made afresh at its next use).
func (s *Scheduler) blockDelta(bi int, b *fastBlock, i int, o, e *fastEntry) {
	b.ver = s.c.bvers[bi]
	list := s.fblockOK[bi<<verBlockShift : bi<<verBlockShift+verBlock]
	if o.ok {
		k := 0
		for list[k] != i {
			k++
		}
		copy(list[k:b.ok], list[k+1:b.ok])
		b.ok--
		if o.score == b.top {
			b.cnt--
		}
		if o.taint {
			b.ntaint--
		}
	}
	if e.ok {
		k := int(b.ok)
		for k > 0 && list[k-1] > i {
			list[k] = list[k-1]
			k--
		}
		list[k] = i
		switch {
		case b.ok == 0:
			b.top, b.cnt = e.score, 1
		case e.score > b.top:
			b.top, b.cnt = e.score, 1
		case e.score == b.top:
			b.cnt++
		}
		b.ok++
		if e.taint {
			b.ntaint++
		}
	}
	b.taint = b.ntaint > 0
	b.first = -1
	if b.ok > 0 {
		b.first = int32(list[0])
		if b.cnt == 0 {
			b.gen = 0 // the top score left the block: count again
		}
	}
}

// fastOutcome is node i's outcome for the class of p.
func (s *Scheduler) fastOutcome(p *Pod, i int, e *fastEntry) {
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
