package kube

import (
	"math"
	"slices"
)

// PDB is a PodDisruptionBudget: at most Allowed(...) of the pods it
// selects may be disrupted by preemption without violating it.
type PDB struct {
	Name      string
	Namespace string
	Selector  *LabelSelector
	// MinAvailable or MaxUnavailable (one is set): an absolute number, or
	// with Percent set a percentage of Expected rounded up.
	MinAvailable   *int32
	MaxUnavailable *int32
	Percent        bool
	// Expected is the number of pods the owner wants (replicas); 0: the
	// pods the budget selects that are running now.
	Expected int32
}

// matches reports whether the budget covers p (an empty selector covers
// nothing, as DefaultPreemption treats it).
func (b *PDB) matches(p *Pod) bool {
	if b.Namespace != p.Namespace || b.Selector == nil {
		return false
	}
	if len(b.Selector.MatchLabels) == 0 && len(b.Selector.MatchExpressions) == 0 {
		return false
	}
	return b.Selector.Matches(p.Labels)
}

// allowed is the budget's disruptionsAllowed with healthy pods running:
// healthy - minAvailable, or maxUnavailable - (expected - healthy).
func (b *PDB) allowed(healthy int32) int32 {
	expected := b.Expected
	if expected == 0 {
		expected = healthy
	}
	val := func(v int32) int32 {
		if b.Percent {
			return int32(math.Ceil(float64(v) * float64(expected) / 100))
		}
		return v
	}
	var a int32
	switch {
	case b.MinAvailable != nil:
		a = healthy - val(*b.MinAvailable)
	case b.MaxUnavailable != nil:
		a = val(*b.MaxUnavailable) - (expected - healthy)
	}
	return max(a, 0)
}

// Preemption is DefaultPreemption's decision: the node the preemptor is
// nominated to and the pods to evict there.
type Preemption struct {
	Node    int
	Victims []*Pod
	// PDBViolations is how many victims' eviction violates a budget.
	PDBViolations int
}

// Preempt runs DefaultPreemption for p after Schedule failed with fe (it
// must be the last cycle's error, whose per-node statuses it reads). It
// returns the chosen candidate, or nil with fe.PostFilter saying why none
// exists. The cluster is left as it was: the caller evicts the victims
// (after their grace period) and retries p nominated to the node.
//
// Rules (pkg/scheduler/framework/plugins/defaultpreemption): a pod with
// preemptionPolicy Never does not preempt; candidates are the nodes whose
// filter failure is not UnschedulableAndUnresolvable (taints, node
// affinity, node name, unschedulable nodes, missing topology labels) and
// where removing every lower-priority pod makes p fit; on each, victims are
// reprieved greedily, most important first (higher priority, then earlier
// start), those whose eviction would violate a PDB before the others, so
// the victim set is minimal; the node is picked by fewest PDB violations,
// then lowest highest-victim priority, smallest sum of victim priorities,
// fewest victims, latest start of the highest-priority victims, then node
// order among the candidates examined: as kube-scheduler's dry run, from
// a random offset among the potential nodes until max(10 %, 100) of them
// (all, when fewer) have yielded a candidate without PDB violations.
func (s *Scheduler) Preempt(p *Pod, fe *FitError, pdbs []*PDB) *Preemption {
	c := s.c
	n := c.Len()
	if p.PreemptionPolicy == PreemptNever {
		fe.PostFilter = "preemption: not eligible due to preemptionPolicy=Never."
		return nil
	}
	var potential []int
	for i := 0; i < n; i++ {
		if len(s.status[i].reasons) > 0 && !s.status[i].unresolved && !c.nodes[i].gone {
			potential = append(potential, i)
		}
	}
	// Why each examined node gave no candidate, for the message when none
	// does (kube-scheduler's dry-run statuses; nodes not examined count as
	// "Preemption is not helpful for scheduling").
	why := map[string]int{}
	examined := 0
	base := s.pdbAllowed(pdbs)
	simple := s.cs.resourcesOnly() // before victimsOn overwrites s.cs
	var best *Preemption
	var bestKey candKey
	want := numCandidates(len(potential))
	offset := 0
	if len(potential) > 0 {
		offset = s.rng.IntN(len(potential))
	}
	nonViolating := 0
	for k := range potential {
		if nonViolating >= want {
			break
		}
		i := potential[(offset+k)%len(potential)]
		pr, key, reasons := s.victimsOn(p, i, pdbs, base, simple)
		if pr == nil {
			examined++
			for _, r := range reasons {
				why[r]++
			}
			continue
		}
		if len(pr.Victims) == 0 {
			return pr
		}
		if pr.PDBViolations == 0 {
			nonViolating++
		}
		if best == nil || key.less(&bestKey) {
			best, bestKey = pr, key
		}
	}
	if best == nil {
		if live := n - c.gone; examined < live {
			why[ReasonPreemptionNotHelpful] += live - examined
		}
		fe.PostFilter = "preemption: " + (&FitError{NumNodes: n - c.gone, Reasons: why}).Error()
	}
	return best
}

