package strategies_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

var hashMethods = []string{"maglev", "ring"}

// TestConsistentHashStable: every key maps to one node, the same on every
// pick and in an instance built with another random stream (the hash is
// fixed, not seeded), for each key field.
func TestConsistentHashStable(t *testing.T) {
	v := sim.NewView(equalNodes(12))
	for _, method := range hashMethods {
		for _, key := range []string{"tenant", "class", "region", "id"} {
			args := strategies.Args{"method": method, "key": key}
			a := ready(t, "consistent-hash", args, 1, v)
			b := ready(t, "consistent-hash", args, 99, v)
			used := map[int]bool{}
			for k := 0; k < 500; k++ {
				s := fmt.Sprint("k", k)
				task := &sim.Task{ID: int64(k), Tenant: s, Class: s, Region: s}
				x := a.Pick(v, task)
				if y, z := a.Pick(v, task), b.Pick(v, task); x != y || x != z {
					t.Fatalf("%s by %s: key %d went to %d, %d, then %d", method, key, k, x, y, z)
				}
				used[x] = true
			}
			if len(used) != 12 {
				t.Errorf("%s by %s: 500 keys used %d of 12 nodes", method, key, len(used))
			}
		}
	}
	if got := mustNew(t, "consistent-hash", nil, 1).Name(); got != "consistent-hash(maglev,tenant)" {
		t.Errorf("name %q", got)
	}
}

// TestConsistentHashNodeDown: with one of n = 10 nodes down, its keys move
// and no others do (ring: exactly; maglev: at most 0.25/n of the keys, see
// TestMaglevMinimalDisruption), so about 1/n of the keys move: within
// [0.5/n, 1.5/n] for the ring (a node's share varies by ≈ 1/√vnodes = 10 %
// relative; 5 sd) and 1/n ± 5 binomial sd + 0.25/n for maglev (its shares
// are exact). The node's keys come back once it is healthy again, but only
// at the next check, at most once per simulated second.
func TestConsistentHashNodeDown(t *testing.T) {
	const n, keys, down = 10, 20000, 3
	for _, method := range hashMethods {
		t.Run(method, func(t *testing.T) {
			v := sim.NewView(equalNodes(n))
			p := ready(t, "consistent-hash", strategies.Args{"method": method, "key": "id"}, 1, v)
			owner := func() []int {
				o := make([]int, keys)
				for k := range o {
					o[k] = p.Pick(v, &sim.Task{ID: int64(k)})
				}
				return o
			}
			before := owner()
			v.SetNow(10 * sim.Second)
			v.SetLoad(down, sim.NodeLoad{Down: true})
			after := owner()
			moved, others := 0, 0
			for k := range before {
				if after[k] == down {
					t.Fatalf("key %d still on the down node", k)
				}
				if after[k] != before[k] {
					moved++
					if before[k] != down {
						others++
					}
				}
			}
			lo, hi := 0.5*keys/n, 1.5*keys/n
			if method == "maglev" {
				sd := math.Sqrt(keys * (1.0 / n) * (1 - 1.0/n))
				lo, hi = keys/n-5*sd, keys/n+5*sd+0.25*keys/n
				if others > keys/(4*n) {
					t.Errorf("%d keys of healthy nodes moved, want at most %d", others, keys/(4*n))
				}
			} else if others != 0 {
				t.Errorf("%d keys of healthy nodes moved, want 0 (ring)", others)
			}
			if f := float64(moved); f < lo || f > hi {
				t.Errorf("%d of %d keys moved, want %.0f..%.0f (≈ 1/n)", moved, keys, lo, hi)
			}

			// Healthy again: not seen before a second has passed
			// since the last check, then every key is back.
			v.SetLoad(down, sim.NodeLoad{})
			v.SetNow(10*sim.Second + 500*sim.Millisecond)
			if again := owner(); fmt.Sprint(again) != fmt.Sprint(after) {
				t.Errorf("keys moved back before the once-a-second check")
			}
			v.SetNow(11 * sim.Second)
			if again := owner(); fmt.Sprint(again) != fmt.Sprint(before) {
				t.Errorf("after the node came back, keys did not return to their nodes")
			}
		})
	}
}

// TestConsistentHashEmptyKey: a task with no tenant has no session to keep:
// it goes to a random node (Envoy's behaviour), so 4000 such tasks spread
// over all 8 nodes in proportion to their shares of the hash space: 500
// each within ±50 %, five times the ring's ≈ 10 % spread of shares (exact
// for maglev) on top of the binomial noise (sd 21).
func TestConsistentHashEmptyKey(t *testing.T) {
	v := sim.NewView(equalNodes(8))
	for _, method := range hashMethods {
		p := ready(t, "consistent-hash", strategies.Args{"method": method}, 1, v)
		c := countPicks(p, v, 4000)
		for i, k := range c {
			if k < 250 || k > 750 {
				t.Errorf("%s: node %d got %d of 4000 keyless tasks, want about 500", method, i, k)
			}
		}
	}
}

func TestConsistentHashParamErrors(t *testing.T) {
	for _, c := range []struct {
		args strategies.Args
		want string
	}{
		{strategies.Args{"table": 65536}, "strategy consistent-hash: parameter table: expected a prime (Maglev needs one; 65537, 655373 are), got 65536"},
		{strategies.Args{"method": "rendezvous"}, "strategy consistent-hash: parameter method: expected one of maglev, ring; got rendezvous"},
		{strategies.Args{"key": "user"}, "strategy consistent-hash: parameter key: expected one of tenant, class, region, id; got user"},
		{strategies.Args{"vnodes": 0}, "strategy consistent-hash: parameter vnodes: expected an integer in [1, 65536], got 0"},
	} {
		_, err := strategies.New("consistent-hash", c.args, nil)
		if fmt.Sprint(err) != c.want {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
	st := mustNew(t, "consistent-hash", strategies.Args{"table": 7}, 1)
	if err := st.(sim.Initializer).Init(sim.NewView(equalNodes(8))); err == nil {
		t.Error("a Maglev table of 7 entries for 8 nodes was accepted")
	}
}
