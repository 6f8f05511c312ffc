package strategies

import "github.com/fleetsim/fleetsim/sim"

func init() {
	MustRegister(Info{Name: "topology-fit", New: newTopologyFit, Kind: Placement,
		Description: "first-fit, with gangs on the fewest racks (the smallest rack that holds the whole gang)",
		Params:      []Param{{Name: "scan", Type: "bool", Default: "false", Doc: "single-node tasks: scan the nodes in order (O(n), the oracle) instead of first-fit's tree; same placements"}}})
}

// TopologyFit places single-node tasks first-fit (on first-fit's tree of
// largest free resources; scan: true scans, the oracle) and asks the
// engine to place gangs (multi-node tasks) on the fewest racks
// (sim.GangTopology).
type TopologyFit struct{ FirstFit }

func newTopologyFit(a Args, rng *sim.Rand) (sim.Strategy, error) {
	scan, err := a.Bool("topology-fit", "scan", false)
	if err != nil {
		return nil, err
	}
	if scan {
		return TopologyFit{}, nil
	}
	return TopologyFit{FirstFit{idx: &fitIndex{}}}, nil
}

// Name implements sim.Strategy.
func (TopologyFit) Name() string { return "topology-fit" }

// TopologyGangs implements sim.GangTopology.
func (TopologyFit) TopologyGangs() bool { return true }
