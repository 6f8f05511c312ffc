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

	// Link is the node's network link for workflow data, bytes per
	// second (0: not limited beyond Central.Transfer's bandwidth).
	Link float64

	// Rack is the node's rack (or zone) for topology-aware gang placement
	// and the gang slowdown model (gang.go); "" is a rack of its own kind.
	Rack string

	// Background is the share of the node's capacity taken by work outside
	// the simulation, in [0, 1): it serves at Speed × (1 − Background), and
	// a metrics scrape reports it as used.
	Background float64

	// Power model: watts drawn idle and at full utilization, linear in
	// between (0, 0: energy not counted).
	PowerIdle, PowerPeak float64

	// PrefillPerToken and DecodePerToken, when > 0, make the node an LLM
	// inference replica: a request with PromptTokens p and OutputTokens o
	// takes p·PrefillPerToken + o·DecodePerToken, its first token after
	// p·PrefillPerToken + DecodePerToken (Speed does not apply).
	PrefillPerToken, DecodePerToken Time
}
