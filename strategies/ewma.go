package strategies

import (
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// latencies keeps a time-decayed moving average of the observed latency of
// every node, the state of the adaptive and least-request balancers.
//
// The series of observations is unevenly spaced, so the weight of the old
// value depends on the time since the node's previous sample (Eckner,
// "Algorithms for Unevenly Spaced Time Series", 2012, as Finagle's PeakEwma
// cites): on a sample rtt at time now,
//
//	w    = exp(−(now − stamp)/τ)
//	ewma = ewma·w + rtt·(1 − w)
//
// and, with peak set, ewma = rtt instead whenever rtt > ewma, so that the
// estimate rises at once on a slow response and falls back gradually (its
// half-life is τ·ln 2). A node's first sample sets ewma = rtt.
type latencies struct {
	tau  float64 // τ in nanoseconds, > 0
	peak bool
	s    []latency // by node: one record, one cache line touched per node read
}

// latency is one node's estimate.
type latency struct {
	ewma    float64 // nanoseconds
	stamp   sim.Time
	sampled bool
}

// size makes room for n nodes, forgetting every sample when n changed.
func (l *latencies) size(n int) {
	if len(l.s) == n {
		return
	}
	l.s = make([]latency, n)
}

// observe records latency rtt of node i at time now and returns the old
// and the new estimate.
func (l *latencies) observe(i int, now, rtt sim.Time) (old, ewma float64) {
	x := float64(max(rtt, 0))
	e := &l.s[i]
	old = e.ewma
	switch {
	case !e.sampled:
		ewma = x
	case l.peak && x > old:
		ewma = x
	default:
		w := math.Exp(-float64(max(now-e.stamp, 0)) / l.tau)
		ewma = float64(old*w) + float64(x*(1-w))
	}
	e.ewma, e.stamp, e.sampled = ewma, now, true
	return old, ewma
}

// decayed is node i's estimate at time now, decayed towards 0 since its
// last sample by exp(−Δt/τ): what Finagle's PeakEwma and tower's PeakEwma
// report when they read a node's load.
func (l *latencies) decayed(i int, now sim.Time) float64 {
	e := &l.s[i]
	return e.ewma * math.Exp(-float64(max(now-e.stamp, 0))/l.tau)
}

// Duration parameters shared by the latency-aware balancers.
const (
	defaultDecay   = 10 * sim.Second
	defaultPenalty = 5 * sim.Second
	maxParamTime   = 365 * 24 * sim.Hour
)

var (
	decayParam = Param{Name: "decay", Type: "duration", Default: "10s",
		Doc: "τ of the time-decayed latency average; an old estimate's weight halves every τ·ln 2"}
	penaltyParam = Param{Name: "penalty", Type: "duration", Default: "5s",
		Doc: "latency charged to a node when a task fails on it (0: none)"}
)
