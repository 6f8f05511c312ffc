package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// The scenario fields of what changes during a run (node queueing): the
// network, faults, the clients' retries, health checks, autoscaling,
// background load, power and inference replicas.

var (
	networkFields   = []string{"rtt", "bandwidth", "spikes"}
	spikeFields     = []string{"region", "at", "for", "add"}
	faultFields     = []string{"node", "group", "at", "for", "drain", "mtbf", "mttr", "dist", "shape"}
	clientFields    = []string{"retries", "timeout", "backoff", "multiplier", "backoff_max"}
	healthFields    = []string{"interval", "threshold", "rise"}
	autoscaleFields = []string{"min", "max", "target", "interval", "cooldown", "kind", "provision"}
	powerFields     = []string{"idle", "peak"}
	tokenFields     = []string{"prefill_per_token", "decode_per_token"}
)

// Autoscaling node kinds and their default provisioning delays: containers
// start in seconds, virtual machines in minutes.
const (
	KindContainer = "container"
	KindVM        = "vm"
)

// DefaultProvision is the provisioning delay of each node kind.
var DefaultProvision = map[string]sim.Time{KindContainer: 5 * sim.Second, KindVM: 2 * sim.Minute}

// DefaultHealth is the health checker of a scenario with faults and no
// health field: a probe every 5 s, down after 3 failed, up after 1 passed.
var DefaultHealth = sim.Health{Interval: 5 * sim.Second, Threshold: 3, Rise: 1}

// Autoscale is a group's target-tracking autoscaler; the group's count is
// its initial size.
type Autoscale struct {
	Min, Max  int
	Target    float64
	Interval  sim.Time
	Cooldown  sim.Time
	Kind      string
	Provision sim.Time
}

// FaultSpec is one entry of faults: a scheduled failure or drain of Node,
// or random failures of every node of Group.
type FaultSpec struct {
	Node       string
	Group      string
	At, For    sim.Time
	Drain      bool
	MTBF, MTTR sim.Time
	Weibull    float64 // shape; 0 for exponential
}

// TokenTimes are an inference replica's per-token times on one GPU model.
type TokenTimes struct {
	Prefill, Decode sim.Time
}

// Origin is a region tasks come from, with its weight.
type Origin struct {
	Region string
	Weight float64
}

func (r *reader) network(n *yaml.Node) *sim.Network {
	nw := &sim.Network{}
	m := r.mapping(n, "network", "a mapping with rtt (and spikes)")
	m.allow(networkFields...)
	rows := r.mapping(m.require("rtt", "round-trip times between regions, like {us: {us: 2ms, eu: 80ms}, eu: {eu: 2ms}}"), m.field("rtt"), "a mapping of regions to mappings of regions to round-trip times")
	if r.err != nil {
		return nw
	}
	if len(rows.keys) == 0 {
		r.failf(rows.node, m.field("rtt"), "expected a mapping of regions to mappings of regions to round-trip times, got an empty mapping")
		return nw
	}
	// Regions: every name that appears, rows first, in file order.
	for _, a := range rows.keys {
		if !slices.Contains(nw.Regions, a) {
			nw.Regions = append(nw.Regions, a)
		}
		row := r.mapping(rows.get(a), rows.field(a), "a mapping of regions to round-trip times")
		for _, b := range row.keys {
			if !slices.Contains(nw.Regions, b) {
				nw.Regions = append(nw.Regions, b)
			}
		}
	}
	k := len(nw.Regions)
	nw.RTT = make([]sim.Time, k*k)
	set := make([]bool, k*k)
	for _, a := range rows.keys {
		i := slices.Index(nw.Regions, a)
		row := r.mapping(rows.get(a), rows.field(a), "a mapping of regions to round-trip times")
		for _, b := range row.keys {
			j := slices.Index(nw.Regions, b)
			nw.RTT[i*k+j] = r.duration(row.get(b), row.field(b), nonNegative)
			set[i*k+j] = true
		}
	}
	// The matrix is symmetric where one direction is left out; the
	// diagonal defaults to 0.
	for i := 0; i < k && r.err == nil; i++ {
		for j := 0; j < k; j++ {
			switch {
			case set[i*k+j]:
			case set[j*k+i]:
				nw.RTT[i*k+j] = nw.RTT[j*k+i]
			case i != j:
				r.failf(rows.node, "network.rtt", "expected a round-trip time between %s and %s (either way), got none", nw.Regions[i], nw.Regions[j])
			}
		}
	}
	if v := m.get("bandwidth"); v != nil && r.err == nil {
		nw.Bandwidth = r.bandwidths(v, m.field("bandwidth"), nw.Regions)
	}
	if v := m.get("spikes"); v != nil && r.nonEmptyList(v, "network.spikes", "a list of latency spikes") {
		for i, sn := range v.Content {
			path := index("network.spikes", i)
			sm := r.mapping(sn, path, "a spike like {region: eu, at: 10m, for: 5m, add: 300ms}")
			sm.allow(spikeFields...)
			sp := sim.Spike{Region: r.region(sm.require("region", "a region of network.rtt"), sm.field("region"), nw.Regions)}
			sp.At = r.duration(sm.require("at", "when it starts"), sm.field("at"), nonNegative)
			sp.For = r.duration(sm.require("for", "how long it lasts"), sm.field("for"), positive)
			sp.Add = r.duration(sm.require("add", "the round-trip time it adds"), sm.field("add"), positive)
			nw.Spikes = append(nw.Spikes, sp)
		}
	}
	return nw
}

