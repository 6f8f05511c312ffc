package scenario

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// Request traffic to Kubernetes Services (issue 19, "one cluster, two
// levels"): workload.requests beside workload.kubernetes. Each entry sends
// requests to a Service of the manifests; the Service's Ready pods, placed
// and kept alive by the control loops, serve them, and a strategy entry's
// balancer spreads them over those endpoints:
//
//	workload:
//	  kubernetes: {path: manifests.yaml, controllers: true}
//	  requests:
//	    - service: web
//	      arrivals: {process: poisson, rate: 40}
//	      service_time: {dist: exponential, mean: 50ms}   # work on one core
//	      cpu_per_request: 1        # cores one request uses (default 1)
//	      slo: 300ms                # latency target
//	      client: {retries: 2, timeout: 2s, backoff: 100ms}
//	strategies:
//	  - {placement: kube-default, balancer: p2c}

// Requests is one entry of workload.requests.
type Requests struct {
	// Service names a Service of the manifests (in any namespace).
	Service string
	Line    int
	// Arrivals and ServiceTime, or Trace (a native trace of requests:
	// arrival and duration, the work on one core).
	Arrivals    *Arrivals
	ServiceTime *Service
	Trace       *Trace
	// SLO is the latency target (0: none); SLO attainment is the share of
	// requests served within it.
	SLO sim.Time
	// CPUPerRequest is the cpu one request in service uses, millicores:
	// a pod serves floor(cpu / CPUPerRequest) requests at once (at least
	// one), each at speed min(CPUPerRequest, cpu) in cores times its
	// node's speed, cpu being the pod's cpu limit, else its request, else
	// one core.
	CPUPerRequest int64
	// Client is how clients retry and time out (sim.Client).
	Client sim.Client
}

var requestFields = []string{"service", "arrivals", "service_time", "trace", "slo", "cpu_per_request", "client"}

// requests reads workload.requests.
func (r *reader) requests(n *yaml.Node, path string) []*Requests {
	if !r.nonEmptyList(n, path, "a list of request streams like [{service: web, arrivals: {process: poisson, rate: 40}, service_time: {dist: exponential, mean: 50ms}}]") {
		return nil
	}
	var out []*Requests
	for i, item := range n.Content {
		p := index(path, i)
		m := r.mapping(item, p, "a mapping like {service: web, arrivals: {process: poisson, rate: 40}, service_time: {dist: exponential, mean: 50ms}}")
		m.allow(requestFields...)
		q := &Requests{Line: item.Line, CPUPerRequest: 1000}
		if v := m.require("service", "the name of a Service of the manifests"); v != nil {
			q.Service = r.string(v, m.field("service"), "a Service name")
			q.Line = v.Line
		}
		if m.has("trace") {
			for _, k := range []string{"arrivals", "service_time"} {
				if m.has(k) {
					r.failf(m.keyNode(k), m.field(k), "expected either a trace or arrivals and service_time, got both")
				}
			}
			q.Trace = r.trace(m.get("trace"), m.field("trace"))
		} else {
			a := m.require("arrivals", "an arrival process like {process: poisson, rate: 40} (or a trace)")
			s := m.require("service_time", "a service-time distribution like {dist: exponential, mean: 50ms}: the work of one request on one core")
			if r.err != nil {
				return nil
			}
			q.Arrivals = r.arrivals(a, m.field("arrivals"))
			q.ServiceTime = r.service(s, m.field("service_time"))
		}
		if v := m.get("slo"); v != nil {
			q.SLO = r.duration(v, m.field("slo"), positive)
		}
		if v := m.get("cpu_per_request"); v != nil {
			q.CPUPerRequest = r.quantity(v, m.field("cpu_per_request"), "a number of cores", cpuUnits, "cores like 1 or 0.5, or milli-cores like 250m")
			if r.err == nil && q.CPUPerRequest == 0 {
				r.failf(v, m.field("cpu_per_request"), "expected a cpu amount > 0, got %s", describe(v))
			}
		}
		if v := m.get("client"); v != nil {
			q.Client = r.clientAt(v, m.field("client"))
		}
		if r.err != nil {
			return nil
		}
		for j, prev := range out {
			if prev.Service == q.Service {
				r.failf(item, p, "expected each Service once, got a repeat of %s (line %d)", index(path, j), prev.Line)
				return nil
			}
		}
		out = append(out, q)
	}
	return out
}

