package scenario

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// timelineWeb is a Deployment of 2 pods, one per node (required
// anti-affinity), Ready 3 s after they start (readiness initialDelay).
const timelineWeb = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
      containers:
      - name: app
        resources: {requests: {cpu: "1"}}
        readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 3}
`

// timelineRun runs a scenario file's first strategy with the timeline on,
// every 50 s, and returns its samples (copied), windows and events.
func timelineRun(t *testing.T, s *Scenario) (samples []TimelineSample, windows []Window, events []string) {
	t.Helper()
	run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{
		Timeline: 50 * sim.Second,
		OnSample: func(ts *TimelineSample) {
			c := *ts
			c.Ready, c.Replicas = append([]int32(nil), ts.Ready...), append([]int32(nil), ts.Replicas...)
			samples = append(samples, c)
		},
		OnWindow: func(w *Window) { windows = append(windows, *w) },
		OnEvent: func(e *kube.Event) {
			events = append(events, fmt.Sprintf("%d %s %s", e.Time/kube.Second, e.Object, e.Reason))
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
	run.Result()
	return samples, windows, events
}

// TestKubernetesTimeline checks the sampled series against a schedule
// worked by hand. Two nodes (1 per hour each), web's two pods one per node
// bound at 0, started at 5 s (startup), Ready at 8 s (initialDelay 3 s).
// n-0 fails at 103 s: its last Lease renewal was at 100 s, seen at the
// 100 s check, NotReady at the first check past 100 + 50 = 150 s, 155 s
// (its pod not Ready from then); evicted 300 s later at 455 s, deleted at
// once; the replacement cannot go to n-1 (anti-affinity) nor n-0
// (unreachable taint): pending from 455 s. The rollout at 600 s surges one
// new pod (maxSurge 25 % of 2, rounded up), pending for the same reason,
// and scales nothing down (maxUnavailable 25 % of 2 rounds down to 0 and
// only one old pod is available): it never completes. So, sampled every
// 50 s: Ready 0 at 0, 2 from 50 to 150, 1 from 200; pending 0 to 450, 1 at
// 500 and 550, 2 from 600; machines up 2 to 100, 1 from 150; replicas 2;
// cost 2 nodes × t / 3600 s. Windows: n-0's failure from 103 s and the
// rollout from 600 s, both open at the stop (1200 s).
func TestKubernetesTimeline(t *testing.T) {
	dir := kubeFiles(t, map[string]string{"web.yaml": timelineWeb, "s.yaml": `stop: {time: 20m}
cluster:
  queueing: central
  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi, cost_per_hour: 1}]
workload:
  kubernetes:
    path: web.yaml
    controllers: true
    startup: 5s
    events: [{at: 103s, fail_node: n-0}, {at: 600s, rollout: web}]
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	samples, windows, events := timelineRun(t, s)
	if len(samples) != 1200/50+1 {
		t.Fatalf("%d samples, want 25 (0, 50, ..., 1200 s)", len(samples))
	}
	for k, ts := range samples {
		at := int64(k) * 50
		if ts.T != sim.Time(at)*sim.Second {
			t.Fatalf("sample %d at %v, want %d s", k, ts.T, at)
		}
		ready, pending, nodes := int32(2), 0, 2
		switch {
		case at == 0:
			ready = 0
		case at >= 200:
			ready = 1
		}
		switch {
		case at >= 600:
			pending = 2
		case at >= 500:
			pending = 1
		}
		if at >= 150 {
			nodes = 1
		}
		cost := 2 * float64(at) / 3600
		if len(ts.Deployments) != 1 || ts.Deployments[0] != "web" || ts.Ready[0] != ready || ts.Replicas[0] != 2 ||
			ts.Pending != pending || ts.Nodes != nodes || math.Abs(ts.Cost-cost) > 1e-9 {
			t.Errorf("at %d s: %v ready %v replicas %v pending %d machines %d cost %v; want ready %d replicas 2 pending %d machines %d cost %v",
				at, ts.Deployments, ts.Ready, ts.Replicas, ts.Pending, ts.Nodes, ts.Cost, ready, pending, nodes, cost)
		}
	}
	want := []Window{
		{Kind: WindowNodeFailure, Name: "n-0", Start: 103 * sim.Second, End: 1200 * sim.Second},
		{Kind: WindowRollout, Name: "web", Start: 600 * sim.Second, End: 1200 * sim.Second},
	}
	if fmt.Sprint(windows) != fmt.Sprint(want) {
		t.Errorf("windows %+v, want %+v", windows, want)
	}
	// The schedule's fixed points, from the event log.
	log := strings.Join(events, "\n")
	for _, e := range []string{"103 Node/n-0 NodeFailed", "155 Node/n-0 NodeNotReady", "455 Pod/web-0-", "600 Deployment/web RolloutStarted"} {
		if !strings.Contains(log, e) {
			t.Errorf("no event %q in\n%s", e, log)
		}
	}
}
