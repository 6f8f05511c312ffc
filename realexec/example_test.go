package realexec_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/sim"
)

// BuildImage packages a static binary as a one-layer OCI image, the same
// bytes for the same binary, so nodes are sent it only when its digest is
// new.
func ExampleBuildImage() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "fleetsim-work")
	_ = os.WriteFile(bin, []byte("\x7fELF…a static binary"), 0o755)
	a, err := realexec.BuildImage(bin)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := realexec.BuildImage(bin)
	fmt.Println(strings.HasPrefix(a.Name, realexec.ImageName+":"), a.Manifest == b.Manifest)
	// Output: true true
}

// A Daemon started by Up gives the NodeConfig that plays a cluster node;
// its FIFOs and runc state stay inside the daemon's folder.
func ExampleDaemon_Node() {
	d := realexec.Daemon{Index: 0, Dir: "/tmp/fleetsim/node-0", Address: "unix:///tmp/fleetsim/node-0/containerd.sock"}
	nc := d.Node("node-0")
	fmt.Println(nc.Address)
	fmt.Println(nc.FIFODir)
	fmt.Println(nc.RuncRoot)
	// Output:
	// unix:///tmp/fleetsim/node-0/containerd.sock
	// /tmp/fleetsim/node-0/fifo
	// /tmp/fleetsim/node-0/runc
}

// Compare puts a real run's outcomes beside a simulation's, task by task.
func ExampleCompare() {
	s := sim.Second
	real := []realexec.Outcome{
		{ID: 1, Arrival: 0, Finish: 2 * s, Node: 0, Status: sim.Completed},
		{ID: 2, Arrival: s, Finish: 5 * s, Node: 1, Status: sim.Completed},
	}
	simulated := []realexec.Outcome{
		{ID: 1, Arrival: 0, Finish: 2 * s, Node: 0, Status: sim.Completed},
		{ID: 2, Arrival: s, Finish: 3 * s, Node: 1, Status: sim.Completed},
	}
	c := realexec.Compare("round-robin", "scenario", real, simulated, 2, nil)
	fmt.Printf("mean sojourn: real %.1f s, sim %.1f s, error %.0f%%\n", c.Real.Mean, c.Sim.Mean, 100*c.MeanErr)
	fmt.Printf("per-task error %.0f%% over %d tasks; per node %v and %v\n", 100*c.TaskErr, c.Matched, c.Real.PerNode, c.Sim.PerNode)
	// Output:
	// mean sojourn: real 3.0 s, sim 2.0 s, error 33%
	// per-task error 25% over 2 tasks; per node [1 1] and [1 1]
}
