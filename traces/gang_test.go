package traces_test

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

type fixed []sim.Task

func (f *fixed) Next(t *sim.Task) error {
	if len(*f) == 0 {
		return fmt.Errorf("done")
	}
	*t = (*f)[0]
	*f = (*f)[1:]
	return nil
}

// TestGangs checks the conversion: c cores on nodes of p cores become
// ceil(c/p) nodes of min(c, p) cores.
func TestGangs(t *testing.T) {
	for _, c := range []struct {
		cpu, ppn  int64
		nodes     int32
		perNodeMC int64
	}{{64000, 1, 64, 1000}, {7000, 2, 4, 2000}, {1000, 4, 0, 1000}, {4000, 4, 0, 4000}, {500, 1, 0, 500}} {
		src := fixed{{CPU: c.cpu}}
		var got sim.Task
		if err := traces.Gangs(&src, int(c.ppn)).Next(&got); err != nil {
			t.Fatal(err)
		}
		if got.Nodes != c.nodes || got.CPU != c.perNodeMC {
			t.Errorf("%d milli-cores on %d-core nodes: %d nodes of %d, want %d of %d", c.cpu, c.ppn, got.Nodes, got.CPU, c.nodes, c.perNodeMC)
		}
	}
}
