package manifest

import (
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim/kube"
)

const good = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch-low}
value: 100
preemptionPolicy: Never
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {fleetsim.io/arrival: 5s}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx
        env: [{name: A, value: b}]
        resources:
          requests: {cpu: 250m, memory: 512Mi}
      - name: sidecar
        resources:
          limits: {cpu: "1", memory: 1Gi}
      initContainers:
      - name: init
        resources: {requests: {cpu: "2"}}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: web}}
            topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: web}}
        minDomains: 3
        nodeTaintsPolicy: Honor
---
apiVersion: v1
kind: List
items:
- apiVersion: batch/v1
  kind: Job
  metadata: {name: train, annotations: {fleetsim.io/duration: 10m}}
  spec:
    parallelism: 2
    completions: 4
    backoffLimit: 1
    template:
      metadata: {labels: {app: train}}
      spec:
        priorityClassName: batch-low
        tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
        containers:
        - name: t
          resources: {limits: {nvidia.com/gpu: 2}}
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: web}
  spec:
    minAvailable: 2
    selector: {matchLabels: {app: web}}
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-0
    labels: {topology.kubernetes.io/zone: z1}
  spec:
    taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
  status:
    allocatable: {cpu: "32", memory: 128Gi, nvidia.com/gpu: "8", pods: "110"}
`

func TestReadGood(t *testing.T) {
	s, err := ReadBytes("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods) != 3 || len(s.Jobs) != 1 || len(s.PDBs) != 1 || len(s.Nodes) != 1 {
		t.Fatalf("got %d pods, %d jobs, %d pdbs, %d nodes", len(s.Pods), len(s.Jobs), len(s.PDBs), len(s.Nodes))
	}
	p := s.Pods[1].Pod
	// Requests: containers 250m+1000m = 1250m vs init 2000m -> 2000m;
	// memory 512Mi + 1Gi (limit as request) = 1536Mi.
	if p.Name != "web-1" || p.Requests.MilliCPU != 2000 || p.Requests.Memory != 1536<<20 || p.Owner != "Deployment/web" {
		t.Fatalf("pod %+v", p)
	}
	if s.Pods[0].Arrival.Seconds() != 5 || s.Pods[0].Line != 7 {
		t.Fatalf("arrival %v line %d", s.Pods[0].Arrival, s.Pods[0].Line)
	}
	sc := p.TopologySpread[0]
	if sc.MinDomains != 3 || sc.NodeTaintsPolicy != kube.Honor || sc.NodeAffinityPolicy != kube.Honor || sc.WhenUnsatisfiable != kube.DoNotSchedule {
		t.Fatalf("spread %+v", sc)
	}
	if s.Pods[0].Pod.Affinity != s.Pods[2].Pod.Affinity {
		t.Fatal("replicas must share their template's affinity terms")
	}
	j := s.Jobs[0]
	if j.Parallelism != 2 || j.Completions != 4 || j.BackoffLimit != 1 || j.Duration.Minutes() != 10 ||
		j.Template.Requests.GPU != 2 || j.Template.Priority != 100 || j.Template.PreemptionPolicy != kube.PreemptNever {
		t.Fatalf("job %+v template %+v", j, j.Template)
	}
	n := s.Nodes[0]
	if n.Allocatable.GPU != 8 || n.Allocatable.MilliCPU != 32000 || n.Labels[kube.LabelHostname] != "gpu-0" || n.Taints[0].Effect != kube.NoSchedule {
		t.Fatalf("node %+v", n)
	}
}

// Bad manifests: one line naming file, line, object and field.
func TestReadBad(t *testing.T) {
	dep := func(extra string) string {
		return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
` + extra
	}
	for _, tc := range []struct{ name, in, want string }{
		{"unknown kind", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\n",
			"bad.yaml:2: StatefulSet default/web: kind: kind StatefulSet is not modelled"},
		{"service selects nothing", dep("") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n",
			"bad.yaml:16: Service default/api: spec.selector: selects no Deployment's pods"},
		{"hpa missing target", dep("") + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]\n",
			`bad.yaml:16: HorizontalPodAutoscaler default/h: spec.scaleTargetRef.name: no Deployment "api" in namespace default`},
		{"hpa memory metric", dep("") + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}}]\n",
			"bad.yaml:18: HorizontalPodAutoscaler default/h: spec.metrics[0]: expected a cpu Resource metric"},
		{"crash-after annotation", strings.Replace(dep(""), "metadata: {name: web}", "metadata: {name: web, annotations: {fleetsim.io/crash-after: \"-5s\"}}", 1),
			`bad.yaml:3: Deployment default/web: metadata.annotations: fleetsim.io/crash-after: expected a duration > 0 such as 5m, got "-5s"`},
		{"cpu usage annotation", strings.Replace(dep(""), "metadata: {name: web}", "metadata: {name: web, annotations: {fleetsim.io/cpu-usage: \"0s=2 cpus\"}}", 1),
			`bad.yaml:3: Deployment default/web: metadata.annotations: fleetsim.io/cpu-usage: expected a cpu quantity such as 400m or 2, got "2 cpus"`},
		{"quantity", dep("        resources: {requests: {cpu: 2 cpus}}\n"),
			`bad.yaml:11: Deployment default/web: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity such as 500m, 2 or 4Gi, got "2 cpus"`},
		{"selector", strings.Replace(dep(""), "selector: {matchLabels: {app: web}}", "selector: {matchLabels: {app: api}}", 1),
			"bad.yaml:5: Deployment default/web: spec.selector: the selector matches nothing"},
		{"priority class", dep("      priorityClassName: gold\n"),
			`bad.yaml:11: Deployment default/web: spec.template.spec.priorityClassName: no PriorityClass "gold"`},
		{"host port", dep("        ports: [{containerPort: 80, hostPort: 8080}]\n"),
			"bad.yaml:11: Deployment default/web: spec.template.spec.containers[0].ports[0].hostPort: host ports are not modelled"},
		{"pvc", dep("      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n"),
			"bad.yaml:11: Deployment default/web: spec.template.spec.volumes[0].persistentVolumeClaim: persistent volumes"},
		{"unknown field", dep("        resourcez: {}\n"),
			`bad.yaml:11: Deployment default/web: spec.template.spec.containers[0].resourcez: unknown field "resourcez"`},
		{"type", strings.Replace(dep(""), "spec:\n  selector", "spec:\n  replicas: many\n  selector", 1),
			"bad.yaml:5: Deployment default/web: spec.replicas: expected int32, got string"},
		{"pdb matches nothing", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: none}}\n",
			"bad.yaml:1: PodDisruptionBudget default/p: spec.selector: the selector matches no pod"},
		{"namespaceSelector", dep("      affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: k, namespaceSelector: {}}]}}\n"),
			"bad.yaml:11: Deployment default/web: spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespaceSelector: not modelled"},
		{"resource", dep("        resources: {requests: {ephemeral-storage: 1Gi}}\n"),
			"bad.yaml:11: Deployment default/web: spec.template.spec.containers[0].resources.requests.ephemeral-storage: resource ephemeral-storage is not modelled"},
		{"yaml", "kind: [\n", "bad.yaml:1: not valid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBytes("bad.yaml", []byte(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got  %v\nwant %s...", err, tc.want)
			}
		})
	}
}

