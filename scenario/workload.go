package scenario

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

func (r *reader) workload(n *yaml.Node) Workload {
	var w Workload
	m := r.mapping(n, "workload", "a mapping with arrivals and service, or a trace")
	m.allow(workloadFields...)
	if m.has("shapes") {
		w.Shapes = r.shapes(m.get("shapes"), "workload.shapes")
	}
	if m.has("origins") {
		w.Origins = r.origins(m.get("origins"))
	}
	if m.has("tokens") {
		w.Tokens = r.tokens(m.get("tokens"))
	}
	if m.has("sessions") {
		w.Sessions = int(r.int(m.get("sessions"), "workload.sessions", 1, 1<<24))
	}
	if m.has("inflation") {
		w.Inflation = r.inflation(m.get("inflation"), "workload.inflation")
	}
	if m.has("procs_per_node") {
		w.ProcsPerNode = int(r.int(m.get("procs_per_node"), "workload.procs_per_node", 1, 1<<20))
	}
	if m.has("memory_use") {
		w.MemoryUse = r.memoryUse(m.get("memory_use"), "workload.memory_use")
	}
	if m.has("estimates") {
		w.Estimates = r.estimates(m.get("estimates"), "workload.estimates")
		for _, k := range []string{"trace", "inflation", "kubernetes"} {
			if r.err == nil && m.has(k) {
				r.failf(m.keyNode("estimates"), "workload.estimates", "expected no estimates with %s (estimates are drawn for generated tasks; a trace carries its users' own)", k)
			}
		}
	}
	if m.has("kubernetes") {
		for _, k := range []string{"arrivals", "service", "shapes", "trace", "inflation", "origins", "sessions", "tokens", "procs_per_node", "memory_use"} {
			if m.has(k) {
				r.failf(m.keyNode(k), m.field(k), "expected nothing beside kubernetes: the manifests are the whole workload")
			}
		}
		w.Kubernetes = r.kubernetesWorkload(m.get("kubernetes"), "workload.kubernetes")
		if m.has("requests") {
			w.Requests = r.requests(m.get("requests"), "workload.requests")
		}
		return w
	}
	if m.has("requests") {
		r.failf(m.keyNode("requests"), m.field("requests"), "expected requests only beside kubernetes (they go to its Services)")
		return w
	}
	if m.has("trace") {
		for _, k := range []string{"arrivals", "service", "shapes"} {
			if m.has(k) {
				r.failf(m.keyNode(k), m.field(k), "expected either a trace or arrivals and service (or shapes), got both")
			}
		}
		w.Trace = r.trace(m.get("trace"), "workload.trace")
		return w
	}
	if w.Inflation != nil {
		for _, k := range []string{"arrivals", "service"} {
			if m.has(k) {
				r.failf(m.keyNode(k), m.field(k), "expected no %s with inflation: inflated tasks arrive one by one and never leave", k)
			}
		}
		if w.Shapes == nil {
			m.require("shapes", "the task shapes to inflate (or a trace)")
		}
		return w
	}
	a := m.require("arrivals", "an arrival process like {process: poisson, rate: 45} (or a trace)")
	s := m.require("service", "a service-time distribution like {dist: exponential, mean: 1s}")
	if r.err != nil {
		return w
	}
	w.Arrivals = r.arrivals(a, "workload.arrivals")
	w.Service = r.service(s, "workload.service")
	return w
}

