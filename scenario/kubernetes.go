package scenario

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/scenario/manifest"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
	"github.com/fleetsim/fleetsim/strategies"
)

// Kubernetes is workload.kubernetes: manifests placed by the kube-default
// profile under central queueing.
type Kubernetes struct {
	Path string
	Line int
	// JobDuration is how long a Job's pod runs when neither the Job nor
	// its template has a fleetsim.io/duration annotation.
	JobDuration sim.Time
	// Grace is the termination grace period of a preempted pod without
	// terminationGracePeriodSeconds (Kubernetes' default: 30 s).
	Grace sim.Time
	Set   *manifest.Set
	// Controllers runs Deployments, HorizontalPodAutoscalers and the node
	// lifecycle as control loops (sim/kube.ControlPlane) instead of
	// placing the Deployments' pods once; Startup is each pod's image pull
	// and start; Events are the scheduled faults and changes.
	Controllers bool
	Startup     sim.Time
	Events      []KubeEvent
	// Autoscaler lists the node groups the cluster autoscaler may resize
	// (controllers only).
	Autoscaler []KubeNodeGroup
	// Defaults are the control loops' settings (controllers only).
	Defaults KubeDefaults
}

// KubeNodeGroup is one autoscaled node group: a group of cluster.nodes
// (its count nodes exist at the start) between Min and Max nodes, a new
// one joining Provision after it is requested.
type KubeNodeGroup struct {
	Group     string
	Min, Max  int
	Provision sim.Time
	Line      int
}

// KubeEvent is one scheduled entry of workload.kubernetes.events.
type KubeEvent struct {
	At sim.Time
	// Kind: fail_node, recover_node, fail_zone, drain (Target a node or
	// zone), rollout (Target a Deployment: a new template revision), scale
	// (Target a Deployment, to Replicas).
	Kind     string
	Target   string
	Replicas int32
	Line     int
}

// kubeResourceScorers are the kube-default profile's own NodeResourcesFit
// scoring strategies (sim/kube, on the plugin's 0..100 scale); any other
// placement strategy that scores single nodes may take their place
// (kubeScorerProblem).
var kubeResourceScorers = map[string]kube.ResourceScorer{
	"least-allocated": kube.LeastAllocated,
	"most-allocated":  kube.MostAllocated,
}

// readManifests reads a manifest path: from the embedded scenarios'
// folder for an embedded scenario, else from disk.
func (r *reader) readManifests(path string) (*manifest.Set, error) {
	if strings.HasPrefix(r.file, embeddedPrefix) && r.dir == "" {
		data, err := embedded.ReadFile("scenarios/" + filepath.ToSlash(path))
		if err != nil {
			return nil, err
		}
		return manifest.ReadBytes(path, data)
	}
	if r.dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	return manifest.Read(path)
}

// manifestErr turns a manifest error into the scenario's *Error.
func (r *reader) manifestErr(n *yaml.Node, field string, err error) {
	var me *manifest.Error
	if errors.As(err, &me) {
		if r.err == nil {
			obj := me.Object
			if me.Field != "" {
				obj = strings.TrimPrefix(obj+": "+me.Field, ": ")
			}
			r.err = &Error{File: me.File, Line: me.Line, Field: obj, Msg: me.Msg}
		}
		return
	}
	r.failf(n, field, "%v", err)
}

func (r *reader) kubernetesWorkload(n *yaml.Node, path string) *Kubernetes {
	k := &Kubernetes{JobDuration: 10 * sim.Minute, Grace: 30 * sim.Second, Defaults: DefaultKubeDefaults()}
	m := r.mapping(n, path, "a mapping like {path: manifests/}")
	m.allow("path", "job_duration", "grace", "controllers", "startup", "events", "autoscaler", "defaults")
	pn := m.require("path", "a manifest file or a folder of .yaml files")
	k.Path = r.string(pn, m.field("path"), "a file path")
	if pn != nil {
		k.Line = pn.Line
	}
	if v := m.get("job_duration"); v != nil {
		k.JobDuration = r.duration(v, m.field("job_duration"), positive)
	}
	if v := m.get("grace"); v != nil {
		k.Grace = r.duration(v, m.field("grace"), nonNegative)
	}
	if v := m.get("controllers"); v != nil {
		k.Controllers = r.bool(v, m.field("controllers"))
	}
	if v := m.get("startup"); v != nil {
		k.Startup = r.duration(v, m.field("startup"), nonNegative)
	}
	if v := m.get("events"); v != nil {
		r.kubeEvents(v, m.field("events"), k)
	}
	if v := m.get("autoscaler"); v != nil {
		r.kubeAutoscaler(v, m.field("autoscaler"), k)
		if r.err == nil && !k.Controllers {
			r.failf(v, m.field("autoscaler"), "expected controllers: true with autoscaler")
		}
	}
	if v := m.get("defaults"); v != nil {
		r.kubeDefaults(v, m.field("defaults"), k)
		if r.err == nil && !k.Controllers {
			r.failf(v, m.field("defaults"), "expected controllers: true with defaults (they set the control loops)")
		}
	}
	if r.err != nil {
		return k
	}
	if len(k.Events) > 0 && !k.Controllers {
		r.failf(m.get("events"), m.field("events"), "expected controllers: true with events (they act on the control loops)")
		return k
	}
	set, err := r.readManifests(k.Path)
	if err != nil {
		r.manifestErr(pn, m.field("path"), err)
		return k
	}
	if len(set.Nodes) > 0 {
		r.failf(pn, m.field("path"), "expected no Node objects in the workload (they go in cluster.nodes_from with format kubernetes)")
		return k
	}
	k.Set = set
	if !k.Controllers && len(set.HPAs) > 0 {
		h := set.HPAs[0]
		r.err = &Error{File: h.File, Line: h.Line, Field: h.Object, Msg: "a HorizontalPodAutoscaler needs workload.kubernetes.controllers: true"}
		return k
	}
	for _, e := range k.Events {
		if e.Kind != "rollout" && e.Kind != "scale" {
			continue
		}
		found := false
		for _, d := range set.Deployments {
			found = found || d.Name == e.Target
		}
		if !found {
			r.err = &Error{File: r.file, Line: e.Line, Field: m.field("events"), Msg: fmt.Sprintf("no Deployment %q in the manifests", e.Target)}
			return k
		}
	}
	return k
}

