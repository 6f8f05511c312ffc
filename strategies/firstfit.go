package strategies

import "github.com/fleetsim/fleetsim/sim"

// FirstFit places a task on the lowest-indexed node it fits on
// (sim.View.Fits: free CPU, memory, an allowed GPU model and enough free
// GPUs) and takes the GPUs View.PickGPUs chooses there: for a share, the
// GPU with the least free share that still fits; for whole GPUs, the
// lowest-indexed free ones.
//
// First fit is the classic bin-packing heuristic (Johnson et al., "Worst-
// case performance bounds for simple one-dimensional packing algorithms",
// SIAM J. Comput. 3(4), 1974). The FGD artifact's FirstFitScore plugin
// gives every node the same score and so relies on the node list order;
// here the order is the node index. A decision costs O(nodes) in the worst
// case and stops at the first fit.
type FirstFit struct{}

var _ sim.Placer = FirstFit{}

func newFirstFit(Args, *sim.Rand) (sim.Strategy, error) { return FirstFit{}, nil }

// Name implements sim.Strategy.
func (FirstFit) Name() string { return "first-fit" }

// Place implements sim.Placer.
func (FirstFit) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	for i := 0; i < v.Len(); i++ {
		if v.Fits(i, t) {
			p.Node = i
			p.GPUs = v.PickGPUs(i, t, p.GPUs[:0])
			return true
		}
	}
	return false
}
