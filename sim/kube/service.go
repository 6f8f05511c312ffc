package kube

// ServiceSummary is one Service's request traffic in a run with request
// streams (workload.requests): requests sent, served (completed) and
// failed (retries spent, or no Ready endpoint), availability (served /
// requests), sojourn latency of the served ones, SLO attainment (share of
// requests served within the target; failed ones miss it), what the
// clients did, and the same figures inside each fault and rollout window.
type ServiceSummary struct {
	Requests     int64          `json:"requests"`
	Served       int64          `json:"served"`
	Failed       int64          `json:"failed"`
	Availability float64        `json:"availability"`
	LatencyS     RequestLatency `json:"latency_s"`
	// SLOS is the latency target in seconds; SLOAttainment is absent
	// without one.
	SLOS          float64  `json:"slo_s,omitempty"`
	SLOAttainment *float64 `json:"slo_attainment,omitempty"`
	// NoEndpoint counts attempts the balancer found no Ready endpoint for;
	// LostAttempts those a pod lost (it died or stopped being Ready with
	// them queued); Retries and Timeouts are the clients'.
	NoEndpoint   int64 `json:"no_endpoint"`
	LostAttempts int64 `json:"lost_attempts"`
	Retries      int64 `json:"retries"`
	Timeouts     int64 `json:"timeouts"`
	// Concurrency is the requests each pod serves at once; EndpointSlots
	// the slots the balancer sees (pods come and go through them).
	Concurrency   map[string]int `json:"concurrency"`
	EndpointSlots int            `json:"endpoint_slots"`
	// PodsWithoutSlot counts pods that found every slot of their
	// Deployment taken and served nothing (absent when none).
	PodsWithoutSlot int `json:"pods_without_slot,omitempty"`
	// Windows are the fault and rollout windows, in the order they opened.
	Windows []RequestWindow `json:"windows"`
}

// RequestLatency are sojourn-time figures of served requests, seconds.
type RequestLatency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
}

// RequestWindow is a Service's traffic during one fault or rollout:
// the requests that arrived from StartS to EndS (-1: still open at the
// end of the run). A fault window opens when machines fail and closes
// once no listed endpoint is dead and the Service has as many Ready pods
// as its Deployments' replicas; a rollout window runs from a selected
// Deployment's RolloutStarted to its RolloutComplete.
type RequestWindow struct {
	Kind          string         `json:"kind"`
	Object        string         `json:"object"`
	StartS        float64        `json:"start_s"`
	EndS          float64        `json:"end_s"`
	Requests      int64          `json:"requests"`
	Served        int64          `json:"served"`
	Failed        int64          `json:"failed"`
	Availability  float64        `json:"availability"`
	LatencyS      RequestLatency `json:"latency_s"`
	SLOAttainment *float64       `json:"slo_attainment,omitempty"`
}
