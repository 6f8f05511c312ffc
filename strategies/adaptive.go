package strategies

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// Adaptive is power of two choices on peak-EWMA latency cost, the default
// balancer of Finagle (com.twitter.finagle.loadbalancer.PeakEwma with the
// p2c distributor, Balancers.p2cPeakEwma) and of Linkerd 2's proxy
// (tower::load::PeakEwma behind tower's p2c Balance).
//
// Each node's cost is
//
//	cost = peakEWMA(latency) × (outstanding + 1)
//
// where outstanding is sim.View.InSystem and the peak EWMA is the latency
// estimate of ewma.go with peak set: a sample above the estimate replaces
// it at once; a lower one is blended in with weight 1 − exp(−Δt/τ), Δt the
// time since the node's previous sample and τ the decay parameter. As in
// both sources, reading a cost decays the estimate towards 0 by
// exp(−Δt/τ) since the last sample, so a node that has not answered for a
// while (after a failure, say) is tried again. Unlike them, the read does
// not write the decayed value back: the estimate depends on samples and
// time only, not on how often the balancer looked, and the update rule on a
// sample is exactly the formula above.
//
// Two distinct healthy nodes are drawn uniformly (redrawing unhealthy ones,
// as p2c does) and the one of lower cost wins; ties go to the first drawn.
// A task is dropped only when no node is healthy.
//
// A node with no sample yet costs, with default_rtt = 0 (the default),
// what Finagle charges it: 0 while it has nothing outstanding, so that new
// nodes are tried at once, and a prohibitive penalty (2^47 ns, Finagle's
// Long.MaxValue >> 16) plus its outstanding count while its first tasks
// are in flight, so that no burst lands on a node of unknown speed. With
// default_rtt > 0 such a node's estimate is default_rtt (tower's
// default_rtt), without decay, until its first sample.
//
// A failed task (sim.Observer.Failed) raises the node's estimate to at
// least penalty, as if the failure had taken that long (Finagle counts a
// failed request's latency like any other; the penalty makes a fast
// failure look slow). The read decay then brings the node back into
// rotation after a few τ.
type Adaptive struct {
	defaultRTT, penalty sim.Time
	name                string
	rng                 *sim.Rand
	lat                 latencies
}

var (
	_ sim.Picker      = (*Adaptive)(nil)
	_ sim.Observer    = (*Adaptive)(nil)
	_ sim.Initializer = (*Adaptive)(nil)
)

// noHistoryPenalty is Finagle's PeakEwma Penalty, Long.MaxValue >> 16
// nanoseconds: the cost of a node with requests in flight and no latency
// sample yet.
const noHistoryPenalty = float64(math.MaxInt64 >> 16)

func newAdaptive(a Args, rng *sim.Rand) (sim.Strategy, error) {
	decay, err := a.Duration("adaptive", "decay", defaultDecay, sim.Microsecond, maxParamTime)
	if err != nil {
		return nil, err
	}
	def, err := a.Duration("adaptive", "default_rtt", 0, 0, maxParamTime)
	if err != nil {
		return nil, err
	}
	pen, err := a.Duration("adaptive", "penalty", defaultPenalty, 0, maxParamTime)
	if err != nil {
		return nil, err
	}
	name := "adaptive"
	if decay != defaultDecay || def != 0 || pen != defaultPenalty {
		name = fmt.Sprintf("adaptive(decay=%v,default_rtt=%v,penalty=%v)", decay, def, pen)
	}
	return &Adaptive{defaultRTT: def, penalty: pen, name: name, rng: rng,
		lat: latencies{tau: float64(decay), peak: true}}, nil
}

// Name implements sim.Strategy.
func (a *Adaptive) Name() string { return a.name }

// Init implements sim.Initializer.
func (a *Adaptive) Init(v *sim.View) error {
	a.lat.size(v.Len())
	return nil
}

// Cost is node i's cost at the current time: its decayed peak-EWMA latency
// (nanoseconds) times its outstanding tasks plus one.
func (a *Adaptive) Cost(v *sim.View, i int) float64 {
	a.lat.size(v.Len())
	out := float64(v.InSystem(i))
	if !a.lat.s[i].sampled {
		switch {
		case a.defaultRTT > 0:
			return float64(a.defaultRTT) * (out + 1)
		case out == 0:
			return 0
		}
		return noHistoryPenalty + out
	}
	return a.lat.decayed(i, v.Now()) * (out + 1)
}

// Pick implements sim.Picker.
func (a *Adaptive) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	switch n {
	case 0:
		return sim.Drop
	case 1:
		if v.Healthy(0) {
			return 0
		}
		return sim.Drop
	}
	i, j := twoChoices(v, a.rng)
	if j < 0 {
		return i
	}
	if a.Cost(v, j) < a.Cost(v, i) {
		return j
	}
	return i
}

// Started implements sim.Observer; outstanding tasks are read from the View.
func (*Adaptive) Started(*sim.View, *sim.Task, int) {}

// Finished implements sim.Observer: a latency sample of node i.
func (a *Adaptive) Finished(v *sim.View, _ *sim.Task, i int, latency sim.Time) {
	a.lat.size(v.Len())
	a.lat.observe(i, v.Now(), latency)
}

// Failed implements sim.Observer: node i's estimate rises to at least the
// penalty.
func (a *Adaptive) Failed(v *sim.View, _ *sim.Task, i int) {
	if a.penalty <= 0 {
		return
	}
	a.lat.size(v.Len())
	if !a.lat.s[i].sampled || a.lat.s[i].ewma < float64(a.penalty) {
		a.lat.observe(i, v.Now(), a.penalty) // above the estimate: the peak rule sets it
	}
}
