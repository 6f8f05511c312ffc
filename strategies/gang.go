package strategies

import "github.com/fleetsim/fleetsim/sim"

func init() {
	MustRegister(Info{Name: "topology-fit", New: newTopologyFit, Kind: Placement,
		Description: "first-fit, with gangs on the fewest racks (the smallest rack that holds the whole gang)"})
}

// TopologyFit places single-node tasks first-fit and asks the engine to
// place gangs (multi-node tasks) on the fewest racks (sim.GangTopology).
type TopologyFit struct{ FirstFit }

func newTopologyFit(Args, *sim.Rand) (sim.Strategy, error) { return TopologyFit{}, nil }

// Name implements sim.Strategy.
func (TopologyFit) Name() string { return "topology-fit" }

// TopologyGangs implements sim.GangTopology.
func (TopologyFit) TopologyGangs() bool { return true }
