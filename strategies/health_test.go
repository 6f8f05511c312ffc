package strategies_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

func equalNodes(n int) []sim.NodeSpec {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	return nodes
}

func mustNew(t *testing.T, name string, args strategies.Args, seed uint64) sim.Strategy {
	t.Helper()
	st, err := strategies.New(name, args, sim.NewRand(seed, "strategy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// ready builds the strategy and runs its Init on v.
func ready(t *testing.T, name string, args strategies.Args, seed uint64, v *sim.View) sim.Picker {
	t.Helper()
	st := mustNew(t, name, args, seed)
	if in, ok := st.(sim.Initializer); ok {
		if err := in.Init(v); err != nil {
			t.Fatal(err)
		}
	}
	return st.(sim.Picker)
}

// healthAware are the balancers that must only ever choose healthy nodes.
var healthAware = []struct {
	name string
	args strategies.Args
}{
	{"random", nil}, {"p2c", nil}, {"power-of-d", strategies.Args{"d": 3}},
	{"power-of-d", strategies.Args{"d": 1}}, {"least-connections", nil},
	{"least-connections", strategies.Args{"weighted": true}}, {"jsq", nil},
	{"geo", nil}, {"resource-based", nil}, {"adaptive", nil}, {"least-request", nil},
	{"consistent-hash", strategies.Args{"key": "id"}},
	{"consistent-hash", strategies.Args{"key": "id", "method": "ring"}},
	{"round-robin", strategies.Args{"health": true}},
	{"weighted-round-robin", strategies.Args{"health": true}},
}

// TestHealthAwareNeverPickUnhealthy: with nodes reported down (Down) or out
// of the pool (Out) in a changing random pattern, no health-aware balancer
// ever returns one of them; every healthy node still gets work; and with
// no node healthy every task is dropped. Loads change between picks so
// load-dependent strategies do not stick to one node.
func TestHealthAwareNeverPickUnhealthy(t *testing.T) {
	for _, c := range healthAware {
		t.Run(fmt.Sprintf("%s%v", c.name, c.args), func(t *testing.T) {
			const n = 16
			v := sim.NewView(equalNodes(n))
			p := ready(t, c.name, c.args, 1, v)
			r := sim.NewRand(2, "health")
			for round := 0; round < 50; round++ {
				v.SetNow(sim.Time(round) * 2 * sim.Second)
				// Between 1 and n-1 unhealthy nodes, most of them.
				bad := 1 + r.IntN(n-1)
				for i := 0; i < n; i++ {
					v.SetLoad(i, sim.NodeLoad{Active: int32(r.IntN(2)), Queued: int32(r.IntN(3))})
				}
				for k := 0; k < bad; k++ {
					i := r.IntN(n)
					l := v.Load(i)
					if r.IntN(2) == 0 {
						l.Down = true
					} else {
						l.Out = true
					}
					v.SetLoad(i, l)
				}
				for k := 0; k < 40; k++ {
					task := &sim.Task{ID: int64(round*40 + k)}
					i := p.Pick(v, task)
					if i < 0 || i >= n || !v.Healthy(i) {
						t.Fatalf("round %d: picked %d (load %+v)", round, i, loadOf(v, i))
					}
				}
			}
			// Every node healthy but one: it never gets work, the
			// rest do.
			for i := 0; i < n; i++ {
				v.SetLoad(i, sim.NodeLoad{})
			}
			v.SetLoad(5, sim.NodeLoad{Down: true})
			used := map[int]int{}
			for k := 0; k < 4000; k++ {
				v.SetNow(v.Now() + sim.Millisecond)
				i := p.Pick(v, &sim.Task{ID: int64(k)})
				if i == 5 {
					t.Fatalf("picked the down node")
				}
				used[i]++
			}
			if len(used) != n-1 {
				t.Errorf("used %d of the %d healthy nodes: %v", len(used), n-1, used)
			}
			// No node healthy: Drop.
			for i := 0; i < n; i++ {
				v.SetLoad(i, sim.NodeLoad{Down: i%2 == 0, Out: i%2 == 1})
			}
			for k := 0; k < 10; k++ {
				if i := p.Pick(v, &sim.Task{ID: int64(k)}); i != sim.Drop {
					t.Fatalf("no healthy node: picked %d, want Drop", i)
				}
			}
		})
	}
}

func loadOf(v *sim.View, i int) any {
	if i < 0 || i >= v.Len() {
		return "none"
	}
	return v.Load(i)
}

// TestRoundRobinIgnoresHealth: DNS-style round robin keeps sending work to
// members that health checks report down (nodes 0..n-1 in turn, node 2
// included) but never to a node out of the pool (node 4); with health: true
// it skips the down node too. The same holds for weighted-round-robin.
func TestRoundRobinIgnoresHealth(t *testing.T) {
	for _, name := range []string{"round-robin", "weighted-round-robin"} {
		for _, health := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/health=%v", name, health), func(t *testing.T) {
				v := sim.NewView(equalNodes(6))
				v.SetLoad(2, sim.NodeLoad{Down: true})
				v.SetLoad(4, sim.NodeLoad{Out: true})
				p := ready(t, name, strategies.Args{"health": health}, 1, v)
				counts := make([]int, 6)
				for k := 0; k < 600; k++ {
					counts[p.Pick(v, &sim.Task{})]++
				}
				want := []int{120, 120, 120, 120, 0, 120}
				if health {
					want = []int{150, 150, 0, 150, 0, 150}
				}
				if fmt.Sprint(counts) != fmt.Sprint(want) {
					t.Errorf("picks per node %v, want %v", counts, want)
				}
				for i := 0; i < 6; i++ {
					v.SetLoad(i, sim.NodeLoad{Out: true})
				}
				if i := p.Pick(v, &sim.Task{}); i != sim.Drop {
					t.Errorf("no member: picked %d, want Drop", i)
				}
			})
		}
	}
	if got := mustNew(t, "round-robin", strategies.Args{"health": true}, 1).Name(); got != "round-robin(health)" {
		t.Errorf("name %q", got)
	}
}

