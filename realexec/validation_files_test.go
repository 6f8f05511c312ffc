package realexec

import (
	"path/filepath"
	"strings"
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

// TestNodesForRefusesTinyNodes: real.nodes memory 1 (a byte) or cpu 50m
// for 2 slots cannot start a container; NodesFor refuses them at load with
// the file, line and field.
func TestNodesForRefusesTinyNodes(t *testing.T) {
	for _, tc := range []struct{ node, want string }{
		{"{address: /tmp/a.sock, memory: 1}", "t.yaml:11: real.nodes[0].memory: 1 bytes for 2 slots; expected at least 16Mi per slot"},
		{"{address: /tmp/a.sock, cpu: 150m}", "t.yaml:11: real.nodes[0].cpu: 150m for 2 slots; expected at least 100m per slot"},
	} {
		text := "name: t\ncluster:\n  nodes: [{group: node, count: 1, slots: 2, cpu: 1, memory: 256Mi}]\n" +
			"workload:\n  arrivals: {process: poisson, rate: 1}\n  service: {dist: exponential, mean: 1s}\nstrategies: [round-robin]\n" +
			"real:\n  nodes:\n" + "    - " + tc.node + "\n"
		text = strings.Replace(text, "real:\n", "stop: {tasks: 5}\nreal:\n", 1)
		sc, err := scenario.Parse("t.yaml", []byte(text), ".")
		if err != nil {
			t.Fatal(err)
		}
		_, err = NodesFor(sc, nil)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.node, err, tc.want)
		}
	}
}