func (r *reader) arrivals(n *yaml.Node, path string) *Arrivals {
	a := &Arrivals{}
	m := r.mapping(n, path, "a mapping like {process: poisson, rate: 45}")
	a.Process = r.oneOf(m.require("process", "an arrival process ("+ArrivalsPoisson+", "+ArrivalsDeterministic+", "+ArrivalsBursty+", "+ArrivalsDiurnal+")"),
		m.field("process"), ArrivalsPoisson, ArrivalsDeterministic, ArrivalsBursty, ArrivalsDiurnal)
	if r.err != nil {
		return a
	}
	m.allow(arrivalFields[a.Process]...)
	switch a.Process {
	case ArrivalsPoisson, ArrivalsDeterministic:
		a.Rate = r.float(m.require("rate", "tasks per second"), m.field("rate"), positive)
	case ArrivalsDiurnal:
		a.Rate = r.float(m.require("rate", "the mean tasks per second"), m.field("rate"), positive)
		a.Period = 24 * sim.Hour
		if v := m.get("amplitude"); v != nil {
			a.Amplitude = r.float(v, m.field("amplitude"), nonNegative)
			if r.err == nil && a.Amplitude > 1 {
				r.failf(v, m.field("amplitude"), "expected a number in [0, 1], got %v", a.Amplitude)
			}
		}
		if v := m.get("period"); v != nil {
			a.Period = r.duration(v, m.field("period"), positive)
		}
		if v := m.get("peak"); v != nil {
			a.Peak = r.duration(v, m.field("peak"), nonNegative)
		}
		if v := m.get("bursts"); v != nil && r.nonEmptyList(v, m.field("bursts"), "a list of bursts like {at: 20m, for: 5m, factor: 3}") {
			for i, bn := range v.Content {
				path := index(m.field("bursts"), i)
				bm := r.mapping(bn, path, "a burst like {at: 20m, for: 5m, factor: 3}")
				bm.allow("at", "for", "factor")
				a.Bursts = append(a.Bursts, traces.Burst{
					At:     r.duration(bm.require("at", "when it starts"), bm.field("at"), nonNegative),
					For:    r.duration(bm.require("for", "how long it lasts"), bm.field("for"), positive),
					Factor: r.float(bm.require("factor", "what the rate is multiplied by"), bm.field("factor"), positive),
				})
			}
		}
	case ArrivalsBursty:
		rates := r.pair(m.require("rates", "the rate in each state, like [30, 90]"), m.field("rates"), "the rate in each state, like [30, 90]")
		for i, v := range rates {
			a.Rates[i] = r.float(v, index(m.field("rates"), i), nonNegative)
		}
		if r.err == nil && a.Rates[0] == 0 && a.Rates[1] == 0 {
			r.failf(m.get("rates"), m.field("rates"), "expected a rate > 0 in at least one state, got [0, 0]")
		}
		hold := r.pair(m.require("hold", "the mean time in each state, like [10s, 2s]"), m.field("hold"), "the mean time in each state, like [10s, 2s]")
		for i, v := range hold {
			a.Hold[i] = r.duration(v, index(m.field("hold"), i), positive)
		}
	}
	return a
}

// pair reads a list of exactly two elements.
func (r *reader) pair(n *yaml.Node, path, what string) [2]*yaml.Node {
	if r.err != nil || n == nil {
		return [2]*yaml.Node{}
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		got := describe(n)
		if n.Kind == yaml.SequenceNode {
			got = fmt.Sprintf("a list of %d", len(n.Content))
		}
		r.failf(n, path, "expected a list of two values, %s, got %s", what, got)
		return [2]*yaml.Node{}
	}
	return [2]*yaml.Node{n.Content[0], n.Content[1]}
}

func (r *reader) service(n *yaml.Node, path string) *Service {
	s := &Service{}
	m := r.mapping(n, path, "a mapping like {dist: exponential, mean: 1s}")
	dists := []string{ServiceExponential, ServiceDeterministic, ServiceLognormal, ServiceBoundedPareto, ServiceHyperexponential, ServiceEmpirical}
	s.Dist = r.oneOf(m.require("dist", "a distribution ("+strings.Join(dists, ", ")+")"), m.field("dist"), dists...)
	if r.err != nil {
		return s
	}
	m.allow(serviceFields[s.Dist]...)
	switch s.Dist {
	case ServiceExponential, ServiceDeterministic:
		s.Mean = r.duration(m.require("mean", "the mean work per task, like 1s"), m.field("mean"), positive)
	case ServiceLognormal:
		s.Mean = r.duration(m.require("mean", "the mean work per task, like 1s"), m.field("mean"), positive)
		s.CV = r.float(m.require("cv", "the coefficient of variation, like 2"), m.field("cv"), positive)
	case ServiceHyperexponential:
		s.Mean = r.duration(m.require("mean", "the mean work per task, like 1s"), m.field("mean"), positive)
		s.CV = r.float(m.require("cv", "the coefficient of variation, at least 1"), m.field("cv"), atLeastOne)
	case ServiceEmpirical:
		v := m.require("quantiles", "the quantiles of work at equally spaced probabilities from 0 to 1, like [1s, 10s, 2m, 1h]")
		if r.err != nil {
			return s
		}
		if v.Kind != yaml.SequenceNode {
			r.failf(v, m.field("quantiles"), "expected a list of durations >= 0 in increasing order, got %s", describe(v))
			return s
		}
		for i, qn := range v.Content {
			q := r.duration(qn, index(m.field("quantiles"), i), nonNegative)
			if r.err != nil {
				return s
			}
			if i > 0 && q < s.Quantiles[i-1] {
				r.failf(qn, index(m.field("quantiles"), i), "expected quantiles in increasing order, got %s after %s", describe(qn), describe(v.Content[i-1]))
				return s
			}
			s.Quantiles = append(s.Quantiles, q)
		}
		e := traces.Empirical{Quantiles: s.Quantiles}
		if err := e.Validate(); err != nil {
			r.failf(v, m.field("quantiles"), "%s", strings.TrimPrefix(err.Error(), "empirical: parameter quantiles: "))
			return s
		}
		s.Mean, s.CV = sim.FromSeconds(e.MeanSeconds()), math.Sqrt(e.SCV())
	case ServiceBoundedPareto:
		s.Alpha = r.float(m.require("alpha", "the shape, like 1.1"), m.field("alpha"), positive)
		s.Min = r.duration(m.require("min", "the smallest work per task, like 10ms"), m.field("min"), positive)
		s.Max = r.duration(m.require("max", "the largest work per task, like 1h"), m.field("max"), positive)
		if r.err == nil && s.Max <= s.Min {
			r.failf(m.get("max"), m.field("max"), "expected a duration > min (%s), got %s", describe(m.get("min")), describe(m.get("max")))
		}
	}
	return s
}

