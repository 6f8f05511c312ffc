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
//
// It models DNS round robin, which knows the members of the pool (service
// discovery) but not their health: it skips nodes that are out of the pool
// (sim.View.Member) and, by default, keeps sending work to members that
// health checks report down, whose tasks then fail as clients of a stale DNS
// record do. With health: true it skips unhealthy members too, as a
// balancer with health checks (nginx, HAProxy) does. It drops a task only
// when no node qualifies.
type RoundRobin struct {
	health bool
	next   int
}

var _ sim.Picker = (*RoundRobin)(nil)

func newRoundRobin(a Args, _ *sim.Rand) (sim.Strategy, error) {
	h, err := a.Bool("round-robin", "health", false)
	if err != nil {
		return nil, err
	}
	return &RoundRobin{health: h}, nil
}

// Name implements sim.Strategy.
func (r *RoundRobin) Name() string {
	if r.health {
		return "round-robin(health)"
	}
	return "round-robin"
}

// Pick implements sim.Picker.
func (r *RoundRobin) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	for k := 0; k < n; k++ {
		if r.next >= n {
			r.next = 0
		}
		i := r.next
		r.next++
		if eligible(v, i, r.health) {
			return i
		}
	}
	return sim.Drop
}

// eligible reports whether the health-unaware round robins may send work
// to node i: a member of the pool and, with health, healthy.
func eligible(v *sim.View, i int, health bool) bool {
	if health {
		return v.Healthy(i)
	}
	return v.Member(i)
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
//
// Like round-robin it knows pool membership but not health: it skips nodes
// out of the pool (sim.View.Member) and, with health: true, unhealthy ones
// too. As in nginx, a skipped node's current weight does not grow and the
// chosen node's drops by the total weight of the nodes that took part.
type WeightedRoundRobin struct {
	weights []float64 // explicit, or nil for capacity
	health  bool
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
	h, err := a.Bool("weighted-round-robin", "health", false)
	if err != nil {
		return nil, err
	}
	return &WeightedRoundRobin{weights: ws, health: h}, nil
}

// Name implements sim.Strategy.
func (r *WeightedRoundRobin) Name() string {
	if r.health {
		return "weighted-round-robin(health)"
	}
	return "weighted-round-robin"
}

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
	best, total := sim.Drop, 0.0
	for i, w := range r.w {
		if w <= 0 || !eligible(v, i, r.health) {
			continue
		}
		r.cur[i] += w
		total += w
		if best < 0 || r.cur[i] > r.cur[best] {
			best = i
		}
	}
	if best >= 0 {
		// The total of the nodes that took part (nginx's total): with
		// every node eligible it is r.total, summed in the same order.
		r.cur[best] -= total
	}
	return best
}
