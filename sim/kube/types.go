package kube

// The object model: the parts of Kubernetes' Node and Pod that decide where
// a pod can go, as plain Go values (package sim imports only the standard
// library; scenario/manifest converts the official k8s.io/api types into these).
// Field names follow the API's, so a reader can find each in the
// Kubernetes reference.

// Resources are amounts of the resources the scheduler checks: cpu in
// milli-cores, memory in bytes, whole nvidia.com/gpu devices, the
// project's GPU-share resource (GPUShareResource, thousandths of one GPU)
// and the number of pods.
type Resources struct {
	MilliCPU int64
	Memory   int64
	GPU      int64
	GPUMilli int64
	Pods     int64
}

// Add adds r2 to r.
func (r *Resources) Add(r2 Resources) {
	r.MilliCPU += r2.MilliCPU
	r.Memory += r2.Memory
	r.GPU += r2.GPU
	r.GPUMilli += r2.GPUMilli
	r.Pods += r2.Pods
}

// Sub subtracts r2 from r.
func (r *Resources) Sub(r2 Resources) {
	r.MilliCPU -= r2.MilliCPU
	r.Memory -= r2.Memory
	r.GPU -= r2.GPU
	r.GPUMilli -= r2.GPUMilli
	r.Pods -= r2.Pods
}

// Resource names as they appear in manifests and in "Insufficient ..."
// reasons.
const (
	ResourceCPU      = "cpu"
	ResourceMemory   = "memory"
	ResourceGPU      = "nvidia.com/gpu"
	GPUShareResource = "fleetsim.io/gpu-milli"
	ResourcePods     = "pods"
)

// Well-known labels.
const (
	LabelHostname = "kubernetes.io/hostname"
	LabelZone     = "topology.kubernetes.io/zone"
)

