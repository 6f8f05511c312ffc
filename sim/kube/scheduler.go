package kube

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
)

// Weights are the score plugins' weights in a profile.
type Weights struct {
	NodeResourcesFit                int64
	NodeResourcesBalancedAllocation int64
	TaintToleration                 int64
	NodeAffinity                    int64
	PodTopologySpread               int64
	InterPodAffinity                int64
}

// DefaultWeights are kube-scheduler's default profile's score weights
// (pkg/scheduler/apis/config/v1 default_plugins.go). ImageLocality
// (weight 1) is left out: images are not modelled, and a plugin that
// gives every node the same score does not change the choice.
var DefaultWeights = Weights{
	NodeResourcesFit:                1,
	NodeResourcesBalancedAllocation: 1,
	TaintToleration:                 3,
	NodeAffinity:                    2,
	PodTopologySpread:               2,
	InterPodAffinity:                2,
}

// Profile is a scheduling profile: the default profile's filters, always
// in kube-scheduler's order, and its scorers with these weights.
type Profile struct {
	// Resource is NodeResourcesFit's scoring strategy; nil is
	// LeastAllocated.
	Resource ResourceScorer
	// RawResource, when set, replaces Resource with a score on any scale
	// (higher is better), normalised over the feasible nodes to
	// [0, MaxNodeScore] by min-max: how a placement strategy of another
	// family (FGD) takes NodeResourcesFit's place.
	RawResource func(p *Pod, i int) float64
	Weights     Weights
	// PercentageOfNodesToScore as in KubeSchedulerConfiguration; 0 is the
	// adaptive default (NumFeasibleNodesToFind).
	PercentageOfNodesToScore int32
}

// DefaultProfile is kube-scheduler's default profile.
func DefaultProfile() Profile {
	return Profile{Resource: LeastAllocated, Weights: DefaultWeights}
}

// NumFeasibleNodesToFind is how many feasible nodes the scheduler looks for
// before it stops filtering (percentageOfNodesToScore): all nodes below
// 100; else pct% of them (adaptive default when pct is 0: 50 - n/125,
// at least 5), but no fewer than 100.
func NumFeasibleNodesToFind(n int, pct int32) int {
	const minNodes, minPct, basePct = 100, 5, 50
	if n < minNodes || pct >= 100 {
		return n
	}
	p := int(pct)
	if p <= 0 {
		p = max(basePct-n/125, minPct)
	}
	return max(n*p/100, minNodes)
}

// FitError says why a pod fits no node, worded as kube-scheduler's
// FitError.Error() (pkg/scheduler/framework/types.go): "0/N nodes are
// available:", then " " + the reasons histogram + ".", then " " + the
// PostFilter (preemption) message + "." — which is why a preemption
// message, itself ending in a period, ends in two ("..."scheduling..), as
// in kube-scheduler's events.
type FitError struct {
	Pod      string
	NumNodes int
	// Reasons counts the nodes that failed with each reason.
	Reasons map[string]int
	// PostFilter is what preemption said, "" when it did not run.
	PostFilter string
}

func (e *FitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "0/%d nodes are available:", e.NumNodes)
	if hs := histogram(e.Reasons); hs != "" {
		b.WriteString(" " + hs + ".")
	}
	if e.PostFilter != "" {
		b.WriteString(" " + e.PostFilter + ".")
	}
	return b.String()
}