// kubeAutoscaler reads workload.kubernetes.autoscaler: {groups: [{group:
// G, min: N, max: N, provision: D}]}.
func (r *reader) kubeAutoscaler(n *yaml.Node, path string, k *Kubernetes) {
	m := r.mapping(n, path, "a mapping like {groups: [{group: burst, max: 5, provision: 2m}]}")
	m.allow("groups")
	gn := m.require("groups", "a list of node groups")
	if gn == nil || !r.nonEmptyList(gn, m.field("groups"), "a list of node groups like [{group: burst, max: 5, provision: 2m}]") {
		return
	}
	for i, item := range gn.Content {
		p := index(m.field("groups"), i)
		gm := r.mapping(item, p, "a mapping like {group: burst, min: 0, max: 5, provision: 2m}")
		gm.allow("group", "min", "max", "provision")
		g := KubeNodeGroup{Line: item.Line}
		if v := gm.require("group", "a node group of cluster.nodes"); v != nil {
			g.Group = r.string(v, gm.field("group"), "a group name")
		}
		if v := gm.get("min"); v != nil {
			g.Min = int(r.int(v, gm.field("min"), 0, MaxNodes))
		}
		if v := gm.require("max", "the most nodes the group may have"); v != nil {
			g.Max = int(r.int(v, gm.field("max"), 1, MaxNodes))
		}
		if v := gm.get("provision"); v != nil {
			g.Provision = r.duration(v, gm.field("provision"), nonNegative)
		}
		if r.err != nil {
			return
		}
		if g.Min > g.Max {
			r.failf(item, p, "expected min <= max, got %d and %d", g.Min, g.Max)
			return
		}
		k.Autoscaler = append(k.Autoscaler, g)
	}
}

// kubeEvents reads workload.kubernetes.events: a list of {at: D, KIND:
// TARGET}, KIND one of fail_node, recover_node, fail_zone, drain, rollout,
// or {at: D, scale: DEPLOYMENT, replicas: N}.
func (r *reader) kubeEvents(n *yaml.Node, path string, k *Kubernetes) {
	if !r.nonEmptyList(n, path, "a list of events like [{at: 10m, fail_node: cpu-a0}]") {
		return
	}
	kinds := []string{"fail_node", "recover_node", "fail_zone", "drain", "rollout", "scale"}
	for i, item := range n.Content {
		p := index(path, i)
		m := r.mapping(item, p, "a mapping like {at: 10m, fail_node: cpu-a0}")
		m.allow(append([]string{"at", "replicas"}, kinds...)...)
		e := KubeEvent{Line: item.Line}
		if v := m.require("at", "when, a duration from the start"); v != nil {
			e.At = r.duration(v, m.field("at"), nonNegative)
		}
		for _, kd := range kinds {
			if v := m.get(kd); v != nil {
				if e.Kind != "" {
					r.failf(v, m.field(kd), "expected one of %s per event, got %s and %s", strings.Join(kinds, ", "), e.Kind, kd)
					return
				}
				e.Kind, e.Target = kd, r.string(v, m.field(kd), "a name")
			}
		}
		if r.err != nil {
			return
		}
		if e.Kind == "" {
			r.failf(item, p, "expected one of %s", strings.Join(kinds, ", "))
			return
		}
		if v := m.get("replicas"); v != nil {
			if e.Kind != "scale" {
				r.failf(v, m.field("replicas"), "replicas goes with scale only")
				return
			}
			e.Replicas = int32(r.int(v, m.field("replicas"), 0, 100000))
		} else if e.Kind == "scale" {
			r.failf(item, p, "expected replicas with scale")
			return
		}
		k.Events = append(k.Events, e)
	}
}

// kubeNodesFrom reads cluster.nodes_from with format kubernetes; false
// when the format is another.
func (r *reader) kubeNodesFrom(n *yaml.Node, c *Cluster) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	m := r.mapping(n, "cluster.nodes_from", "")
	if f := m.get("format"); f == nil || f.Value != "kubernetes" {
		return false
	}
	m.allow("path", "format")
	pn := m.require("path", "a file of Node objects, or kubectl get nodes,pods -A -o yaml")
	path := r.string(pn, m.field("path"), "a file path")
	if r.err != nil {
		return true
	}
	c.NodesFrom = &Trace{Path: path, Format: "kubernetes", Line: pn.Line}
	set, err := r.readManifests(path)
	if err != nil {
		r.manifestErr(pn, m.field("path"), err)
		return true
	}
	if len(set.Nodes) == 0 {
		r.failf(pn, m.field("path"), "expected Node objects, found none")
		return true
	}
	if len(set.Nodes) > MaxNodes {
		r.failf(pn, m.field("path"), "expected at most %d nodes, the file has %d", MaxNodes, len(set.Nodes))
		return true
	}
	names := map[string]bool{}
	for _, kn := range set.Nodes {
		names[kn.Name] = true
		c.KubeNodes = append(c.KubeNodes, kn)
		c.FileNodes = append(c.FileNodes, sim.NodeSpec{Name: kn.Name, Group: "kubernetes", Region: kn.Labels[kube.LabelZone],
			Slots: 1 << 20, Speed: 1, CPU: kn.Allocatable.MilliCPU, Memory: kn.Allocatable.Memory, GPUs: int(kn.Allocatable.GPU)})
	}
	for _, it := range set.Pods {
		if it.BoundTo == "" {
			continue
		}
		if !names[it.BoundTo] {
			r.err = &Error{File: it.File, Line: it.Line, Field: it.Object + ": spec.nodeName", Msg: fmt.Sprintf("no Node %q in the snapshot", it.BoundTo)}
			return true
		}
		c.KubeBound = append(c.KubeBound, it)
	}
	return true
}

