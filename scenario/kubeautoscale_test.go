package scenario

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// autoscaleRun runs manifests on one 4-cpu node of group burst (cost 1
// per hour) with the cluster autoscaler over burst (min 1, max 2,
// provisioning 2 min, the default 10 s scan and 10 min unneeded time)
// and returns the pods (name node bound ended reason), the autoscaler's
// and the pods' events (time object reason) and the summary.
func autoscaleRun(t *testing.T, manifests string, procs int) (rows, evs []string, sum *kube.Summary) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	dir := kubeFiles(t, map[string]string{"m.yaml": manifests, "s.yaml": `stop: {time: 1h}
cluster:
  queueing: central
  nodes: [{group: burst, count: 1, cpu: 4, memory: 16Gi, cost_per_hour: 1}]
workload:
  kubernetes:
    path: m.yaml
    controllers: true
    job_duration: 10m
    autoscaler: {groups: [{group: burst, min: 1, max: 2, provision: 2m}]}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{
		OnPod: func(r *PodRecord) {
			rows = append(rows, fmt.Sprintf("%s %s %g %g %s", r.Pod, r.Node, r.Bound, r.Ended, r.Reason))
		},
		OnEvent: func(e *kube.Event) {
			evs = append(evs, fmt.Sprintf("%d %s %s", e.Time/kube.Second, e.Object, e.Reason))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	for done := false; !done; {
		if done, err = run.Step(1 << 16); err != nil {
			t.Fatal(err)
		}
	}
	return rows, evs, run.Result().Kubernetes
}

// A Job's pod waiting for room makes the cluster autoscaler add a node,
// and runs there. Worked by hand: the bare pod fill (4 cpu) takes burst-0
// at 0 s; the Job's pod train-0 (2 cpu) arrives at 5 s and fits nowhere;
// the scan at 10 s counts it and requests burst-1, which joins at 10 +
// 120 = 130 s; train-0 binds there at 130 s and completes its 10 min at
// 730 s. The completion (scheduled at 130 s) comes before the scan at
// 730 s (scheduled at 720 s), which finds burst-1 empty: unneeded from
// 730 s, removed at the scan at 730 + 600 = 1330 s (the scale-up at 10 s
// is more than 10 min before). Cost: burst-0 the whole hour (1) and
// burst-1 from its request at 10 s to 1330 s (1320 / 3600).
func TestKubernetesAutoscalerJobPod(t *testing.T) {
	const m = `apiVersion: v1
kind: Pod
metadata: {name: fill}
spec:
  containers: [{name: c, resources: {requests: {cpu: "4"}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, annotations: {fleetsim.io/arrival: 5s}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, resources: {requests: {cpu: "2"}}}]
`
	rows, evs, sum := autoscaleRun(t, m, 1)
	want := []string{"train-0 burst-1 130 730 completed", "fill burst-0 0 3600 running"}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("pods:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	var ca []string
	for _, e := range evs {
		if strings.Contains(e, "NodeGroup/") || strings.Contains(e, "Node/burst-1") {
			ca = append(ca, e)
		}
	}
	if got, want := strings.Join(ca, "|"), "10 NodeGroup/burst ScaledUpGroup|130 Node/burst-1 NodeReady|1330 Node/burst-1 ScaleDown|1330 Node/burst-1 RemovingNode"; got != want {
		t.Errorf("autoscaler events: %s\nwant %s", got, want)
	}
	g := sum.Controllers.NodeGroups["burst"]
	if wantCost := 1 + 1320.0/3600; g.Nodes != 1 || g.Peak != 2 || g.ScaleUps != 1 || g.ScaleDowns != 1 || math.Abs(g.Cost-wantCost) > 1e-9 {
		t.Errorf("node group %+v; want 1 node, peak 2, 1 added, 1 removed, cost %g", g, wantCost)
	}
	if sum.Completed != 1 || sum.PendingAtEnd != 0 {
		t.Errorf("completed %d, pending at end %d; want 1, 0", sum.Completed, sum.PendingAtEnd)
	}
}

// Scaling a node down evicts the Job's pod on it: its Job recreates it,
// and it runs on the node that is kept. Worked by hand: keep (2 cpu, the
// whole run) and brief (2 cpu, 300 s) fill burst-0 at 0 s; train-0 (1
// cpu, 20 min) arrives at 5 s, the scan at 10 s requests burst-1, train-0
// binds there at 130 s. brief ends at 300 s (before that instant's scan):
// burst-0 is at 50 % (needed), burst-1 at 25 % with train-0 fitting on
// burst-0, so unneeded from 300 s; at the scan at 900 s the autoscaler
// taints it and evicts train-0, which ends after its 30 s grace period at
// 930 s; burst-1, empty, is removed then, and the new pod train-0.1 binds
// on burst-0 at 930 s and runs its 20 min to 2130 s. A bare pod there
// instead would keep burst-1: nothing would recreate it.
func TestKubernetesAutoscalerEvictsJobPod(t *testing.T) {
	m := `apiVersion: v1
kind: Pod
metadata: {name: keep}
spec:
  containers: [{name: c, resources: {requests: {cpu: "2"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: brief, annotations: {fleetsim.io/duration: 300s}}
spec:
  containers: [{name: c, resources: {requests: {cpu: "2"}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, annotations: {fleetsim.io/arrival: 5s, fleetsim.io/duration: 20m}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, resources: {requests: {cpu: "1"}}}]
`
	rows, evs, sum := autoscaleRun(t, m, 1)
	want := []string{"brief burst-0 0 300 running", "train-0 burst-1 130 930 evicted: scale-down of node burst-1",
		"train-0.1 burst-0 930 2130 completed", "keep burst-0 0 3600 running"}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("pods:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	var ca []string
	for _, e := range evs {
		if strings.Contains(e, "NodeGroup/") || strings.Contains(e, "Node/burst-1") || strings.Contains(e, "Pod/train") {
			ca = append(ca, e)
		}
	}
	if got, want := strings.Join(ca, "|"), "10 NodeGroup/burst ScaledUpGroup|130 Node/burst-1 NodeReady|900 Node/burst-1 ScaleDown|900 Pod/train-0 Killing|930 Node/burst-1 RemovingNode"; got != want {
		t.Errorf("events: %s\nwant %s", got, want)
	}
	if g := sum.Controllers.NodeGroups["burst"]; g.Nodes != 1 || g.ScaleDowns != 1 || math.Abs(g.Cost-(1+920.0/3600)) > 1e-9 {
		t.Errorf("node group %+v; want 1 node, 1 removed, cost %g", g, 1+920.0/3600)
	}
	if sum.Completed != 1 || sum.Pods != 4 {
		t.Errorf("completed %d, pods %d; want 1, 4", sum.Completed, sum.Pods)
	}

	// The same with a bare pod in train's place: burst-1 stays.
	bare := strings.Replace(m, `apiVersion: batch/v1
kind: Job
metadata: {name: train, annotations: {fleetsim.io/arrival: 5s, fleetsim.io/duration: 20m}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:`, `apiVersion: v1
kind: Pod
metadata: {name: solo, annotations: {fleetsim.io/arrival: 5s, fleetsim.io/duration: 20m}}
spec:
  containers:`, 1)
	rows, _, sum = autoscaleRun(t, bare, 1)
	if got, want := strings.Join(rows, "\n"), "brief burst-0 0 300 running\nsolo burst-1 130 1330 running\nkeep burst-0 0 3600 running"; got != want {
		t.Errorf("bare pod: pods:\n%s\nwant:\n%s", got, want)
	}
	// burst-1 is empty from 1330 s: unneeded from then, removed at 1930 s.
	if g := sum.Controllers.NodeGroups["burst"]; g.ScaleDowns != 1 || math.Abs(g.Cost-(1+1920.0/3600)) > 1e-9 {
		t.Errorf("bare pod: node group %+v; want 1 removed, cost %g", g, 1+1920.0/3600)
	}
}

// The same pods, events and summary at GOMAXPROCS 1 and 8.
func TestKubernetesAutoscalerJobPodsDeterministic(t *testing.T) {
	m := `apiVersion: v1
kind: Pod
metadata: {name: fill}
spec:
  containers: [{name: c, resources: {requests: {cpu: "3"}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, annotations: {fleetsim.io/arrival: 5s}}
spec:
  parallelism: 4
  completions: 12
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, resources: {requests: {cpu: "1500m"}}}]
`
	r1, e1, s1 := autoscaleRun(t, m, 1)
	r8, e8, s8 := autoscaleRun(t, m, 8)
	if strings.Join(r1, "\n") != strings.Join(r8, "\n") || strings.Join(e1, "\n") != strings.Join(e8, "\n") ||
		fmt.Sprint(s1.Controllers.NodeGroups) != fmt.Sprint(s8.Controllers.NodeGroups) {
		t.Errorf("GOMAXPROCS 1 and 8 differ:\n%s\n%s", strings.Join(r1, "\n"), strings.Join(r8, "\n"))
	}
	onAdded := 0
	for _, r := range r1 {
		if strings.Contains(r, " burst-1 ") && strings.HasSuffix(r, " completed") {
			onAdded++
		}
	}
	if s1.Completed != 12 || onAdded == 0 {
		t.Errorf("completed %d, %d on burst-1; want 12, some:\n%s", s1.Completed, onAdded, strings.Join(r1, "\n"))
	}
}
