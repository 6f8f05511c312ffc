package scenario

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// Workflows is the scenario's workflows section (docs/workflows.md): a
// stream of DAGs as the workload of a central-queueing cluster, and the
// model of the data they move.
//
//	workflows:
//	  generate: {shape: layered, tasks: 50, layers: 6, edge_prob: 0.3,
//	             mean_work: 10s, ccr: 1, count: 20, interarrival: 60s}
//	  # or
//	  instances: [montage.json, seismology.json]   # WfFormat 1.4/1.5
//	  every: 10m       # instance k arrives at k x every (default 0)
//	  transfer: {latency: 1ms, bandwidth: 125Mi}   # bytes per second; serial: true makes links contend
//	  runtimes:        # optional: task class -> node group -> runtime
//	    mProject: {fast: 2s, slow: 5s}
//	  dispatch: 11s    # optional: each start on a node takes 11 s, one at a time
type Workflows struct {
	Gen       *traces.DAGGen
	Instances []string
	Every     sim.Time
	Transfer  sim.Transfer
	Runtimes  map[string]map[string]sim.Time
	Dispatch  sim.Time
	Line      int
}

var (
	workflowsFields = []string{"generate", "instances", "every", "transfer", "runtimes", "dispatch"}
	dagGenFields    = []string{"shape", "tasks", "layers", "edge_prob", "width", "stages", "mean_work", "ccr", "count", "interarrival"}
	transferFields  = []string{"latency", "bandwidth", "serial"}
)

// workflows reads the workflows section.
func (r *reader) workflows(n *yaml.Node) *Workflows {
	w := &Workflows{Line: n.Line}
	m := r.mapping(n, "workflows", "a mapping with generate or instances, and transfer")
	m.allow(workflowsFields...)
	if r.err != nil {
		return w
	}
	if m.has("generate") == m.has("instances") {
		r.failf(n, "workflows", "expected either generate (random DAGs) or instances (WfFormat files), not %s", map[bool]string{true: "both", false: "neither"}[m.has("generate")])
		return w
	}
	if v := m.get("transfer"); v != nil {
		tm := r.mapping(v, "workflows.transfer", "a mapping like {latency: 1ms, bandwidth: 125Mi}")
		tm.allow(transferFields...)
		if x := tm.get("latency"); x != nil {
			w.Transfer.Latency = r.duration(x, tm.field("latency"), nonNegative)
		}
		if x := tm.get("serial"); x != nil {
			w.Transfer.Serial = r.bool(x, tm.field("serial"))
		}
		if x := tm.get("bandwidth"); x != nil {
			w.Transfer.Bandwidth = float64(r.quantity(x, tm.field("bandwidth"), "a size per second", SizeUnits, "bytes per second, or a number with a suffix "+sizeSuffixes))
		}
	}
	if v := m.get("dispatch"); v != nil && r.err == nil {
		w.Dispatch = r.duration(v, m.field("dispatch"), nonNegative)
	}
	if v := m.get("runtimes"); v != nil && r.err == nil {
		w.Runtimes = r.runtimeTable(v)
	}
	if v := m.get("generate"); v != nil && r.err == nil {
		w.Gen = r.dagGen(v, w.Transfer.Bandwidth)
	}
	if v := m.get("instances"); v != nil && r.err == nil {
		if r.nonEmptyList(v, "workflows.instances", "a list of WfFormat files") {
			for i, it := range v.Content {
				p := r.string(it, index("workflows.instances", i), "a file path")
				if r.err == nil && r.dir != "" && !filepath.IsAbs(p) {
					p = filepath.Join(r.dir, p)
				}
				w.Instances = append(w.Instances, p)
			}
		}
		if x := m.get("every"); x != nil {
			w.Every = r.duration(x, m.field("every"), nonNegative)
		}
	}
	return w
}

func (r *reader) runtimeTable(n *yaml.Node) map[string]map[string]sim.Time {
	m := r.mapping(n, "workflows.runtimes", "a mapping of task class to {node group: runtime}")
	out := map[string]map[string]sim.Time{}
	for _, class := range m.keys {
		row := r.mapping(m.get(class), m.field(class), "a mapping of node group to runtime, like {fast: 2s}")
		out[class] = map[string]sim.Time{}
		for _, g := range row.keys {
			out[class][g] = r.duration(row.get(g), row.field(g), nonNegative)
		}
		if r.err != nil {
			break
		}
	}
	return out
}

