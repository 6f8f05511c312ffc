package strategies

import "github.com/fleetsim/fleetsim/sim"

// Every placement strategy that ranks nodes by a score of their own is a
// NodeScorer, so the kube-default profile can use it as its
// NodeResourcesFit scorer: NodeScore is the very score its Place ranks the
// feasible nodes by. first-fit (and topology-fit, which is first-fit for a
// single-node task) scores a node by its negated index, so the lowest index
// wins; random scores every node the same, leaving the choice to the
// caller's uniform tie-break. The workflow list schedulers (heft, cpop,
// critical-path, ready-fifo, min-min, max-min) choose by earliest finish
// time over a DAG's plan, not by a per-node score, and are no NodeScorer.

var (
	_ NodeScorer = (*BestFit)(nil)
	_ NodeScorer = (*WorstFit)(nil)
	_ NodeScorer = (*DotProduct)(nil)
	_ NodeScorer = (*GPUPacking)(nil)
	_ NodeScorer = (*GPUClustering)(nil)
	_ NodeScorer = (*LeastAllocated)(nil)
	_ NodeScorer = (*MostAllocated)(nil)
	_ NodeScorer = (*BalancedAllocation)(nil)
	_ NodeScorer = FirstFit{}
	_ NodeScorer = TopologyFit{}
	_ NodeScorer = (*Random)(nil)
)

// Prepare implements NodeScorer (no state to bring up to date).
func (b *BestFit) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (b *BestFit) NodeScore(v *sim.View, t *sim.Task, i int) float64 { return b.scorer(v, t)(i) }

// Prepare implements NodeScorer (no state to bring up to date).
func (w *WorstFit) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (w *WorstFit) NodeScore(v *sim.View, t *sim.Task, i int) float64 { return w.scorer(v, t)(i) }

// Prepare implements NodeScorer (no state to bring up to date).
func (d *DotProduct) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (d *DotProduct) NodeScore(v *sim.View, t *sim.Task, i int) float64 { return d.scorer(v, t)(i) }

// Prepare implements NodeScorer (no state to bring up to date).
func (g *GPUPacking) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (g *GPUPacking) NodeScore(v *sim.View, t *sim.Task, i int) float64 { return g.scorer(v, t)(i) }

// Prepare implements NodeScorer (its kinds per node are kept by the
// Observer hooks).
func (g *GPUClustering) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (g *GPUClustering) NodeScore(v *sim.View, t *sim.Task, i int) float64 {
	return g.scorer(v, t)(i)
}

// Prepare implements NodeScorer (no state to bring up to date).
func (l *LeastAllocated) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (l *LeastAllocated) NodeScore(v *sim.View, t *sim.Task, i int) float64 {
	return l.scorer(v, t)(i)
}

// Prepare implements NodeScorer (no state to bring up to date).
func (m *MostAllocated) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (m *MostAllocated) NodeScore(v *sim.View, t *sim.Task, i int) float64 {
	return m.scorer(v, t)(i)
}

// Prepare implements NodeScorer (no state to bring up to date).
func (b *BalancedAllocation) Prepare(*sim.View) {}

// NodeScore implements NodeScorer.
func (b *BalancedAllocation) NodeScore(v *sim.View, t *sim.Task, i int) float64 {
	return b.scorer(v, t)(i)
}

// Prepare implements NodeScorer (no state).
func (FirstFit) Prepare(*sim.View) {}

// NodeScore implements NodeScorer: the lowest index scores highest.
func (FirstFit) NodeScore(_ *sim.View, _ *sim.Task, i int) float64 { return -float64(i) }

// Prepare implements NodeScorer (no state).
func (r *Random) Prepare(*sim.View) {}

// NodeScore implements NodeScorer: every node the same.
func (r *Random) NodeScore(*sim.View, *sim.Task, int) float64 { return 0 }