// TestHealthyDrawsUnchanged pins the fast path: with every node healthy,
// random and p2c draw exactly as before health existed (one IntN(n) per
// task for random; IntN(n), IntN(n−1) for p2c, shorter queue wins, ties to
// the first), reimplemented here from the pre-health code. On a cluster of
// sim.PrefetchMinNodes nodes, where both also prefetch their next draw's
// nodes from a copy of their stream, the draws are the same.
func TestHealthyDrawsUnchanged(t *testing.T) {
	for _, n := range []int{7, sim.PrefetchMinNodes} {
		v := sim.NewView(equalNodes(n))
		load := sim.NewRand(9, "load")
		rnd := ready(t, "random", nil, 4, v)
		p2c := ready(t, "p2c", nil, 4, v)
		refR := sim.NewRand(4, "strategy/random")
		refP := sim.NewRand(4, "strategy/p2c")
		for k := 0; k < 10000; k++ {
			if n <= 64 {
				for i := 0; i < n; i++ {
					v.SetLoad(i, sim.NodeLoad{Active: 1, Queued: int32(load.IntN(4))})
				}
			} else {
				for range 64 {
					v.SetLoad(load.IntN(n), sim.NodeLoad{Active: 1, Queued: int32(load.IntN(4))})
				}
			}
			if got, want := rnd.Pick(v, &sim.Task{}), refR.IntN(n); got != want {
				t.Fatalf("%d nodes: random pick %d: %d, want %d", n, k, got, want)
			}
			i := refP.IntN(n)
			j := refP.IntN(n - 1)
			if j >= i {
				j++
			}
			want := i
			if v.InSystem(j) < v.InSystem(i) {
				want = j
			}
			if got := p2c.Pick(v, &sim.Task{}); got != want {
				t.Fatalf("%d nodes: p2c pick %d: %d, want %d", n, k, got, want)
			}
		}
	}
}

// TestRandomUniformOverHealthy: with 12 of 16 nodes down (so the fallback
// scan runs often), random's picks are uniform over the 4 healthy ones:
// Pearson's χ² with 3 degrees of freedom stays below 16.27, its 99.9 %
// quantile. A scan from a random start would give node 15, after a run of
// 11 down nodes, 12/16 of the picks.
func TestRandomUniformOverHealthy(t *testing.T) {
	const n, picks = 16, 40000
	v := sim.NewView(equalNodes(n))
	for i := 4; i < 15; i++ {
		v.SetLoad(i, sim.NodeLoad{Down: true})
	}
	v.SetLoad(1, sim.NodeLoad{Out: true})
	healthy := []int{0, 2, 3, 15}
	for _, name := range []string{"random", "p2c"} {
		p := ready(t, name, nil, 3, v)
		counts := map[int]int{}
		for k := 0; k < picks; k++ {
			counts[p.Pick(v, &sim.Task{})]++
		}
		chi2 := 0.0
		exp := float64(picks) / float64(len(healthy))
		for _, i := range healthy {
			d := float64(counts[i]) - exp
			chi2 += d * d / exp
		}
		if len(counts) != len(healthy) || chi2 > 16.27 || math.IsNaN(chi2) {
			t.Errorf("%s: picks %v, χ² = %.1f", name, counts, chi2)
		}
	}
}
