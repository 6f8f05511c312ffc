package kube

import (
	"fmt"
	"slices"
	"strings"
)

// Cluster is the scheduler's cache: the nodes, the pods bound to them and
// the indexes the filters read (per topology key, the domain of each node;
// per selector, the number of matching pods in each domain; per existing
// pod's affinity term, the domains that hold such pods). Bind and Unbind
// keep the indexes current, so a scheduling cycle costs what its pod's own
// terms need, not a walk over every bound pod.
type Cluster struct {
	nodes  []nodeInfo
	byName map[string]int
	where  map[*Pod]int32

	topo map[string]*topoIndex
	aggs map[aggKey]*agg
	// existing pods' affinity terms, by term and owner namespace
	terms   map[termKey]*termEntry
	termSeq []*termEntry // in creation order, for deterministic walks
	// taintedNS: number of nodes with a NoSchedule or NoExecute taint
	taintedNS int
	// nominated pods per node (preemptors waiting for their victims to
	// go), and each nominated pod's node
	nominated [][]*Pod
	nomOf     map[*Pod]int
	gone      int // nodes removed
	// vers counts, per node, the changes the scheduler's caches must see
	// (binds, unbinds, taints, cordons, removal): an outcome cached at
	// another version is stale
	vers  []uint32
	bvers []uint32 // per block of verBlock nodes, bumped with each of theirs
	blast []int32  // per block, the node last bumped
	// taintReasons caches TaintToleration's failure reason per taint key
	// and value
	taintReasons    map[[2]string]string
	lastTaintReason taintReasonEntry
	// freed counts the changes that may make room for a pod that fitted
	// nowhere: unbinds and node updates (taints, cordons)
	freed uint64
}

type nodeInfo struct {
	node      *Node
	requested Resources
	nonZero   Resources
	pods      []*Pod
	gone      bool // removed (RemoveNode): never examined
}

// topoIndex maps each node to its domain for one topology key.
type topoIndex struct {
	key     string
	dom     []int32 // per node; -1 when the node lacks the key
	values  []string
	missing int // nodes without the key
}

// agg counts the bound pods that a selector (or a pod's whole set of
// required affinity terms) matches, per domain of one topology key.
type agg struct {
	k      aggKey
	ti     *topoIndex
	counts []int32
	total  int
}

type aggKey struct {
	sel *LabelSelector
	all *PodAffinity // match all of all.Required instead of sel
	ns  string       // owner namespace, or namespaces joined by "\x00" with a leading "\x01"
	key string       // topology key; nodeKey: one domain per node
}

// nodeKey is the pseudo topology key whose domains are the nodes.
const nodeKey = "\x00node"

// termKind tells an existing pod's affinity term's role.
type termKind uint8

const (
	reqAffinity termKind = iota
	reqAnti
	prefAffinity
	prefAnti
)

type termKey struct {
	term   *PodAffinityTerm
	ns     string
	kind   termKind
	weight int32
}

type termEntry struct {
	termKey
	ti     *topoIndex
	counts []int32
	total  int
}

// NewCluster makes a cluster of the given nodes (names must be unique).
func NewCluster(nodes []*Node) (*Cluster, error) {
	c := &Cluster{byName: make(map[string]int, len(nodes)), where: map[*Pod]int32{},
		topo: map[string]*topoIndex{}, aggs: map[aggKey]*agg{}, terms: map[termKey]*termEntry{}}
	for i, n := range nodes {
		if _, dup := c.byName[n.Name]; dup {
			return nil, fmt.Errorf("kube: node %q listed twice", n.Name)
		}
		c.byName[n.Name] = i
		c.nodes = append(c.nodes, nodeInfo{node: n})
		if untolerated(n.Taints, nil, NoSchedule, NoExecute) != nil {
			c.taintedNS++
		}
	}
	c.vers = make([]uint32, len(c.nodes))
	c.bvers = make([]uint32, (len(c.nodes)+verBlock-1)/verBlock)
	c.blast = make([]int32, len(c.bvers))
	return c, nil
}