// kubernetes checks the scenario around a Kubernetes workload.
func (r *reader) kubernetes(top *mapping, s *Scenario) {
	k := s.Workload.Kubernetes
	if r.err != nil {
		return
	}
	if k == nil {
		if len(s.Cluster.KubeNodes) > 0 {
			r.failf(top.get("cluster"), "cluster.nodes_from", "expected workload.kubernetes with nodes_from format kubernetes")
		}
		for i, g := range s.Cluster.Groups {
			if g.Kube != nil {
				r.failf(top.get("cluster"), index("cluster.nodes", i), "labels and taints apply to Kubernetes workloads only (workload.kubernetes)")
				return
			}
		}
		return
	}
	if s.Cluster.Queueing != QueueingCentral {
		r.failf(top.get("workload"), "workload.kubernetes", "expected cluster.queueing: central (the scheduler places the pods)")
		return
	}
	if s.Stop.Time == 0 {
		r.failf(top.get("stop"), "stop", "expected {time: D} with a Kubernetes workload: pods that do not finish run until then")
		return
	}
	for _, ag := range k.Autoscaler {
		var g *Group
		for i := range s.Cluster.Groups {
			if s.Cluster.Groups[i].Name == ag.Group {
				g = &s.Cluster.Groups[i]
			}
		}
		switch {
		case g == nil:
			r.err = &Error{File: r.file, Line: ag.Line, Field: "workload.kubernetes.autoscaler.groups", Msg: fmt.Sprintf("no node group %q in cluster.nodes", ag.Group)}
			return
		case g.Autoscale != nil:
			r.err = &Error{File: r.file, Line: ag.Line, Field: "workload.kubernetes.autoscaler.groups", Msg: fmt.Sprintf("group %q has its own autoscale (node queueing); give it a count instead", ag.Group)}
			return
		case g.Count < ag.Min || g.Count > ag.Max:
			r.err = &Error{File: r.file, Line: ag.Line, Field: "workload.kubernetes.autoscaler.groups", Msg: fmt.Sprintf("group %q starts with %d nodes, outside min %d and max %d", ag.Group, g.Count, ag.Min, ag.Max)}
			return
		}
	}
	if len(k.Events) > 0 {
		nodes, zones := map[string]bool{}, map[string]bool{}
		for _, n := range s.kubeNodes(s.Nodes()) {
			nodes[n.Name], zones[n.Labels[kube.LabelZone]] = true, true
		}
		for _, e := range k.Events {
			switch {
			case (e.Kind == "fail_node" || e.Kind == "recover_node" || e.Kind == "drain") && !nodes[e.Target]:
				r.err = &Error{File: r.file, Line: e.Line, Field: "workload.kubernetes.events." + e.Kind, Msg: fmt.Sprintf("no node %q in the cluster", e.Target)}
				return
			case e.Kind == "fail_zone" && (e.Target == "" || !zones[e.Target]):
				r.err = &Error{File: r.file, Line: e.Line, Field: "workload.kubernetes.events.fail_zone", Msg: fmt.Sprintf("no node in zone %q", e.Target)}
				return
			}
		}
	}
	list := top.get("strategies")
	for i, sp := range s.Strategies {
		msg := kubeScorerProblem(placementOnly(sp))
		if msg == "" && k.Controllers {
			msg = kubeControllersProblem(placementOnly(sp))
		}
		if msg != "" {
			r.failf(list.Content[i], index("strategies", i), "%s", msg)
			return
		}
	}
}

// kubeOwnScorer is the profile's own scorer sp names (least-allocated or
// most-allocated without parameters); nil for any other strategy.
func kubeOwnScorer(sp StrategySpec) kube.ResourceScorer {
	if len(sp.Args) > 0 {
		return nil
	}
	return kubeResourceScorers[sp.Name]
}

// kubeControllersProblem says why a strategy entry cannot score under
// the control loops; "" when it can. The control loops schedule their
// pods outside the engine's placement step, where a placement strategy's
// score has no view of the cluster and no task (it read nil and
// crashed): only the profile's own scorers, which read the kube cluster,
// can score them.
func kubeControllersProblem(sp StrategySpec) string {
	if kubeOwnScorer(sp) != nil {
		return ""
	}
	return fmt.Sprintf("expected least-allocated or most-allocated with workload.kubernetes.controllers: true (the control loops schedule their pods outside the engine's placement step, where a placement strategy has no view of the cluster to score them), got %s", sp.String())
}

// kubeScorerProblem says why a strategy entry cannot be the kube-default
// profile's NodeResourcesFit scorer, by its kind; "" when it can: the
// profile's own least-allocated and most-allocated (without parameters),
// or any placement strategy that scores single nodes
// (strategies.NodeScorer), normalised min-max over the feasible nodes.
func kubeScorerProblem(sp StrategySpec) string {
	const want = "the kube-default profile's NodeResourcesFit scorer: least-allocated, most-allocated or a placement strategy that scores single nodes (best-fit, worst-fit, dot-product, gpu-packing, gpu-clustering, fgd, balanced-allocation, first-fit, random, ...)"
	if kubeOwnScorer(sp) != nil {
		return ""
	}
	if sp.Name == ExternalName {
		return "expected " + want + ", got an external strategy (it places whole tasks and cannot score single nodes)"
	}
	info, ok := strategies.Lookup(sp.Name)
	if !ok {
		return fmt.Sprintf("expected %s, got %q", want, sp.String())
	}
	if info.Of()&strategies.Placement == 0 {
		return fmt.Sprintf("expected %s, got %s, a %s strategy", want, sp.String(), info.Of())
	}
	st, err := strategies.New(sp.Name, sp.Args, sim.NewRand(0, "check"))
	if err != nil {
		return fmt.Sprintf("expected %s, got %s: %v", want, sp.String(), err)
	}
	if _, ok := st.(strategies.NodeScorer); !ok {
		return fmt.Sprintf("expected %s, got %s, a workflow list scheduler (it chooses by earliest finish time over a DAG, not by a score per node)", want, sp.String())
	}
	return ""
}

// kubeNodes is the cluster as the kube model sees it: the node groups'
// nodes (hostname label; a group's region as its zone label; 110 pods)
// then the nodes_from Node objects.
func (s *Scenario) kubeNodes(specs []sim.NodeSpec) []*kube.Node {
	out := make([]*kube.Node, 0, len(specs))
	groups := len(specs) - len(s.Cluster.KubeNodes)
	byGroup := map[string]*Group{}
	for i := range s.Cluster.Groups {
		byGroup[s.Cluster.Groups[i].Name] = &s.Cluster.Groups[i]
	}
	for i := 0; i < groups; i++ {
		sp := &specs[i]
		kn := &kube.Node{Name: sp.Name, Labels: map[string]string{kube.LabelHostname: sp.Name},
			Allocatable: kube.Resources{MilliCPU: sp.CPU, Memory: sp.Memory, GPU: int64(sp.GPUs), GPUMilli: int64(sp.GPUs) * 1000, Pods: 110}}
		if sp.Region != "" {
			kn.Labels[kube.LabelZone] = sp.Region
		}
		if g := byGroup[sp.Group]; g != nil && g.Kube != nil {
			for k, v := range g.Kube.Labels {
				kn.Labels[k] = v
			}
			kn.Taints = g.Kube.Taints
		}
		out = append(out, kn)
	}
	return append(out, s.Cluster.KubeNodes...)
}

