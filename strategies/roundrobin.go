package strategies

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
)

// RoundRobin sends tasks to nodes 0, 1, …, n-1, 0, 1, … in turn.
//
// Behind Poisson arrivals of rate λ each of n nodes receives every n-th
// arrival: Erlang-n interarrival times of rate λ per phase, so a single-slot
// exponential node is an E_n/M/1 queue (tested against that formula).
type RoundRobin struct {
	next int
}

var _ sim.Picker = (*RoundRobin)(nil)

func newRoundRobin(_ Args, _ *sim.Rand) (sim.Strategy, error) { return &RoundRobin{}, nil }

// Name implements sim.Strategy.
func (*RoundRobin) Name() string { return "round-robin" }

// Pick implements sim.Picker.
func (r *RoundRobin) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	if r.next >= n {
		r.next = 0
	}
	i := r.next
	r.next++
	return i
}

// WeightedRoundRobin is nginx's smooth weighted round robin: at each pick
// every node's current weight grows by its weight, the node with the largest
// current weight is chosen, and its current weight drops by the total.
// Over any window of W = Σ weights picks node i is chosen exactly w_i times,
// interleaved rather than in bursts (nginx, ngx_http_upstream_round_robin.c).
//
// Weights default to each node's capacity, speed × slots, so faster nodes
// get proportionally more work; the `weights` parameter sets them by node
// index instead. A pick costs O(n).
type WeightedRoundRobin struct {
	weights []float64 // explicit, or nil for capacity
	w, cur  []float64
	total   float64
}

var (
	_ sim.Picker      = (*WeightedRoundRobin)(nil)
	_ sim.Initializer = (*WeightedRoundRobin)(nil)
)

func newWeightedRoundRobin(a Args, _ *sim.Rand) (sim.Strategy, error) {
	ws, err := a.FloatList("weighted-round-robin", "weights")
	if err != nil {
		return nil, err
	}
	return &WeightedRoundRobin{weights: ws}, nil
}

// Name implements sim.Strategy.
func (*WeightedRoundRobin) Name() string { return "weighted-round-robin" }

// Init implements sim.Initializer: it fixes the weights.
func (r *WeightedRoundRobin) Init(v *sim.View) error {
	n := v.Len()
	if r.weights != nil && len(r.weights) != n {
		return &ParamError{Strategy: "weighted-round-robin", Param: "weights",
			Msg: fmt.Sprintf("expected one weight per node (%d), got %d", n, len(r.weights))}
	}
	r.w = make([]float64, n)
	r.cur = make([]float64, n)
	r.total = 0
	for i := range r.w {
		if r.weights != nil {
			r.w[i] = r.weights[i]
		} else {
			s := v.Spec(i)
			r.w[i] = s.Speed * float64(s.Slots)
		}
		r.total += r.w[i]
	}
	if n > 0 && r.total <= 0 {
		return &ParamError{Strategy: "weighted-round-robin", Param: "weights", Msg: "expected at least one weight > 0"}
	}
	return nil
}

// Pick implements sim.Picker.
func (r *WeightedRoundRobin) Pick(v *sim.View, _ *sim.Task) int {
	if len(r.w) != v.Len() {
		if err := r.Init(v); err != nil {
			return sim.Drop
		}
	}
	best := sim.Drop
	for i, w := range r.w {
		if w <= 0 {
			continue
		}
		r.cur[i] += w
		if best < 0 || r.cur[i] > r.cur[best] {
			best = i
		}
	}
	if best >= 0 {
		r.cur[best] -= r.total
	}
	return best
}
