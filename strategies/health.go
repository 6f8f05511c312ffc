package strategies

import "github.com/fleetsim/fleetsim/sim"

// Health handling shared by the randomised balancers (random, power-of-d,
// p2c, adaptive). They draw nodes uniformly from all v.Len() indexes, as
// before health existed, so that a cluster whose nodes are all healthy sees
// exactly the draws it always did. Only when a drawn node is unhealthy (out
// of the pool, or reported down) do they draw again, at most maxRedraws
// times, and then fall back to an O(n) choice among the healthy nodes.
//
// Every stage draws uniformly among the healthy nodes (rejection sampling
// is exact, and the fallback counts the healthy nodes and draws a rank among
// them), so the choice stays uniform over the healthy nodes however many
// are down. A scan from a random start would not be: it favours a healthy
// node that follows a run of unhealthy ones.

// maxRedraws bounds the extra draws after an unhealthy node is drawn. With
// a fraction f of the nodes unhealthy the fallback scan runs with
// probability f^maxRedraws per missing node.
const maxRedraws = 8

// countHealthy is the number of healthy nodes of v.
func countHealthy(v *sim.View) int {
	h := 0
	for i := 0; i < v.Len(); i++ {
		if v.Healthy(i) {
			h++
		}
	}
	return h
}

// nthHealthy is the index of the k-th healthy node (from 0), or Drop when
// there are at most k.
func nthHealthy(v *sim.View, k int) int {
	for i := 0; i < v.Len(); i++ {
		if v.Healthy(i) {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return sim.Drop
}

// uniformHealthy draws a node uniformly among the healthy ones: first by
// redrawing, then by counting. It returns Drop when no node is healthy.
// The caller has already drawn one unhealthy node.
func uniformHealthy(v *sim.View, rng *sim.Rand) int {
	n := v.Len()
	for k := 0; k < maxRedraws; k++ {
		if i := rng.IntN(n); v.Healthy(i) {
			return i
		}
	}
	h := countHealthy(v)
	if h == 0 {
		return sim.Drop
	}
	return nthHealthy(v, rng.IntN(h))
}

// twoChoices draws two distinct nodes uniformly, without rejection (j is
// uniform over the n-1 nodes other than i), for the power of two choices;
// v must have at least 2 nodes. When either is unhealthy they are redrawn
// as twoHealthy says: j < 0 when at most one node is healthy, i being it
// or Drop.
func twoChoices(v *sim.View, rng *sim.Rand) (i, j int) {
	i, j = drawTwo(rng, v.Len())
	if !v.Healthy(i) || !v.Healthy(j) {
		return twoHealthy(v, rng, i, j)
	}
	return i, j
}

// prefetchTwo prefetches the two nodes the next twoChoices will draw from
// rng if the cluster stays as it is (rng is a copy: the stream itself is
// not advanced).
func prefetchTwo(v *sim.View, rng sim.Rand) {
	i, j := drawTwo(&rng, v.Len())
	v.Prefetch(i)
	v.Prefetch(j)
}

// drawTwo draws two distinct nodes of n >= 2 uniformly, without
// rejection: j is uniform over the n-1 nodes other than i.
func drawTwo(rng *sim.Rand, n int) (i, j int) {
	i = rng.IntN(n)
	j = rng.IntN(n - 1)
	if j >= i {
		j++
	}
	return i, j
}

// twoHealthy completes a draw of two distinct nodes i, j (at least one of
// them unhealthy) into two distinct healthy nodes, uniformly among the
// pairs of healthy nodes. It returns (a, b) in draw order; b is Drop when a
// single node is healthy, and both are Drop when none is.
func twoHealthy(v *sim.View, rng *sim.Rand, i, j int) (int, int) {
	a, b := sim.Drop, sim.Drop
	for _, x := range [2]int{i, j} {
		if v.Healthy(x) {
			if a < 0 {
				a = x
			} else {
				b = x
			}
		}
	}
	n := v.Len()
	for k := 0; k < maxRedraws && b < 0; k++ {
		x := rng.IntN(n)
		if x == a || !v.Healthy(x) {
			continue
		}
		if a < 0 {
			a = x
		} else {
			b = x
		}
	}
	if b >= 0 {
		return a, b
	}
	// Fall back to ranks among the healthy nodes. The healthy nodes are
	// exchangeable in everything drawn so far, so a fresh uniform pair
	// keeps the choice uniform.
	h := countHealthy(v)
	switch h {
	case 0:
		return sim.Drop, sim.Drop
	case 1:
		return nthHealthy(v, 0), sim.Drop
	}
	ra := rng.IntN(h)
	rb := rng.IntN(h - 1)
	if rb >= ra {
		rb++
	}
	return nthHealthy(v, ra), nthHealthy(v, rb)
}

// sampleHealthy returns min(d, h) distinct healthy nodes drawn uniformly
// (a partial Fisher–Yates shuffle of the h healthy nodes), in draw order;
// buf is scratch space, returned for reuse.
func sampleHealthy(v *sim.View, rng *sim.Rand, d int, buf []int) []int {
	buf = buf[:0]
	for i := 0; i < v.Len(); i++ {
		if v.Healthy(i) {
			buf = append(buf, i)
		}
	}
	d = min(d, len(buf))
	for k := 0; k < d; k++ {
		r := k + rng.IntN(len(buf)-k)
		buf[k], buf[r] = buf[r], buf[k]
	}
	return buf[:d]
}