// bandwidths reads network.bandwidth, {REGION: {REGION: SIZE}} in bytes
// per second between regions of rtt: a direction left out takes the
// other's; a pair left out both ways stays 0 (workflows.transfer's
// bandwidth).
func (r *reader) bandwidths(n *yaml.Node, path string, regions []string) []float64 {
	const what = "a mapping of regions to mappings of regions to bandwidths, like {us: {us: 10Gi, eu: 100Mi}}"
	rows := r.mapping(n, path, what)
	if r.err != nil {
		return nil
	}
	if len(rows.keys) == 0 {
		r.failf(n, path, "expected %s, got an empty mapping", what)
		return nil
	}
	k := len(regions)
	bw := make([]float64, k*k)
	set := make([]bool, k*k)
	for _, a := range rows.keys {
		i := r.region(rows.keyNode(a), rows.field(a), regions)
		row := r.mapping(rows.get(a), rows.field(a), "a mapping of regions to bandwidths (bytes per second)")
		if r.err != nil {
			return nil
		}
		for _, b := range row.keys {
			j := r.region(row.keyNode(b), row.field(b), regions)
			q := r.quantity(row.get(b), row.field(b), "a size per second", SizeUnits, "bytes per second, or a number with a suffix "+sizeSuffixes)
			if r.err != nil {
				return nil
			}
			if q <= 0 {
				r.failf(row.get(b), row.field(b), "expected a bandwidth > 0, got %d", q)
				return nil
			}
			bw[i*k+j], set[i*k+j] = float64(q), true
		}
	}
	for i := range k {
		for j := range k {
			if !set[i*k+j] && set[j*k+i] {
				bw[i*k+j] = bw[j*k+i]
			}
		}
	}
	return bw
}

// region reads a region name listed in regions and returns its index.
func (r *reader) region(n *yaml.Node, path string, regions []string) int {
	name := r.string(n, path, "a region")
	if r.err != nil {
		return -1
	}
	i := slices.Index(regions, name)
	if i < 0 {
		r.failf(n, path, "expected a region of network.rtt (%s), got %q", strings.Join(regions, ", "), truncate(name, maxShown))
	}
	return i
}

