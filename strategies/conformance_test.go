package strategies_test

// One conformance suite for every registered strategy, as gonum's
// graph/testgraph checks any graph implementation: whatever a strategy
// decides, it must pick valid nodes, survive an empty cluster, and give the
// same decisions for the same seed.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

func mixedNodes(n int) []sim.NodeSpec {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1 + i%3, Speed: []float64{0.5, 1, 2}[i%3]}
	}
	return nodes
}

// decisions runs strategy on a small heterogeneous cluster and returns the
// node of every task, in task order.
func decisions(t *testing.T, name string, seed uint64, nodes []sim.NodeSpec) []int {
	t.Helper()
	st, err := strategies.New(name, nil, sim.NewRand(seed, "strategy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	const tasks = 5000
	got := make([]int, tasks)
	cfg := sim.Config{Nodes: nodes, StopTasks: tasks, OnRecord: func(r *sim.Record) { got[r.Task.ID] = r.Node }}
	gen := traces.NewGenerator(traces.Poisson{Rate: 10}, traces.Exponential{Mean: sim.Second}, seed)
	e, err := sim.NewEngine(cfg, gen, st)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := e.Run(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if r := e.Result(); r.Tasks.Completed+r.Tasks.Dropped != tasks {
		t.Fatalf("%s: %d completed + %d dropped of %d tasks", name, r.Tasks.Completed, r.Tasks.Dropped, tasks)
	}
	return got
}

func TestConformance(t *testing.T) {
	for _, name := range strategies.Names() {
		if info, _ := strategies.Lookup(name); info.Of()&strategies.Balancer == 0 {
			continue // placement and queue policies run under central queueing
		}
		t.Run(name, func(t *testing.T) {
			nodes := mixedNodes(12)
			a := decisions(t, name, 3, nodes) // the engine itself rejects out-of-range picks
			b := decisions(t, name, 3, nodes)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("task %d: node %d then %d with the same seed", i, a[i], b[i])
				}
			}
			used := map[int]bool{}
			for _, n := range a {
				used[n] = true
			}
			if len(used) < 2 {
				t.Errorf("sent all 5000 tasks to %d node(s) of 12", len(used))
			}

			// An empty cluster: every task is dropped, nothing panics.
			st, _ := strategies.New(name, nil, sim.NewRand(1, name))
			if p, ok := st.(sim.Picker); ok {
				if got := p.Pick(sim.NewView(nil), &sim.Task{}); got != sim.Drop {
					t.Errorf("empty cluster: picked %d, want Drop", got)
				}
			}
		})
	}
}

// TestWeightedRoundRobinExactShares checks nginx's smooth WRR property:
// over any W = Σw consecutive picks node i is chosen exactly w_i times, and
// never twice in a row when another node has weight left (weights 5, 1, 1
// give a a b a c a a, nginx's own example in ngx_http_upstream_round_robin.c
// commit 52327e0627f4).
func TestWeightedRoundRobinExactShares(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "a", Slots: 1, Speed: 5}, {Name: "b", Slots: 1, Speed: 1}, {Name: "c", Slots: 1, Speed: 1}}
	st, err := strategies.New("weighted-round-robin", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := sim.NewView(nodes)
	if err := st.(sim.Initializer).Init(v); err != nil {
		t.Fatal(err)
	}
	var seq string
	for i := 0; i < 7; i++ {
		seq += nodes[st.(sim.Picker).Pick(v, &sim.Task{})].Name
	}
	if seq != "aabacaa" {
		t.Errorf("smooth WRR order %q, want nginx's %q", seq, "aabacaa")
	}
}

func TestParamErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args strategies.Args
		want string
	}{
		{"power-of-d", strategies.Args{"d": 0}, "strategy power-of-d: parameter d: expected an integer in [1, 65536], got 0"},
		{"power-of-d", strategies.Args{"d": 2.5}, "strategy power-of-d: parameter d: expected an integer in [1, 65536], got 2.5"},
		{"least-connections", strategies.Args{"weighted": "yes"}, "strategy least-connections: parameter weighted: expected true or false, got yes"},
		{"weighted-round-robin", strategies.Args{"weights": []any{1, -2}}, "strategy weighted-round-robin: parameter weights: element 1: expected a finite number >= 0, got -2"},
		{"random", strategies.Args{"x": 1}, "strategy random: parameter x: unknown parameter (allowed: none)"},
		{"nope", nil, `unknown strategy "nope" (known: ` + strings.Join(strategies.Names(), ", ") + `)`},
	} {
		_, err := strategies.New(c.name, c.args, nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %v: error %v, want %q", c.name, c.args, err, c.want)
		}
	}
	if err := strategies.Register(strategies.Info{Name: "random", New: func(strategies.Args, *sim.Rand) (sim.Strategy, error) { return nil, nil }}); err == nil {
		t.Error("registering a duplicate name succeeded")
	}
}