// PodRecord is one pod's life in a Kubernetes run: a row of pods.csv.
// Times are simulated seconds; -1 when it did not happen.
type PodRecord struct {
	Pod, Owner string
	Priority   int32
	Node, Zone string
	Created    float64
	Bound      float64
	Started    float64
	Ended      float64
	// Reason: completed, running (at the end of the run), preempted (with
	// its preemptor), job failed, or why it stayed pending (the
	// scheduler's FitError).
	Reason string
}

// kubePod is the state of one task of a Kubernetes run.
type kubePod struct {
	pod      *kube.Pod
	job      *kubeJob
	sched    string
	created  sim.Time // when it may first be scheduled (-1: not yet)
	bound    sim.Time
	grace    sim.Time
	work     sim.Time
	nominate int // nominated node (-1)
	victims  []*kube.Pod
	// kill is why the pod is being terminated other than by preemption
	// (its Job's activeDeadlineSeconds), "" when it is not
	kill    string
	reason  string
	lastErr *kube.FitError
	// The cluster's change counters when the pod last failed (tried):
	// unless something it depends on changed since, it fails again, so it
	// is not retried (kube-scheduler's unschedulable queue and queueing
	// hints); skip says this attempt was such a repeat.
	tried                    bool
	triedUnbinds, triedBinds int
	triedFreed               uint64 // the cluster's Freed then
	skip                     bool
	attempt                  int
	preempt                  string // the preemptor that evicted it
	// halted: its machine failed while it was bound (kubejobfaults.go);
	// lost: why it is being ended for that ("" while not), recreate:
	// whether its owner recreates it then
	halted   bool
	lost     string
	recreate bool
	// scaledDown: why the cluster autoscaler is evicting it ("" while
	// not); dropped: it ended the run pending
	scaledDown string
	dropped    bool
}

type kubeJob struct {
	j         *manifest.Job
	start     sim.Time
	pods      []*kubePod // every pod of the Job
	deadline  bool       // activeDeadlineSeconds passed: the Job failed
	running   int32
	succeeded int32
	failed    int32
	gated     []*kubePod // created in order as parallelism allows
}

// kubeRun is a Kubernetes run: the task source (every pod of the
// manifests, in arrival order) and the strategy (the kube-default profile
// as a sim.Preemptor with outcome hooks).
type kubeRun struct {
	name string
	// a placement strategy as the resource scorer (nil: a kube one), with
	// the view and task of the decision in progress
	ns    strategies.NodeScorer
	obs   sim.Observer
	curV  *sim.View
	curT  *sim.Task
	c     *kube.Cluster
	s     *kube.Scheduler
	pdbs  []*kube.PDB
	pods  []*kubePod
	tasks []sim.Task
	next  int
	byPod map[*kube.Pod]int64
	onPod func(*PodRecord)
	zone  []string
	now   sim.Time
	sum   kube.Summary
	// change counters: pods unbound, and the priority of each pod bound
	unbinds  int
	bindPrio []int32
	horizon  sim.Time  // the stop time: nothing binds from then on
	bindNs   []float64 // scheduling latencies, seconds
	// the pods of a nodes_from snapshot, bound when the run starts
	snap   []*snapPod
	snapOf map[*kube.Pod]int
	jobs   []*kubeJob
	alarm  func(at sim.Time, ref int64)
	// the control loops, when workload.kubernetes.controllers is on, and
	// the time of the engine's wake-up armed for them (-1: none)
	cp      *kube.ControlPlane
	cpArmed sim.Time
	deps    map[string]*kube.Deployment
	hpas    []*kube.HPA
	done    bool // the control plane's summary is made
	cpSum   *kube.ControlSummary
	tl      *timeline // --out timeline.csv and windows.csv (nil: not asked)
	ca      *kube.Autoscaler
	// autoscaled: the groups the cluster autoscaler resizes; down: how
	// many faults hold each node's machine down (they nest)
	autoscaled map[string]bool
	down       []int
	// each node's group, and each group's cost per hour
	group     []string
	groupCost map[string]float64
	// the request streams (workload.requests), nil without
	req *requestsRun
	// evictions for the engine made by machine faults (kubejobfaults.go):
	// evq waits for the end of the Wake in progress (inWake) or for the
	// flush Wake armed; stopArmed: the stop-time Wake is armed
	evq                           []sim.Eviction
	inWake, flushArmed, stopArmed bool
	// with a cluster autoscaler (kubeautoscale.go): each engine node's
	// kube node (-1: none yet) and group, and the reverse; nil without
	eng2kube []int
	engGroup []string
	kube2eng map[int]int
	left     []int // kube nodes engine pods left, for the autoscaler
}

// snapPod is a pod of a nodes_from snapshot: running where the snapshot
// has it from the start, not a task of the run.
type snapPod struct {
	pod         *kube.Pod
	grace       sim.Time
	terminating bool
	preemptor   string
}

// Wake references (sim.Waker): the kind in the high bits, an index below.
const (
	wakeSnapVictim int64 = 1 << 40 // a snapshot pod's grace period ended
	wakeDeadline   int64 = 2 << 40 // a Job's activeDeadlineSeconds passed
	wakeControl    int64 = 3 << 40 // the control plane's next timer
	wakeIndex      int64 = 1<<40 - 1
)

var (
	_ sim.Preemptor = (*kubeRun)(nil)
	_ sim.Observer  = (*kubeRun)(nil)
	_ sim.Source    = (*kubeRun)(nil)
	_ sim.Waker     = (*kubeRun)(nil)
)

