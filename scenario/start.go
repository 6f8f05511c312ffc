package scenario

import (
	"fmt"
	"io"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
	"github.com/fleetsim/fleetsim/traces"
)

// shapeCoverage is the share of a trace's tasks whose shapes make the
// target workload: the FGD artifact keeps the most frequent shapes covering
// 95 % of the pod list.
const shapeCoverage = 0.95

// RunOptions are what a caller may add to a run besides the scenario.
type RunOptions struct {
	// OnRecord, when set, receives every task's record as it ends.
	OnRecord func(*sim.Record)
	// Series asks for a time series (sim.Config.Series).
	Series sim.Sampling
	// OnPod, when set, receives every pod's record in a Kubernetes run
	// (pods.csv).
	OnPod func(*PodRecord)
	// OnEvent, when set, receives the control loops' events of a
	// Kubernetes run with controllers (events.csv).
	OnEvent func(*kube.Event)
	// Timeline, when > 0 with OnSample or OnWindow set, samples a
	// Kubernetes run with controllers every Timeline of simulated time
	// (from 0, and at the stop time) for OnSample, and hands its fault and
	// rollout windows to OnWindow at the end (timeline.csv, windows.csv).
	// The sample passed is reused: copy what must outlive the call.
	Timeline sim.Time
	OnSample func(*TimelineSample)
	OnWindow func(*Window)
}

// Start prepares one run of a strategy entry with a seed: it opens the
// workload, builds the strategy (and, for central queueing, the queue
// policy) and returns the engine, ready to Step. The closer releases the
// trace file.
func (s *Scenario) Start(spec StrategySpec, seed uint64, opt RunOptions) (sim.Runner, io.Closer, error) {
	cfg := s.Config()
	cfg.Seed = seed
	cfg.OnRecord = opt.OnRecord
	cfg.Series = opt.Series
	central := s.Cluster.Queueing == QueueingCentral
	if s.Workload.Kubernetes != nil {
		return s.startKube(spec, seed, opt, cfg)
	}
	if spec.Name == ExternalName {
		return s.startWithExternal(cfg, spec, seed, central)
	}
	st, err := s.Strategy(spec, seed)
	if err != nil {
		return nil, nil, err
	}
	if central {
		shapes, err := s.TargetShapes()
		if err != nil {
			return nil, nil, err
		}
		if cfg.Central, err = s.central(spec, seed, shapes); err != nil {
			return nil, nil, err
		}
	}
	// The workload last: from here on an error must close it.
	src, closer, err := s.source(seed, cfg.Nodes)
	if err != nil {
		return nil, nil, err
	}
	run, err := sim.Start(cfg, src, st, central)
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return labeled{run, spec.String()}, closer, nil
}

// labeled names results after the strategy entry (with its queue policy
// and backfilling, when it sets them).
type labeled struct {
	sim.Runner
	name string
}

func (l labeled) Result() sim.Result {
	r := l.Runner.Result()
	r.Strategy = l.name
	return r
}

// WorkloadSource opens the scenario's workload as a run sees it, with
// every attribute the scenario generates (shapes, origins, sessions,
// tokens; an inflation workload's tasks): what fleetsim trace gen writes.
func (s *Scenario) WorkloadSource(seed uint64) (sim.Source, io.Closer, error) {
	return s.source(seed, s.Nodes())
}