// Nominate records that p waits for node i (it preempted there): until it
// binds or the nomination is cleared, its requests count against node i
// for pods of no higher priority (kube-scheduler's addNominatedPods, for
// resources).
func (c *Cluster) Nominate(p *Pod, i int) {
	c.ClearNomination(p)
	if c.nominated == nil {
		c.nominated = make([][]*Pod, len(c.nodes))
		c.nomOf = map[*Pod]int{}
	}
	c.nominated[i] = append(c.nominated[i], p)
	c.nomOf[p] = i
}

// ClearNomination forgets p's nomination, if any.
func (c *Cluster) ClearNomination(p *Pod) {
	i, ok := c.nomOf[p]
	if !ok {
		return
	}
	delete(c.nomOf, p)
	l := c.nominated[i]
	for k, q := range l {
		if q == p {
			c.nominated[i] = append(l[:k], l[k+1:]...)
			break
		}
	}
}

// nominatedReq adds to used the requests of the pods nominated to node i
// that p must make room for: priority >= p's, other than p.
func (c *Cluster) nominatedReq(i int, p *Pod, used *Resources) {
	if c.nominated == nil {
		return
	}
	for _, q := range c.nominated[i] {
		if q != p && q.Priority >= p.Priority {
			used.Add(q.Requests)
		}
	}
}

// Len is the number of nodes.
func (c *Cluster) Len() int { return len(c.nodes) }

// Node returns node i.
func (c *Cluster) Node(i int) *Node { return c.nodes[i].node }

// NodeIndex returns the index of the named node, or -1.
func (c *Cluster) NodeIndex(name string) int {
	if i, ok := c.byName[name]; ok {
		return i
	}
	return -1
}

// Requested is what the pods bound to node i request.
func (c *Cluster) Requested(i int) Resources { return c.nodes[i].requested }

// Pods returns the pods bound to node i (the slice is the cluster's; do
// not modify it).
func (c *Cluster) Pods(i int) []*Pod { return c.nodes[i].pods }

// NodeOf returns the index of the node p is bound to, or -1.
func (c *Cluster) NodeOf(p *Pod) int {
	if i, ok := c.where[p]; ok {
		return int(i)
	}
	return -1
}

// Bind records p as running on node i. It does not check that p fits:
// the scheduler's filters do (and a snapshot's pods start where they are).
func (c *Cluster) Bind(p *Pod, i int) error {
	if i < 0 || i >= len(c.nodes) {
		return fmt.Errorf("kube: bind %s: no node %d", p.Name, i)
	}
	if _, ok := c.where[p]; ok {
		return fmt.Errorf("kube: pod %s is already bound", p.Name)
	}
	c.where[p] = int32(i)
	c.ClearNomination(p)
	ni := &c.nodes[i]
	if ni.pods == nil {
		ni.pods = make([]*Pod, 0, 16) // rather than growing through 1, 2, 4, 8
	}
	ni.pods = append(ni.pods, p)
	c.bump(i)
	ni.requested.Add(p.Requests)
	ni.nonZero.Add(p.NonZero)
	c.count(p, i, 1)
	return nil
}

// Unbind removes p from its node (it ended, or was preempted).
func (c *Cluster) Unbind(p *Pod) error {
	i32, ok := c.where[p]
	if !ok {
		return fmt.Errorf("kube: pod %s is not bound", p.Name)
	}
	i := int(i32)
	delete(c.where, p)
	c.freed++
	ni := &c.nodes[i]
	for k, q := range ni.pods {
		if q == p {
			last := len(ni.pods) - 1
			copy(ni.pods[k:], ni.pods[k+1:])
			ni.pods[last] = nil
			ni.pods = ni.pods[:last]
			break
		}
	}
	c.bump(i)
	ni.requested.Sub(p.Requests)
	ni.nonZero.Sub(p.NonZero)
	c.count(p, i, -1)
	return nil
}