func (s *Scenario) newKubeRun(spec StrategySpec, seed uint64, nodes []sim.NodeSpec, opt RunOptions) (*kubeRun, error) {
	onPod := opt.OnPod
	k := s.Workload.Kubernetes
	kn := s.kubeNodes(nodes)
	c, err := kube.NewCluster(kn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	prof := kube.DefaultProfile()
	prof.Resource = kubeOwnScorer(spec) // nil: a placement strategy's score (kubeScorerProblem)
	var ns strategies.NodeScorer
	if prof.Resource == nil {
		st, err := s.Strategy(spec, seed)
		if err != nil {
			return nil, err
		}
		var ok bool
		if ns, ok = st.(strategies.NodeScorer); !ok {
			return nil, fmt.Errorf("%s:%d: strategies: %s cannot score single nodes", s.File, spec.Line, spec.Name)
		}
	}
	rng := rand.New(sim.NewRand(seed, "strategy/"+spec.String()))
	ks, err := kube.NewScheduler(c, prof, rng)
	if err != nil {
		return nil, err
	}
	kr := &kubeRun{name: "kube-default(" + spec.String() + ")", c: c, s: ks, pdbs: k.Set.PDBs, byPod: map[*kube.Pod]int64{}, onPod: onPod, ns: ns}
	kr.obs, _ = ns.(sim.Observer) // a scorer that learns from outcomes (gpu-clustering)
	if ns != nil {
		ks.SetRawResource(func(_ *kube.Pod, i int) float64 {
			e := kr.engineNode(i) // the kube node's engine node: the same until the autoscaler adds one
			if e < 0 {
				return 0
			}
			return kr.ns.NodeScore(kr.curV, kr.curT, e)
		})
	}
	kr.groupCost = map[string]float64{}
	for i := range kn {
		kr.zone = append(kr.zone, kn[i].Labels[kube.LabelZone])
		kr.group = append(kr.group, nodes[i].Group)
		kr.groupCost[nodes[i].Group] = nodes[i].CostPerHour
	}
	// Snapshot pods start in place.
	kr.snapOf = map[*kube.Pod]int{}
	for _, it := range s.Cluster.KubeBound {
		p := *it.Pod
		if err := c.Bind(&p, c.NodeIndex(it.BoundTo)); err != nil {
			return nil, err
		}
		sp := &snapPod{pod: &p, grace: k.Grace}
		if it.Grace >= 0 {
			sp.grace = sim.Time(it.Grace)
		}
		kr.snapOf[&p] = len(kr.snap)
		kr.snap = append(kr.snap, sp)
	}
	horizon := s.Stop.Time
	kr.horizon = horizon
	add := func(p *kube.Pod, sched string, arrival, dur, grace time.Duration, job *kubeJob) {
		a := sim.Time(arrival)
		if a >= horizon {
			return // created after arrivals stop
		}
		w := sim.Time(dur)
		if w == 0 || a+w > horizon {
			w = horizon - a
		}
		kp := &kubePod{pod: p, job: job, sched: sched, created: a, bound: -1, grace: k.Grace, work: w, nominate: -1}
		if grace >= 0 {
			kp.grace = sim.Time(grace)
		}
		kr.pods = append(kr.pods, kp)
	}
	for _, it := range k.Set.Pods {
		if k.Controllers && strings.HasPrefix(it.Pod.Owner, "Deployment/") {
			continue // the Deployment controller makes these
		}
		p := *it.Pod
		add(&p, it.SchedulerName, it.Arrival, it.Duration, it.Grace, nil)
	}
	if k.Controllers {
		kr.startControllers(k, opt, seed, s.Faults)
	}
	for _, j := range k.Set.Jobs {
		kj := &kubeJob{j: j, start: sim.Time(j.Arrival)}
		kr.jobs = append(kr.jobs, kj)
		d := j.Duration
		if d == 0 {
			d = time.Duration(k.JobDuration)
		}
		for i := range j.Completions {
			p := *j.Template
			p.Name = fmt.Sprintf("%s-%d", j.Name, i)
			add(&p, j.SchedulerName, j.Arrival, d, j.Grace, kj)
			if len(kr.pods) > 0 && kr.pods[len(kr.pods)-1].pod == &p {
				kj.gated = append(kj.gated, kr.pods[len(kr.pods)-1])
				kj.pods = append(kj.pods, kr.pods[len(kr.pods)-1])
			}
		}
	}
	// Tasks in arrival order (stable: file order within an instant).
	order := make([]int, len(kr.pods))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(kr.pods[a].created - kr.pods[b].created) })
	pods := make([]*kubePod, len(order))
	for i, o := range order {
		pods[i] = kr.pods[o]
	}
	kr.pods = pods
	for i, kp := range kr.pods {
		kr.byPod[kp.pod] = int64(i)
		p := kp.pod
		kr.tasks = append(kr.tasks, sim.Task{ID: int64(i), Arrival: kp.created, Work: kp.work, CPU: p.Requests.MilliCPU,
			Memory: p.Requests.Memory, GPUs: int32(p.Requests.GPU), Priority: p.Priority, Class: p.Owner, Tenant: p.Namespace})
		if kp.job != nil && kp.job.gatedIndex(kp) >= int(kp.job.j.Parallelism) {
			kp.created = -1 // waits for a free parallelism slot
		}
	}
	kr.sum.Pods = len(kr.pods)
	kr.sum.Unschedulable = map[string]int{}
	kr.sum.Spread = map[string]kube.Spread{}
	return kr, nil
}

func (j *kubeJob) gatedIndex(kp *kubePod) int { return slices.Index(j.gated, kp) }

// Next implements sim.Source.
func (kr *kubeRun) Next(t *sim.Task) error {
	if kr.next >= len(kr.tasks) {
		return io.EOF
	}
	*t = kr.tasks[kr.next]
	kr.next++
	return nil
}

// Name implements sim.Strategy.
func (kr *kubeRun) Name() string { return kr.name }

// kubeQueue orders the pending queue as PrioritySort: higher priority
// first, then arrival (the engine keeps arrival order among equals).
type kubeQueue struct{}

func (kubeQueue) Name() string             { return "priority-sort" }
func (kubeQueue) Less(a, b *sim.Task) bool { return a.Priority > b.Priority }

