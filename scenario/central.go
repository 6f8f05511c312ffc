package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// backfills are the values of cluster.backfill and a strategy's backfill:
// the names of sim's backfilling rules.
var backfills = func() []string {
	var names []string
	for b := sim.NoBackfill; b <= sim.Conservative; b++ {
		names = append(names, b.String())
	}
	return names
}()

// centralCluster reads the cluster fields of central queueing.
func (r *reader) centralCluster(m *mapping, c *Cluster) {
	c.Queue, c.Backfill = "fifo", "none"
	for _, k := range []string{"queue", "backfill", "pending_timeout", "sample_every", "rack_slowdown"} {
		if r.err == nil && m.has(k) && c.Queueing != QueueingCentral {
			r.failf(m.keyNode(k), m.field(k), "expected no %s with queueing %s (it applies to queueing: central)", k, c.Queueing)
		}
	}
	if v := m.get("queue"); v != nil && r.err == nil {
		c.Queue = r.queuePolicy(v, m.field("queue"))
	}
	if v := m.get("backfill"); v != nil && r.err == nil {
		c.Backfill = r.oneOf(v, m.field("backfill"), backfills...)
	}
	if v := m.get("rack_slowdown"); v != nil && r.err == nil {
		c.RackSlowdown = r.float(v, m.field("rack_slowdown"), nonNegative)
	}
	if v := m.get("sample_every"); v != nil && r.err == nil {
		c.SampleEvery = r.duration(v, m.field("sample_every"), positive)
	}
	if v := m.get("pending_timeout"); v != nil && r.err == nil {
		c.Timeout = r.duration(v, m.field("pending_timeout"), nonNegative)
		c.HasTimeout = true
	}
}

// queuePolicy reads the name of a registered queue policy.
func (r *reader) queuePolicy(n *yaml.Node, path string) string {
	name := r.string(n, path, "a queue policy")
	if r.err != nil {
		return name
	}
	if info, ok := strategies.Lookup(name); !ok || info.Of()&strategies.QueuePolicy == 0 {
		r.failf(n, path, "expected a queue policy (%s), got %q", strings.Join(kindNames(strategies.QueuePolicy), ", "), truncate(name, maxShown))
	}
	return name
}

// kindNames lists the registered strategies of kind k.
func kindNames(k strategies.Kind) []string {
	var names []string
	for _, n := range strategies.Names() {
		if info, _ := strategies.Lookup(n); info.Of()&k != 0 {
			names = append(names, n)
		}
	}
	return names
}

