package sim

// NodeSpec describes one node of the modeled cluster: what it is, not what
// it is doing (that is in the View).
type NodeSpec struct {
	Name   string // unique, e.g. "web-3"
	Group  string // the scenario group it comes from
	Region string

	Slots int     // tasks served at once; the rest wait in the node's FIFO queue
	Speed float64 // work per second relative to speed 1 (> 0)

	CPU         int64   // milli-cores
	Memory      int64   // bytes
	GPUs        int     // whole GPUs
	GPUModel    string  // e.g. "V100M16"; empty when unknown
	CostPerHour float64 // money per node-hour
}
