package scenario

import (
	"math"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
)

// MemoryUse gives tasks with a memory request (their limit) a memory use:
// a share Over of them use Factor times their limit, the others Under
// times it; the use grows by Rate bytes per second of work at speed 1 (0:
// all at once as the work starts). See sim.Task.MemoryUse and sim.OOMKill.
type MemoryUse struct {
	Over   float64 // share of tasks above their limit, in [0, 1]
	Factor float64 // their use over their limit, > 1
	Under  float64 // the others' use over their limit, in (0, 1]
	Rate   int64   // bytes per second of work at speed 1; 0: all at once
}

func (r *reader) memoryUse(n *yaml.Node, path string) *MemoryUse {
	mu := &MemoryUse{Factor: 2, Under: 0.5}
	m := r.mapping(n, path, "a mapping like {over: 0.2, factor: 2, rate: 512Mi}")
	m.allow("over", "factor", "under", "rate")
	v := m.require("over", "the share of tasks that use more memory than their limit, in [0, 1]")
	mu.Over = r.float(v, m.field("over"), nonNegative)
	if r.err == nil && mu.Over > 1 {
		r.failf(v, m.field("over"), "expected a share in [0, 1], got %v", mu.Over)
	}
	if v := m.get("factor"); v != nil {
		mu.Factor = r.float(v, m.field("factor"), positive)
		if r.err == nil && !(mu.Factor > 1) {
			r.failf(v, m.field("factor"), "expected a number > 1 (a use above the limit), got %v", mu.Factor)
		}
	}
	if v := m.get("under"); v != nil {
		mu.Under = r.float(v, m.field("under"), positive)
		if r.err == nil && mu.Under > 1 {
			r.failf(v, m.field("under"), "expected a number in (0, 1] (a use within the limit), got %v", mu.Under)
		}
	}
	if v := m.get("rate"); v != nil {
		mu.Rate = r.quantity(v, m.field("rate"), "a size per second of work", SizeUnits, "bytes per second of work at speed 1, or a number with a suffix "+sizeSuffixes)
	}
	return mu
}

// memUseSource draws each task's memory use: one draw per task, whether
// or not it has a memory request, so that the stream stays in step.
type memUseSource struct {
	src sim.Source
	mu  MemoryUse
	rng *sim.Rand
}

func (m *memUseSource) Next(t *sim.Task) error {
	if err := m.src.Next(t); err != nil {
		return err
	}
	u := m.rng.Float64()
	if t.Memory <= 0 {
		return nil
	}
	f := m.mu.Under
	if u < m.mu.Over {
		f = m.mu.Factor
	}
	use := math.Round(f * float64(t.Memory))
	if !(use < math.MaxInt64/2) {
		use = math.MaxInt64 / 2
	}
	t.MemoryUse, t.MemoryRate = max(int64(use), 1), m.mu.Rate
	return nil
}