func (r *reader) dagGen(n *yaml.Node, bandwidth float64) *traces.DAGGen {
	m := r.mapping(n, "workflows.generate", "a mapping like {shape: layered, tasks: 50, layers: 6, mean_work: 10s, ccr: 1, count: 20}")
	m.allow(dagGenFields...)
	g := &traces.DAGGen{Bandwidth: bandwidth, EdgeProb: 0.3, Workflows: 1, Width: 4, Stages: 2, Tasks: 20, Layers: 4, MeanWork: sim.Second}
	g.Shape = traces.DAGShape(r.oneOf(m.require("shape", "layered or fork-join"), m.field("shape"), string(traces.Layered), string(traces.ForkJoin)))
	for _, k := range m.keys {
		v, f := m.get(k), m.field(k)
		switch k {
		case "tasks":
			g.Tasks = int(r.int(v, f, 1, 1<<20))
		case "layers":
			g.Layers = int(r.int(v, f, 1, 1<<20))
		case "edge_prob":
			g.EdgeProb = r.float(v, f, nonNegative)
			if g.EdgeProb > 1 {
				r.failf(v, f, "expected a probability in [0, 1], got %v", g.EdgeProb)
			}
		case "width":
			g.Width = int(r.int(v, f, 1, 1<<20))
		case "stages":
			g.Stages = int(r.int(v, f, 1, 1<<20))
		case "mean_work":
			g.MeanWork = r.duration(v, f, positive)
		case "ccr":
			g.CCR = r.float(v, f, nonNegative)
		case "count":
			g.Workflows = int(r.int(v, f, 1, 1<<30))
		case "interarrival":
			g.Interarrival = r.duration(v, f, nonNegative)
		}
	}
	if r.err == nil && g.Shape == traces.Layered && g.Layers > g.Tasks {
		r.failf(n, "workflows.generate.layers", "expected at most tasks (%d) layers, got %d", g.Tasks, g.Layers)
	}
	if r.err == nil && g.CCR > 0 && !(bandwidth > 0) {
		r.failf(n, "workflows.generate.ccr", "expected workflows.transfer.bandwidth with ccr > 0 (the ratio is stated at that bandwidth)")
	}
	return g
}

// workflowSource opens the workflow stream for one run.
func (s *Scenario) workflowSource(seed uint64) (sim.Source, io.Closer, error) {
	w := s.Workflows
	if w.Gen != nil {
		g := *w.Gen
		g.Seed = seed
		src, err := g.Source()
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: workflows.generate: %w", s.File, w.Line, err)
		}
		return src, io.NopCloser(nil), nil
	}
	var srcs []sim.Source
	var base int64
	for k, p := range w.Instances {
		inst, err := ReadInstance(p)
		if err != nil {
			return nil, nil, err
		}
		name := fmt.Sprintf("%s#%d", inst.Name, k)
		srcs = append(srcs, inst.WfSource(sim.Time(k)*w.Every, base, name))
		base += int64(len(inst.Tasks))
	}
	return &concatSource{srcs: srcs}, io.NopCloser(nil), nil
}

// ReadInstance reads a WfFormat file.
func ReadInstance(path string) (*traces.WfInstance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return traces.ReadWfFormat(f, path)
}

type concatSource struct {
	srcs []sim.Source
	i    int
}

func (c *concatSource) Next(t *sim.Task) error {
	for c.i < len(c.srcs) {
		err := c.srcs[c.i].Next(t)
		if err != io.EOF {
			return err
		}
		c.i++
	}
	return io.EOF
}

// InstanceNodes is the cluster an instance recorded: one node per machine,
// with its cores and memory, speed 1 (the recorded runtimes are at the
// machines' speed), group "wf".
func InstanceNodes(inst *traces.WfInstance) []sim.NodeSpec {
	var nodes []sim.NodeSpec
	for _, m := range inst.Machines {
		mem := m.Memory
		if mem == 0 {
			mem = 1 << 50
		}
		nodes = append(nodes, sim.NodeSpec{Name: m.Name, Group: "wf", Slots: m.Cores, Speed: 1, CPU: int64(m.Cores) * 1000, Memory: mem})
	}
	return nodes
}