// DefaultPreemption's reasons (pkg/scheduler/framework/preemption and
// plugins/defaultpreemption).
const (
	ReasonPreemptionNotHelpful = "Preemption is not helpful for scheduling"
	ReasonNoVictims            = "No preemption victims found for incoming pod"
)

type candKey struct {
	violations int
	highest    int32
	sum        int64
	count      int
	start      int64 // earliest start among the highest-priority victims
}

// less reports whether candidate a beats b under pickOneNodeForPreemption.
func (a *candKey) less(b *candKey) bool {
	switch {
	case a.violations != b.violations:
		return a.violations < b.violations
	case a.highest != b.highest:
		return a.highest < b.highest
	case a.sum != b.sum:
		return a.sum < b.sum
	case a.count != b.count:
		return a.count < b.count
	}
	return a.start > b.start
}

// moreImportant orders pods by priority, then start (earlier first).
func moreImportant(a, b *Pod) int {
	if a.Priority != b.Priority {
		if a.Priority > b.Priority {
			return -1
		}
		return 1
	}
	switch {
	case a.Start < b.Start:
		return -1
	case a.Start > b.Start:
		return 1
	}
	return 0
}

// victimsOn is SelectVictimsOnNode for node i; the cluster is restored
// before it returns. Without a candidate it returns nil and why, as
// kube-scheduler: no lower-priority pod (ReasonNoVictims), or the filter
// reasons with every lower-priority pod removed.
func (s *Scheduler) victimsOn(p *Pod, i int, pdbs []*PDB, base []int32, simple bool) (*Preemption, candKey, []string) {
	c := s.c
	// Resources alone: if p does not fit with every lower-priority pod
	// gone, nothing else can make it fit.
	free := c.nodes[i].node.Allocatable
	free.Sub(c.nodes[i].requested)
	var nom Resources
	c.nominatedReq(i, p, &nom)
	free.Sub(nom)
	nLower := 0
	for _, q := range c.nodes[i].pods {
		if q.Priority < p.Priority {
			free.Add(q.Requests)
			nLower++
		}
	}
	if nLower == 0 {
		return nil, candKey{}, []string{ReasonNoVictims}
	}
	if !fitsIn(&p.Requests, &free) {
		return nil, candKey{}, insufficient(&p.Requests, &free)
	}
	lower := make([]*Pod, 0, nLower)
	for _, q := range c.nodes[i].pods {
		if q.Priority < p.Priority {
			lower = append(lower, q)
		}
	}
	pr := &Preemption{Node: i}
	var reprieve func(q *Pod) bool
	if simple {
		// Only NodeResourcesFit can have failed (the other filters do not
		// depend on the pods a node runs): reprieve by arithmetic.
		reprieve = func(q *Pod) bool {
			f := free
			f.Sub(q.Requests)
			if fitsIn(&p.Requests, &f) {
				free = f
				return true
			}
			pr.Victims = append(pr.Victims, q)
			return false
		}
	} else {
		for _, q := range lower {
			_ = c.Unbind(q)
		}
		var st status
		fits := func() bool {
			c.preFilter(p, &s.cs)
			return c.filter(&s.cs, i, &st)
		}
		defer func() {
			for _, q := range lower {
				if c.NodeOf(q) < 0 {
					_ = c.Bind(q, i)
				}
			}
		}()
		if !fits() {
			return nil, candKey{}, slices.Clone(st.reasons)
		}
		reprieve = func(q *Pod) bool {
			_ = c.Bind(q, i)
			if fits() {
				return true
			}
			_ = c.Unbind(q)
			pr.Victims = append(pr.Victims, q)
			return false
		}
	}
	slices.SortStableFunc(lower, moreImportant)
	violating, ok := splitPDB(lower, pdbs, base)
	for _, q := range violating {
		if !reprieve(q) {
			pr.PDBViolations++
		}
	}
	for _, q := range ok {
		reprieve(q)
	}
	slices.SortStableFunc(pr.Victims, moreImportant)
	key := candKey{violations: pr.PDBViolations, count: len(pr.Victims), start: math.MaxInt64}
	if len(pr.Victims) > 0 {
		key.highest = pr.Victims[0].Priority
		for _, v := range pr.Victims {
			key.sum += int64(v.Priority) + math.MaxInt32 + 1
			if v.Priority == key.highest {
				key.start = min(key.start, v.Start)
			}
		}
	}
	return pr, key, nil
}

