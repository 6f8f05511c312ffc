package reports

import (
	"math"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// requestColumns are for Kubernetes runs with request streams
// (workload.requests): the Services' traffic, summed over the Services
// (latency and SLO figures: the worst Service's), then what the fault and
// rollout windows did to it.
var requestColumns = []column{
	{"requests", func(r *sim.Result) float64 {
		return float64(sumServices(r, func(s kube.ServiceSummary) int64 { return s.Requests }))
	}, count},
	{"failed", func(r *sim.Result) float64 {
		return float64(sumServices(r, func(s kube.ServiceSummary) int64 { return s.Failed }))
	}, count},
	{"availability", func(r *sim.Result) float64 {
		return ratio(sumServices(r, func(s kube.ServiceSummary) int64 { return s.Served }), sumServices(r, func(s kube.ServiceSummary) int64 { return s.Requests }))
	}, pct},
	{"p50 (s)", func(r *sim.Result) float64 {
		return worstService(r, func(s kube.ServiceSummary) float64 { return s.LatencyS.P50 })
	}, sec},
	{"p99 (s)", func(r *sim.Result) float64 {
		return worstService(r, func(s kube.ServiceSummary) float64 { return s.LatencyS.P99 })
	}, sec},
	{"SLO met", func(r *sim.Result) float64 {
		// The lowest attainment of the Services with a target; NaN (a
		// dash) when none has one.
		a := math.NaN()
		for _, s := range services(r) {
			if s.SLOAttainment != nil && !(*s.SLOAttainment >= a) {
				a = *s.SLOAttainment
			}
		}
		return a
	}, pctOrDash},
	{"failed in faults", func(r *sim.Result) float64 {
		return float64(sumWindows(r, "fault", func(w kube.RequestWindow) int64 { return w.Failed }))
	}, count},
	{"p99 in faults (s)", func(r *sim.Result) float64 { return worstWindow(r, "fault") }, sec},
	{"failed in rollouts", func(r *sim.Result) float64 {
		return float64(sumWindows(r, "rollout", func(w kube.RequestWindow) int64 { return w.Failed }))
	}, count},
	{"p99 in rollouts (s)", func(r *sim.Result) float64 { return worstWindow(r, "rollout") }, sec},
}

// hasRequests reports whether every result has request streams.
func hasRequests(results []sim.Result) bool {
	for i := range results {
		if k := results[i].Kubernetes; k == nil || len(k.Services) == 0 {
			return false
		}
	}
	return len(results) > 0
}

// services lists r's Services in name order.
func services(r *sim.Result) []kube.ServiceSummary {
	var names []string
	for n := range r.Kubernetes.Services {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]kube.ServiceSummary, len(names))
	for i, n := range names {
		out[i] = r.Kubernetes.Services[n]
	}
	return out
}

func sumServices(r *sim.Result, f func(kube.ServiceSummary) int64) int64 {
	var n int64
	for _, s := range services(r) {
		n += f(s)
	}
	return n
}

func worstService(r *sim.Result, f func(kube.ServiceSummary) float64) float64 {
	w := 0.0
	for i, s := range services(r) {
		if v := f(s); i == 0 || v > w {
			w = v
		}
	}
	return w
}

func sumWindows(r *sim.Result, kind string, f func(kube.RequestWindow) int64) int64 {
	var n int64
	for _, s := range services(r) {
		for _, w := range s.Windows {
			if w.Kind == kind {
				n += f(w)
			}
		}
	}
	return n
}

// worstWindow is the highest p99 of the windows of a kind (0: none).
func worstWindow(r *sim.Result, kind string) float64 {
	p := 0.0
	for _, s := range services(r) {
		for _, w := range s.Windows {
			if w.Kind == kind {
				p = max(p, w.LatencyS.P99)
			}
		}
	}
	return p
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// pctOrDash prints a share, or a dash when there is none.
func pctOrDash(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return pct(v)
}