func (r *reader) faults(n *yaml.Node) []FaultSpec {
	var out []FaultSpec
	if !r.nonEmptyList(n, "faults", "a list of faults") {
		return nil
	}
	for i, fn := range n.Content {
		path := index("faults", i)
		m := r.mapping(fn, path, "a fault like {node: web-3, at: 10m, for: 5m} or {group: web, mtbf: 2h, mttr: 5m}")
		m.allow(faultFields...)
		var f FaultSpec
		switch {
		case m.has("node") && m.has("group"):
			r.failf(m.keyNode("group"), m.field("group"), "expected node (a scheduled fault) or group (random faults), got both")
		case m.has("node"):
			f.Node = r.string(m.get("node"), m.field("node"), "a node name")
			for _, k := range []string{"mtbf", "mttr", "dist", "shape"} {
				if m.has(k) {
					r.failf(m.keyNode(k), m.field(k), "expected no %s for a scheduled fault of one node (random faults take a group)", k)
				}
			}
			f.At = r.duration(m.require("at", "when the node fails"), m.field("at"), nonNegative)
			f.For = r.duration(m.require("for", "how long it stays down"), m.field("for"), positive)
			if v := m.get("drain"); v != nil {
				f.Drain = r.bool(v, m.field("drain"))
			}
		case m.has("group"):
			f.Group = r.string(m.get("group"), m.field("group"), "a node group")
			for _, k := range []string{"at", "for", "drain"} {
				if m.has(k) {
					r.failf(m.keyNode(k), m.field(k), "expected no %s for random faults (a scheduled fault takes a node)", k)
				}
			}
			f.MTBF = r.duration(m.require("mtbf", "the mean time between failures"), m.field("mtbf"), positive)
			f.MTTR = r.duration(m.require("mttr", "the mean time to repair"), m.field("mttr"), positive)
			dist := "exponential"
			if v := m.get("dist"); v != nil {
				dist = r.oneOf(v, m.field("dist"), "exponential", "weibull")
			}
			if dist == "weibull" {
				f.Weibull = r.float(m.require("shape", "the Weibull shape (< 1: early failures, > 1: wear-out)"), m.field("shape"), positive)
			} else if m.has("shape") {
				r.failf(m.keyNode("shape"), m.field("shape"), "expected no shape with dist exponential (the default; a shape needs dist: weibull)")
			}
		default:
			r.failf(fn, path, "expected a node (a scheduled fault) or a group (random faults)")
		}
		if r.err != nil {
			return out
		}
		out = append(out, f)
	}
	return out
}

func (r *reader) client(n *yaml.Node) sim.Client { return r.clientAt(n, "client") }

// clientAt reads a client retry model at path.
func (r *reader) clientAt(n *yaml.Node, path string) sim.Client {
	c := sim.Client{Multiplier: 2}
	m := r.mapping(n, path, "a mapping like {retries: 2, timeout: 2s, backoff: 100ms}")
	m.allow(clientFields...)
	if v := m.get("retries"); v != nil {
		c.Retries = int(r.int(v, m.field("retries"), 0, math.MaxUint16))
	}
	if v := m.get("timeout"); v != nil {
		c.Timeout = r.duration(v, m.field("timeout"), positive)
	}
	if v := m.get("backoff"); v != nil {
		c.Backoff = r.duration(v, m.field("backoff"), nonNegative)
	}
	if v := m.get("multiplier"); v != nil {
		c.Multiplier = r.float(v, m.field("multiplier"), atLeastOne)
	}
	if v := m.get("backoff_max"); v != nil {
		c.BackoffMax = r.duration(v, m.field("backoff_max"), positive)
	}
	return c
}

func (r *reader) health(n *yaml.Node) *sim.Health {
	h := DefaultHealth
	m := r.mapping(n, "health", "a mapping like {interval: 5s, threshold: 3, rise: 1}")
	m.allow(healthFields...)
	if v := m.get("interval"); v != nil {
		h.Interval = r.duration(v, m.field("interval"), positive)
	}
	if v := m.get("threshold"); v != nil {
		h.Threshold = int(r.int(v, m.field("threshold"), 1, 1000))
	}
	if v := m.get("rise"); v != nil {
		h.Rise = int(r.int(v, m.field("rise"), 1, 1000))
	}
	return &h
}

