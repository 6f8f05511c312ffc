package strategies

import "github.com/fleetsim/fleetsim/sim"

// Random sends each task to a node drawn uniformly at random.
//
// Behind Poisson arrivals each of n identical nodes then sees a Poisson
// stream of rate λ/n (thinning), so a single-slot node is an M/M/1 queue
// when service is exponential: the textbook baseline every other strategy
// is measured against.
type Random struct {
	rng *sim.Rand
}

var _ sim.Picker = (*Random)(nil)

func newRandom(_ Args, rng *sim.Rand) (sim.Strategy, error) { return &Random{rng: rng}, nil }

// Name implements sim.Strategy.
func (*Random) Name() string { return "random" }

// Pick implements sim.Picker.
func (r *Random) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	return r.rng.IntN(n)
}
