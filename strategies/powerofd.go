package strategies

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim"
)

// PowerOfD samples d distinct nodes uniformly at random and sends the task to
// the one with the fewest tasks in the system (ties: the first sampled).
//
// Mitzenmacher's supermarket model ("The Power of Two Choices in Randomized
// Load Balancing", IEEE TPDS 12(10), 2001): with n → ∞ single-slot
// exponential nodes at load λ the fraction of nodes holding at least i
// tasks is s_i = λ^((d^i − 1)/(d − 1)), and the mean sojourn is
// T_d(λ) = Σ_{i≥1} λ^((d^i − d)/(d − 1)); d = 2 already gives a doubly
// exponential tail against random routing's geometric one. A pick costs O(d).
//
// It samples only healthy nodes (sim.View.Healthy): a drawn node that is out
// of the pool or reported down is redrawn, a bounded number of times, and
// then the d nodes are drawn among the healthy ones by an O(n) scan
// (health.go). With every node healthy the draws are exactly those of the
// plain supermarket model. It drops a task only when no node is healthy.
type PowerOfD struct {
	d    int
	name string
	rng  *sim.Rand
	pick []int
	buf  []int // scratch for the fallback draw among healthy nodes
}

var _ sim.Picker = (*PowerOfD)(nil)

// maxD bounds d: beyond a few dozen samples power-of-d is JSQ at a higher cost.
const maxD = 1 << 16

func newPowerOfD(a Args, rng *sim.Rand) (sim.Strategy, error) {
	d, err := a.Int("power-of-d", "d", 2, 1, maxD)
	if err != nil {
		return nil, err
	}
	return &PowerOfD{d: d, name: fmt.Sprintf("power-of-d(d=%d)", d), rng: rng, pick: make([]int, d)}, nil
}

func newP2C(_ Args, rng *sim.Rand) (sim.Strategy, error) {
	return &PowerOfD{d: 2, name: "p2c", rng: rng, pick: make([]int, 2)}, nil
}

// Name implements sim.Strategy.
func (p *PowerOfD) Name() string { return p.name }

// Pick implements sim.Picker.
func (p *PowerOfD) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	if p.d == 2 && n >= 2 {
		i, j := twoChoices(v, p.rng)
		if n >= sim.PrefetchMinNodes {
			prefetchTwo(v, *p.rng)
		}
		if j < 0 {
			return i // the only healthy node, or Drop
		}
		if v.InSystem(j) < v.InSystem(i) {
			return j
		}
		return i
	}
	d := p.d
	if d > n {
		d = n
	}
	best, bestLen, misses := -1, 0, 0
	for k := 0; k < d; k++ {
		// Rejection sampling for distinct nodes: cheap while d << n, and
		// d <= n keeps it finite.
	draw:
		i := p.rng.IntN(n)
		for _, s := range p.pick[:k] {
			if s == i {
				goto draw
			}
		}
		if !v.Healthy(i) {
			// Bounded: when fewer than d nodes are healthy, every
			// draw is eventually a repeat or a miss.
			if misses++; misses > maxRedraws {
				return p.fallback(v, d)
			}
			goto draw
		}
		p.pick[k] = i
		if q := v.InSystem(i); best < 0 || q < bestLen {
			best, bestLen = i, q
		}
	}
	return best
}

// fallback draws min(d, healthy) distinct healthy nodes by a scan and
// returns the one with the fewest tasks in the system (ties: the first
// drawn), or Drop when no node is healthy.
func (p *PowerOfD) fallback(v *sim.View, d int) int {
	p.buf = sampleHealthy(v, p.rng, d, p.buf)
	best, bestLen := sim.Drop, 0
	for _, i := range p.buf {
		if q := v.InSystem(i); best < 0 || q < bestLen {
			best, bestLen = i, q
		}
	}
	return best
}