func (r *reader) autoscale(n *yaml.Node, path string, count int) *Autoscale {
	a := &Autoscale{Min: 1, Target: 0.6, Interval: 15 * sim.Second, Cooldown: 5 * sim.Minute, Kind: KindContainer}
	m := r.mapping(n, path, "a mapping like {max: 10, target: 0.6}")
	m.allow(autoscaleFields...)
	if v := m.get("min"); v != nil {
		a.Min = int(r.int(v, m.field("min"), 0, MaxNodes))
	}
	a.Max = int(r.int(m.require("max", "the most nodes the group may have"), m.field("max"), 1, MaxNodes))
	if v := m.get("target"); v != nil {
		a.Target = r.float(v, m.field("target"), positive)
		if r.err == nil && a.Target > 1 {
			r.failf(v, m.field("target"), "expected a utilization in (0, 1], got %v", a.Target)
		}
	}
	if v := m.get("interval"); v != nil {
		a.Interval = r.duration(v, m.field("interval"), positive)
	}
	if v := m.get("cooldown"); v != nil {
		a.Cooldown = r.duration(v, m.field("cooldown"), nonNegative)
	}
	if v := m.get("kind"); v != nil {
		a.Kind = r.oneOf(v, m.field("kind"), KindContainer, KindVM)
	}
	a.Provision = DefaultProvision[a.Kind]
	if v := m.get("provision"); v != nil {
		a.Provision = r.duration(v, m.field("provision"), nonNegative)
	}
	if r.err == nil {
		switch {
		case a.Min > a.Max:
			r.failf(m.get("min"), m.field("min"), "expected at most max (%d), got %d", a.Max, a.Min)
		case count < a.Min || count > a.Max:
			r.failf(m.node, path, "expected the group's count (%d, its initial size) within [min, max] = [%d, %d]", count, a.Min, a.Max)
		}
	}
	return a
}

func (r *reader) power(n *yaml.Node, path string, g *Group) {
	m := r.mapping(n, path, "a mapping like {idle: 100, peak: 300} (watts)")
	m.allow(powerFields...)
	g.PowerIdle = r.float(m.require("idle", "watts drawn idle"), m.field("idle"), nonNegative)
	g.PowerPeak = r.float(m.require("peak", "watts drawn at full utilization"), m.field("peak"), nonNegative)
	if r.err == nil && g.PowerPeak < g.PowerIdle {
		r.failf(m.get("peak"), m.field("peak"), "expected at least idle (%v), got %v", g.PowerIdle, g.PowerPeak)
	}
}

func (r *reader) inference(n *yaml.Node) map[string]TokenTimes {
	out := map[string]TokenTimes{}
	m := r.mapping(n, "cluster.inference", "a mapping of GPU models to per-token times, like {H100: {prefill_per_token: 0.1ms, decode_per_token: 12ms}}")
	for _, model := range m.keys {
		tm := r.mapping(m.get(model), m.field(model), "a mapping like {prefill_per_token: 0.1ms, decode_per_token: 12ms}")
		tm.allow(tokenFields...)
		out[model] = TokenTimes{
			Prefill: r.duration(tm.require("prefill_per_token", "the time per prompt token"), tm.field("prefill_per_token"), nonNegative),
			Decode:  r.duration(tm.require("decode_per_token", "the time per output token"), tm.field("decode_per_token"), positive),
		}
	}
	return out
}

func (r *reader) tokens(n *yaml.Node) *Tokens {
	t := &Tokens{}
	m := r.mapping(n, "workload.tokens", "a mapping like {prompt: {mean: 2048, cv: 1}, output: {mean: 28, cv: 2}}")
	m.allow("prompt", "output")
	for _, k := range []string{"prompt", "output"} {
		d := r.mapping(m.require(k, "a mapping like {mean: 2048, cv: 1}"), m.field(k), "a mapping like {mean: 2048, cv: 1}")
		d.allow("mean", "cv")
		mean := r.float(d.require("mean", "the mean token count"), d.field("mean"), atLeastOne)
		cv := r.float(d.require("cv", "the coefficient of variation"), d.field("cv"), nonNegative)
		if k == "prompt" {
			t.PromptMean, t.PromptCV = mean, cv
		} else {
			t.OutputMean, t.OutputCV = mean, cv
		}
	}
	return t
}

func (r *reader) origins(n *yaml.Node) []Origin {
	var out []Origin
	m := r.mapping(n, "workload.origins", "a mapping of regions to weights, like {us-east: 0.6, eu-west: 0.4}")
	for _, k := range m.keys {
		out = append(out, Origin{Region: k, Weight: r.float(m.get(k), m.field(k), nonNegative)})
	}
	if r.err == nil && m.node != nil {
		var sum float64
		for _, o := range out {
			sum += o.Weight
		}
		if !(sum > 0) {
			r.failf(m.node, "workload.origins", "expected at least one positive weight")
		}
	}
	return out
}

