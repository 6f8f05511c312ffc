package strategies

import (
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestFGDFragMatchesSim: FGD's own fragmentation sum, with its model
// table, is sim.NodeFragmentation to the bit, so its scores and ties are
// those of the measure the engine reports.
func TestFGDFragMatchesSim(t *testing.T) {
	r := sim.NewRand(3, "frag")
	models := []string{"", "A", "B"}
	for k := 0; k < 2000; k++ {
		g := r.IntN(9)
		nodes := []sim.NodeSpec{{Name: "n", CPU: 64000, Memory: 1 << 40, GPUs: g, GPUModel: models[r.IntN(3)]}}
		v := sim.NewView(nodes)
		var shapes []sim.TaskShape
		for s := 0; s < 1+r.IntN(40); s++ {
			m := sim.TaskShape{CPU: int64(1000 * r.IntN(40)), Weight: r.Float64()}
			switch r.IntN(3) {
			case 1:
				m.GPUs, m.GPUMilli = 1, int32(1+r.IntN(999))
			case 2:
				m.GPUs, m.GPUMilli = int32(1+r.IntN(8)), sim.GPUMilliPerGPU
			}
			m.GPUSpec = []string{"", "A", "B|A", "C"}[r.IntN(4)]
			shapes = append(shapes, m)
		}
		v.SetShapes(shapes)
		gpus := make([]int32, g)
		for j := range gpus {
			gpus[j] = int32(r.IntN(1001))
		}
		cpu := int64(r.IntN(64001))
		f := &FGD{}
		f.reset(v)
		if got, want := f.frag(0, cpu, gpus), sim.NodeFragmentation(cpu, nodes[0].GPUModel, gpus, shapes); got != want {
			t.Fatalf("case %d: frag %v, sim.NodeFragmentation %v", k, got, want)
		}
	}
}