// histogram is "3 reason, 5 other", sorted as strings (as kube-scheduler
// sorts them).
func histogram(m map[string]int) string {
	var parts []string
	for r, n := range m {
		parts = append(parts, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Scheduler runs scheduling cycles for one profile on one cluster.
type Scheduler struct {
	c    *Cluster
	prof Profile
	rng  *rand.Rand

	next     int // nextStartNodeIndex
	cs       cycleState
	status   []status
	feasible []int
	total    []int64
	raw      []int64
	rawF     []float64
	soft     []TopologySpreadConstraint

	// memo holds, per node, the weighted NodeResourcesFit plus
	// NodeResourcesBalancedAllocation score for the pods of one request
	// shape (shape), valid while the node's version and allocatable are
	// those recorded: consecutive pods of a ReplicaSet share a shape, and
	// between them only the node just bound changes. Only the built-in
	// resource scorers, which read nothing else, are memoised.
	memo      []resMemo
	memoFor   uintptr  // the code address of the scorer memoised
	memoW     [2]int64 // and the weights
	shape     uint32
	shapeReqs [4]int64

	// the fast path's cache (schedcache.go): per node, the outcome for
	// the class fkey/ftols, generation fgen
	fcache []fastEntry
	fgen   uint32
	fkey   fastClass
	ftols  []Toleration
	// and per block of verBlock nodes, their summary
	fblocks  []fastBlock
	fblockOK []int
	fsegs    []fastSeg
	// fastCycles counts the cycles the fast path completed
	fastCycles int
}

// The built-in resource scorers' code addresses (function values cannot
// be compared; their code addresses can).
var (
	leastAllocatedPC = reflect.ValueOf(LeastAllocated).Pointer()
	mostAllocatedPC  = reflect.ValueOf(MostAllocated).Pointer()
)

// memoizable reports whether the profile's resource score is a built-in
// one, and invalidates the memo when the scorer or the weights changed.
func (s *Scheduler) memoizable() bool {
	if s.prof.RawResource != nil {
		return false
	}
	pc := reflect.ValueOf(s.prof.Resource).Pointer()
	if pc != leastAllocatedPC && pc != mostAllocatedPC {
		return false
	}
	if w := [2]int64{s.prof.Weights.NodeResourcesFit, s.prof.Weights.NodeResourcesBalancedAllocation}; pc != s.memoFor || w != s.memoW {
		s.memoFor, s.memoW = pc, w
		s.shape++
	}
	return true
}

type resMemo struct {
	ver, shape         uint32
	allocCPU, allocMem int64
	score              int64
}

// NewScheduler makes a scheduler. rng breaks ties between nodes of equal
// score (kube-scheduler's selectHost picks uniformly among them); it must
// not be nil.
func NewScheduler(c *Cluster, prof Profile, rng *rand.Rand) (*Scheduler, error) {
	if c == nil || rng == nil {
		return nil, errors.New("kube: NewScheduler needs a cluster and a random source")
	}
	if prof.Resource == nil {
		prof.Resource = LeastAllocated
	}
	if prof.PercentageOfNodesToScore < 0 || prof.PercentageOfNodesToScore > 100 {
		return nil, fmt.Errorf("kube: percentageOfNodesToScore must be in [0, 100], got %d", prof.PercentageOfNodesToScore)
	}
	return &Scheduler{c: c, prof: prof, rng: rng, status: make([]status, c.Len())}, nil
}

// Cluster returns the scheduler's cluster.
func (s *Scheduler) Cluster() *Cluster { return s.c }

// Schedule runs one scheduling cycle for p (filter, then score) and
// returns the chosen node. It does not bind: the caller calls
// Cluster.Bind, or, on a *FitError, may call Preempt. A pod whose
// NominatedNode passes the filters goes there without scoring.
func (s *Scheduler) Schedule(p *Pod, nominated int) (int, error) {
	c := s.c
	n := c.Len()
	if len(s.status) < n {
		s.status = append(s.status, make([]status, n-len(s.status))...)
	}
	c.preFilter(p, &s.cs)
	if nominated >= 0 && nominated < n && c.filter(&s.cs, nominated, &s.status[nominated]) {
		return nominated, nil
	}
	if i, ok := s.fastSchedule(p); ok {
		return i, nil
	}
	want := NumFeasibleNodesToFind(n, s.prof.PercentageOfNodesToScore)
	s.feasible = s.feasible[:0]
	processed := 0
	i := s.next - 1
	for k := 0; k < n && len(s.feasible) < want; k++ {
		if i++; i >= n {
			i = 0 // (s.next + k) % n, without a division per node
		}
		processed++
		if c.gone > 0 && c.nodes[i].gone {
			s.status[i] = status{}
			continue
		}
		if c.filter(&s.cs, i, &s.status[i]) {
			s.feasible = append(s.feasible, i)
		}
	}
	if n > 0 {
		s.next = (s.next + processed) % n
	}
	switch len(s.feasible) {
	case 0:
		fe := &FitError{Pod: p.Name, NumNodes: n - c.gone, Reasons: map[string]int{}}
		for i := 0; i < n; i++ {
			for _, r := range s.status[i].reasons {
				fe.Reasons[r]++
			}
		}
		return -1, fe
	case 1:
		return s.feasible[0], nil
	}
	return s.selectHost(s.score(p)), nil
}

// selectHost picks the node of highest total score, ties uniformly at
// random (kube-scheduler's selectHost samples its reservoir one tie at a
// time; one draw among the ties gives the same distribution).
func (s *Scheduler) selectHost(total []int64) int {
	top, cnt := total[0], 0
	for _, sc := range total {
		switch {
		case sc > top:
			top, cnt = sc, 1
		case sc == top:
			cnt++
		}
	}
	k := 0
	if cnt > 1 {
		k = s.rng.IntN(cnt)
	}
	for j, sc := range total {
		if sc == top {
			if k == 0 {
				return s.feasible[j]
			}
			k--
		}
	}
	return -1
}

// score returns the weighted sum of the normalised plugin scores of each
// feasible node.
func (s *Scheduler) score(p *Pod) []int64 {
	c := s.c
	fs := s.feasible
	total := grow(s.total, len(fs))
	raw := grow(s.raw, len(fs))
	s.total, s.raw = total, raw
	w := s.prof.Weights
	memo := s.memoizable()
	add := func(weight int64) {
		for k := range fs {
			total[k] += weight * raw[k]
		}
	}
	// TaintToleration. When no feasible node has an untolerated
	// PreferNoSchedule taint, every raw score is 0 and normalises to
	// MaxNodeScore: added at once.
	if w.TaintToleration != 0 {
		var any int64
		for k, i := range fs {
			raw[k] = taintScore(p, c.nodes[i].node)
			any |= raw[k]
		}
		if any == 0 {
			for k := range fs {
				total[k] += w.TaintToleration * MaxNodeScore
			}
		} else {
			defaultNormalize(raw, true)
			add(w.TaintToleration)
		}
	}
	// NodeAffinity (PreScore skips pods without preferred terms).
	if w.NodeAffinity != 0 && p.Affinity != nil && p.Affinity.NodeAffinity != nil && len(p.Affinity.NodeAffinity.Preferred) > 0 {
		for k, i := range fs {
			raw[k] = nodeAffinityScore(p, c.nodes[i].node)
		}
		defaultNormalize(raw, false)
		add(w.NodeAffinity)
	}
	// NodeResourcesFit.
	switch {
	case w.NodeResourcesFit != 0 && s.prof.RawResource != nil:
		fl := s.rawF[:0]
		mn, mx := math.Inf(1), math.Inf(-1)
		for _, i := range fs {
			v := s.prof.RawResource(p, i)
			fl = append(fl, v)
			mn, mx = math.Min(mn, v), math.Max(mx, v)
		}
		s.rawF = fl
		for k, v := range fl {
			raw[k] = 0
			if mx > mn {
				raw[k] = int64(float64(MaxNodeScore) * (v - mn) / (mx - mn))
			}
		}
		add(w.NodeResourcesFit)
	case memo:
		s.memoResources(p, total)
	case w.NodeResourcesFit != 0:
		for k, i := range fs {
			raw[k] = s.prof.Resource(c, p, i)
		}
		add(w.NodeResourcesFit)
	}
	// NodeResourcesBalancedAllocation (skipped for pods requesting no cpu
	// or memory).
	if !memo && w.NodeResourcesBalancedAllocation != 0 && (p.Requests.MilliCPU > 0 || p.Requests.Memory > 0) {
		for k, i := range fs {
			raw[k] = balancedAllocation(c, p, i)
		}
		add(w.NodeResourcesBalancedAllocation)
	}
	if w.PodTopologySpread != 0 && s.spreadScore(p, raw) {
		add(w.PodTopologySpread)
	}
	if w.InterPodAffinity != 0 && s.interPodScore(p, raw) {
		add(w.InterPodAffinity)
	}
	return total
}

// memoResources adds the weighted NodeResourcesFit and
// NodeResourcesBalancedAllocation scores of each feasible node to total,
// from the memo where it is current (the built-in scorers only: they read
// the node's allocatable and requests and the pod's requests, nothing
// else).
func (s *Scheduler) memoResources(p *Pod, total []int64) {
	c := s.c
	w := s.prof.Weights
	if reqs := [4]int64{p.Requests.MilliCPU, p.Requests.Memory, p.NonZero.MilliCPU, p.NonZero.Memory}; reqs != s.shapeReqs {
		s.shape++
		s.shapeReqs = reqs
	}
	if len(s.memo) < len(c.nodes) {
		s.memo = append(s.memo, make([]resMemo, len(c.nodes)-len(s.memo))...)
	}
	bal := w.NodeResourcesBalancedAllocation != 0 && (p.Requests.MilliCPU > 0 || p.Requests.Memory > 0)
	for k, i := range s.feasible {
		ni := &c.nodes[i]
		m := &s.memo[i]
		a := &ni.node.Allocatable
		if m.shape != s.shape || m.ver != c.vers[i] || m.allocCPU != a.MilliCPU || m.allocMem != a.Memory {
			var v int64
			if w.NodeResourcesFit != 0 {
				v = w.NodeResourcesFit * s.prof.Resource(c, p, i)
			}
			if bal {
				v += w.NodeResourcesBalancedAllocation * balancedAllocation(c, p, i)
			}
			*m = resMemo{ver: c.vers[i], shape: s.shape, allocCPU: a.MilliCPU, allocMem: a.Memory, score: v}
		}
		total[k] += m.score
	}
}

func grow(b []int64, n int) []int64 {
	if cap(b) < n {
		b = make([]int64, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// spreadScore is PodTopologySpread's score over the feasible nodes, into
// raw; false when the plugin skips the pod (no soft constraints). For each
// constraint a node has the key of, it adds count·log(size+2) + maxSkew-1,
// count being the matching pods in the node's domain and size the number
// of domains among the scored nodes; nodes lacking a key of the pod's own
// constraints are ignored (score 0). Normalised: 100·(max+min-s)/max.
func (s *Scheduler) spreadScore(p *Pod, raw []int64) bool {
	c := s.c
	soft, requireAll := softSpread(p, s.soft)
	s.soft = soft
	if len(soft) == 0 {
		return false
	}
	fs := s.feasible
	ignored := func(i int) bool {
		if !requireAll {
			return false
		}
		for k := range soft {
			if c.index(soft[k].TopologyKey).dom[i] < 0 {
				return true
			}
		}
		return false
	}
	fsc := make([]float64, len(fs))
	ign := make([]bool, len(fs))
	nIgn := 0
	for k, i := range fs {
		if ign[k] = ignored(i); ign[k] {
			nIgn++
		}
	}
	for ci := range soft {
		sc := &soft[ci]
		counts, _, ti := c.spreadCountsFor(p, sc, requireAll, soft)
		var size int
		if sc.TopologyKey == LabelHostname {
			size = len(fs) - nIgn
		} else {
			seen := map[int32]bool{}
			for k, i := range fs {
				if d := ti.dom[i]; !ign[k] && d >= 0 {
					seen[d] = true
				}
			}
			size = len(seen)
		}
		weight := math.Log(float64(size + 2))
		for k, i := range fs {
			if d := ti.dom[i]; !ign[k] && d >= 0 {
				fsc[k] += float64(float64(counts[d])*weight) + float64(sc.MaxSkew-1)
			}
		}
	}
	var mn, mx int64 = math.MaxInt64, 0
	for k := range fs {
		if ign[k] {
			continue
		}
		raw[k] = int64(math.Round(fsc[k]))
		mn, mx = min(mn, raw[k]), max(mx, raw[k])
	}
	for k := range fs {
		switch {
		case ign[k]:
			raw[k] = 0
		case mx == 0:
			raw[k] = MaxNodeScore
		default:
			raw[k] = MaxNodeScore * (mx + mn - raw[k]) / mx
		}
	}
	return true
}

// spreadCountsFor counts for a soft constraint, over the nodes that pass
// its inclusion policies and (requireAll) carry every soft key.
func (c *Cluster) spreadCountsFor(p *Pod, sc *TopologySpreadConstraint, requireAll bool, soft []TopologySpreadConstraint) ([]int32, []bool, *topoIndex) {
	if requireAll {
		return c.spreadCounts(p, sc, false)
	}
	// System defaults: each constraint counts the nodes that have its own
	// key.
	q := *p
	q.TopologySpread = []TopologySpreadConstraint{*sc}
	q.TopologySpread[0].WhenUnsatisfiable = ScheduleAnyway
	return c.spreadCounts(&q, sc, false)
}

// interPodScore is InterPodAffinity's score into raw; false when it skips.
// A node gains, for each bound pod in its domain of a term: the weight of
// the incoming pod's preferred affinity terms that pod matches (minus for
// anti-affinity), the weight of that pod's preferred terms the incoming pod
// matches (minus for anti-affinity), and hardPodAffinityWeight for its
// required affinity terms the incoming pod matches. Normalised min-max to
// [0, 100].
func (s *Scheduler) interPodScore(p *Pod, raw []int64) bool {
	c := s.c
	fs := s.feasible
	clear(raw)
	used := false
	addAgg := func(a *agg, weight int64) {
		used = true
		for k, i := range fs {
			if d := a.ti.dom[i]; d >= 0 {
				raw[k] += weight * int64(a.counts[d])
			}
		}
	}
	if a := p.Affinity; a != nil {
		if pa := a.PodAffinity; pa != nil {
			for _, wt := range pa.Preferred {
				addAgg(c.termAgg(wt.Term, p.Namespace), int64(wt.Weight))
			}
		}
		if pa := a.PodAntiAffinity; pa != nil {
			for _, wt := range pa.Preferred {
				addAgg(c.termAgg(wt.Term, p.Namespace), -int64(wt.Weight))
			}
		}
	}
	for _, e := range c.termSeq {
		if e.total == 0 || e.kind == reqAnti || !termMatches(e.term, e.ns, p) {
			continue
		}
		var weight int64
		switch e.kind {
		case reqAffinity:
			weight = hardPodAffinityWeight
		case prefAffinity:
			weight = int64(e.weight)
		case prefAnti:
			weight = -int64(e.weight)
		}
		used = true
		for k, i := range fs {
			if d := e.ti.dom[i]; d >= 0 {
				raw[k] += weight * int64(e.counts[d])
			}
		}
	}
	if !used {
		return false
	}
	var mn, mx int64 = math.MaxInt64, math.MinInt64
	for _, v := range raw {
		mn, mx = min(mn, v), max(mx, v)
	}
	for k, v := range raw {
		if mx > mn {
			raw[k] = int64(float64(MaxNodeScore) * (float64(v-mn) / float64(mx-mn)))
		} else {
			raw[k] = 0
		}
	}
	return true
}

// SetRawResource sets Profile.RawResource after the scheduler is made (the
// function may need the scheduler's caller).
func (s *Scheduler) SetRawResource(f func(p *Pod, i int) float64) { s.prof.RawResource = f }