// dynamics checks what the fields of this file say against the cluster,
// once the whole file is read: node and group names, regions, queueing.
func (r *reader) dynamics(top *mapping, s *Scenario) {
	if r.err != nil {
		return
	}
	node := s.Cluster.Queueing == QueueingNode
	// A Kubernetes workload with controllers takes faults: they drive its
	// node lifecycle controller (kubefaults.go).
	kubeFaults := s.Workload.Kubernetes != nil && s.Workload.Kubernetes.Controllers
	for _, k := range []string{"faults", "client", "health"} {
		if top.has(k) && !node && !(k == "faults" && kubeFaults) {
			r.failf(top.keyNode(k), k, "expected no %s with queueing %s (it applies to queueing: node)", k, s.Cluster.Queueing)
			return
		}
	}
	// Under central queueing the network carries workflow data
	// (bandwidth); under node queueing it delays requests (spikes).
	if s.Network != nil {
		nm := r.mapping(top.get("network"), "network", "")
		switch {
		case !node && nm.has("spikes"):
			r.failf(nm.keyNode("spikes"), "network.spikes", "expected no spikes with queueing %s (they apply to queueing: node; under central queueing the network carries workflow data)", s.Cluster.Queueing)
			return
		case node && nm.has("bandwidth"):
			r.failf(nm.keyNode("bandwidth"), "network.bandwidth", "expected no bandwidth with queueing node (it is the bandwidth of workflow transfers, under queueing: central)")
			return
		}
	}
	// Errors point at the field that causes them: the group's entry, the
	// origin's key, the fault's node or group (the tree is valid by now,
	// so reading it again cannot fail).
	groupField := func(i int, k string) *yaml.Node {
		cm := r.mapping(top.get("cluster"), "cluster", "")
		gm := r.mapping(cm.get("nodes").Content[i], index("cluster.nodes", i), "")
		if k == "region" {
			return gm.get(k)
		}
		return gm.keyNode(k)
	}
	for i, g := range s.Cluster.Groups {
		if (g.Autoscale != nil || g.Background > 0) && !node {
			k := "autoscale"
			if g.Autoscale == nil {
				k = "background"
			}
			r.failf(groupField(i, k), join(index("cluster.nodes", i), k), "expected no %s with queueing %s (it applies to queueing: node)", k, s.Cluster.Queueing)
			return
		}
		if s.Network != nil && g.Region != "" && !slices.Contains(s.Network.Regions, g.Region) {
			r.failf(groupField(i, "region"), join(index("cluster.nodes", i), "region"), "expected a region of network.rtt (%s), got %q", strings.Join(s.Network.Regions, ", "), truncate(g.Region, maxShown))
			return
		}
	}
	if s.Network != nil {
		for _, o := range s.Workload.Origins {
			if !slices.Contains(s.Network.Regions, o.Region) {
				wm := r.mapping(top.get("workload"), "workload", "")
				om := r.mapping(wm.get("origins"), "workload.origins", "")
				r.failf(om.keyNode(o.Region), "workload.origins", "expected regions of network.rtt (%s), got %q", strings.Join(s.Network.Regions, ", "), truncate(o.Region, maxShown))
				return
			}
		}
	}
	// The node names, built only when a fault names a node (at 10^6
	// nodes the set costs more than the nodes themselves).
	var names map[string]bool
	if slices.ContainsFunc(s.Faults, func(f FaultSpec) bool { return f.Node != "" }) {
		names = map[string]bool{}
		for _, nd := range s.Nodes() {
			names[nd.Name] = true
		}
	}
	faultField := func(i int, k string) *yaml.Node {
		return r.mapping(top.get("faults").Content[i], index("faults", i), "").get(k)
	}
	for i, f := range s.Faults {
		path := index("faults", i)
		switch {
		case f.Node != "" && !names[f.Node]:
			r.failf(faultField(i, "node"), join(path, "node"), "expected a node of the cluster (like %s), got %q", s.Nodes()[0].Name, truncate(f.Node, maxShown))
		case f.Group != "" && !slices.ContainsFunc(s.Cluster.Groups, func(g Group) bool { return g.Name == f.Group }):
			r.failf(faultField(i, "group"), join(path, "group"), "expected a node group of the cluster, got %q", truncate(f.Group, maxShown))
		}
	}
	for i, f := range s.Faults {
		if kubeFaults && f.Drain {
			r.failf(faultField(i, "drain"), join(index("faults", i), "drain"), "expected no drain with a Kubernetes workload (drain a node with workload.kubernetes.events: {at: D, drain: NODE})")
			return
		}
	}
	if s.Health == nil && len(s.Faults) > 0 && !kubeFaults {
		h := DefaultHealth
		s.Health = &h
	}
}

