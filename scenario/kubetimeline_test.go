package scenario

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
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

// TestKubernetesRandomFaults: the scenario's random faults drive the node
// lifecycle controller. Each node's up and down times are the documented
// draw (docs/dynamics.md): from the stream (seed, "faults/NODE"),
// alternately an up time of mean MTBF and a down time of mean MTTR,
// exponential (ExpFloat64 × mean) for group n, Weibull of shape 2 scaled
// to the mean (ExpFloat64^(1/2) / Γ(1.5) × mean) for group w; at least 1
// ns. Every failure before the stop is a NodeFailed event at its time and
// a node-failure window to its recovery (or the stop); a node down for
// more than the grace period is NotReady (a NodeNotReady event) at the
// first 5 s check more than 50 s after its last Lease renewal (every 10
// s). The same run at GOMAXPROCS 1 and 8 gives the same events, samples
// and windows.
func TestKubernetesRandomFaults(t *testing.T) {
	dir := kubeFiles(t, map[string]string{"web.yaml": timelineWeb, "s.yaml": `seed: 7
stop: {time: 2h}
cluster:
  queueing: central
  nodes:
    - {group: n, count: 2, cpu: 4, memory: 8Gi}
    - {group: w, count: 1, cpu: 4, memory: 8Gi}
workload:
  kubernetes: {path: web.yaml, controllers: true, startup: 5s}
faults:
  - {group: n, mtbf: 20m, mttr: 3m}
  - {group: w, mtbf: 30m, mttr: 1m, dist: weibull, shape: 2}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const stop = 2 * 3600 * sim.Second
	type spec struct {
		node       string
		mtbf, mttr sim.Time
		weibull    bool
	}
	var wantWindows []Window
	var wantFails, wantNotReady []string
	for _, n := range []spec{{"n-0", 20 * sim.Minute, 3 * sim.Minute, false}, {"n-1", 20 * sim.Minute, 3 * sim.Minute, false}, {"w-0", 30 * sim.Minute, sim.Minute, true}} {
		r := sim.NewRand(7, "faults/"+n.node)
		draw := func(mean sim.Time) sim.Time {
			x := r.ExpFloat64()
			if n.weibull {
				x = math.Sqrt(x) / math.Gamma(1.5)
			}
			return max(sim.Time(x*float64(mean)), 1)
		}
		for at := draw(n.mtbf); at < stop; {
			back := at + draw(n.mttr)
			wantWindows = append(wantWindows, Window{Kind: WindowNodeFailure, Name: n.node, Start: at, End: min(back, stop)})
			wantFails = append(wantFails, fmt.Sprintf("%d Node/%s NodeFailed", at, n.node))
			hb := at / (10 * sim.Second) * (10 * sim.Second)
			if nr := (hb+50*sim.Second)/(5*sim.Second)*(5*sim.Second) + 5*sim.Second; nr < back && nr < stop {
				wantNotReady = append(wantNotReady, fmt.Sprintf("%d Node/%s NodeNotReady", nr, n.node))
			}
			at = back + draw(n.mtbf)
		}
	}
	t.Logf("%d failures, %d NotReady: %v", len(wantFails), len(wantNotReady), wantFails)
	if len(wantFails) < 4 || len(wantNotReady) == 0 || len(wantNotReady) == len(wantFails) {
		t.Fatalf("%d failures drawn in 2 h, %d of them long enough to be NotReady: pick a seed with both kinds", len(wantFails), len(wantNotReady))
	}
	slices.SortStableFunc(wantWindows, func(a, b Window) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Name, b.Name)) })

	var outs []string
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for _, procs := range []int{1, 8} {
		runtime.GOMAXPROCS(procs)
		samples, windows, _ := timelineRun(t, s)
		var events []string
		run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{OnEvent: func(e *kube.Event) {
			events = append(events, fmt.Sprintf("%d %s %s", e.Time, e.Object, e.Reason))
		}})
		if err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			if done, err = run.Step(1 << 16); err != nil {
				t.Fatal(err)
			}
		}
		run.Result()
		closer.Close()
		log := strings.Join(events, "\n")
		var fails, notReady []string
		for _, e := range events {
			switch {
			case strings.HasSuffix(e, "NodeFailed"):
				fails = append(fails, e)
			case strings.HasSuffix(e, "NodeNotReady") && strings.Contains(e, " Node/"):
				notReady = append(notReady, e)
			}
		}
		slices.SortStableFunc(wantFails, compareEventTime)
		slices.SortStableFunc(wantNotReady, compareEventTime)
		if fmt.Sprint(fails) != fmt.Sprint(wantFails) {
			t.Errorf("failures\n%v\nwant\n%v", fails, wantFails)
		}
		if fmt.Sprint(notReady) != fmt.Sprint(wantNotReady) {
			t.Errorf("NotReady\n%v\nwant\n%v", notReady, wantNotReady)
		}
		if fmt.Sprint(windows) != fmt.Sprint(wantWindows) {
			t.Errorf("windows\n%v\nwant\n%v", windows, wantWindows)
		}
		outs = append(outs, log+fmt.Sprint(samples, windows))
	}
	if outs[0] != outs[1] {
		t.Error("events, samples or windows differ between GOMAXPROCS 1 and 8")
	}
}

// compareEventTime orders "TIME rest" lines by their time.
func compareEventTime(a, b string) int {
	ta, _, _ := strings.Cut(a, " ")
	tb, _, _ := strings.Cut(b, " ")
	x, _ := strconv.ParseInt(ta, 10, 64)
	y, _ := strconv.ParseInt(tb, 10, 64)
	return cmp.Compare(x, y)
}

// Faults in a Kubernetes scenario: without controllers (nothing would
// act on them) or as a maintenance drain (a drain is an event of the
// control loops) they are refused with file, line and field.
func TestKubernetesFaultsBadInput(t *testing.T) {
	for _, c := range []struct{ kube, faults, want string }{
		{"{path: web.yaml}", "[{group: n, mtbf: 1h, mttr: 5m}]", "s.yaml:7:1: faults: expected no faults with queueing central (it applies to queueing: node)"},
		{"{path: web.yaml, controllers: true}", "[{node: n-0, at: 1m, for: 5m, drain: true}]", "s.yaml:7:46: faults[0].drain: expected no drain with a Kubernetes workload (drain a node with workload.kubernetes.events: {at: D, drain: NODE})"},
		{"{path: web.yaml, controllers: true}", "[{node: n-9, at: 1m, for: 5m}]", `s.yaml:7:17: faults[0].node: expected a node of the cluster (like n-0), got "n-9"`},
	} {
		dir := kubeFiles(t, map[string]string{"web.yaml": timelineWeb, "s.yaml": "stop: {time: 1h}\ncluster:\n  queueing: central\n  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi}]\nworkload:\n  kubernetes: " + c.kube + "\nfaults: " + c.faults + "\nstrategies: [least-allocated]\n"})
		_, err := Load(filepath.Join(dir, "s.yaml"))
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%s / %s: %v, want %s", c.kube, c.faults, err, c.want)
		}
	}
}

// A pod template's tolerationSeconds for node.kubernetes.io/unreachable
// is read: n-0 fails at 103 s, is NotReady at 155 s, and its web pod (one
// on each of the two nodes),
// tolerating the taint for 60 s, is evicted at 215 s (not at the default
// 455 s). tolerationSeconds with an effect other than NoExecute is
// refused, as the API server refuses it, with file, line and field.
func TestKubernetesTolerationSeconds(t *testing.T) {
	tol := "\n      tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: EFFECT, tolerationSeconds: 60}]\n      containers:"
	web := strings.Replace(timelineWeb, "\n      containers:", strings.Replace(tol, "EFFECT", "NoExecute", 1), 1)
	dir := kubeFiles(t, map[string]string{"web.yaml": web, "s.yaml": `stop: {time: 20m}
cluster:
  queueing: central
  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi}]
workload:
  kubernetes: {path: web.yaml, controllers: true, startup: 5s, events: [{at: 103s, fail_node: n-0}]}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, events := timelineRun(t, s)
	var evictions []string
	for _, e := range events {
		if strings.HasSuffix(e, "TaintManagerEviction") {
			evictions = append(evictions, strings.Fields(e)[0])
		}
	}
	if fmt.Sprint(evictions) != "[215]" {
		t.Errorf("evictions at %v s, want [215]\n%s", evictions, strings.Join(events, "\n"))
	}
	bad := strings.Replace(timelineWeb, "\n      containers:", strings.Replace(tol, "EFFECT", "NoSchedule", 1), 1)
	dir = kubeFiles(t, map[string]string{"web.yaml": bad, "s.yaml": "stop: {time: 20m}\ncluster:\n  queueing: central\n  nodes: [{group: n, count: 3, cpu: 4, memory: 8Gi}]\nworkload:\n  kubernetes: {path: web.yaml, controllers: true}\nstrategies: [least-allocated]\n"})
	_, err = Load(filepath.Join(dir, "s.yaml"))
	if want := `web.yaml:14: Deployment default/web: spec.template.spec.tolerations[0].tolerationSeconds: goes with effect NoExecute only, got effect "NoSchedule"`; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("tolerationSeconds with NoSchedule: %v, want %s", err, want)
	}
}
