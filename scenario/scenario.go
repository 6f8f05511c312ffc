package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/fleetsim/fleetsim/scenario/manifest"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// A Scenario is a parsed and validated scenario file: a cluster, a workload,
// the strategies to compare and when to stop. It is plain data; Parse and
// Load have checked every field, so a Scenario they return is usable as is.
type Scenario struct {
	Name        string // the name: field, else the file's base name without extension
	Description string // one line, optional
	File        string // the path it was read from, or "embedded:NAME"
	Dir         string // the folder relative paths in it are resolved against

	Seed   uint64 // default 1
	Stop   Limit  // when arrivals stop; zero only for a trace workload (the trace's end)
	Warmup Limit  // what is excluded from statistics; zero for none

	Cluster    Cluster
	Workload   Workload
	Strategies []StrategySpec // at least one, no two equal

	// Node queueing only (dynamics.go): the network between regions,
	// faults, the clients' retries and the health checker (DefaultHealth
	// when there are faults and no health field).
	Network *sim.Network
	Faults  []FaultSpec
	Client  sim.Client
	Health  *sim.Health

	// Real says how to run the scenario on live containerd daemons
	// (real.go); nil when the file has no real section.
	Real *Real

	// Workflows, when set, is the workload: DAGs under central queueing
	// (workflows.go).
	Workflows *Workflows

	// YAML is the file's text as read, before Sets (for reports).
	YAML []byte
	// Sets are the overrides applied to YAML (ParseWith), in order;
	// nil when none.
	Sets []Set

	shapes *shapeCache // the trace's shape distribution, counted once
}

type shapeCache struct {
	once sync.Once
	v    []sim.TaskShape
	err  error
}

// A Limit is a count of tasks or a span of simulated time. At most one of
// the two is set; both zero means no limit.
type Limit struct {
	Tasks int64
	Time  sim.Time
}

// IsZero reports whether l sets no limit.
func (l Limit) IsZero() bool { return l.Tasks == 0 && l.Time == 0 }

// String formats l for people: "1000 tasks", "600s", or "none".
func (l Limit) String() string {
	switch {
	case l.Tasks != 0:
		return fmt.Sprintf("%d tasks", l.Tasks)
	case l.Time != 0:
		return l.Time.String()
	}
	return "none"
}

// Queueing models.
const (
	QueueingNode    = "node"    // each node queues its own work (load balancing)
	QueueingCentral = "central" // a scheduler holds the pending queue (job placement)
)

// A Cluster is the modeled cluster: node groups in file order.
type Cluster struct {
	Queueing string // QueueingNode (default) or QueueingCentral
	Groups   []Group
	// NodesFrom is a node list file (format openb), read when the scenario
	// is loaded into FileNodes; its nodes follow the groups'.
	NodesFrom *Trace
	FileNodes []sim.NodeSpec
	// KubeNodes are the Node objects of nodes_from with format kubernetes
	// (one per FileNodes entry), and KubeBound the pods of that snapshot
	// running on them.
	KubeNodes []*kube.Node
	KubeBound []*manifest.PodItem

	// Central queueing only: the default queue policy (a strategy of kind
	// queue policy, "fifo" unless set), backfilling rule ("none", "easy",
	// "greedy", "conservative") and how long a task may wait before it is given up as
	// unschedulable (HasTimeout false: forever; Timeout 0: one try).
	Queue      string
	Backfill   string
	Timeout    sim.Time
	HasTimeout bool
	// SampleEvery samples allocation and fragmentation over time (0: no
	// samples).
	SampleEvery sim.Time
	// Inference gives per-token times by GPU model: nodes of a group with
	// that gpu_model are inference replicas (slots is the batch size).
	Inference map[string]TokenTimes
	// RackSlowdown (central queueing) stretches a gang's run by this
	// share for every rack beyond its first.
	RackSlowdown float64
	// Startup is each task's start-up delay (a container starting), paid
	// at the start of its service before its work (sim.Config.Startup);
	// the zero Delay is none.
	Startup sim.Delay
}

// A Group is Count identical nodes named Name-0 … Name-(Count-1).
type Group struct {
	Name        string
	Region      string
	Count       int     // >= 1
	Slots       int     // >= 1, default 1
	Speed       float64 // > 0, default 1
	CPU         int64   // milli-cores
	Memory      int64   // bytes
	GPUs        int
	GPUModel    string
	CostPerHour float64
	// Rack labels the group's nodes for topology-aware gang placement.
	Rack string
	// Background is the share of capacity other work takes, in [0, 1).
	Background float64
	// PowerIdle and PowerPeak are watts (0, 0: not counted).
	PowerIdle, PowerPeak float64
	// Autoscale, when set, makes Count the initial size and lets an
	// autoscaler move it within [Min, Max]; the group has Max nodes, those
	// past the current size out of the pool.
	Autoscale *Autoscale
	// Kube holds the group's nodes' Kubernetes labels and taints
	// (Kubernetes workloads only); nil when it has none.
	Kube *GroupKube
}

