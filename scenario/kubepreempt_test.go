package scenario

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// A Job's pod of the engine preempting a control loop's pod, worked by
// hand: one node of 4 cpu holds web's two pods (2 cpu each, bound and
// started at 0); urgent, a Job of priority 1000 asking 2 cpu, arrives at
// 60 s and finds no room. Preemption picks one web pod: the control plane
// deletes it at 60 s (Preempted) with the default 30 s grace period, and
// web's ReplicaSet creates its replacement at once; the victim is gone at
// 90 s, urgent binds then on the nominated node and runs its 5 min, to
// 390 s; the replacement, pending meanwhile (the node's room is urgent's
// by nomination, then by binding), binds when urgent ends, at 390 s.
// Before, the engine looked the victim up among snapshot pods and
// indexed an empty list: a panic.
func TestKubernetesJobPreemptsControlLoopPod(t *testing.T) {
	dir := kubeFiles(t, map[string]string{"m.yaml": `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, resources: {requests: {cpu: "2", memory: 1Gi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: urgent, annotations: {fleetsim.io/duration: 5m, fleetsim.io/arrival: 60s}}
spec:
  template:
    spec:
      priorityClassName: high
      restartPolicy: Never
      containers:
      - {name: u, resources: {requests: {cpu: "2", memory: 1Gi}}}
`, "s.yaml": `stop: {time: 30m}
cluster:
  queueing: central
  nodes: [{group: n, count: 1, cpu: 4, memory: 16Gi}]
workload:
  kubernetes: {path: m.yaml, controllers: true}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rows, evs []string
	res := runToEnd(t, s, s.Strategies[0], RunOptions{
		OnPod: func(r *PodRecord) {
			rows = append(rows, fmt.Sprintf("%s %g %g %s", r.Pod, r.Bound, r.Ended, r.Reason))
		},
		OnEvent: func(e *kube.Event) {
			if e.Reason == "Preempted" || e.Reason == "Scheduled" {
				evs = append(evs, fmt.Sprintf("%d %s %s", e.Time/kube.Second, e.Object, e.Reason))
			}
		},
	})
	sum := res.Kubernetes
	got := strings.Join(rows, "\n")
	var victim, survivor string
	switch {
	case strings.Contains(got, "web-0-0 0 90 Preempted"):
		victim, survivor = "web-0-0", "web-0-1"
	case strings.Contains(got, "web-0-1 0 90 Preempted"):
		victim, survivor = "web-0-1", "web-0-0"
	default:
		t.Fatalf("no web pod preempted at 60 s and gone at 90 s:\n%s", got)
	}
	for _, want := range []string{
		"urgent-0 90 390 completed",
		victim + " 0 90 Preempted",
		survivor + " 0 1800 running",
		"web-0-2 390 1800 running",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pods:\n%s\nwant a row %q", got, want)
		}
	}
	if e := strings.Join(evs, "\n"); !strings.Contains(e, "60 Pod/"+victim+" Preempted") || !strings.Contains(e, "390 Pod/web-0-2 Scheduled") {
		t.Errorf("events:\n%s\nwant %s Preempted at 60 s and web-0-2 Scheduled at 390 s", e, victim)
	}
	if sum.Completed != 1 {
		t.Errorf("completed %d, want 1 (urgent)", sum.Completed)
	}
}
