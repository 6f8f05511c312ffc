package strategies_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// TestMeasureDecision: every balancer and placement strategy can be
// measured (a Picker, a Placer or a Scorer); the results are finite, the
// time positive and the state per node not negative. p2c keeps no state
// per node; least-request keeps several words per node. Timings are not
// asserted (they depend on the machine).
func TestMeasureDecision(t *testing.T) {
	nodes := make([]sim.NodeSpec, 64)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Region: []string{"eu", "us", "ap"}[i%3],
			Slots: 1 + i%4, Speed: 1, CPU: 8000, Memory: 32 << 30, GPUs: i % 2 * 4, GPUModel: "A"}
	}
	per := map[string]float64{}
	for _, name := range strategies.Names() {
		info, _ := strategies.Lookup(name)
		if info.Of()&(strategies.Balancer|strategies.Placement) == 0 {
			continue
		}
		ns, bytes, err := strategies.MeasureDecision(info, nil, nodes, 2000)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !(ns > 0) || math.IsInf(ns, 0) || !(bytes >= 0) || math.IsInf(bytes, 0) {
			t.Errorf("%s: %g ns per decision, %g bytes per node", name, ns, bytes)
		}
		per[name] = bytes
	}
	if per["p2c"] != 0 {
		t.Errorf("p2c: %g bytes of state per node, want 0", per["p2c"])
	}
	if per["least-request"] < 8 {
		t.Errorf("least-request: %g bytes of state per node, want at least one word", per["least-request"])
	}

	info, _ := strategies.Lookup("consistent-hash")
	if _, _, err := strategies.MeasureDecision(info, strategies.Args{"method": "ring"}, nodes, 100); err != nil {
		t.Error(err)
	}
	if _, _, err := strategies.MeasureDecision(info, strategies.Args{"nope": 1}, nodes, 100); err == nil {
		t.Error("an unknown parameter was accepted")
	}
	if _, _, err := strategies.MeasureDecision(info, nil, nodes, 0); err == nil {
		t.Error("0 decisions were accepted")
	}
}

// MeasureDecision times the decisions of a strategy on a given cluster;
// the numbers depend on the machine, so this example prints only whether
// they were measured.
func ExampleMeasureDecision() {
	nodes := make([]sim.NodeSpec, 100)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("web-%d", i), Slots: 4, Speed: 1}
	}
	for _, name := range []string{"p2c", "least-connections", "consistent-hash"} {
		info, _ := strategies.Lookup(name)
		ns, bytes, err := strategies.MeasureDecision(info, nil, nodes, 10000)
		if err != nil {
			panic(err)
		}
		// Print e.g. "%s: %.0f ns per decision, %.0f bytes per node".
		fmt.Printf("%s: measured %v, state %v\n", name, ns > 0, bytes >= 0)
	}
	// Output:
	// p2c: measured true, state true
	// least-connections: measured true, state true
	// consistent-hash: measured true, state true
}

// Duration parameters come from scenario files as sim.Time values; Go
// callers may also give seconds.
func ExampleArgs_Duration() {
	for _, args := range []strategies.Args{nil, {"scrape": 30 * sim.Second}, {"scrape": 2.5}, {"scrape": -1}} {
		d, err := args.Duration("resource-based", "scrape", 10*sim.Second, sim.Millisecond, sim.Hour)
		fmt.Println(d, err)
	}
	// Output:
	// 10s <nil>
	// 30s <nil>
	// 2.5s <nil>
	// 0s strategy resource-based: parameter scrape: expected a duration in [0.001s, 3600s], got -1s
}

// TestBroker: the queue strategy leaves every task to the engine's broker
// and drops only when the cluster has no node.
func TestBroker(t *testing.T) {
	st := mustNew(t, "queue", nil, 1)
	p := st.(sim.Picker)
	if _, ok := st.(interface{ Pulls() }); !ok {
		t.Error("queue does not mark itself a broker consumer (Pulls)")
	}
	v := sim.NewView(equalNodes(3))
	v.SetLoad(0, sim.NodeLoad{Down: true})
	for k := 0; k < 10; k++ {
		if i := p.Pick(v, &sim.Task{ID: int64(k)}); i != sim.ToBroker {
			t.Fatalf("picked %d, want ToBroker", i)
		}
	}
	if i := p.Pick(sim.NewView(nil), &sim.Task{}); i != sim.Drop {
		t.Errorf("empty cluster: %d, want Drop", i)
	}
}

func TestNewParamErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args strategies.Args
		want string
	}{
		{"geo", strategies.Args{"threshold": -0.1}, "strategy geo: parameter threshold: expected a number in [0, 1e+06], got -0.1"},
		{"adaptive", strategies.Args{"decay": 0}, "strategy adaptive: parameter decay: expected a duration in [0.000001s, 31536000s], got 0s"},
		{"adaptive", strategies.Args{"default_rtt": "fast"}, "strategy adaptive: parameter default_rtt: expected a duration in [0s, 31536000s], got fast"},
		{"least-request", strategies.Args{"penalty": -sim.Second}, "strategy least-request: parameter penalty: expected a duration in [0s, 31536000s], got -1s"},
		{"round-robin", strategies.Args{"health": 1}, "strategy round-robin: parameter health: expected true or false, got 1"},
		{"queue", strategies.Args{"x": 1}, "strategy queue: parameter x: unknown parameter (allowed: none)"},
	} {
		_, err := strategies.New(c.name, c.args, nil)
		if fmt.Sprint(err) != c.want {
			t.Errorf("%s %v: error %v, want %q", c.name, c.args, err, c.want)
		}
	}
}
