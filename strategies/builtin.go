package strategies

// The in-tree strategies, one literal (as the Kubernetes scheduler's
// in-tree registry is).
var builtin = []Info{
	{Name: "random", New: newRandom, Kind: Balancer | Placement,
		Description: "uniformly random node (M/M/1 per node behind Poisson arrivals); for jobs, a random node that fits"},
	{Name: "round-robin", New: newRoundRobin,
		Description: "nodes in turn, ignoring load and speed"},
	{Name: "weighted-round-robin", New: newWeightedRoundRobin,
		Description: "nginx smooth weighted round robin; weights default to speed x slots",
		Params:      []Param{{Name: "weights", Type: "list of float", Default: "speed x slots", Doc: "one weight per node, by node index"}}},
	{Name: "least-connections", New: newLeastConnections,
		Description: "fewest outstanding tasks, ties in turn",
		Params:      []Param{{Name: "weighted", Type: "bool", Default: "false", Doc: "divide outstanding tasks by speed x slots"}}},
	{Name: "jsq", New: newJSQ,
		Description: "join the shortest queue (fewest in system), ties at random"},
	{Name: "power-of-d", New: newPowerOfD,
		Description: "shortest of d random nodes (Mitzenmacher's supermarket model)",
		Params:      []Param{{Name: "d", Type: "int", Default: "2", Doc: "nodes sampled per task, 1..65536"}}},
	{Name: "p2c", New: newP2C,
		Description: "power of two choices: power-of-d with d = 2"},
}

func init() {
	for _, info := range builtin {
		MustRegister(info)
	}
}
