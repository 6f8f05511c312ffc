package strategies

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestFreeScore checks the scraped free score against its definition on
// hand-computed nodes.
func TestFreeScore(t *testing.T) {
	v := sim.NewView([]sim.NodeSpec{
		{Name: "bg", Slots: 4, Speed: 1, Background: 0.2},                           // cpu .2 + .8 × 2/4 = .6, mem .5
		{Name: "cpu", Slots: 4, Speed: 1, CPU: 1000, Memory: 1000, Background: 0.1}, // cpu .1 + .3, mem .5
		{Name: "gpu", Slots: 2, Speed: 1, GPUs: 8},                                  // cpu .5, mem .5, gpu .5
		{Name: "over", Slots: 1, Speed: 1, CPU: 1000, Background: 0.5},              // cpu .5 + 1 → 1, mem 1
		{Name: "idle", Slots: 3, Speed: 1, Background: 0.3},                         // cpu .3, mem 0
	})
	v.SetLoad(0, sim.NodeLoad{Active: 2, Queued: 5})
	v.SetLoad(1, sim.NodeLoad{Active: 1})
	v.SetUsed(1, 300, 500)
	v.SetLoad(2, sim.NodeLoad{Active: 1})
	v.SetLoad(3, sim.NodeLoad{Active: 1})
	v.SetUsed(3, 1000, 0)
	for i, want := range []float64{(0.4 + 0.5) / 2, (0.6 + 0.5) / 2, 0.5, 0, (0.7 + 1) / 2} {
		if got := freeScore(v, i); math.Abs(got-want) > 1e-12 {
			t.Errorf("node %s: free score %g, want %g", v.Spec(i).Name, got, want)
		}
	}
}
