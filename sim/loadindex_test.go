package sim

import (
	"fmt"
	"testing"
)

// TestLoadIndexTies: after every one of 20,000 random load and health
// changes (SetLoad) on clusters of 1 to 70 nodes, weighted or not, the
// index's Best, Ties and every NthBest agree with a scan of the View:
// Best is the lowest index of the least load per weight among healthy
// nodes, Ties the number of healthy nodes of that load, NthBest(r) the
// r-th of them in index order.
func TestLoadIndexTies(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := NewRand(seed, "loadindex")
		n := 1 + r.IntN(70)
		specs := make([]NodeSpec, n)
		for i := range specs {
			specs[i] = NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1 + r.IntN(3), Speed: 1}
		}
		v := NewView(specs)
		var weight func(int) float64
		if seed%2 == 0 {
			weight = func(i int) float64 { return float64(specs[i].Slots) }
		}
		x := v.TrackLoad(weight)
		x.CountTies()
		w := func(i int) float64 {
			if weight == nil {
				return 1
			}
			return weight(i)
		}
		for step := 0; step < 1000; step++ {
			i := r.IntN(n)
			v.SetLoad(i, NodeLoad{Active: int32(r.IntN(3)), Queued: int32(r.IntN(2)), Down: r.IntN(6) == 0, Out: r.IntN(10) == 0})
			var tied []int
			for j := 0; j < n; j++ {
				if !v.Healthy(j) {
					continue
				}
				if len(tied) > 0 {
					a, b := float64(v.InSystem(j))*w(tied[0]), float64(v.InSystem(tied[0]))*w(j)
					if a > b {
						continue
					}
					if a < b {
						tied = tied[:0]
					}
				}
				tied = append(tied, j)
			}
			if x.Ties() != len(tied) {
				t.Fatalf("seed %d step %d: Ties %d, scan %d (%v)", seed, step, x.Ties(), len(tied), tied)
			}
			if len(tied) == 0 {
				if x.Best() != Drop || x.NthBest(0) != Drop {
					t.Fatalf("seed %d step %d: nothing healthy, Best %d", seed, step, x.Best())
				}
				continue
			}
			if x.Best() != tied[0] {
				t.Fatalf("seed %d step %d: Best %d, scan %d", seed, step, x.Best(), tied[0])
			}
			for k, want := range tied {
				if got := x.NthBest(k); got != want {
					t.Fatalf("seed %d step %d: NthBest(%d) %d, scan %d (%v)", seed, step, k, got, want, tied)
				}
			}
		}
	}
}