// count updates every index for p bound to (d=1) or removed from (d=-1)
// node i.
func (c *Cluster) count(p *Pod, i int, d int32) {
	if len(c.aggs) == 0 && p.Affinity == nil {
		return // no index to update (the common case of a plain pod)
	}
	for _, a := range c.aggs {
		if a.matches(p) {
			if dm := a.ti.dom[i]; dm >= 0 {
				a.counts[dm] += d
				a.total += int(d)
			}
		}
	}
	c.eachTerm(p, func(k termKey) {
		e := c.terms[k]
		if e == nil {
			if d < 0 {
				return
			}
			e = &termEntry{termKey: k, ti: c.index(k.term.TopologyKey)}
			e.counts = make([]int32, len(e.ti.values))
			c.terms[k] = e
			c.termSeq = append(c.termSeq, e)
		}
		if dm := e.ti.dom[i]; dm >= 0 {
			e.counts[dm] += d
			e.total += int(d)
		}
	})
}

// eachTerm calls f for each affinity term of p's that other pods' placement
// must respect or may prefer.
func (c *Cluster) eachTerm(p *Pod, f func(termKey)) {
	a := p.Affinity
	if a == nil {
		return
	}
	if pa := a.PodAffinity; pa != nil {
		for _, t := range pa.Required {
			f(termKey{term: t, ns: p.Namespace, kind: reqAffinity})
		}
		for _, w := range pa.Preferred {
			f(termKey{term: w.Term, ns: p.Namespace, kind: prefAffinity, weight: w.Weight})
		}
	}
	if pa := a.PodAntiAffinity; pa != nil {
		for _, t := range pa.Required {
			f(termKey{term: t, ns: p.Namespace, kind: reqAnti})
		}
		for _, w := range pa.Preferred {
			f(termKey{term: w.Term, ns: p.Namespace, kind: prefAnti, weight: w.Weight})
		}
	}
}

// index returns the domain index of a topology key, building it on first
// use.
func (c *Cluster) index(key string) *topoIndex {
	if ti := c.topo[key]; ti != nil {
		return ti
	}
	ti := &topoIndex{key: key, dom: make([]int32, len(c.nodes))}
	seen := map[string]int32{}
	for i := range c.nodes {
		if key == nodeKey {
			ti.dom[i] = int32(i)
			ti.values = append(ti.values, c.nodes[i].node.Name)
			continue
		}
		v, ok := c.nodes[i].node.Labels[key]
		if !ok {
			ti.dom[i] = -1
			ti.missing++
			continue
		}
		d, ok := seen[v]
		if !ok {
			d = int32(len(ti.values))
			seen[v] = d
			ti.values = append(ti.values, v)
		}
		ti.dom[i] = d
	}
	c.topo[key] = ti
	return ti
}