// Place implements sim.Placer: one scheduling cycle of the pod.
func (kr *kubeRun) Place(v *sim.View, t *sim.Task, pl *sim.Placement) bool {
	kp := kr.pods[t.ID]
	kr.now = v.Now()
	kp.lastErr = nil
	switch {
	case kp.created < 0:
		kp.reason = "waiting for the Job's parallelism"
		return false
	case kp.job != nil && kp.job.failed > kp.job.j.BackoffLimit:
		kp.reason = "Job failed: backoffLimit exceeded"
		return false
	case kp.job != nil && (kp.job.deadline || kp.job.j.ActiveDeadline > 0 && kr.now >= kp.job.start+sim.Time(kp.job.j.ActiveDeadline)):
		kp.reason = "Job failed: activeDeadlineSeconds exceeded"
		return false
	case kr.now >= kr.horizon:
		kp.reason = "not bound before the stop time"
		return false
	case kp.sched != "" && kp.sched != "default-scheduler":
		kp.reason = fmt.Sprintf("schedulerName %s: no such scheduler runs", kp.sched)
		return false
	}
	if kr.ns != nil {
		kr.curV, kr.curT = v, t
		kr.ns.Prepare(v)
	}
	if kp.tried && kr.unchanged(kp) {
		kp.skip = true
		return false
	}
	kp.skip = false
	i, err := kr.s.Schedule(kp.pod, kp.nominate)
	if err != nil {
		var fe *kube.FitError
		if errors.As(err, &fe) {
			kp.lastErr = fe
		}
		kp.reason = err.Error()
		kp.tried, kp.triedUnbinds, kp.triedBinds, kp.triedFreed = true, kr.unbinds, len(kr.bindPrio), kr.c.Freed()
		return false
	}
	e := kr.engineNode(i)
	if e < 0 || e >= v.Len() {
		// Not reached: a group's nodes never outnumber its max, its
		// engine nodes (kubeautoscale.go).
		kp.reason = "no engine node for node " + kr.c.Node(i).Name
		return false
	}
	pl.Node = e
	pl.GPUs = v.PickGPUs(e, t, pl.GPUs[:0])
	return true
}

// Preempt implements sim.Preemptor (DefaultPreemption).
func (kr *kubeRun) Preempt(v *sim.View, t *sim.Task) []sim.Eviction {
	kp := kr.pods[t.ID]
	if kp.lastErr == nil || kp.skip {
		return nil
	}
	// Not eligible while its victims on the nominated node terminate.
	for _, vp := range kp.victims {
		if kr.c.NodeOf(vp) >= 0 {
			return nil
		}
	}
	pr := kr.s.Preempt(kp.pod, kp.lastErr, kr.pdbs)
	kp.reason = kp.lastErr.Error()
	if pr == nil {
		return nil
	}
	kp.nominate = pr.Node
	kr.c.Nominate(kp.pod, pr.Node)
	kp.victims = kp.victims[:0]
	var out []sim.Eviction
	for _, vp := range pr.Victims {
		kp.victims = append(kp.victims, vp)
		id, ok := kr.byPod[vp]
		if !ok && kr.cp != nil {
			// A control loop's pod (a Deployment's): the control plane
			// deletes it, on its clock brought to now; its ReplicaSet
			// replaces it.
			kr.runControl(kr.now)
			if kr.cp.Preempted(vp) {
				kr.armControl()
				continue
			}
		}
		if !ok {
			// A snapshot pod: it ends after its grace period too (the
			// engine calls Wake), and is not recreated (its controller
			// is not part of the run).
			if sp := kr.snap[kr.snapOf[vp]]; !sp.terminating {
				sp.terminating, sp.preemptor = true, kp.pod.Name
				kr.alarm(kr.now+sp.grace, wakeSnapVictim|int64(kr.snapOf[vp]))
			}
			continue
		}
		victim := kr.pods[id]
		if victim.kill != "" {
			continue // already terminating for its Job's deadline
		}
		victim.preempt = kp.pod.Name
		out = append(out, sim.Eviction{ID: id, After: victim.grace, Requeue: victim.pod.Owner != ""})
	}
	return out
}

// SetAlarm implements sim.Waker: the engine's clock, on which the Jobs'
// deadlines are set.
func (kr *kubeRun) SetAlarm(alarm func(at sim.Time, ref int64)) {
	kr.alarm = alarm
	kr.armControl()
	if kr.req != nil {
		kr.req.arm()
	}
	for i, j := range kr.jobs {
		if d := j.j.ActiveDeadline; d > 0 && j.start+sim.Time(d) < kr.horizon {
			alarm(j.start+sim.Time(d), wakeDeadline|int64(i))
		}
	}
}

// Wake implements sim.Waker: a snapshot victim's grace period ended (it
// leaves its node), or a Job's activeDeadlineSeconds passed: the Job
// fails (DeadlineExceeded), its running pods are terminated after their
// grace period, and it creates no more.
func (kr *kubeRun) Wake(v *sim.View, ref int64) []sim.Eviction {
	kr.now = v.Now()
	kr.inWake = true
	out := kr.wake(v, ref)
	kr.inWake = false
	if len(kr.evq) > 0 {
		out = append(out, kr.evq...)
		kr.evq = kr.evq[:0]
	}
	return out
}

func (kr *kubeRun) wake(v *sim.View, ref int64) []sim.Eviction {
	switch ref &^ wakeIndex {
	case wakeFlush:
		kr.flushArmed = false
	case wakeStop:
		kr.stopLost()
	case wakeSnapVictim:
		sp := kr.snap[ref&wakeIndex]
		if kr.c.NodeOf(sp.pod) < 0 {
			return nil
		}
		node := kr.c.NodeOf(sp.pod)
		_ = kr.c.Unbind(sp.pod)
		kr.unbinds++
		kr.sum.Preempted++
		if kr.onPod != nil {
			kr.onPod(&PodRecord{Pod: sp.pod.Name, Owner: sp.pod.Owner, Priority: sp.pod.Priority, Node: kr.c.Node(node).Name,
				Zone: kr.zone[node], Created: 0, Bound: 0, Started: 0, Ended: kr.now.Seconds(),
				Reason: "preempted by " + sp.preemptor})
		}
	case wakeControl:
		if kr.cpArmed == v.Now() {
			kr.cpArmed = -1
		}
		kr.runControl(v.Now())
		kr.armControl()
	case wakeRequests:
		kr.req.wake(v.Now())
	case wakeDeadline:
		j := kr.jobs[ref&wakeIndex]
		j.deadline = true
		kr.sum.JobsFailed++
		var out []sim.Eviction
		for _, kp := range j.pods {
			if kp.bound >= 0 && kr.c.NodeOf(kp.pod) >= 0 && kp.kill == "" {
				kp.kill = reasonDeadline
				out = append(out, sim.Eviction{ID: kr.byPod[kp.pod], After: kp.grace})
			}
		}
		return out
	}
	return nil
}