// GroupKube are a node group's Kubernetes labels and taints.
type GroupKube struct {
	Labels map[string]string
	Taints []kube.Taint
}

// size is how many nodes the group has: Max when autoscaled.
func (g *Group) size() int {
	if g.Autoscale != nil {
		return g.Autoscale.Max
	}
	return g.Count
}

// A Workload is either synthetic (Arrivals and Service both set) or a trace
// (Trace set); never both.
type Workload struct {
	Arrivals *Arrivals
	Service  *Service
	Trace    *Trace
	// Shapes, when set, give tasks their resource requests, drawn by
	// weight: with arrivals and service they shape every generated task;
	// with inflation they are the whole workload. They are also the target
	// workload of fragmentation-aware placement (for a trace, its own shape
	// distribution is counted instead).
	Shapes []sim.TaskShape
	// Inflation replays the FGD paper's workload-inflation experiment.
	Inflation *Inflation
	// Origins give tasks without a region one, drawn by weight from the
	// stream (seed, "workload/origins").
	Origins []Origin
	// Sessions, when > 0, give tasks without a tenant one of Sessions
	// session keys ("s0" ...), uniformly from (seed, "workload/sessions"):
	// what consistent hashing keeps together.
	Sessions int
	// Tokens, when set, give tasks without tokens LLM request sizes
	// (stream (seed, "workload/tokens")); their work at speed 1 follows
	// traces.DefaultTokenModel.
	Tokens *Tokens
	// ProcsPerNode, when > 0, turns tasks into gangs of nodes with that
	// many cores (traces.Gangs): an SWF job of p processors runs on
	// ceil(p / ProcsPerNode) nodes at once. Central queueing only.
	ProcsPerNode int
	// MemoryUse, when set, gives tasks with a memory request a memory
	// use (sim.Task.MemoryUse, MemoryRate) from the stream (seed,
	// "workload/memory_use"): some above their limit, to be OOM-killed.
	MemoryUse *MemoryUse
	// Estimates, when set, give generated tasks users' runtime estimates
	// (sim.Task.Estimate, what backfilling plans with), from the stream
	// (seed, "workload/estimates").
	Estimates *traces.Overestimate
	// Kubernetes, when set, is the whole workload: Kubernetes objects
	// placed by the kube-default profile (kubernetes.go).
	Kubernetes *Kubernetes
	// Requests, beside Kubernetes, send request traffic to its Services
	// (requests.go).
	Requests []*Requests
}

// Inflation: tasks (from the trace or the shapes) arrive, never to leave,
// until the arrived GPU request is UntilGPUShare x the cluster's GPUs.
type Inflation struct {
	UntilGPUShare float64
}

// Arrival processes.
const (
	ArrivalsPoisson       = "poisson"       // Rate per second, exponential gaps
	ArrivalsDeterministic = "deterministic" // Rate per second, equal gaps
	ArrivalsBursty        = "bursty"        // two-state MMPP: Rates[i] while in state i, mean Hold[i] there
	ArrivalsDiurnal       = "diurnal"       // Rate · (1 + Amplitude·cos(2π(t−Peak)/Period)), times Bursts
)

// Arrivals is a synthetic arrival process for the whole cluster.
type Arrivals struct {
	Process string      // one of the Arrivals* constants
	Rate    float64     // tasks per second (poisson, deterministic)
	Rates   [2]float64  // tasks per second in each state (bursty)
	Hold    [2]sim.Time // mean time spent in each state (bursty)
	// Diurnal: Rate is the mean; the daily swing and bursts.
	Amplitude    float64
	Period, Peak sim.Time
	Bursts       []traces.Burst
}

// Service-time distributions.
const (
	ServiceExponential      = "exponential"      // Mean
	ServiceDeterministic    = "deterministic"    // Mean
	ServiceLognormal        = "lognormal"        // Mean, CV
	ServiceBoundedPareto    = "bounded-pareto"   // Alpha, Min, Max
	ServiceHyperexponential = "hyperexponential" // Mean, CV >= 1 (two balanced phases)
	ServiceEmpirical        = "empirical"        // Quantiles (Mean and CV set from them)
)

// Service is the distribution of a task's work, in time at speed 1.
type Service struct {
	Dist  string   // one of the Service* constants
	Mean  sim.Time // all but bounded-pareto
	CV    float64  // coefficient of variation: lognormal, hyperexponential
	Alpha float64  // shape: bounded-pareto
	Min   sim.Time // bounded-pareto
	Max   sim.Time // bounded-pareto
	// Quantiles: empirical, the quantile function at the equally spaced
	// probabilities 0, 1/k, ..., 1 (traces.Empirical).
	Quantiles []sim.Time
}