// applyDynamics fills cfg's dynamics from the scenario.
func (s *Scenario) applyDynamics(cfg *sim.Config) {
	cfg.Network = s.Network
	cfg.Client = s.Client
	cfg.Health = s.Health
	var index map[string]int // built when a fault names a node
	for _, f := range s.Faults {
		if f.Node != "" {
			if index == nil {
				index = make(map[string]int, len(cfg.Nodes))
				for i, nd := range cfg.Nodes {
					index[nd.Name] = i
				}
			}
			cfg.Faults = append(cfg.Faults, sim.Fault{Node: index[f.Node], At: f.At, For: f.For, Drain: f.Drain})
			continue
		}
		rf := sim.RandomFaults{MTBF: f.MTBF, MTTR: f.MTTR, Weibull: f.Weibull}
		for i, nd := range cfg.Nodes {
			if nd.Group == f.Group {
				rf.Nodes = append(rf.Nodes, i)
			}
		}
		cfg.RandomFaults = append(cfg.RandomFaults, rf)
	}
	for _, g := range s.Cluster.Groups {
		a := g.Autoscale
		if a == nil {
			continue
		}
		sc := sim.Autoscaler{Group: g.Name, Initial: g.Count, Min: a.Min, Max: a.Max, Target: a.Target,
			Interval: a.Interval, Cooldown: a.Cooldown, Provision: a.Provision}
		for i, nd := range cfg.Nodes {
			if nd.Group == g.Name {
				sc.Nodes = append(sc.Nodes, i)
			}
		}
		cfg.Autoscale = append(cfg.Autoscale, sc)
	}
}

// attrSource fills what a workload leaves out of its tasks: a region
// drawn by weight, a tenant among sessions sessions ("s0", "s1", ...,
// uniformly) and LLM token counts (withTokens).
type attrSource struct {
	src      sim.Source
	regions  []string
	cum      []float64
	rng      *sim.Rand
	sessions []string
	srng     *sim.Rand
	tokens   *Tokens
	trng     *sim.Rand
}

// Tokens draws LLM request sizes for a synthetic workload: lognormal
// prompt and output token counts.
type Tokens struct {
	PromptMean, PromptCV float64
	OutputMean, OutputCV float64
}

func newAttrSource(src sim.Source, origins []Origin, rng *sim.Rand) *attrSource {
	o := &attrSource{src: src, rng: rng}
	var sum float64
	for _, x := range origins {
		sum += x.Weight
		o.regions = append(o.regions, x.Region)
		o.cum = append(o.cum, sum)
	}
	for i := range o.cum {
		o.cum[i] /= sum
	}
	return o
}

// withTokens gives tasks without tokens prompt and output token counts
// drawn from lognormal distributions of the given means and CVs, rounded
// up to at least 1 (stream rng).
func (o *attrSource) withTokens(t *Tokens, rng *sim.Rand) *attrSource {
	o.tokens, o.trng = t, rng
	return o
}

// lognormalInt draws a lognormal count of mean m and coefficient of
// variation cv, at least 1 and at most max int32.
func lognormalInt(r *sim.Rand, m, cv float64) int32 {
	s2 := math.Log(1 + float64(cv*cv))
	x := math.Exp(math.Log(m) - float64(s2/2) + float64(math.Sqrt(s2)*r.NormFloat64()))
	return int32(min(max(math.Round(x), 1), math.MaxInt32))
}