// reasonDeadline is the pods.csv reason of a pod terminated because its
// Job's activeDeadlineSeconds passed (the Job's condition reason).
const reasonDeadline = "Job failed: DeadlineExceeded"

// Started implements sim.Observer: the bind.
func (kr *kubeRun) Started(v *sim.View, t *sim.Task, i int) {
	kp := kr.pods[t.ID]
	kp.pod.Start = int64(v.Now())
	if kr.obs != nil {
		defer kr.obs.Started(v, t, i)
	}
	i = kr.kubeNode(i)
	_ = kr.c.Bind(kp.pod, i)
	kr.bindPrio = append(kr.bindPrio, kp.pod.Priority)
	kp.tried = false
	kp.bound = v.Now()
	kp.nominate = -1
	kp.victims = kp.victims[:0]
	kr.sum.Bound++
	kr.bindNs = append(kr.bindNs, (kp.bound - kp.created).Seconds())
	if kp.job != nil {
		kp.job.running++
	}
	if i < len(kr.down) && kr.down[i] > 0 {
		kr.halt(kp, t.ID) // bound to a dead machine before it is NotReady: never starts
	}
}

// Finished implements sim.Observer.
func (kr *kubeRun) Finished(v *sim.View, t *sim.Task, i int, lat sim.Time) {
	if kr.obs != nil {
		kr.obs.Finished(v, t, i, lat)
	}
	defer kr.kickControl(v.Now())
	kp := kr.pods[t.ID]
	_ = kr.c.Unbind(kp.pod)
	kr.unbinds++
	kr.podLeft(i)
	if kp.job != nil {
		kp.job.running--
		kp.job.succeeded++
		kr.openGate(kp.job, v.Now())
	}
}

// Failed implements sim.Observer: the pod was preempted.
func (kr *kubeRun) Failed(v *sim.View, t *sim.Task, i int) {
	if kr.obs != nil {
		kr.obs.Failed(v, t, i)
	}
	defer kr.kickControl(v.Now())
	kp := kr.pods[t.ID]
	_ = kr.c.Unbind(kp.pod)
	kr.unbinds++
	kr.podLeft(i)
	i = kr.kubeNode(i)
	scaledDown := kp.scaledDown
	kp.scaledDown = ""
	if kp.kill != "" {
		// Terminated with its failed Job: not recreated.
		kr.sum.Killed++
		kr.emit(kp, i, v.Now(), kp.kill)
		kp.job.running--
		return
	}
	if kp.lost != "" {
		kr.lostEnded(kp, i, v.Now())
		return
	}
	if scaledDown != "" {
		kr.emit(kp, i, v.Now(), scaledDown)
	} else {
		kr.sum.Preempted++
		kr.emit(kp, i, v.Now(), "preempted by "+kp.preempt)
	}
	if kp.job != nil {
		kp.job.running--
		kp.job.failed++
	}
	if kp.pod.Owner != "" {
		// Recreated by its controller: a new pod, created now.
		kp.attempt++
		kp.created, kp.bound = v.Now(), -1
		kr.sum.Pods++
	}
}

// openGate creates the next gated pods of a Job as parallelism allows.
func (kr *kubeRun) openGate(j *kubeJob, now sim.Time) {
	for _, g := range j.gated {
		if g.created >= 0 || g.bound >= 0 {
			continue
		}
		if j.running+countCreatedWaiting(j) >= j.j.Parallelism {
			return
		}
		g.created = now
	}
}

func countCreatedWaiting(j *kubeJob) int32 {
	var n int32
	for _, g := range j.gated {
		if g.created >= 0 && g.bound < 0 {
			n++
		}
	}
	return n
}

// record sees every task's end (sim.Config.OnRecord).
func (kr *kubeRun) record(r *sim.Record) {
	kp := kr.pods[r.Task.ID]
	switch r.Status {
	case sim.Completed:
		reason := "completed"
		if kp.job == nil {
			reason = "running"
		} else {
			kr.sum.Completed++
		}
		kr.emit(kp, kr.kubeNode(r.Node), r.Finish, reason)
	case sim.Dropped:
		kp.dropped = true
		kr.sum.PendingAtEnd++
		if kp.lastErr != nil {
			for reason := range kp.lastErr.Reasons {
				kr.sum.Unschedulable[reason]++
			}
		} else {
			kr.sum.Unschedulable[kp.reason]++
		}
		kr.emit(kp, -1, r.Finish, kp.reason)
	}
}

func (kr *kubeRun) emit(kp *kubePod, node int, end sim.Time, reason string) {
	if kp.pod.Owner != "" && node >= 0 && reason == "running" {
		sp := kr.sum.Spread[kp.pod.Owner]
		if sp.Zones == nil {
			sp = kube.Spread{Zones: map[string]int{}, Nodes: map[string]int{}}
		}
		sp.Zones[kr.zoneOf(node)]++
		sp.Nodes[kr.c.Node(node).Name]++
		kr.sum.Spread[kp.pod.Owner] = sp
	}
	if kr.onPod == nil {
		return
	}
	rec := &PodRecord{Pod: kp.pod.Name, Owner: kp.pod.Owner, Priority: kp.pod.Priority, Created: secs(kp.created),
		Bound: secs(kp.bound), Started: secs(kp.bound), Ended: end.Seconds(), Reason: reason}
	if kp.attempt > 0 {
		rec.Pod = fmt.Sprintf("%s.%d", kp.pod.Name, kp.attempt)
	}
	if node >= 0 {
		rec.Node, rec.Zone = kr.c.Node(node).Name, kr.zoneOf(node)
	}
	kr.onPod(rec)
}

func secs(t sim.Time) float64 {
	if t < 0 {
		return -1
	}
	return t.Seconds()
}

// summary finishes the kubernetes block.
func (kr *kubeRun) summary() *kube.Summary {
	s := kr.sum
	if n := len(kr.bindNs); n > 0 {
		l := slices.Clone(kr.bindNs)
		slices.Sort(l)
		q := func(p float64) float64 { return l[min(n-1, int(p*float64(n)))] }
		s.LatencyS = kube.Latency{P50: q(0.5), P90: q(0.9), P99: q(0.99), Max: l[n-1]}
	}
	s.Controllers = kr.controlSummary()
	if kr.req != nil {
		s.Services = kr.req.summary()
	}
	return &s
}