// TraceFormats are the trace formats a scenario may name, and the file
// extensions each is guessed from when format is left out.
var TraceFormats = map[string][]string{
	"csv":   {".csv"},
	"jsonl": {".jsonl", ".ndjson"},
	"openb": nil, // Alibaba GPU trace 2023 pod list: name the format
	"swf":   {".swf"},
	// Azure LLM inference trace 2023: name the format. Tasks carry
	// prompt and output tokens (work from traces.DefaultTokenModel).
	"azure-llm": nil,
	// The trace cache written by fleetsim trace convert IN OUT.fsc.
	"fsc": {".fsc"},
}

// Trace is a workload read from a file.
type Trace struct {
	Path   string // resolved against the scenario's Dir
	Format string // a key of TraceFormats
	Line   int    // line of the path in the scenario file, for later errors
}

// A StrategySpec is one entry of the strategies list: a registered strategy
// and its parameters, already checked by strategies.New.
type StrategySpec struct {
	Name string
	Args strategies.Args // nil when the entry sets no parameters
	Line int             // line of the entry in the scenario file
	// Queue and Backfill override the cluster's queue policy and
	// backfilling rule for this entry (central queueing); empty: the
	// cluster's.
	Queue    string
	Backfill string
	// Balancer, in an entry naming both levels ({placement: P, balancer:
	// B}, for workload.requests), spreads requests over a Service's Ready
	// pods; Name and Args are then the placement. nil otherwise.
	Balancer *StrategySpec
}

// String is the entry as a label: the name, followed by the parameters in
// key order when there are any, e.g. "power-of-d{d=3}".
func (s StrategySpec) String() string {
	var b strings.Builder
	b.WriteString(s.Name)
	if s.Name == ExternalName {
		b.Reset()
		b.WriteString(externalLabel(s))
	} else if len(s.Args) > 0 {
		keys := make([]string, 0, len(s.Args))
		for k := range s.Args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=%v", k, s.Args[k])
		}
		b.WriteByte('}')
	}
	for _, x := range []string{s.Queue, s.Backfill} {
		if x != "" {
			b.WriteByte('+')
			b.WriteString(x)
		}
	}
	if s.Balancer != nil {
		b.WriteByte('/')
		b.WriteString(s.Balancer.String())
	}
	return b.String()
}

// NodeCount is the number of nodes Nodes returns.
func (s *Scenario) NodeCount() int {
	n := len(s.Cluster.FileNodes)
	for _, g := range s.Cluster.Groups {
		n += g.size()
	}
	return n
}

// Nodes expands the node groups into one NodeSpec per node, in file order:
// a group "web" of count 3 gives web-0, web-1, web-2.
func (s *Scenario) Nodes() []sim.NodeSpec {
	nodes := make([]sim.NodeSpec, 0, s.NodeCount())
	// (file nodes are appended last; see Cluster.NodesFrom)
	for _, g := range s.Cluster.Groups {
		tok := s.Cluster.Inference[g.GPUModel]
		if g.GPUModel == "" {
			tok = TokenTimes{}
		}
		names := indexedNames(g.Name, g.size())
		for i := 0; i < g.size(); i++ {
			nodes = append(nodes, sim.NodeSpec{
				Name:        names[i],
				Group:       g.Name,
				Region:      g.Region,
				Slots:       g.Slots,
				Speed:       g.Speed,
				CPU:         g.CPU,
				Memory:      g.Memory,
				GPUs:        g.GPUs,
				GPUModel:    g.GPUModel,
				CostPerHour: g.CostPerHour,
				Rack:        g.Rack,
				Background:  g.Background,
				PowerIdle:   g.PowerIdle, PowerPeak: g.PowerPeak,
				PrefillPerToken: tok.Prefill, DecodePerToken: tok.Decode,
			})
		}
	}
	return append(nodes, s.Cluster.FileNodes...)
}

// indexedNames returns prefix-0, prefix-1, ..., prefix-(n-1), the same
// strings fmt.Sprintf("%s-%d", prefix, i) gives, as substrings of one
// string: one allocation instead of one per node (a million at 10^6
// nodes, which the garbage collector then scans).
func indexedNames(prefix string, n int) []string {
	size := 0
	for i := 0; i < n; i++ {
		size += len(prefix) + 1 + digits(i)
	}
	var sb strings.Builder
	sb.Grow(size)
	var num [20]byte
	for i := 0; i < n; i++ {
		sb.WriteString(prefix)
		sb.WriteByte('-')
		sb.Write(strconv.AppendInt(num[:0], int64(i), 10))
	}
	all := sb.String()
	names := make([]string, n)
	for i, at := 0, 0; i < n; i++ {
		l := len(prefix) + 1 + digits(i)
		names[i] = all[at : at+l]
		at += l
	}
	return names
}

// digits is the number of decimal digits of i >= 0.
func digits(i int) int {
	d := 1
	for ; i >= 10; i /= 10 {
		d++
	}
	return d
}