// insufficient is NodeResourcesFit's reasons for request r with free left.
func insufficient(r, free *Resources) []string {
	var out []string
	if free.Pods < 1 {
		out = append(out, ReasonTooManyPods)
	}
	if r.MilliCPU > 0 && r.MilliCPU > free.MilliCPU {
		out = append(out, reasonNoCPU)
	}
	if r.Memory > 0 && r.Memory > free.Memory {
		out = append(out, reasonNoMemory)
	}
	if r.GPU > 0 && r.GPU > free.GPU {
		out = append(out, reasonNoGPU)
	}
	if r.GPUMilli > 0 && r.GPUMilli > free.GPUMilli {
		out = append(out, reasonNoGPUShare)
	}
	return out
}

// pdbAllowed is each budget's disruptionsAllowed in the cluster as it is.
func (s *Scheduler) pdbAllowed(pdbs []*PDB) []int32 {
	allowed := make([]int32, len(pdbs))
	for k, b := range pdbs {
		var healthy int32
		for i := range s.c.nodes {
			for _, q := range s.c.nodes[i].pods {
				if b.matches(q) {
					healthy++
				}
			}
		}
		allowed[k] = b.allowed(healthy)
	}
	return allowed
}

// splitPDB splits pods (most important first) into those whose eviction
// would violate a budget and the rest, spending each budget's allowed
// disruptions in order (filterPodsWithPDBViolation).
func splitPDB(pods []*Pod, pdbs []*PDB, base []int32) (violating, ok []*Pod) {
	allowed := slices.Clone(base)
	for _, q := range pods {
		v := false
		for k, b := range pdbs {
			if b.matches(q) {
				allowed[k]--
				if allowed[k] < 0 {
					v = true
				}
			}
		}
		if v {
			violating = append(violating, q)
		} else {
			ok = append(ok, q)
		}
	}
	return violating, ok
}

// fitsIn reports whether request r fits in free (NodeResourcesFit's test).
func fitsIn(r, free *Resources) bool {
	return free.Pods >= 1 && (r.MilliCPU == 0 || r.MilliCPU <= free.MilliCPU) &&
		(r.Memory == 0 || r.Memory <= free.Memory) && (r.GPU == 0 || r.GPU <= free.GPU) &&
		(r.GPUMilli == 0 || r.GPUMilli <= free.GPUMilli)
}

// resourcesOnly reports whether the pod's filters, besides
// NodeResourcesFit, ignore the pods bound to nodes: no spread constraints,
// no pod (anti-)affinity of its own, and no bound pod's anti-affinity
// matching it.
func (cs *cycleState) resourcesOnly() bool {
	return len(cs.spread) == 0 && len(cs.affinity) == 0 && len(cs.anti) == 0 && len(cs.existing) == 0
}

// numCandidates is DefaultPreemption's sample size: 10 % of the potential
// nodes (minCandidateNodesPercentage), at least 100
// (minCandidateNodesAbsolute), at most all of them.
func numCandidates(n int) int {
	return min(max(n*10/100, 100), n)
}