// startKube prepares one run of a Kubernetes workload.
func (s *Scenario) startKube(spec StrategySpec, seed uint64, opt RunOptions, cfg sim.Config) (sim.Runner, io.Closer, error) {
	placement := spec
	placement.Balancer = nil // the scheduler's streams do not depend on the balancer
	kr, err := s.newKubeRun(placement, seed, cfg.Nodes, opt)
	if err != nil {
		return nil, nil, err
	}
	var closer io.Closer = io.NopCloser(nil)
	if (spec.Balancer != nil) != (len(s.Workload.Requests) > 0) {
		return nil, nil, fmt.Errorf("%s: strategy %s: %s", s.File, spec, map[bool]string{
			true:  "the workload has requests (workload.requests): name both levels, as placement/balancer (least-allocated/p2c)",
			false: "a balancer, but the workload has no requests (workload.requests)"}[spec.Balancer == nil])
	}
	if spec.Balancer != nil {
		if kr.req, err = s.newRequestsRun(kr, *spec.Balancer, seed, cfg.Nodes); err != nil {
			return nil, nil, err
		}
		kr.name += "/" + spec.Balancer.String()
		closer = kr.req
	}
	cfg.Nodes = kr.startSlots(cfg.Nodes, s.Workload.Kubernetes.Autoscaler)
	var sc sim.ShapeCounter
	for i := range kr.tasks {
		sc.Add(&kr.tasks[i])
	}
	cfg.Central.Shapes = sc.Shapes(shapeCoverage) // FGD's target workload
	cfg.Central.Queue = kubeQueue{}
	cfg.Central.Backfill = sim.Greedy
	cfg.Central.Timeout, cfg.Central.DropUnplaceable = 0, false
	// Faults act on the control loops (kubefaults.go), not on the engine.
	cfg.Faults, cfg.RandomFaults, cfg.Health = nil, nil, nil
	on := opt.OnRecord
	cfg.OnRecord = func(r *sim.Record) {
		kr.record(r)
		if on != nil {
			on(r)
		}
	}
	run, err := sim.Start(cfg, kr, kr, true)
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return &kubeRunner{Runner: run, kr: kr}, closer, nil
}

// kubeRunner adds the kubernetes block to the result.
type kubeRunner struct {
	sim.Runner
	kr *kubeRun
}

// Step stops the run on an error of the request streams.
func (k *kubeRunner) Step(max int) (bool, error) {
	done, err := k.Runner.Step(max)
	if err == nil && k.kr.req != nil && k.kr.req.err != nil {
		return true, k.kr.req.err
	}
	return done, err
}

func (k *kubeRunner) Result() sim.Result {
	r := k.Runner.Result()
	r.Strategy = k.kr.name
	r.Kubernetes = k.kr.summary()
	if rr := k.kr.req; rr != nil {
		r.RequestCDFs = map[string][]sim.CDFPoint{}
		for _, sr := range rr.svcs {
			r.RequestCDFs[sr.q.Service] = sim.CDF(sr.ep.Latency(), RequestCDFPoints)
		}
	}
	return r
}

// RequestCDFPoints is how many evenly spaced levels sample a Service's
// request latency CDF (Result.RequestCDFs), as many as the CLI samples
// a run's latency CDF with.
const RequestCDFPoints = 200

// kubeLabels reads a node group's labels: a mapping of label keys to
// values.
func (r *reader) kubeLabels(n *yaml.Node, path string) map[string]string {
	if n.Kind != yaml.MappingNode {
		r.failf(n, path, "expected a mapping of labels like {topology.kubernetes.io/zone: a, disk: ssd}, got %s", describe(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" || v.Kind != yaml.ScalarNode {
			r.failf(k, path, "expected label keys and values as strings, got %s: %s", describe(k), describe(v))
			return nil
		}
		out[k.Value] = v.Value
	}
	return out
}

// kubeTaints reads a node group's taints: a list of "key=value:Effect" or
// "key:Effect".
func (r *reader) kubeTaints(n *yaml.Node, path string) []kube.Taint {
	if n.Kind != yaml.SequenceNode {
		r.failf(n, path, "expected a list of taints like [\"nvidia.com/gpu=true:NoSchedule\"], got %s", describe(n))
		return nil
	}
	out := []kube.Taint{}
	for i, e := range n.Content {
		p := index(path, i)
		s := r.string(e, p, "a taint like nvidia.com/gpu=true:NoSchedule")
		if r.err != nil {
			return nil
		}
		kv, effect, ok := strings.Cut(s, ":")
		k, v, _ := strings.Cut(kv, "=")
		t := kube.Taint{Key: k, Value: v, Effect: kube.TaintEffect(effect)}
		switch {
		case !ok || k == "":
			r.failf(e, p, "expected key=value:Effect or key:Effect, got %q", truncate(s, maxShown))
		case t.Effect != kube.NoSchedule && t.Effect != kube.PreferNoSchedule && t.Effect != kube.NoExecute:
			r.failf(e, p, "expected the effect NoSchedule, PreferNoSchedule or NoExecute, got %q", truncate(effect, maxShown))
		}
		out = append(out, t)
	}
	return out
}

// unchanged reports whether nothing kp's last failure depended on has
// changed: no pod ended or was evicted (the control loops' included), no
// node's taints or cordon changed (kube.Cluster.Freed); no pod bound since, if kp has
// spread or pod-affinity constraints (a bind can raise a domain's minimum
// or satisfy an affinity); and no pod of lower priority bound since, if kp
// may preempt (it could be a victim).
func (kr *kubeRun) unchanged(kp *kubePod) bool {
	if kr.unbinds != kp.triedUnbinds || kr.c.Freed() != kp.triedFreed || kp.created < 0 {
		return false
	}
	since := kr.bindPrio[kp.triedBinds:]
	if len(since) == 0 {
		return true
	}
	p := kp.pod
	if len(p.TopologySpread) > 0 || p.Affinity != nil && (p.Affinity.PodAffinity != nil || p.Affinity.PodAntiAffinity != nil) {
		return false
	}
	if p.PreemptionPolicy != kube.PreemptNever {
		for _, q := range since {
			if q < p.Priority {
				return false
			}
		}
	}
	return true
}