func (a *agg) matches(p *Pod) bool {
	k := &a.k
	if k.all != nil {
		for _, t := range k.all.Required {
			if !termMatches(t, k.ns, p) {
				return false
			}
		}
		return true
	}
	if strings.HasPrefix(k.ns, "\x01") {
		ok := false
		for _, ns := range strings.Split(k.ns[1:], "\x00") {
			if ns == p.Namespace {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	} else if p.Namespace != k.ns {
		return false
	}
	return k.sel.Matches(p.Labels)
}

// aggregate returns the per-domain count of bound pods matching k,
// building it from the bound pods on first use.
func (c *Cluster) aggregate(k aggKey) *agg {
	if a := c.aggs[k]; a != nil {
		return a
	}
	a := &agg{k: k, ti: c.index(k.key)}
	a.counts = make([]int32, len(a.ti.values))
	for i := range c.nodes {
		dm := a.ti.dom[i]
		if dm < 0 {
			continue
		}
		for _, p := range c.nodes[i].pods {
			if a.matches(p) {
				a.counts[dm]++
				a.total++
			}
		}
	}
	c.aggs[k] = a
	return a
}

// selectorAgg is the aggregate of pods in namespace ns matching sel.
func (c *Cluster) selectorAgg(sel *LabelSelector, ns, key string) *agg {
	return c.aggregate(aggKey{sel: sel, ns: ns, key: key})
}

// termAgg is the aggregate of pods matching term t of a pod in ns.
func (c *Cluster) termAgg(t *PodAffinityTerm, ns string) *agg {
	k := aggKey{sel: t.Selector, ns: ns, key: t.TopologyKey}
	if len(t.Namespaces) > 0 {
		k.ns = "\x01" + strings.Join(t.Namespaces, "\x00")
	}
	return c.aggregate(k)
}

// AddNode adds a node to the cluster (a cluster autoscaler's new node) and
// returns its index. Its name must be new.
func (c *Cluster) AddNode(n *Node) (int, error) {
	if _, dup := c.byName[n.Name]; dup {
		return -1, fmt.Errorf("kube: node %q listed twice", n.Name)
	}
	i := len(c.nodes)
	c.freed++ // room for pods that fitted nowhere
	c.byName[n.Name] = i
	c.nodes = append(c.nodes, nodeInfo{node: n})
	c.vers = append(c.vers, 0)
	if len(c.bvers) < (i+verBlock)/verBlock {
		c.bvers = append(c.bvers, 0)
		c.blast = append(c.blast, 0)
	}
	c.bump(i)
	if untolerated(n.Taints, nil, NoSchedule, NoExecute) != nil {
		c.taintedNS++
	}
	if c.nominated != nil {
		c.nominated = append(c.nominated, nil)
	}
	for key, ti := range c.topo {
		d := int32(-1)
		v, ok := n.Labels[key]
		if key == nodeKey {
			v, ok = n.Name, true
		}
		if ok {
			d = int32(slices.Index(ti.values, v))
			if d < 0 {
				d = int32(len(ti.values))
				ti.values = append(ti.values, v)
			}
		} else {
			ti.missing++
		}
		ti.dom = append(ti.dom, d)
	}
	// New domains get a zero count in every aggregate and term.
	for _, a := range c.aggs {
		for len(a.counts) < len(a.ti.values) {
			a.counts = append(a.counts, 0)
		}
	}
	for _, e := range c.termSeq {
		for len(e.counts) < len(e.ti.values) {
			e.counts = append(e.counts, 0)
		}
	}
	return i, nil
}

// RemoveNode takes node i out of the cluster (a scaled-down or deleted
// machine): it must run no pods; its index stays, unused, and the
// scheduler no longer counts it.
func (c *Cluster) RemoveNode(i int) error {
	ni := &c.nodes[i]
	if len(ni.pods) > 0 {
		return fmt.Errorf("kube: node %s still runs %d pods", ni.node.Name, len(ni.pods))
	}
	if !ni.gone {
		ni.gone = true
		c.gone++
		c.bump(i)
	}
	return nil
}

// NodeUpdated tells the cluster that node i's fields (taints,
// unschedulable, allocatable) were changed in place, so the scheduler's
// cached outcomes for it are stale. SetTaints and the control plane's
// cordons call it; code that edits a Node after it joined the cluster
// must.
func (c *Cluster) NodeUpdated(i int) { c.bump(i); c.freed++ }

// Freed counts the changes so far that may make room for a pod that fits
// nowhere: pods unbound, nodes added and nodes updated (taints set, cordons), whoever
// made them. A caller that retries unschedulable pods only after such a
// change (as kube-scheduler's unschedulable queue) compares it.
func (c *Cluster) Freed() uint64 { return c.freed }

// verBlock is how many consecutive nodes share a block version (bvers):
// the scheduler's fast path summarises a block whose version is unchanged
// without looking at its nodes.
const (
	verBlockShift = 5
	verBlock      = 1 << verBlockShift
)

// bump marks node i changed.
func (c *Cluster) bump(i int) {
	c.vers[i]++
	c.bvers[i>>verBlockShift]++
	c.blast[i>>verBlockShift] = int32(i)
}

// Gone reports whether node i was removed.
func (c *Cluster) Gone(i int) bool { return c.nodes[i].gone }

// SetTaints replaces node i's taints (the node lifecycle controller's
// not-ready and unreachable taints, a cordon's, the autoscaler's).
func (c *Cluster) SetTaints(i int, taints []Taint) {
	n := c.nodes[i].node
	if untolerated(n.Taints, nil, NoSchedule, NoExecute) != nil {
		c.taintedNS--
	}
	n.Taints = taints
	if untolerated(n.Taints, nil, NoSchedule, NoExecute) != nil {
		c.taintedNS++
	}
	c.NodeUpdated(i)
}
