package strategies

import "github.com/fleetsim/fleetsim/sim"

// Random sends each task to a node drawn uniformly at random.
//
// Behind Poisson arrivals each of n identical nodes then sees a Poisson
// stream of rate λ/n (thinning), so a single-slot node is an M/M/1 queue
// when service is exponential: the textbook baseline every other strategy
// is measured against.
//
// As a balancer it draws only among healthy nodes (sim.View.Healthy): a
// drawn node that is out of the pool or reported down is redrawn a bounded
// number of times, then one is drawn by rank among the healthy nodes, so
// the choice stays uniform over them (health.go). With every node healthy
// the draws are exactly one per task, as before. It drops a task only when
// no node is healthy.
//
// As a placement strategy (central queueing) it draws uniformly among the
// nodes the task fits on, and for a GPU share uniformly among the node's
// GPUs with enough free share; whole GPUs are the lowest-indexed free ones.
// This is the Random baseline of Weng et al., "Beware of Fragmentation"
// (USENIX ATC '23): the artifact's RandomScore plugin gives the maximum
// score to one node drawn uniformly from the filtered (feasible) ones, and
// runs with its random GPU selection (allocateGpuIdBasedOnRandomFit).
type Random struct {
	rng  *sim.Rand
	fits []int
}

var (
	_ sim.Picker = (*Random)(nil)
	_ sim.Placer = (*Random)(nil)
)

func newRandom(_ Args, rng *sim.Rand) (sim.Strategy, error) { return &Random{rng: rng}, nil }

// Name implements sim.Strategy.
func (*Random) Name() string { return "random" }

// Pick implements sim.Picker.
func (r *Random) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	i := r.rng.IntN(n)
	if n >= sim.PrefetchMinNodes {
		next := *r.rng // the next draw, if the cluster stays as it is, without advancing the stream
		v.Prefetch(next.IntN(n))
	}
	if v.Healthy(i) {
		return i
	}
	return uniformHealthy(v, r.rng)
}

// Place implements sim.Placer.
func (r *Random) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	r.fits = r.fits[:0]
	for i := 0; i < v.Len(); i++ {
		if v.Fits(i, t) {
			r.fits = append(r.fits, i)
		}
	}
	if len(r.fits) == 0 {
		return false
	}
	p.Node = r.fits[r.rng.IntN(len(r.fits))]
	p.GPUs = randomGPUs(v, p.Node, t, r.rng, p.GPUs[:0])
	return true
}
