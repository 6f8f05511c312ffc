package strategies

import (
	"fmt"
	"sort"

	"github.com/fleetsim/fleetsim/sim"
)

// ResourceBased balances on scraped resource metrics, as a balancer fed by
// a monitoring system does (Prometheus scrapes feeding a custom balancer,
// HAProxy's agent-check weights, or Kubernetes' metrics-server): it never
// reads live load, only what it recorded at its last scrape, so its view is
// up to one scrape interval stale.
//
// At every scrape (sim.Ticker, every `scrape`) it records each node's free
// score, the mean over the node's resources of 1 − used, each used share
// clamped to [0, 1]:
//
//   - cpu: Background + CPUUsed/CPU when the node declares CPU and its
//     running tasks hold some (they declare requests); otherwise
//     Background plus (1 − Background) × Active/Slots, the busy share of
//     what the background load leaves;
//   - memory: MemoryUsed/Memory when the node declares memory and its
//     running tasks hold some; otherwise Active/Slots;
//   - gpu, on nodes with GPUs only: Active/Slots.
//
// A node's weight is its free score × Speed × Slots, the capacity it had
// free at the scrape; before the first scrape every node counts as free
// (score 1). Health, unlike load, is read live: only healthy nodes
// (sim.View.Healthy) are chosen, and a task is dropped only when none is.
//
// The choice is random, with probability proportional to the weight, not
// the node with the most free capacity: with stale information every
// balancer that picks the apparently least-loaded node sends it all the
// work until the next scrape (herd behaviour), which Mitzenmacher ("How
// Useful Is Old Information?", IEEE TPDS 11(1), 2000) shows can be worse
// than random; proportional choice spreads the work in the shares the
// scrape saw. When every healthy node was scraped with no free capacity
// the choice is in proportion to capacity (Speed × Slots) among the healthy
// nodes, as before the first scrape. The metrics saturate at a full node:
// a node with a long queue looks like one that is merely full, as CPU and
// memory utilisation do.
//
// A pick costs O(1) expected (a guide table into the scraped weights'
// prefix sums, rebuilt at each scrape, then a short walk: the answer of a
// binary search) while the drawn node is healthy; after maxRedraws unhealthy draws
// it falls back to an O(n) weighted draw among the healthy nodes.
type ResourceBased struct {
	every sim.Time
	name  string
	rng   *sim.Rand
	w     []float64 // scraped weight of each node
	cum   []float64 // cum[i] = w[0] + ... + w[i]
	guide []int32   // guide[k]: the first i with cum[i] > k·total/len(guide)
}

var (
	_ sim.Picker      = (*ResourceBased)(nil)
	_ sim.Ticker      = (*ResourceBased)(nil)
	_ sim.Initializer = (*ResourceBased)(nil)
)

func newResourceBased(a Args, rng *sim.Rand) (sim.Strategy, error) {
	every, err := a.Duration("resource-based", "scrape", 10*sim.Second, sim.Millisecond, 365*24*sim.Hour)
	if err != nil {
		return nil, err
	}
	name := "resource-based"
	if every != 10*sim.Second {
		name = fmt.Sprintf("resource-based(scrape=%v)", every)
	}
	return &ResourceBased{every: every, name: name, rng: rng}, nil
}

// Name implements sim.Strategy.
func (r *ResourceBased) Name() string { return r.name }

// Every implements sim.Ticker: the scrape interval.
func (r *ResourceBased) Every() sim.Time { return r.every }

// Init implements sim.Initializer: every node starts free.
func (r *ResourceBased) Init(v *sim.View) error {
	n := v.Len()
	r.w = make([]float64, n)
	r.cum = make([]float64, n)
	r.guide = make([]int32, n)
	r.capacity(v)
	return nil
}

// capacity weighs every node by its capacity, as if all were free.
func (r *ResourceBased) capacity(v *sim.View) {
	for i := range r.w {
		s := v.Spec(i)
		r.w[i] = s.Speed * float64(s.Slots)
	}
	r.sum()
}

// Tick implements sim.Ticker: a scrape of every node's free capacity.
func (r *ResourceBased) Tick(v *sim.View) {
	if len(r.w) != v.Len() {
		_ = r.Init(v)
	}
	total := 0.0
	for i := range r.w {
		s := v.Spec(i)
		r.w[i] = freeScore(v, i) * s.Speed * float64(s.Slots)
		total += r.w[i]
	}
	if total == 0 {
		// Nothing free anywhere: by capacity, as before any scrape.
		r.capacity(v)
		return
	}
	r.sum()
}