// withSessions makes o name sessions tenants.
func (o *attrSource) withSessions(n int, rng *sim.Rand) *attrSource {
	o.srng = rng
	o.sessions = make([]string, n)
	for i := range o.sessions {
		o.sessions[i] = "s" + strconv.Itoa(i)
	}
	return o
}

func (o *attrSource) Next(t *sim.Task) error {
	if err := o.src.Next(t); err != nil {
		return err
	}
	if o.tokens != nil && t.PromptTokens == 0 && t.OutputTokens == 0 {
		t.PromptTokens = lognormalInt(o.trng, o.tokens.PromptMean, o.tokens.PromptCV)
		t.OutputTokens = lognormalInt(o.trng, o.tokens.OutputMean, o.tokens.OutputCV)
		t.Work = traces.DefaultTokenModel.Work(t.PromptTokens, t.OutputTokens)
	}
	if t.Tenant == "" && o.sessions != nil {
		t.Tenant = o.sessions[o.srng.IntN(len(o.sessions))]
	}
	if t.Region == "" && o.cum != nil {
		u := o.rng.Float64()
		k, _ := slices.BinarySearch(o.cum, u)
		t.Region = o.regions[min(k, len(o.regions)-1)]
	}
	return nil
}

// Summary is a one-line account of what the scenario does besides its
// nodes and load: start-up delays, regions, arrivals, faults, spikes,
// retries, health checks and autoscaling; "" for a scenario with none of
// these.
func (s *Scenario) Summary() string {
	var parts []string
	if su := s.Cluster.Startup; !su.IsZero() {
		p := "start-up " + fmtDuration(su.Mean)
		if su.CV > 0 {
			p += fmt.Sprintf(" (lognormal, CV %g)", su.CV)
		}
		parts = append(parts, p)
	}
	if nw := s.Network; nw != nil {
		parts = append(parts, fmt.Sprintf("%d regions (%s)", len(nw.Regions), strings.Join(nw.Regions, ", ")))
	}
	if a := s.Workload.Arrivals; a != nil && a.Process == ArrivalsDiurnal {
		p := fmt.Sprintf("diurnal %g/s ±%g%% (period %s, peak at %s)", a.Rate, 100*a.Amplitude, fmtDuration(a.Period), fmtDuration(a.Peak))
		for _, b := range a.Bursts {
			p += fmt.Sprintf(", ×%g burst at %s for %s", b.Factor, fmtDuration(b.At), fmtDuration(b.For))
		}
		parts = append(parts, p)
	}
	for _, f := range s.Faults {
		switch {
		case f.Drain:
			parts = append(parts, fmt.Sprintf("%s drained at %s for %s", f.Node, fmtDuration(f.At), fmtDuration(f.For)))
		case f.Node != "":
			parts = append(parts, fmt.Sprintf("%s fails at %s for %s", f.Node, fmtDuration(f.At), fmtDuration(f.For)))
		default:
			parts = append(parts, fmt.Sprintf("group %s fails at random (MTBF %s, MTTR %s)", f.Group, fmtDuration(f.MTBF), fmtDuration(f.MTTR)))
		}
	}
	if nw := s.Network; nw != nil {
		for _, sp := range nw.Spikes {
			parts = append(parts, fmt.Sprintf("%s +%s RTT at %s for %s", nw.Regions[sp.Region], fmtDuration(sp.Add), fmtDuration(sp.At), fmtDuration(sp.For)))
		}
	}
	if c := s.Client; c != (sim.Client{}) && (c.Retries > 0 || c.Timeout > 0) {
		parts = append(parts, fmt.Sprintf("clients: timeout %s, %d retries", fmtDuration(c.Timeout), c.Retries))
	}
	if h := s.Health; h != nil {
		parts = append(parts, fmt.Sprintf("health checks every %s, down after %d", fmtDuration(h.Interval), h.Threshold))
	}
	for _, g := range s.Cluster.Groups {
		if a := g.Autoscale; a != nil {
			parts = append(parts, fmt.Sprintf("%s autoscales %d..%d at %g%% (%s nodes, %s to start)", g.Name, a.Min, a.Max, 100*a.Target, a.Kind, fmtDuration(a.Provision)))
		}
	}
	return strings.Join(parts, "; ")
}
