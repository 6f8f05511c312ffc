package traces

import "github.com/fleetsim/fleetsim/sim"

// Gangs turns each task of src into a gang of nodes with procsPerNode
// cores each (procsPerNode >= 1): a task asking for c cores (an SWF job's
// processors) becomes ceil(c / procsPerNode) nodes, each holding
// min(c, procsPerNode) cores, so a parallel job runs on several nodes at
// once instead of one big node. Tasks asking for one node or less are left
// as they are.
func Gangs(src sim.Source, procsPerNode int) sim.Source {
	return &gangSource{src: src, ppn: int64(max(procsPerNode, 1)) * 1000}
}

type gangSource struct {
	src sim.Source
	ppn int64 // milli-cores per node
}

func (g *gangSource) Next(t *sim.Task) error {
	if err := g.src.Next(t); err != nil {
		return err
	}
	if t.CPU > g.ppn {
		n := (t.CPU + g.ppn - 1) / g.ppn
		if n > 1<<30 {
			n = 1 << 30
		}
		t.Nodes = int32(n)
		t.CPU = g.ppn
	}
	return nil
}

// Position passes on the wrapped source's, when it knows it (see
// Positioner).
func (g *gangSource) Position() (file string, line int) {
	if p, ok := g.src.(Positioner); ok {
		return p.Position()
	}
	return "", 0
}
