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

// TestLoadIndexBucketsMatchTree: the bucketed index (every weight the
// same) and the segment tree over the same nodes answer Best, BestFrom, Ties and NthBest alike after every one of 4,000
// random changes on clusters of 1 to 9,000 nodes, counts moving by one as
// the engine moves them and sometimes jumping, health changing; both are
// checked against a scan of the View (lowest index of the least count
// among healthy nodes, first such node at or after from, cyclically).
func TestLoadIndexBucketsMatchTree(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		r := NewRand(seed, "loadbuckets")
		n := 1 + r.IntN([]int{70, 700, 9000}[seed%3])
		specs := make([]NodeSpec, n)
		for i := range specs {
			specs[i] = NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
		}
		v := NewView(specs)
		// Some nodes start loaded, as when a strategy asks mid-run.
		for i := 0; i < n; i += 7 {
			v.SetLoad(i, NodeLoad{Active: 1, Queued: int32(r.IntN(3))})
		}
		bx := v.TrackLoad(nil)
		tx := v.trackLoad(nil, true)
		tx.CountTies()
		if bx.b == nil || tx.b != nil {
			t.Fatalf("seed %d: bucketed %v and %v, want true and false", seed, bx.b != nil, tx.b != nil)
		}
		load := make([]NodeLoad, n)
		for i := 0; i < n; i += 7 {
			load[i] = NodeLoad{Active: 1, Queued: int32(v.Queued(i))}
		}
		for step := 0; step < 4000; step++ {
			i := r.IntN(n)
			l := &load[i]
			switch k := r.IntN(20); {
			case k < 9 && l.Queued+l.Active > 0:
				if l.Queued > 0 {
					l.Queued--
				} else {
					l.Active--
				}
			case k < 18:
				if l.Active == 0 {
					l.Active = 1
				} else {
					l.Queued++
				}
			case k == 18:
				l.Down = !l.Down
			default:
				l.Queued = int32(r.IntN(5))
			}
			v.SetLoad(i, *l)
			// The scan.
			var tied []int
			best := -1
			for j := 0; j < n; j++ {
				if !v.Healthy(j) {
					continue
				}
				switch {
				case best < 0 || v.InSystem(j) < best:
					best, tied = v.InSystem(j), append(tied[:0], j)
				case v.InSystem(j) == best:
					tied = append(tied, j)
				}
			}
			from := r.IntN(n + 2)
			want := Drop
			if len(tied) > 0 {
				want = tied[0]
				for _, j := range tied {
					if j >= from && from < n {
						want = j
						break
					}
				}
			}
			for name, x := range map[string]*LoadIndex{"buckets": bx, "tree": tx} {
				if x.Ties() != len(tied) {
					t.Fatalf("seed %d (%d nodes) step %d %s: Ties %d, scan %d", seed, n, step, name, x.Ties(), len(tied))
				}
				if got := x.BestFrom(from); got != want {
					t.Fatalf("seed %d (%d nodes) step %d %s: BestFrom(%d) %d, scan %d", seed, n, step, name, from, got, want)
				}
				if len(tied) == 0 {
					continue
				}
				if x.Best() != tied[0] {
					t.Fatalf("seed %d step %d %s: Best %d, scan %d", seed, step, name, x.Best(), tied[0])
				}
				for _, k := range []int{0, len(tied) / 2, len(tied) - 1, r.IntN(len(tied))} {
					if got := x.NthBest(k); got != tied[k] {
						t.Fatalf("seed %d step %d %s: NthBest(%d) %d, scan %d", seed, step, name, k, got, tied[k])
					}
				}
			}
		}
	}
}