// checkRequests runs once the whole file is read: requests need the
// control loops and name Services of the manifests; every strategy entry
// then names a balancer, and none does without requests.
func (r *reader) checkRequests(top *mapping, s *Scenario) {
	if r.err != nil {
		return
	}
	w := s.Workload
	if len(w.Requests) > 0 {
		wm := r.mapping(top.get("workload"), "workload", "")
		k := w.Kubernetes
		if k == nil || !k.Controllers {
			r.failf(wm.keyNode("requests"), "workload.requests", "expected workload.kubernetes with controllers: true (the control loops run the pods that serve requests)")
			return
		}
		var names []string
		for _, svc := range k.Set.Services {
			names = append(names, svc.Name)
		}
		sort.Strings(names)
		for i, q := range w.Requests {
			found := false
			for _, svc := range k.Set.Services {
				found = found || svc.Name == q.Service
			}
			if !found {
				known := strings.Join(names, ", ")
				if known == "" {
					known = "the manifests have none"
				}
				r.err = &Error{File: r.file, Line: q.Line, Field: index("workload.requests", i) + ".service", Msg: fmt.Sprintf("no Service %q in the manifests (Services: %s)", truncate(q.Service, maxShown), known)}
				return
			}
		}
	}
	for i, spec := range s.Strategies {
		switch {
		case len(w.Requests) > 0 && spec.Balancer == nil:
			r.err = &Error{File: r.file, Line: spec.Line, Field: index("strategies", i), Msg: "expected an entry naming both levels, like {placement: kube-default, balancer: p2c}: workload.requests needs a balancer"}
			return
		case len(w.Requests) == 0 && spec.Balancer != nil:
			r.err = &Error{File: r.file, Line: spec.Line, Field: index("strategies", i) + ".balancer", Msg: "expected no balancer: the workload has no requests (workload.requests)"}
			return
		}
	}
}

// PlacementDefault is the placement name of the kube-default profile with
// its own resource scorer (LeastAllocated) in a two-level entry.
const PlacementDefault = "kube-default"

// twoLevel reads a strategy entry {placement: P, balancer: B}: P the
// scheduler profile's resource scorer (kube-default, or a placement
// strategy as in a plain entry), B a load balancer (a name, or a mapping
// with name and parameters).
func (r *reader) twoLevel(m *mapping, spec *StrategySpec) {
	m.allow("placement", "balancer")
	pn := m.require("placement", "kube-default, or a placement strategy that scores single nodes")
	bn := m.require("balancer", "a load-balancing strategy like p2c")
	if r.err != nil {
		return
	}
	if pn.Kind == yaml.ScalarNode && pn.Value == PlacementDefault {
		spec.Name = "least-allocated"
	} else {
		p := r.strategy(pn, m.field("placement"))
		spec.Name, spec.Args = p.Name, p.Args
	}
	if r.err != nil {
		return
	}
	b := r.strategy(bn, m.field("balancer"))
	if r.err != nil {
		return
	}
	b.Line = bn.Line
	st, err := strategies.New(b.Name, b.Args, sim.NewRand(0, "check"))
	if err == nil {
		_, picks := st.(sim.Picker)
		_, scores := st.(sim.Scorer)
		if !picks && !scores {
			r.failf(bn, m.field("balancer"), "expected a load balancer (a strategy that picks a node per request), got %s, which does not", b.Name)
			return
		}
	}
	spec.Balancer = &b
}

// balancerLabel is a two-level entry's balancer label ("" for none).
func balancerLabel(b *StrategySpec) string {
	if b == nil {
		return ""
	}
	return b.String()
}
