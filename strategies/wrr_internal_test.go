package strategies

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestWeightedRoundRobinKinetic drives weighted-round-robin on its kinetic
// tree and the scan (the oracle) through the same 30,000 picks on a View
// whose nodes leave and rejoin the pool at random, and requires the same
// choice every time, in three regimes: small integer weights (the tree
// throughout), weights up to 2^48 (the lines are rebased to t = 0 every
// 2^60/(max W+1) picks, here 4,095), and with the exactness bound lowered
// to 2^8 so that the current weights cross it mid-run and the strategy
// hands them to the scan (the fall-back path).
func TestWeightedRoundRobinKinetic(t *testing.T) {
	for _, c := range []struct {
		name    string
		weights []float64
		limit   int64
		tree    bool // still on the tree at the end
	}{
		{"small", []float64{1, 2, 3, 0, 5, 1, 1, 4, 2.5, 0.5}, 1 << 52, true},
		{"large", []float64{math.Ldexp(1, 48), 3, math.Ldexp(3, 40), 1, 7, math.Ldexp(1, 20), 2}, 1 << 52, true},
		{"fallback", []float64{100, 3, 250, 1, 7, 40, 2}, 1 << 8, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func(l int64) { exactLimit = l }(exactLimit)
			exactLimit = c.limit
			specs := make([]sim.NodeSpec, len(c.weights))
			ws := make([]any, len(c.weights))
			for i := range specs {
				specs[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
				ws[i] = c.weights[i]
			}
			v := sim.NewView(specs)
			mk := func(scan bool) *WeightedRoundRobin {
				st, err := newWeightedRoundRobin(Args{"weights": ws, "health": true, "scan": scan}, nil)
				if err != nil {
					t.Fatal(err)
				}
				r := st.(*WeightedRoundRobin)
				if err := r.Init(v); err != nil {
					t.Fatal(err)
				}
				return r
			}
			fast, oracle := mk(false), mk(true)
			if fast.kt == nil {
				t.Fatal("no kinetic tree for weights that allow one")
			}
			rng := sim.NewRand(1, "wrr-kinetic")
			rebased := false
			for k := 0; k < 30000; k++ {
				if rng.IntN(50) == 0 {
					i := rng.IntN(len(specs))
					v.SetLoad(i, sim.NodeLoad{Down: rng.IntN(2) == 0, Out: rng.IntN(3) == 0})
				}
				before := fast.t
				a, b := fast.Pick(v, nil), oracle.Pick(v, nil)
				if a != b {
					t.Fatalf("pick %d: kinetic %d, scan %d", k, a, b)
				}
				if fast.kt != nil && fast.t < before {
					rebased = true
				}
			}
			if (fast.kt != nil) != c.tree {
				t.Fatalf("on the tree at the end: %v, want %v", fast.kt != nil, c.tree)
			}
			if c.name == "large" && !rebased {
				t.Fatal("the lines were never rebased")
			}
		})
	}
}
