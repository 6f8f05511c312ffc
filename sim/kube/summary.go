package kube

// Summary is the kubernetes block of a run's JSON result.
type Summary struct {
	// Pods counts the pods created, recreated ones included.
	Pods         int `json:"pods"`
	Bound        int `json:"bound"`
	PendingAtEnd int `json:"pending_at_end"`
	Preempted    int `json:"preempted"`
	// Completed counts Job pods that ran to completion.
	Completed int `json:"completed"`
	// JobsFailed counts Jobs whose activeDeadlineSeconds passed, Killed
	// the running pods terminated then (absent when 0).
	JobsFailed int `json:"jobs_deadline_exceeded,omitempty"`
	Killed     int `json:"pods_killed_at_deadline,omitempty"`
	// NodeLost counts the pods of Jobs and bare pods ended because their
	// machine failed (evicted from the NotReady node, failed at the
	// machine's return, or still lost at the stop time; absent when 0).
	NodeLost int     `json:"pods_lost_to_node_failures,omitempty"`
	LatencyS Latency `json:"scheduling_latency_s"`
	// Unschedulable counts, per filter reason, the pods pending at the end
	// whose last scheduling attempt a node rejected for it.
	Unschedulable map[string]int `json:"unschedulable_reasons"`
	// Spread is, per owner (Kind/name), its pods running at the end per
	// zone and per node.
	Spread map[string]Spread `json:"spread"`
	// Controllers is present in runs with controllers.
	Controllers *ControlSummary `json:"controllers,omitempty"`
	// Services is present in runs with request streams, by Service name.
	Services map[string]ServiceSummary `json:"services,omitempty"`
}

// Latency are percentiles of pod creation-to-bind times, in seconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Spread counts a workload's running pods per zone and per node.
type Spread struct {
	Zones map[string]int `json:"zones"`
	Nodes map[string]int `json:"nodes"`
}
