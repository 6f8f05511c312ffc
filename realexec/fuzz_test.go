package realexec

import (
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
)

// FuzzRealSection feeds scenarios with hostile real: sections through the
// functions that build a real run's nodes from them (NodesFor, ConfigFor)
// with and without daemons: whatever the section says, they return nodes
// or an error, never panic, and every node they return can start a
// container (its share per slot at least MinSlotCPU and MinSlotMemory)
// and has an address.
func FuzzRealSection(f *testing.F) {
	for _, s := range []string{
		"real: {}",
		"real:\n  nodes:\n    - address: /tmp/a.sock",
		"real:\n  nodes:\n    - {address: unix:///tmp/a.sock, memory: 1}",
		"real:\n  nodes:\n    - {address: /tmp/a.sock, cpu: 50m, slots: 2}",
		"real:\n  nodes:\n    - {address: /tmp/a.sock, cpu: 1e9, memory: 9Ei, slots: 2147483647, gpus: 4096}",
		"real:\n  namespace: x\n  snapshotter: native\n  nodes: [{address: /a, namespace: y}, {address: /b}]",
		"real:\n  nodes:\n    - {address: relative.sock}",
	} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, real string, daemons int) {
		text := "name: f\ncluster:\n  nodes: [{group: node, count: 2, slots: 2, cpu: 1, memory: 256Mi}]\n" +
			"workload:\n  arrivals: {process: poisson, rate: 1}\n  service: {dist: exponential, mean: 1s}\n" +
			"strategies: [round-robin]\nstop: {tasks: 3}\n" + real + "\n"
		sc, err := scenario.Parse("f.yaml", []byte(text), t.TempDir())
		if err != nil {
			return
		}
		var ds []Daemon
		for i := 0; i < daemons%4; i++ {
			ds = append(ds, Daemon{Index: i, Dir: "/tmp/fuzz-node", Address: "unix:///tmp/fuzz-node/containerd.sock"})
		}
		nodes, err := NodesFor(sc, ds)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		for _, n := range nodes {
			slots := int64(max(n.Slots, 1))
			if n.Address == "" || (n.CPU > 0 && n.CPU/slots < MinSlotCPU) || (n.Memory > 0 && n.Memory/slots < MinSlotMemory) {
				t.Fatalf("NodesFor returned a node that cannot run: %+v", n)
			}
		}
		_, _ = ConfigFor(sc, nodes, nil)
	})
}