// source opens the workload for one run on the given nodes.
func (s *Scenario) source(seed uint64, nodes []sim.NodeSpec) (sim.Source, io.Closer, error) {
	w := s.Workload
	var capMilli int64
	var models []string // the cluster's GPU models, each once
	for _, n := range nodes {
		capMilli += int64(n.GPUs) * sim.GPUMilliPerGPU
		if n.GPUs > 0 {
			if !slices.Contains(models, n.GPUModel) {
				models = append(models, n.GPUModel)
			}
		}
	}
	if w.Inflation != nil {
		rng := sim.NewRand(seed, "workload/inflation")
		var inf *traces.Inflation
		var err error
		if w.Trace != nil {
			var pool []sim.Task
			if pool, err = s.readAll(models); err != nil {
				return nil, nil, err
			}
			inf, err = traces.NewInflation(pool, capMilli, w.Inflation.UntilGPUShare, rng)
		} else {
			inf, err = traces.NewShapeInflation(w.Shapes, capMilli, w.Inflation.UntilGPUShare, rng)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: workload.inflation: %w", s.File, err)
		}
		return inf, io.NopCloser(nil), nil
	}
	src, c, err := s.Source(seed)
	if err != nil {
		return nil, nil, err
	}
	if w.Shapes != nil {
		if src, err = traces.NewWithShapes(src, w.Shapes, sim.NewRand(seed, "workload/shapes")); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("%s: workload.shapes: %w", s.File, err)
		}
	}
	if w.Estimates != nil {
		if src, err = traces.NewWithEstimates(src, *w.Estimates, sim.NewRand(seed, "workload/estimates")); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("%s: workload.estimates: %w", s.File, err)
		}
	}
	if w.ProcsPerNode > 0 {
		src = traces.Gangs(src, w.ProcsPerNode)
	}
	if w.MemoryUse != nil {
		src = &memUseSource{src: src, mu: *w.MemoryUse, rng: sim.NewRand(seed, "workload/memory_use")}
	}
	if len(w.Origins) > 0 || w.Sessions > 0 || w.Tokens != nil {
		o := newAttrSource(src, w.Origins, sim.NewRand(seed, "workload/origins"))
		if w.Sessions > 0 {
			o.withSessions(w.Sessions, sim.NewRand(seed, "workload/sessions"))
		}
		if w.Tokens != nil {
			o.withTokens(w.Tokens, sim.NewRand(seed, "workload/tokens"))
		}
		src = o
	}
	if s.Cluster.Queueing == QueueingCentral {
		src = &modelCheck{src: src, models: models, nodes: len(nodes)}
	}
	return src, c, nil
}

// modelCheck refuses a task that asks for GPU models no node has, or for
// a gang of more nodes than the cluster has, naming the trace line when
// the reader knows it.
type modelCheck struct {
	src    sim.Source
	models []string
	nodes  int
}

func (m *modelCheck) Next(t *sim.Task) error {
	if err := m.src.Next(t); err != nil {
		return err
	}
	if int(t.Nodes) > m.nodes {
		e := &traces.Error{Column: "nodes", Msg: fmt.Sprintf("task %d asks for a gang of %d nodes; the cluster has %d", t.ID, t.Nodes, m.nodes)}
		e.File, e.Line = position(m.src)
		if e.File != "" {
			return e
		}
	}
	return checkModels(m.src, t, m.models)
}

func checkModels(src sim.Source, t *sim.Task, models []string) error {
	if t.GPUSpec == "" {
		return nil
	}
	if k, _ := t.GPUDemand(); k == 0 {
		return nil
	}
	for _, m := range models {
		if sim.ModelAllowed(t.GPUSpec, m) {
			return nil
		}
	}
	e := &traces.Error{Column: "gpu_spec", Msg: fmt.Sprintf("expected a GPU model some node has, got %q (task %d)", t.GPUSpec, t.ID)}
	if p, ok := src.(traces.Positioner); ok {
		e.File, e.Line = p.Position()
	}
	return e
}

// readAll reads the whole trace (for inflation, which samples from it).
func (s *Scenario) readAll(models []string) ([]sim.Task, error) {
	src, c, err := s.Source(0)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var pool []sim.Task
	err = traces.ForEach(src, func(t *sim.Task) error {
		pool = append(pool, *t)
		return checkModels(src, t, models)
	})
	return pool, err
}

// TargetShapes is the target workload of fragmentation-aware placement: the
// scenario's shapes, or the shape distribution counted over its trace (the
// shapes covering 95 % of its tasks, as the FGD artifact does). Nil when
// the workload has neither.
func (s *Scenario) TargetShapes() ([]sim.TaskShape, error) {
	w := s.Workload
	if w.Shapes != nil {
		sum := 0.0
		for _, sh := range w.Shapes {
			sum += sh.Weight
		}
		out := make([]sim.TaskShape, len(w.Shapes))
		for i, sh := range w.Shapes {
			sh.Weight /= sum
			out[i] = sh
		}
		return out, nil
	}
	if w.Trace == nil {
		return nil, nil
	}
	if s.shapes != nil {
		s.shapes.once.Do(func() { s.shapes.v, s.shapes.err = s.countShapes() })
		return s.shapes.v, s.shapes.err
	}
	return s.countShapes()
}

func (s *Scenario) countShapes() ([]sim.TaskShape, error) {
	src, c, err := s.Source(0)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var sc sim.ShapeCounter
	if err := traces.ForEach(src, func(t *sim.Task) error { sc.Add(t); return nil }); err != nil {
		return nil, err
	}
	if sc.Total() == 0 {
		return nil, nil
	}
	return sc.Shapes(shapeCoverage), nil
}