// The scheduler's defaults for containers without requests when scoring
// (pkg/scheduler/util: DefaultMilliCPURequest, DefaultMemoryRequest).
const (
	DefaultMilliCPURequest int64 = 100
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// TaintEffect is a taint's effect.
type TaintEffect string

// Taint effects.
const (
	NoSchedule       TaintEffect = "NoSchedule"
	PreferNoSchedule TaintEffect = "PreferNoSchedule"
	NoExecute        TaintEffect = "NoExecute"
)

// Taint is a node taint.
type Taint struct {
	Key    string
	Value  string
	Effect TaintEffect
}

// Toleration is a pod's toleration. Operator is "Equal" (the default when
// empty) or "Exists"; an empty Key with Exists tolerates everything; an
// empty Effect matches every effect.
type Toleration struct {
	Key      string
	Operator string
	Value    string
	Effect   TaintEffect
	// Seconds is tolerationSeconds: how long a NoExecute taint it
	// tolerates lets the pod stay (nil: for ever; <= 0: not at all).
	Seconds *int64
}

// Tolerates reports whether the toleration tolerates taint t
// (k8s.io/api/core/v1 Toleration.ToleratesTaint).
func (tol *Toleration) Tolerates(t *Taint) bool {
	if tol.Effect != "" && tol.Effect != t.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != t.Key {
		return false
	}
	switch tol.Operator {
	case "Exists":
		return true
	case "", "Equal":
		return tol.Value == t.Value
	}
	return false
}

// Node is a node of the cluster.
type Node struct {
	Name          string
	Labels        map[string]string
	Taints        []Taint
	Unschedulable bool
	Allocatable   Resources
}

// PreemptionPolicy is a pod's preemptionPolicy.
type PreemptionPolicy string

// Preemption policies.
const (
	PreemptLowerPriority PreemptionPolicy = "PreemptLowerPriority"
	PreemptNever         PreemptionPolicy = "Never"
)

// Pod is a pod to place or already placed. Pods that share a template
// (replicas of a Deployment, pods of a Job) should share the pointers in
// Affinity and TopologySpread: the scheduler keeps its indexes per term
// and selector, so shared terms are counted once.
type Pod struct {
	Name      string
	Namespace string
	Labels    map[string]string
	// Owner is "Kind/name" of the controller that created the pod, "" for
	// a bare pod.
	Owner string
	// OwnerSelector is the selector of the owning ReplicaSet, Job or
	// StatefulSet: the scheduler's system-default spreading
	// (PodTopologySpread, defaultingType System) uses it for pods without
	// constraints of their own. nil: no default spreading.
	OwnerSelector *LabelSelector

	// Requests is the effective request: max(sum of containers, each init
	// container) plus overhead, as the scheduler computes it; Pods is 1.
	Requests Resources
	// NonZero is the request for scoring, with DefaultMilliCPURequest and
	// DefaultMemoryRequest for containers that set none.
	NonZero Resources

	NodeName       string
	NodeSelector   map[string]string
	Affinity       *Affinity
	Tolerations    []Toleration
	TopologySpread []TopologySpreadConstraint

	Priority         int32
	PreemptionPolicy PreemptionPolicy
	// Start is when the pod started running (simulated nanoseconds), read
	// by preemption's last tie-break.
	Start int64

	// state is the record of the control plane that created the pod (a
	// map from pod to record cost a tenth of a large run)
	state *PodState
}

// Affinity is a pod's affinity block.
type Affinity struct {
	NodeAffinity    *NodeAffinity
	PodAffinity     *PodAffinity
	PodAntiAffinity *PodAffinity
}

// NodeAffinity is required (ORed terms) and preferred node affinity.
type NodeAffinity struct {
	Required  []NodeSelectorTerm
	Preferred []PreferredSchedulingTerm
}

// PreferredSchedulingTerm is a weighted node selector term.
type PreferredSchedulingTerm struct {
	Weight int32
	Term   NodeSelectorTerm
}

// NodeSelectorTerm is a conjunction of requirements on labels and fields
// (the only field is metadata.name).
type NodeSelectorTerm struct {
	MatchExpressions []Requirement
	MatchFields      []Requirement
}

// Operator is a selector requirement's operator: In, NotIn, Exists,
// DoesNotExist, and for node selectors Gt and Lt.
type Operator string

// Selector operators.
const (
	OpIn           Operator = "In"
	OpNotIn        Operator = "NotIn"
	OpExists       Operator = "Exists"
	OpDoesNotExist Operator = "DoesNotExist"
	OpGt           Operator = "Gt"
	OpLt           Operator = "Lt"
)

// Requirement is one key/operator/values requirement.
type Requirement struct {
	Key      string
	Operator Operator
	Values   []string
}

// LabelSelector selects pods by labels. A nil *LabelSelector selects
// nothing, an empty one everything (metav1.LabelSelectorAsSelector).
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []Requirement
}

// PodAffinity holds required and preferred pod (anti-)affinity terms.
type PodAffinity struct {
	Required  []*PodAffinityTerm
	Preferred []WeightedPodAffinityTerm
}

// PodAffinityTerm is a pod (anti-)affinity term: pods matching Selector in
// Namespaces (empty: the pod's own namespace) in the same TopologyKey
// domain.
type PodAffinityTerm struct {
	Selector    *LabelSelector
	Namespaces  []string
	TopologyKey string
}

// WeightedPodAffinityTerm is a preferred term.
type WeightedPodAffinityTerm struct {
	Weight int32
	Term   *PodAffinityTerm
}

// UnsatisfiableAction is a spread constraint's whenUnsatisfiable.
type UnsatisfiableAction string

// whenUnsatisfiable values.
const (
	DoNotSchedule  UnsatisfiableAction = "DoNotSchedule"
	ScheduleAnyway UnsatisfiableAction = "ScheduleAnyway"
)

// InclusionPolicy is nodeAffinityPolicy / nodeTaintsPolicy.
type InclusionPolicy string

// Inclusion policies.
const (
	Honor  InclusionPolicy = "Honor"
	Ignore InclusionPolicy = "Ignore"
)

// TopologySpreadConstraint is one topologySpreadConstraints entry.
// Defaults (applied by Normalize): MinDomains 1, NodeAffinityPolicy Honor,
// NodeTaintsPolicy Ignore.
type TopologySpreadConstraint struct {
	MaxSkew            int32
	TopologyKey        string
	WhenUnsatisfiable  UnsatisfiableAction
	Selector           *LabelSelector
	MinDomains         int32
	NodeAffinityPolicy InclusionPolicy
	NodeTaintsPolicy   InclusionPolicy
}