// Deployments keep their strategy and readiness probe for the
// controllers; Services and HorizontalPodAutoscalers are read with their
// selector, target, bounds and behavior.
func TestReadControllers(t *testing.T) {
	set, err := ReadBytes("c.yaml", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {fleetsim.io/cpu-usage: "0s=400m,10m=1500m", fleetsim.io/crash-after: 90s}}
spec:
  replicas: 3
  minReadySeconds: 5
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        resources: {requests: {cpu: 500m}}
        readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 3, periodSeconds: 5}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 12
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 60
      policies: [{type: Pods, value: 2, periodSeconds: 30}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Deployments) != 1 || len(set.Services) != 1 || len(set.HPAs) != 1 || len(set.Pods) != 3 {
		t.Fatalf("%d deployments, %d services, %d HPAs, %d pods", len(set.Deployments), len(set.Services), len(set.HPAs), len(set.Pods))
	}
	d := set.Deployments[0]
	if d.Replicas != 3 || d.MinReadySeconds != 5 || d.MaxSurge == nil || d.MaxSurge.Value != 1 || d.MaxUnavailable.Value != 0 ||
		d.ReadinessDelay != 3 || d.ReadinessPeriod != 5 || d.CrashAfter != int64(90*time.Second) || len(d.Usage) != 2 || d.Usage[1].At != int64(10*time.Minute) || d.Usage[1].MilliCPU != 1500 {
		t.Fatalf("deployment %+v", d)
	}
	h := set.HPAs[0]
	if h.Target != "web" || h.Min != 3 || h.Max != 12 || h.TargetUtilization != 60 || h.ScaleDown.StabilizationWindow != int64(time.Minute) ||
		len(h.ScaleDown.Policies) != 1 || h.ScaleDown.Policies[0].Value != 2 || len(h.ScaleUp.Policies) != 2 {
		t.Fatalf("hpa %+v", h)
	}
	if s := set.Services[0]; s.Selector["app"] != "web" || len(s.Ports) != 1 || s.Ports[0] != 80 {
		t.Fatalf("service %+v", s)
	}
}