// FormatWfFormat is the nodes_from format of a WfCommons instance: one
// node per recorded machine (WfNodes).
const FormatWfFormat = "wfformat"

// wfNodesFrom reads cluster.nodes_from with format wfformat; false when
// the format is another.
func (r *reader) wfNodesFrom(n *yaml.Node, c *Cluster) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	m := r.mapping(n, "cluster.nodes_from", "")
	if f := m.get("format"); f == nil || f.Value != FormatWfFormat {
		return false
	}
	m.allow("path", "format")
	pn := m.require("path", "a WfCommons WfFormat instance (JSON)")
	path := r.string(pn, m.field("path"), "a file path")
	if r.err != nil {
		return true
	}
	if r.dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	c.NodesFrom = &Trace{Path: path, Format: FormatWfFormat, Line: pn.Line}
	inst, err := ReadInstance(path)
	if err != nil {
		r.failf(pn, m.field("path"), "%v", err)
		return true
	}
	if len(inst.Machines) == 0 {
		r.failf(pn, m.field("path"), "expected recorded machines (workflow.execution.machines, or workflow.machines in 1.4), %s has none", filepath.Base(path))
		return true
	}
	if len(inst.Machines) > MaxNodes {
		r.failf(pn, m.field("path"), "expected at most %d nodes, the file has %d machines", MaxNodes, len(inst.Machines))
		return true
	}
	c.FileNodes = WfNodes(inst)
	return true
}

// WfNodes is the cluster a WfCommons instance recorded, for nodes_from
// format wfformat: one node per machine (group "wf", named by its
// nodeName) with its cores as CPU and slots and its memory (unlimited when
// not recorded), at a speed relative to the reference machine, the one
// most of the instance's tasks ran on (the first listed among equals):
// speed = cpu.speedInMHz / the reference's, so the recorded runtimes are
// work at the reference's speed. A machine without a recorded speed, or
// every machine when the reference has none, gets speed 1.
func WfNodes(inst *traces.WfInstance) []sim.NodeSpec {
	nodes := InstanceNodes(inst)
	ran := make([]int, len(inst.Machines))
	for _, m := range inst.TaskMachine {
		if m >= 0 {
			ran[m]++
		}
	}
	ref := 0
	for k, n := range ran {
		if n > ran[ref] {
			ref = k
		}
	}
	if base := inst.Machines[ref].SpeedMHz; base > 0 {
		for k, m := range inst.Machines {
			if m.SpeedMHz > 0 {
				nodes[k].Speed = float64(m.SpeedMHz) / float64(base)
			}
		}
	}
	return nodes
}

// workflowsOnly checks what a workflows section rules out: a workload
// section beside it, and node queueing.
func (r *reader) workflowsOnly(top *mapping, s *Scenario) {
	if r.err != nil {
		return
	}
	if top.has("workload") {
		r.failf(top.keyNode("workload"), "workload", "expected no workload with workflows (the workflows are the workload)")
		return
	}
	if s.Cluster.Queueing != QueueingCentral {
		r.failf(top.keyNode("workflows"), "workflows", "expected cluster.queueing: central with workflows (a scheduler releases tasks as their parents finish)")
		return
	}
	if s.Real != nil {
		r.failf(top.keyNode("real"), "real", "expected no real section with workflows: real execution does not run dependent tasks yet")
	}
}

// gangsCheck refuses workload.procs_per_node under node queueing: gangs
// are placed by the central scheduler.
func (r *reader) gangsCheck(top *mapping, s *Scenario) {
	if r.err == nil && s.Workload.ProcsPerNode > 0 && s.Cluster.Queueing != QueueingCentral {
		r.failf(top.get("workload"), "workload.procs_per_node", "expected cluster.queueing: central with procs_per_node (gangs are placed by the central scheduler)")
	}
	if r.err == nil && s.Workload.ProcsPerNode > 0 && s.Real != nil {
		r.failf(top.keyNode("real"), "real", "expected no real section with workload.procs_per_node: real execution does not run gangs yet")
	}
}