func (r *reader) trace(n *yaml.Node, path string) *Trace {
	t := &Trace{}
	m := r.mapping(n, path, "a mapping like {path: jobs.csv, format: csv}")
	m.allow(traceFields...)
	pn := m.require("path", "the trace file's path")
	t.Path = r.string(pn, m.field("path"), "a file path")
	if pn != nil {
		t.Line = pn.Line
	}
	formats := make([]string, 0, len(TraceFormats))
	for f := range TraceFormats {
		formats = append(formats, f)
	}
	sort.Strings(formats)
	if v := m.get("format"); v != nil {
		t.Format = r.oneOf(v, m.field("format"), formats...)
	} else if r.err == nil {
		ext := traces.FormatExt(t.Path) // (".csv" for "jobs.csv.gz", as traces.Open reads it)
		for _, f := range formats {
			for _, e := range TraceFormats[f] {
				if ext == e {
					t.Format = f
				}
			}
		}
		if t.Format == "" {
			p := t.Path
			if r.dir != "" && !filepath.IsAbs(p) {
				p = filepath.Join(r.dir, p)
			}
			if traces.IsCacheFile(p) { // a trace cache named otherwise: its magic bytes tell
				t.Format = "fsc"
			}
		}
		if t.Format == "" {
			r.failf(m.node, m.field("format"), "required field missing (the path's extension does not tell); expected one of %s", strings.Join(formats, ", "))
		}
	}
	if r.err == nil && r.dir != "" && !filepath.IsAbs(t.Path) {
		t.Path = filepath.Join(r.dir, t.Path)
	}
	return t
}

// estimates reads workload.estimates, the users' runtime estimates of
// generated tasks: {factors: [F0, ..., Fk], max: D}.
func (r *reader) estimates(n *yaml.Node, path string) *traces.Overestimate {
	o := &traces.Overestimate{}
	m := r.mapping(n, path, "a mapping like {factors: [1, 1.2, 2.4, 8, 60], max: 60h}")
	m.allow("factors", "max")
	v := m.require("factors", "the quantiles of requested time / run time at equally spaced probabilities from 0 to 1, like [1, 1.2, 2.4, 8, 60]")
	if r.err != nil {
		return o
	}
	if v.Kind != yaml.SequenceNode {
		r.failf(v, m.field("factors"), "expected a list of numbers >= 1 in increasing order, got %s", describe(v))
		return o
	}
	for i, fn := range v.Content {
		f := r.float(fn, index(m.field("factors"), i), positive)
		if r.err != nil {
			return o
		}
		switch {
		case f < 1:
			r.failf(fn, index(m.field("factors"), i), "expected a factor >= 1 (an estimate below the run time is not drawn), got %v", f)
		case i > 0 && f < o.Factors[i-1]:
			r.failf(fn, index(m.field("factors"), i), "expected quantiles in increasing order, got %v after %v", f, o.Factors[i-1])
		}
		if r.err != nil {
			return o
		}
		o.Factors = append(o.Factors, f)
	}
	if len(o.Factors) < 2 {
		r.failf(v, m.field("factors"), "expected at least two factors (the quantiles at probabilities 0 and 1), got %d", len(o.Factors))
		return o
	}
	if x := m.get("max"); x != nil {
		o.Max = r.duration(x, m.field("max"), positive)
	}
	return o
}
