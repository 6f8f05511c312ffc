package external_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/strategies/external"
)

// benchPick times one pick decision through the protocol: the View
// changes by one node's load per decision (as an arrival changes it), so
// each message carries one load change, one task and one answer.
func benchPick(b *testing.B, n int, command []string) {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	st, x, err := external.Start(external.Config{Command: command, Name: "bench"}, external.Spec{Nodes: nodes, Seed: 1, Stream: "strategy/bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	p := st.(sim.Picker)
	v := sim.NewView(nodes)
	var t sim.Task
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		t.ID, t.Arrival = int64(k), sim.Time(k)
		v.SetNow(t.Arrival)
		i := p.Pick(v, &t)
		if i < 0 {
			b.Fatal(x.Err())
		}
		l := v.Load(i)
		l.Active = (l.Active + 1) % 4
		v.SetLoad(i, l)
	}
	b.StopTimer()
	if err := x.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDecision: the cost of one decision through the protocol,
// against the same decision made in-process by the built-in. go helper is
// this test binary answering round robin (the protocol's own cost: two
// pipe transfers, encoding and decoding); the Python rows add the Python
// package's loop and the strategy's work.
func BenchmarkDecision(b *testing.B) {
	exe, _ := os.Executable()
	examples, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples"))
	py, pyErr := exec.LookPath("python3")
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("builtin-least-connections/nodes=%d", n), func(b *testing.B) {
			nodes := make([]sim.NodeSpec, n)
			s, _ := strategies.New("least-connections", nil, nil)
			p := s.(sim.Picker)
			v := sim.NewView(nodes)
			var t sim.Task
			b.ReportAllocs()
			for k := 0; k < b.N; k++ {
				i := p.Pick(v, &t)
				l := v.Load(i)
				l.Active = (l.Active + 1) % 4
				v.SetLoad(i, l)
			}
		})
		b.Run(fmt.Sprintf("go-helper/nodes=%d", n), func(b *testing.B) {
			b.Setenv("FLEETSIM_EXT_HELPER", "rr")
			benchPick(b, n, []string{exe, "-test.run=^$"})
		})
		for _, script := range []string{"round_robin.py", "least_loaded.py"} {
			b.Run(fmt.Sprintf("python-%s/nodes=%d", script, n), func(b *testing.B) {
				if pyErr != nil {
					b.Skip("python3 is not installed")
				}
				benchPick(b, n, []string{py, filepath.Join(examples, script)})
			})
		}
	}
}
