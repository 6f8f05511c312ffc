package scenario

import (
	"fmt"
	"io"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// Config returns the engine configuration of the scenario: its nodes, stop
// and warm-up limits, start-up delay and dynamics.
func (s *Scenario) Config() sim.Config {
	cfg := sim.Config{
		Nodes:       s.Nodes(),
		StopTasks:   s.Stop.Tasks,
		StopTime:    s.Stop.Time,
		WarmupTasks: s.Warmup.Tasks,
		WarmupTime:  s.Warmup.Time,
		Seed:        s.Seed,
		Startup:     s.Cluster.Startup,
	}
	s.applyDynamics(&cfg)
	return cfg
}

// Source opens the scenario's workload for one run with the given seed: a
// generator drawing from streams derived from seed, or the trace file. The
// closer releases the file (it is a no-op for generators).
func (s *Scenario) Source(seed uint64) (sim.Source, io.Closer, error) {
	if s.Workflows != nil {
		return s.workflowSource(seed)
	}
	w := s.Workload
	if w.Trace != nil {
		src, c, err := traces.Open(w.Trace.Path, w.Trace.Format)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: workload.trace.path: %w", s.File, w.Trace.Line, err)
		}
		return src, c, nil
	}
	if w.Arrivals == nil || w.Service == nil {
		return nil, nil, fmt.Errorf("%s: workload: expected a trace, or arrivals and service", s.File)
	}
	arr, err := arrivals(w.Arrivals)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: workload.arrivals: %w", s.File, err)
	}
	svc, err := service(w.Service)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: workload.service: %w", s.File, err)
	}
	return traces.NewGenerator(arr, svc, seed), io.NopCloser(nil), nil
}

func arrivals(a *Arrivals) (traces.Arrivals, error) {
	switch a.Process {
	case ArrivalsPoisson:
		return traces.Poisson{Rate: a.Rate}, nil
	case ArrivalsDeterministic:
		return traces.Deterministic{Rate: a.Rate}, nil
	case ArrivalsBursty:
		return traces.NewBursty(a.Rates, a.Hold), nil
	case ArrivalsDiurnal:
		return &traces.Diurnal{Rate: a.Rate, Amplitude: a.Amplitude, Period: a.Period, Peak: a.Peak, Bursts: a.Bursts}, nil
	}
	return nil, fmt.Errorf("unknown process %q", a.Process)
}

func service(v *Service) (traces.Service, error) {
	switch v.Dist {
	case ServiceExponential:
		return traces.Exponential{Mean: v.Mean}, nil
	case ServiceDeterministic:
		return traces.Constant{Value: v.Mean}, nil
	case ServiceLognormal:
		return traces.Lognormal{Mean: v.Mean, CV: v.CV}, nil
	case ServiceBoundedPareto:
		return traces.BoundedPareto{Alpha: v.Alpha, Min: v.Min, Max: v.Max}, nil
	case ServiceHyperexponential:
		return traces.HyperExponential{Mean: v.Mean, CV: v.CV}, nil
	case ServiceEmpirical:
		return traces.Empirical{Quantiles: v.Quantiles}, nil
	}
	return nil, fmt.Errorf("unknown dist %q", v.Dist)
}

// Strategy builds a fresh instance of spec for one run, with its random
// stream derived from (seed, "strategy/"+label), the label carrying the
// parameters, so two entries of one strategy draw independent streams.
func (s *Scenario) Strategy(spec StrategySpec, seed uint64) (sim.Strategy, error) {
	if spec.Name == ExternalName {
		// Its process and errors are managed by Start (startWithExternal)
		// in simulation and by StartStrategy in real execution.
		// Here only a model that takes no external strategy (workload.kubernetes)
		// asks for one.
		return nil, fmt.Errorf("%s:%d: strategies: external strategy %s cannot serve this model (an external strategy picks under node queueing and places under central queueing, not as a Kubernetes scheduler profile)", s.File, spec.Line, spec)
	}
	st, err := strategies.New(spec.Name, spec.Args, sim.NewRand(seed, "strategy/"+spec.String()))
	if err != nil {
		return nil, fmt.Errorf("%s:%d: strategies: %w", s.File, spec.Line, err)
	}
	return st, nil
}
