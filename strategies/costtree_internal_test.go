package strategies

import (
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestCostTreeMatchesScan: after every fourth of 3,000 random changes (costs
// and outstanding counts from a few values, so that many leaves tie;
// leaves leaving and coming back; two in three marked, their paths
// repaired at the next read) on trees of 1 to 300 leaves, bestFrom
// from every position is the choice of a scan from there that keeps the
// first strictly better leaf in cyclic order, and the root's tie count is
// the number of leaves with the best key.
func TestCostTreeMatchesScan(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		r := sim.NewRand(seed, "costtree")
		n := 1 + r.IntN(300)
		c := newCostTree(n)
		type leaf struct {
			in   bool
			cost float64
			out  int32
		}
		leaves := make([]leaf, n)
		for i := range leaves {
			leaves[i] = leaf{r.IntN(4) > 0, float64(r.IntN(3)), int32(r.IntN(2))}
			c.leaf(i, leaves[i].in, leaves[i].cost, leaves[i].out)
		}
		c.rebuild()
		for step := 0; step < 3000; step++ {
			i := r.IntN(n)
			leaves[i] = leaf{r.IntN(5) > 0, float64(r.IntN(3)), int32(r.IntN(2))}
			if step%3 == 0 {
				c.set(i, leaves[i].in, leaves[i].cost, leaves[i].out)
			} else {
				c.mark(i, leaves[i].in, leaves[i].cost, leaves[i].out) // repaired at the next bestFrom
			}
			if step%4 != 0 {
				continue // several changes between reads
			}
			ties := 0
			var best costKey
			best.idx = -1
			for j, l := range leaves {
				if !l.in {
					continue
				}
				k := costKey{cost: l.cost, out: l.out, idx: int32(j)}
				switch {
				case best.idx < 0 || k.before(best):
					best, ties = k, 1
				case !best.before(k):
					ties++
				}
			}
			from := r.IntN(n + 1)
			want := -1
			for k := 0; k < n; k++ {
				j := (from + k) % n
				if !leaves[j].in {
					continue
				}
				kj := costKey{cost: leaves[j].cost, out: leaves[j].out}
				if want < 0 || kj.before(costKey{cost: leaves[want].cost, out: leaves[want].out}) {
					want = j
				}
			}
			if got := c.bestFrom(from); got != want {
				t.Fatalf("seed %d (%d leaves) step %d: bestFrom(%d) %d, scan %d", seed, n, step, from, got, want)
			}
			// bestFrom repaired the marked paths.
			if best.idx >= 0 && c.t[1].ties != int32(ties) {
				t.Fatalf("seed %d step %d: %d ties at the root, scan %d", seed, step, c.t[1].ties, ties)
			}
		}
	}
}
