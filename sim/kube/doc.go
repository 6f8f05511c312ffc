// Package kube models Kubernetes scheduling: nodes and pods with the fields
// that decide placement, and kube-scheduler's default profile run stage by
// stage (PreFilter, Filter, Score, NormalizeScore, selectHost, PostFilter).
//
// # Model
//
// Node and Pod are plain values (package sim imports nothing outside the
// standard library; scenario/manifest converts the official k8s.io/api objects
// into them). A Cluster holds the nodes and the pods bound to them, with
// indexes that Bind and Unbind keep current: per topology key the domain of
// each node, per label selector the matching pods per domain, per affinity
// term of a bound pod the domains holding such pods. A scheduling cycle
// then costs what its pod's own terms need rather than a walk over every
// bound pod.
//
// # Filters, in kube-scheduler's order
//
// NodeUnschedulable, NodeName, TaintToleration (NoSchedule and NoExecute),
// NodeAffinity (nodeSelector and required node affinity), NodeResourcesFit
// (cpu, memory, nvidia.com/gpu, the GPU-share resource fleetsim.io/gpu-milli
// and the pod count), PodTopologySpread (DoNotSchedule constraints: skew =
// matching pods in the node's domain + 1 if the pod matches itself - the
// minimum over domains, 0 while fewer than minDomains domains exist; nodes
// counted per nodeAffinityPolicy and nodeTaintsPolicy), InterPodAffinity
// (existing pods' required anti-affinity, the pod's required anti-affinity
// and affinity with any topologyKey, and the first-pod-of-a-group rule).
// A node's first failing filter gives its reason (all of them for
// NodeResourcesFit), counted into a FitError worded as kube-scheduler's
// "0/N nodes are available: ...".
//
// # Scores, with the default weights
//
// TaintToleration 3 (PreferNoSchedule taints, reversed), NodeAffinity 2
// (preferred terms), NodeResourcesFit 1 (LeastAllocated by default; any
// ResourceScorer may replace it), NodeResourcesBalancedAllocation 1,
// PodTopologySpread 2 (ScheduleAnyway constraints, or the system defaults
// for pods of a controller), InterPodAffinity 2 (preferred terms both ways,
// existing pods' required affinity with hardPodAffinityWeight 1). Each is
// normalised as its plugin does; ties go uniformly at random.
// ImageLocality is omitted: images are not modelled, and a score equal on
// every node does not change the choice.
//
// The scheduler stops filtering once it has found NumFeasibleNodesToFind
// feasible nodes (percentageOfNodesToScore, adaptive by default), starting
// each cycle where the last one stopped.
//
// A pod whose filters and scores read only the node (no node name,
// selector, affinity or topology spread, nothing nominated, a built-in
// resource scorer) takes a fast path with the same outcome
// (schedcache.go): each node's result is cached per pod class (requests,
// tolerations) and recomputed only where the node changed; a block of 32
// nodes none of which changed is taken from its summary. The cluster sees
// every change made through its methods (Bind, Unbind, SetTaints,
// RemoveNode, AddNode); code that edits a Node's fields in place after it
// joined the cluster calls Cluster.NodeUpdated.
//
// # Priority and preemption
//
// Scheduler.Preempt is DefaultPreemption's PostFilter: candidate nodes,
// minimal victim sets reprieved most important first (PDB-violating pods
// first), and the node order of pickOneNodeForPreemption.
//
// # Controllers
//
// A ControlPlane runs the control loops over the same Cluster, each an
// event handler on a Clock of timers that the run drives (RunUntil), each
// in its own file: the kubelet (kubelet.go: start-up delay, readiness
// probes, CrashLoopBackOff), ReplicaSets and Deployments (deployment.go:
// rolling updates as rolling.go computes them, Recreate,
// minReadySeconds), the node lifecycle controller and drains
// (nodelifecycle.go), the HorizontalPodAutoscaler (hpa.go) and the cluster
// autoscaler (autoscaler.go). Their defaults are Kubernetes' (Config,
// DefaultConfig, DefaultScaleUp, DefaultScaleDown, Autoscaler), each
// documented with its source and overridable. Every action is an Event,
// in `kubectl get events` order. The control plane's scheduling pass uses
// the profile's filters and scores but does not preempt; preemption runs
// in Kubernetes workloads of the central engine (package scenario).
//
// # Departures from kube-scheduler
//
// Filtering is sequential, so which nodes a cycle examines depends only on
// the cluster and the previous cycle (kube-scheduler filters in parallel and
// may examine a few more). Nodes are examined in the order given, not
// interleaved by zone. A nominated pod's requests are reserved on its node
// (Cluster.Nominate) against NodeResourcesFit only, not for inter-pod
// affinity or topology spreading.
// namespaceSelector, matchLabelKeys and mismatchLabelKeys are not modelled
// (the manifest reader refuses them).
package kube
