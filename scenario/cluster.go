package scenario

import (
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// groupName is what a group may be called: it becomes part of node names,
// which end up in CSV and JSON output.
var groupName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func (r *reader) cluster(n *yaml.Node) Cluster {
	c := Cluster{Queueing: QueueingNode}
	m := r.mapping(n, "cluster", "a mapping with queueing and nodes")
	m.allow(clusterFields...)
	if v := m.get("queueing"); v != nil {
		c.Queueing = r.oneOf(v, "cluster.queueing", QueueingNode, QueueingCentral)
	}
	r.centralCluster(m, &c)
	if v := m.get("startup"); v != nil {
		c.Startup = r.startup(v, m.field("startup"))
	}
	if v := m.get("inference"); v != nil {
		c.Inference = r.inference(v)
	}
	if m.has("nodes_from") && r.kubeNodesFrom(m.get("nodes_from"), &c) {
		// format kubernetes (kubernetes.go)
	} else if m.has("nodes_from") && r.wfNodesFrom(m.get("nodes_from"), &c) {
		// format wfformat (workflows.go)
	} else if m.has("nodes_from") {
		c.NodesFrom = r.trace(m.get("nodes_from"), "cluster.nodes_from")
		if r.err == nil && c.NodesFrom.Format != "openb" {
			r.failf(m.get("nodes_from"), "cluster.nodes_from.format", "expected a node list format (openb), got %q", c.NodesFrom.Format)
		}
		if r.err == nil {
			nodes, err := traces.ReadOpenbNodes(c.NodesFrom.Path)
			if err != nil {
				r.failf(m.get("nodes_from"), "cluster.nodes_from", "%v", err)
				return c
			}
			if len(nodes) > MaxNodes {
				r.failf(m.get("nodes_from"), "cluster.nodes_from", "expected at most %d nodes, the file has %d", MaxNodes, len(nodes))
				return c
			}
			c.FileNodes = nodes
		}
	}
	var list *yaml.Node
	if c.NodesFrom == nil || m.has("nodes") {
		list = m.require("nodes", "a list of node groups (or nodes_from, a node list file)")
	}
	if r.err != nil || list == nil {
		return c
	}
	if !r.nonEmptyList(list, "cluster.nodes", "a list of node groups") {
		return c
	}
	seen := map[string]int{}
	total := 0
	for i, gn := range list.Content {
		path := index("cluster.nodes", i)
		g := r.group(gn, path)
		if r.err != nil {
			return c
		}
		if j, dup := seen[g.Name]; dup {
			r.failf(gn, join(path, "group"), "expected a group name not used before, got %q (also cluster.nodes[%d])", g.Name, j)
			return c
		}
		seen[g.Name] = i
		total += g.size()
		if total+len(c.FileNodes) > MaxNodes {
			r.failf(gn, join(path, "count"), "expected at most %d nodes in all groups, got %d", MaxNodes, total)
			return c
		}
		c.Groups = append(c.Groups, g)
	}
	gpus := int64(0)
	for _, nd := range c.FileNodes {
		gpus += int64(nd.GPUs)
	}
	for _, g := range c.Groups {
		gpus += int64(g.size()) * int64(g.GPUs)
	}
	if err := sim.CheckCluster(total+len(c.FileNodes), gpus); err != nil {
		r.failf(list, "cluster.nodes", "%v", err)
	}
	return c
}

func (r *reader) group(n *yaml.Node, path string) Group {
	g := Group{Count: 1, Slots: 1, Speed: 1}
	m := r.mapping(n, path, "a node group (a mapping with group, count, ...)")
	for _, k := range m.keys {
		v, field := m.get(k), m.field(k)
		switch k {
		case "group":
			if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" || !groupName.MatchString(v.Value) {
				r.failf(v, field, "expected a group name (up to 64 letters, digits, '.', '_' or '-', not starting with a symbol), got %s", describe(v))
			}
			g.Name = v.Value
		case "count":
			g.Count = int(r.int(v, field, 1, MaxNodes))
		case "region":
			g.Region = r.string(v, field, "a region name")
		case "slots":
			g.Slots = int(r.int(v, field, 1, maxInt))
			if r.err == nil && g.Slots > sim.MaxSlots {
				r.failf(v, field, "expected at most %d slots (tasks served at once), got %d", sim.MaxSlots, g.Slots)
			}
		case "speed":
			g.Speed = r.float(v, field, positive)
		case "cpu":
			g.CPU = r.quantity(v, field, "a number of cores", cpuUnits, "cores like 16 or 0.5, or milli-cores like 250m")
		case "memory":
			g.Memory = r.quantity(v, field, "a size", SizeUnits, "bytes, or a number with a suffix "+sizeSuffixes)
		case "gpus":
			g.GPUs = int(r.int(v, field, 0, maxInt))
			if r.err == nil && g.GPUs > sim.MaxGPUsPerNode {
				r.failf(v, field, "expected at most %d GPUs per node, got %d", sim.MaxGPUsPerNode, g.GPUs)
			}
		case "gpu_model":
			g.GPUModel = r.string(v, field, "a GPU model name")
		case "rack":
			g.Rack = r.string(v, field, "a rack (or zone) name")
		case "cost_per_hour":
			g.CostPerHour = r.float(v, field, nonNegative)
		case "background":
			g.Background = r.float(v, field, nonNegative)
			if r.err == nil && g.Background >= 1 {
				r.failf(v, field, "expected a share of capacity in [0, 1), got %v", g.Background)
			}
		case "power":
			r.power(v, field, &g)
		case "autoscale":
			// (read after count, below)
		case "labels":
			if g.Kube == nil {
				g.Kube = &GroupKube{}
			}
			g.Kube.Labels = r.kubeLabels(v, field)
		case "taints":
			if g.Kube == nil {
				g.Kube = &GroupKube{}
			}
			g.Kube.Taints = r.kubeTaints(v, field)
		default:
			m.unknown(k, groupFields)
		}
		if r.err != nil {
			return g
		}
	}
	m.require("group", "a group name")
	if v := m.get("autoscale"); v != nil {
		g.Autoscale = r.autoscale(v, m.field("autoscale"), g.Count)
	}
	return g
}

// startup reads cluster.startup: a duration (a constant delay) or a
// mapping {mean: D, cv: C} (lognormal; cv 0 by default).
func (r *reader) startup(n *yaml.Node, path string) sim.Delay {
	const what = "a duration >= 0 like 80ms, or a mapping like {mean: 80ms, cv: 0.3}"
	if r.err != nil {
		return sim.Delay{}
	}
	switch {
	case n.Kind == yaml.MappingNode:
		m := r.mapping(n, path, what)
		m.allow(startupFields...)
		d := sim.Delay{Mean: r.duration(m.require("mean", "the mean start-up delay, like 80ms"), m.field("mean"), nonNegative)}
		if v := m.get("cv"); v != nil {
			d.CV = r.float(v, m.field("cv"), nonNegative)
		}
		return d
	case n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null":
		r.failf(n, path, "expected %s, got %s", what, describe(n))
		return sim.Delay{}
	}
	return sim.Delay{Mean: r.duration(n, path, nonNegative)}
}