func (r *ResourceBased) sum() {
	t := 0.0
	for i, w := range r.w {
		t += w
		r.cum[i] = t
	}
	// The guide table (Chen and Asau, 1974): where the search for a
	// draw in each of len(guide) equal slices of [0, total) may start.
	g, i := len(r.guide), 0
	for k := range r.guide {
		x := float64(k) * t / float64(g)
		for i < len(r.cum)-1 && r.cum[i] <= x {
			i++
		}
		r.guide[k] = int32(i)
	}
}

// draw is the node of u in [0, total): the first with cum[i] > u (its
// weight is > 0), n when rounding left none. It starts at the guide
// table's entry for u's slice, checked (the binary search when rounding
// put it past the answer), and walks forward: O(1) expected, the same
// answer as a binary search.
func (r *ResourceBased) draw(u, total float64) int {
	n := len(r.cum)
	k := int(u / total * float64(len(r.guide)))
	k = min(max(k, 0), len(r.guide)-1)
	i := int(r.guide[k])
	if i > 0 && r.cum[i-1] > u {
		i = sort.SearchFloat64s(r.cum, u)
	}
	for i < n && r.cum[i] <= u {
		i++
	}
	return i
}

// freeScore is the free share of node i's resources that ResourceBased
// scrapes: the mean of 1 − used over cpu, memory and (on GPU nodes) gpu, in
// [0, 1]. See ResourceBased for the definition of each used share.
func freeScore(v *sim.View, i int) float64 {
	s := v.Spec(i)
	active := 1.0
	if s.Slots > 0 {
		active = clamp01(float64(v.Active(i)) / float64(s.Slots))
	}
	bg := clamp01(s.Background)
	cpu := bg + float64((1-bg)*active)
	if s.CPU > 0 && v.CPUUsed(i) > 0 {
		cpu = bg + float64(v.CPUUsed(i))/float64(s.CPU)
	}
	mem := active
	if s.Memory > 0 && v.MemoryUsed(i) > 0 {
		mem = float64(v.MemoryUsed(i)) / float64(s.Memory)
	}
	free, k := (1-clamp01(cpu))+(1-clamp01(mem)), 2.0
	if s.GPUs > 0 {
		free += 1 - active
		k++
	}
	return clamp01(free / k)
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || x != x:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// Pick implements sim.Picker.
func (r *ResourceBased) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	if len(r.w) != n {
		_ = r.Init(v)
	}
	if total := r.cum[n-1]; total > 0 {
		for k := 0; k <= maxRedraws; k++ {
			u := r.rng.Float64() * total
			// The first prefix sum above u: its node has weight > 0.
			i := r.draw(u, total)
			if i < n && v.Healthy(i) {
				return i
			}
		}
	}
	// Fallback: a weighted draw among the healthy nodes by a scan; when
	// none of them had free capacity at the scrape, by capacity.
	if i := weightedHealthy(v, r.rng, func(i int) float64 { return r.w[i] }); i != sim.Drop {
		return i
	}
	if i := weightedHealthy(v, r.rng, func(i int) float64 { s := v.Spec(i); return s.Speed * float64(s.Slots) }); i != sim.Drop {
		return i
	}
	if h := countHealthy(v); h > 0 {
		return nthHealthy(v, r.rng.IntN(h))
	}
	return sim.Drop
}

// weightedHealthy draws a healthy node with probability proportional to
// w(i) (negative weights count as 0) by an O(n) scan. It returns Drop when
// no healthy node has a positive weight.
func weightedHealthy(v *sim.View, rng *sim.Rand, w func(int) float64) int {
	total := 0.0
	for i := 0; i < v.Len(); i++ {
		if x := w(i); x > 0 && v.Healthy(i) {
			total += x
		}
	}
	if !(total > 0) {
		return sim.Drop
	}
	u := rng.Float64() * total
	last := sim.Drop
	for i := 0; i < v.Len(); i++ {
		x := w(i)
		if !(x > 0) || !v.Healthy(i) {
			continue
		}
		last = i
		if u -= x; u < 0 {
			return i
		}
	}
	return last // rounding left u >= 0 past the last weight
}
