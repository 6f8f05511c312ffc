// Package manifest reads Kubernetes objects into fleetsim's scheduling
// model (package sim/kube), with the official Go types (k8s.io/api,
// k8s.io/apimachinery, one release) and a YAML decoder that keeps line
// numbers: each document is parsed into a go-yaml node tree, turned into
// the equivalent JSON value with every path's line recorded, and decoded
// into the typed object with unknown fields refused. Errors name the file,
// line, object and field:
//
//	web.yaml:14: Deployment default/web: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity such as 500m, 2 or 4Gi, got "2 cpus"
//
// # Kinds
//
// Pod (v1), Deployment and ReplicaSet (apps/v1; replicas pods named
// name-0, name-1, ... from the template), Job (batch/v1: parallelism,
// completions, backoffLimit, activeDeadlineSeconds), PriorityClass
// (scheduling.k8s.io/v1; the two built-in system classes are known),
// PodDisruptionBudget (policy/v1), Node (v1), and List of them (so
// `kubectl get nodes,pods -A -o yaml` loads: Running pods with a nodeName
// start bound to their node, Succeeded and Failed pods are skipped). Any
// other kind is an error.
//
// # What is modelled
//
// Container and init-container requests of cpu, memory, nvidia.com/gpu and
// fleetsim.io/gpu-milli (thousandths of one GPU: GPU sharing, checked as an
// extended resource against the node's allocatable, which defaults to
// 1000 per nvidia.com/gpu), with limits standing in for missing requests,
// sidecar (restartPolicy Always) init containers and overhead as the
// scheduler adds them; nodeSelector, nodeName, node affinity (required and
// preferred; matchFields on metadata.name), pod affinity and anti-affinity
// (required and preferred, any topologyKey, namespaces), tolerations (with
// tolerationSeconds, which NoExecute evictions under controllers follow),
// topologySpreadConstraints (maxSkew, whenUnsatisfiable, labelSelector,
// minDomains, nodeAffinityPolicy, nodeTaintsPolicy), priority,
// priorityClassName, preemptionPolicy, schedulerName; the annotations
// fleetsim.io/duration (how long each pod runs) and fleetsim.io/arrival
// (when the object is created). For runs with controllers, a Deployment's
// fleetsim.io/cpu-usage (its pods' total cpu usage over time, steps
// "0s=400m,10m=1200m", read by its HorizontalPodAutoscaler) and
// fleetsim.io/crash-after (every container crashes that long after it
// starts: a liveness failure, restarted with CrashLoopBackOff) and
// fleetsim.io/ready-after (the application answers its readiness probe
// that long after its container starts; the first probe at or after it,
// at initialDelaySeconds + k·periodSeconds, succeeds). Services
// (selector, ports) and HorizontalPodAutoscalers (autoscaling/v2, one cpu
// Utilization metric, behavior) are read; a Service must select a
// Deployment's pods and an HPA target a Deployment of the manifests.
//
// # Refused: would change placement, not modelled
//
// persistentVolumeClaim, ephemeral and CSI volumes; hostNetwork and
// hostPort; resourceClaims (DRA); schedulingGates; runtimeClassName;
// pod-level resources; requests of other resources (ephemeral-storage,
// hugepages, other extended resources); overhead other than cpu/memory;
// namespaceSelector, matchLabelKeys and mismatchLabelKeys; a Job's
// podFailurePolicy, suspend and backoffLimitPerIndex; a PDB's
// unhealthyPodEvictionPolicy; unknown fields.
//
// # Ignored: cannot change placement
//
// Images, commands, env, probes, ports without hostPort, other volume
// kinds (configMap, secret, emptyDir, ...), security contexts, labels and
// annotations other than those above, status (except a snapshot pod's
// phase and a node's allocatable/capacity), managedFields and other
// metadata.
package manifest
