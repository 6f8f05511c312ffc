package realexec

import (
	"context"
	"os"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
)

// TestValidateReal validates a shortened embedded validation scenario
// (40 tasks, round-robin) on the three test daemons, calibrating first.
// The scenario's own model knows neither the container start-up nor the
// CPU quota a task gets (half a core: speed ≈ 0.63 here), so its mean
// sojourn error is large; the calibrated model measures both and must do
// better, and within the 10 % the README states for the full run.
func TestValidateReal(t *testing.T) {
	needReal(t)
	sc, err := scenario.LoadEmbedded("validation")
	if err != nil {
		t.Fatal(err)
	}
	sc.Stop = scenario.Limit{Tasks: 40}
	text, dir, err := scenario.Text("validation")
	if err != nil {
		t.Fatal(err)
	}
	nodes := append([]NodeConfig(nil), real.nodes...)
	spec := sc.Strategies[1:2] // round-robin
	v, err := Validate(context.Background(), ValidateConfig{Scenario: sc, Strategies: spec, Nodes: nodes, Image: real.image,
		ProbeTasks: 30, Text: text, Dir: dir, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calibration %+v", *v.Calibration)
	t.Logf("overhead %+v", v.Overhead)
	if len(v.Comparisons) != 2 {
		t.Fatalf("%d comparisons", len(v.Comparisons))
	}
	for _, c := range v.Comparisons {
		t.Logf("%s %s: real %+v sim %+v mean err %.3f task err %.3f p50 err %.3f p99 err %.3f", c.Strategy, c.Model, c.Real, c.Sim, c.MeanErr, c.TaskErr, c.P50Err, c.P99Err)
		if c.Real.Completed != 40 || c.Matched != 40 {
			t.Fatalf("%s: %d completed, %d matched", c.Model, c.Real.Completed, c.Matched)
		}
		for i := range c.Real.PerNode {
			if c.Real.PerNode[i] != c.Sim.PerNode[i] {
				t.Fatalf("round-robin placed %v real, %v simulated", c.Real.PerNode, c.Sim.PerNode)
			}
		}
	}
	un, cal := v.Comparisons[0], v.Comparisons[1]
	if !(cal.MeanErr < un.MeanErr) || cal.MeanErr >= 0.10 {
		t.Fatalf("mean sojourn error: calibrated %.3f, scenario %.3f; want calibrated < 0.10 and below", cal.MeanErr, un.MeanErr)
	}
}