// shapes reads workload.shapes: a list of {cpu, gpus, gpu_milli, gpu_spec,
// weight}.
func (r *reader) shapes(n *yaml.Node, path string) []sim.TaskShape {
	if !r.nonEmptyList(n, path, "a list of task shapes like {cpu: 8, gpus: 1, weight: 0.4}") {
		return nil
	}
	var out []sim.TaskShape
	for i, item := range n.Content {
		p := index(path, i)
		m := r.mapping(item, p, "a task shape like {cpu: 8, gpus: 1, weight: 0.4}")
		m.allow(shapeFields...)
		var s sim.TaskShape
		if v := m.get("cpu"); v != nil {
			s.CPU = r.quantity(v, m.field("cpu"), "a number of cores", cpuUnits, "cores like 16 or 0.5, or milli-cores like 250m")
		}
		if v := m.get("memory"); v != nil {
			s.Memory = r.quantity(v, m.field("memory"), "a size", SizeUnits, "bytes, or a number with a suffix "+sizeSuffixes)
		}
		if v := m.get("gpus"); v != nil {
			s.GPUs = int32(r.int(v, m.field("gpus"), 0, 1<<16))
		}
		s.GPUMilli = sim.GPUMilliPerGPU
		if v := m.get("gpu_milli"); v != nil {
			s.GPUMilli = int32(r.int(v, m.field("gpu_milli"), 1, sim.GPUMilliPerGPU))
			if r.err == nil && s.GPUMilli < sim.GPUMilliPerGPU && s.GPUs != 1 {
				r.failf(v, m.field("gpu_milli"), "expected gpus: 1 with a share of a GPU (gpu_milli %d), got gpus %d", s.GPUMilli, s.GPUs)
			}
		}
		if s.GPUs == 0 {
			s.GPUMilli = 0
		}
		if v := m.get("gpu_spec"); v != nil {
			s.GPUSpec = r.string(v, m.field("gpu_spec"), "GPU models separated by '|'")
		}
		s.Weight = r.float(m.require("weight", "the shape's share of tasks (weights are normalised)"), m.field("weight"), positive)
		if r.err != nil {
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (r *reader) inflation(n *yaml.Node, path string) *Inflation {
	m := r.mapping(n, path, "a mapping like {until_gpu_share: 1.3}")
	m.allow("until_gpu_share")
	f := &Inflation{}
	f.UntilGPUShare = r.float(m.require("until_gpu_share", "the arrived GPU request to stop at, as a multiple of cluster GPUs, like 1.3"), m.field("until_gpu_share"), positive)
	return f
}

// central checks what spans sections: strategy kinds against the queueing
// model, per-strategy queue and backfill, inflation's needs.
func (r *reader) central(top *mapping, s *Scenario) {
	if r.err != nil {
		return
	}
	central := s.Cluster.Queueing == QueueingCentral
	if s.Workload.Inflation != nil {
		if !central {
			r.failf(top.get("workload"), "workload.inflation", "expected cluster.queueing: central with inflation (tasks are placed by a scheduler)")
			return
		}
		gpus := 0
		for _, n := range s.Nodes() {
			gpus += n.GPUs
		}
		if gpus == 0 {
			r.failf(top.get("workload"), "workload.inflation", "expected a cluster with GPUs: inflation counts arrived GPU requests against GPU capacity")
			return
		}
		if !s.Stop.IsZero() {
			r.failf(top.get("stop"), "stop", "expected no stop with inflation: it stops at until_gpu_share")
			return
		}
	}
	if s.Workload.MemoryUse != nil {
		switch {
		case !central:
			r.failf(top.get("workload"), "workload.memory_use", "expected cluster.queueing: central with memory_use (the simulator kills a task over its memory limit under central queueing only)")
			return
		case s.Workload.Inflation != nil:
			r.failf(top.get("workload"), "workload.memory_use", "expected no memory_use with inflation: inflated tasks never end")
			return
		case s.Workload.ProcsPerNode > 0:
			r.failf(top.get("workload"), "workload.memory_use", "expected no memory_use with procs_per_node: a gang's memory use is not modelled")
			return
		}
	}
	want, model := strategies.Balancer, "node"
	if central {
		want, model = strategies.Placement, "central"
	}
	list := top.get("strategies")
	for i := range s.Strategies {
		sp := &s.Strategies[i]
		info, _ := strategies.Lookup(sp.Name)
		// (An external strategy says what it implements in its hello.)
		if sp.Name != ExternalName && info.Of()&want == 0 {
			r.failf(list.Content[i], index("strategies", i), "expected a strategy for queueing %s (%s), got %s, a %s", model, strings.Join(kindNames(want), ", "), sp.Name, info.Of())
			return
		}
		if !central && (sp.Queue != "" || sp.Backfill != "") {
			r.failf(list.Content[i], index("strategies", i), "expected no queue or backfill with queueing node (they apply to queueing: central)")
			return
		}
	}
}

// strategyExtras reads the keys of a strategy entry that configure the
// central scheduler rather than the strategy.
func (r *reader) strategyExtras(m *mapping, spec *StrategySpec) {
	if v := m.get("queue"); v != nil {
		spec.Queue = r.queuePolicy(v, m.field("queue"))
	}
	if v := m.get("backfill"); v != nil && r.err == nil {
		spec.Backfill = r.oneOf(v, m.field("backfill"), backfills...)
	}
}

// central returns the central-queueing configuration of one strategy entry.
func (s *Scenario) central(spec StrategySpec, seed uint64, shapes []sim.TaskShape) (sim.Central, error) {
	c := sim.Central{Shapes: shapes, Hold: s.Workload.Inflation != nil}
	queue, backfill := s.Cluster.Queue, s.Cluster.Backfill
	if spec.Queue != "" {
		queue = spec.Queue
	}
	if spec.Backfill != "" {
		backfill = spec.Backfill
	}
	if queue != "" && queue != "fifo" {
		q, err := strategies.New(queue, nil, sim.NewRand(seed, "queue/"+spec.String()))
		if err != nil {
			return c, fmt.Errorf("%s:%d: strategies: %w", s.File, spec.Line, err)
		}
		qs, ok := q.(sim.QueueSorter)
		if !ok {
			return c, fmt.Errorf("%s:%d: strategies: %s does not order a queue", s.File, spec.Line, queue)
		}
		c.Queue = qs
	}
	c.Backfill, _ = sim.ParseBackfill(backfill)
	if w := s.Workflows; w != nil {
		c.Transfer, c.Runtimes, c.Dispatch = w.Transfer, w.Runtimes, w.Dispatch
	}
	c.RackSlowdown = s.Cluster.RackSlowdown
	c.Timeout = s.Cluster.Timeout
	c.SampleEvery = s.Cluster.SampleEvery
	c.DropUnplaceable = (s.Cluster.HasTimeout && s.Cluster.Timeout == 0) || c.Hold
	return c, nil
}
