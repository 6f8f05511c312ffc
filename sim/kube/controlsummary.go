package kube

// ControlSummary is the controllers' part of a run's kubernetes block.
type ControlSummary struct {
	// Deployments by name.
	Deployments map[string]DeploymentSummary `json:"deployments"`
	// HPAs by target Deployment.
	HPAs map[string]HPASummary `json:"hpas,omitempty"`
	// NodeGroups by name: the cluster autoscaler's groups.
	NodeGroups map[string]NodeGroupSummary `json:"node_groups,omitempty"`
	// Events counts the event log's entries by reason.
	Events map[string]int `json:"events"`
}

// NodeGroupSummary is one autoscaled node group at the end of a run.
type NodeGroupSummary struct {
	Nodes      int     `json:"nodes"`
	Peak       int     `json:"peak_nodes"`
	ScaleUps   int     `json:"nodes_added"`
	ScaleDowns int     `json:"nodes_removed"`
	Cost       float64 `json:"cost"`
}

// DeploymentSummary is one Deployment at the end of a run.
type DeploymentSummary struct {
	Replicas int32 `json:"replicas"`
	Ready    int32 `json:"ready"`
	Restarts int   `json:"restarts"`
	// RolloutS is the latest rollout's duration in seconds (-1: none, or
	// not complete); MinReadyInRollout the fewest Ready pods during it.
	RolloutS          float64 `json:"rollout_s"`
	MinReadyInRollout int32   `json:"min_ready_in_rollout"`
	// RecoveryS are the times from each fault that took Ready pods below
	// the replicas to all replicas Ready again, seconds.
	RecoveryS []float64 `json:"recovery_s"`
}

// HPASummary is one autoscaler's decisions.
type HPASummary struct {
	Syncs       int   `json:"syncs"`
	Rescales    int   `json:"rescales"`
	MinReplicas int32 `json:"min_replicas_seen"`
	MaxReplicas int32 `json:"max_replicas_seen"`
	Final       int32 `json:"final_replicas"`
}

// Summary is the ControlSummary now.
func (cp *ControlPlane) Summary(hpas []*HPA) *ControlSummary {
	s := &ControlSummary{Deployments: map[string]DeploymentSummary{}, Events: map[string]int{}}
	secs := func(ns int64) float64 { return float64(ns) / float64(Second) }
	for _, d := range cp.deployments {
		c := cp.Counts(d)
		ds := DeploymentSummary{Replicas: d.Spec.Replicas, Ready: c.Ready, Restarts: d.Restarts, RolloutS: -1, MinReadyInRollout: d.MinReadyInRollout, RecoveryS: []float64{}}
		if d.RolloutEnd >= 0 {
			ds.RolloutS = secs(d.RolloutEnd - d.RolloutStart)
		}
		for _, r := range d.Recoveries {
			ds.RecoveryS = append(ds.RecoveryS, secs(r))
		}
		s.Deployments[d.Spec.Name] = ds
	}
	for _, h := range hpas {
		hs := HPASummary{Syncs: len(h.Decisions), Final: h.Target.Spec.Replicas, MinReplicas: h.Target.Spec.Replicas, MaxReplicas: h.Target.Spec.Replicas}
		for _, dec := range h.Decisions {
			if dec.To != dec.From {
				hs.Rescales++
			}
			hs.MinReplicas, hs.MaxReplicas = min(hs.MinReplicas, dec.To, dec.From), max(hs.MaxReplicas, dec.To, dec.From)
		}
		if s.HPAs == nil {
			s.HPAs = map[string]HPASummary{}
		}
		s.HPAs[h.Target.Spec.Name] = hs
	}
	if cp.ca != nil {
		s.NodeGroups = map[string]NodeGroupSummary{}
		for _, g := range cp.ca.Groups {
			s.NodeGroups[g.Name] = NodeGroupSummary{Nodes: g.Size(), Peak: max(g.Peak, g.Size()), ScaleUps: g.ScaleUps, ScaleDowns: g.ScaleDowns, Cost: g.Cost(cp.Clock.Now())}
		}
	}
	for k := range cp.log.n {
		s.Events[cp.log.reason(cp.log.at(k))]++
	}
	return s
}

// Reschedule runs a scheduling pass at the current instant (the cluster
// changed outside the control plane: a pod of the run ended).
func (cp *ControlPlane) Reschedule() { cp.queueSchedule() }
