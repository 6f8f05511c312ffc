package strategies

import (
	"fmt"
	"math"

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
// index instead.
//
// A pick costs O(log² n) amortised: with every weight a multiple of a
// common power of two (integers, halves, 1.5, ...; 2^-k·W with integer W,
// Σ W ≤ 2^50), each eligible node's current weight is a line in the number
// of picks, base + W·t, exact in integers, so the node of the largest one
// (the lowest index among equals, as the scan keeps) is the top of a
// kinetic tournament tree over those lines (kinetic.go), which the View's
// change notifications (sim.View.Watch) keep current as nodes leave and
// rejoin. The integers equal nginx's floating-point current weights
// exactly as long as these stay below 2^52·2^-k, so the choices are the
// same; weights that are not such multiples (speed 1.2, say), or current
// weights that grow past that bound, fall back to the O(n) scan of the
// floating-point current weights. With scan: true it always scans, the
// original kept as the oracle.
//
// Like round-robin it knows pool membership but not health: it skips nodes
// out of the pool (sim.View.Member) and, with health: true, unhealthy ones
// too. As in nginx, a skipped node's current weight does not grow and the
// chosen node's drops by the total weight of the nodes that took part.
type WeightedRoundRobin struct {
	weights []float64 // explicit, or nil for capacity
	health  bool
	scan    bool
	w, cur  []float64
	total   float64

	// The index (nil with scan, or when the weights do not allow it).
	view   *sim.View
	kt     *kinetic
	scale  int     // W = w·2^scale
	iw     []int64 // W of each node (0 when w ≤ 0)
	elig   []bool  // in kt: W > 0 and eligible
	totalE int64   // Σ W over eligible nodes
	t      int64   // picks since the time origin of kt's lines
	period int64   // picks after which the lines are rebased to t = 0
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
	scan, err := a.Bool("weighted-round-robin", "scan", false)
	if err != nil {
		return nil, err
	}
	return &WeightedRoundRobin{weights: ws, health: h, scan: scan}, nil
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
	r.kt, r.view = nil, nil
	if !r.scan {
		r.index(v)
	}
	return nil
}

// exactLimit bounds the current weights (times 2^scale) that float64 holds
// exactly, so that the integers and nginx's floats agree (a variable for
// the test of the fall-back).
var exactLimit int64 = 1 << 52

// index sets up the kinetic tree when the weights are multiples of a
// common power of two small enough to keep every sum exact.
func (r *WeightedRoundRobin) index(v *sim.View) {
	n := len(r.w)
	scale := -1
	for k := 0; k <= 60 && scale < 0; k++ {
		ok := true
		for _, w := range r.w {
			if w > 0 {
				x := math.Ldexp(w, k)
				if x != math.Trunc(x) || x >= float64(exactLimit) {
					ok = false
					break
				}
			}
		}
		if ok {
			scale = k
		}
	}
	if scale < 0 {
		return
	}
	iw := make([]int64, n)
	var sum, maxW int64
	for i, w := range r.w {
		if w > 0 {
			iw[i] = int64(math.Ldexp(w, scale))
			if sum += iw[i]; sum > 1<<50 {
				return
			}
			maxW = max(maxW, iw[i])
		}
	}
	r.view, r.scale, r.iw, r.t = v, scale, iw, 0
	r.period = min(int64(1)<<40, (int64(1)<<60)/(maxW+1))
	r.elig = make([]bool, n)
	r.kt = newKinetic(n)
	r.totalE = 0
	for i := range iw {
		r.elig[i] = iw[i] > 0 && eligible(v, i, r.health)
		if r.elig[i] {
			r.kt.slope[i] = iw[i]
			r.totalE += iw[i]
		}
		r.kt.leaf(i, r.elig[i])
	}
	r.kt.build(0)
	v.Watch(r.update)
}

// update is the View's change notification: node i may have left or
// rejoined the nodes that take part.
func (r *WeightedRoundRobin) update(i int) {
	if r.kt == nil || r.iw[i] <= 0 {
		return
	}
	e := eligible(r.view, i, r.health)
	if e == r.elig[i] {
		return
	}
	k := r.kt
	cur := k.val(int32(i), r.t)
	if e {
		k.slope[i], k.base[i] = r.iw[i], cur-r.iw[i]*r.t
		r.totalE += r.iw[i]
	} else {
		k.slope[i], k.base[i] = 0, cur
		r.totalE -= r.iw[i]
	}
	r.elig[i] = e
	k.set(i, e, r.t)
}

// toFloat leaves the index for the scan, handing it the current weights,
// which the integers hold exactly.
func (r *WeightedRoundRobin) toFloat() {
	for i := range r.cur {
		r.cur[i] = math.Ldexp(float64(r.kt.val(int32(i), r.t)), -r.scale)
	}
	r.kt = nil
}

// pickIndexed is Pick on the kinetic tree; ok is false when it had to
// fall back to the scan.
func (r *WeightedRoundRobin) pickIndexed() (best int, ok bool) {
	k := r.kt
	t := r.t + 1
	b := k.top(t)
	if b < 0 {
		return sim.Drop, true // no node takes part: nothing grows
	}
	m := k.val(int32(b), t)
	if m >= exactLimit || m <= -exactLimit || m-r.totalE <= -exactLimit || m-r.totalE >= exactLimit {
		r.toFloat()
		return 0, false
	}
	r.t = t
	k.base[b] -= r.totalE
	k.set(b, true, t)
	if r.t >= r.period {
		for i := range k.base {
			k.base[i] += k.slope[i] * r.t
		}
		r.t = 0
		k.build(0)
	}
	return b, true
}

// Pick implements sim.Picker.
func (r *WeightedRoundRobin) Pick(v *sim.View, _ *sim.Task) int {
	if len(r.w) != v.Len() {
		if err := r.Init(v); err != nil {
			return sim.Drop
		}
	}
	if r.kt != nil {
		if r.view != v {
			r.toFloat() // another View: the scan, from the same state
		} else if best, ok := r.pickIndexed(); ok {
			return best
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
