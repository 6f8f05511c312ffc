package realexec

import (
	"path/filepath"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
)

// TestValidationScenarios checks that every scenario make validate runs
// (testdata/validation/*.yaml, and TestValidateReal's) loads, is one a
// real run accepts (no random faults, retries, autoscaling or network),
// and simulates to its task limit with each strategy: a file that failed
// here would only fail in make validate, as root, minutes in.
func TestValidationScenarios(t *testing.T) {
	files, err := filepath.Glob("../testdata/validation/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("validation scenarios: %v %v", files, err)
	}
	files = append(files, "testdata/validation-test.yaml")
	for _, f := range files {
		sc, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		nodes := make([]NodeConfig, len(sc.Nodes()))
		for i, n := range sc.Nodes() {
			nodes[i] = NodeConfig{Name: n.Name, Slots: n.Slots, CPU: n.CPU, Memory: n.Memory}
		}
		if _, err := ConfigFor(sc, nodes, nil); err != nil {
			t.Fatalf("%s: a real run refuses it: %v", f, err)
		}
		for _, spec := range sc.Strategies {
			outs, err := Simulate(sc, spec)
			if err != nil {
				t.Fatalf("%s %s: %v", f, spec, err)
			}
			if int64(len(outs)) != sc.Stop.Tasks {
				t.Fatalf("%s %s: %d outcomes, want the task limit %d", f, spec, len(outs), sc.Stop.Tasks)
			}
		}
	}
}
