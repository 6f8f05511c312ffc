package scenario

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// kubeDefaultsScenario is a scenario file over web.yaml with the given
// workload.kubernetes.defaults (line 6) and events.
func kubeDefaultsScenario(defaults, events string) string {
	return "stop: {time: 20m}\ncluster:\n  queueing: central\n  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi}]\nworkload:\n  kubernetes: {path: web.yaml, controllers: true, startup: 5s, defaults: " + defaults + ", events: " + events + "}\nstrategies: [least-allocated]\n"
}

// kubeEventTimes are the times (s) of the events whose line ends with
// suffix.
func kubeEventTimes(events []string, suffix string) string {
	var out []string
	for _, e := range events {
		if strings.HasSuffix(e, suffix) {
			out = append(out, strings.Fields(e)[0])
		}
	}
	return strings.Join(out, " ")
}

// Overridden defaults change the timelines as worked out by hand.
//   - node_monitor_grace_period 40s (the value before v1.32), node_heartbeat
//     10s, node_monitor_period 5s, default_unreachable_toleration 60s: n-0
//     fails at 103 s, its last renewal (100 s) is seen at the 100 s check,
//     NotReady at the first check more than 40 s later, 145 s; its pod is
//     evicted 60 s later, 205 s. With node_monitor_period 20s the renewal
//     is seen at 100 s, NotReady at the first 20 s check past 140 s: 160 s.
//     With node_heartbeat 15s the last renewal is at 90 s, seen at the 90 s
//     check: NotReady at the first check past 140 s, 145 s.
//   - backoff_initial 5s, backoff_max 20s: a container crashing 5 s after
//     each start (started at 5 s, after startup) crashes at 10 s and
//     restarts 5 s later at 15; crash 20, restart 30 (10 s); crash 35,
//     restart 55 (20 s); crash 60, restart 80 (capped at 20 s); then every
//     25 s.
//   - hpa_sync_period 40s: the HPA syncs every 40 s, its first rescale at
//     40 s (usage 3 cpu for 2 pods of 1 cpu at target 50 %: 6 pods).
func TestKubernetesDefaultsOverride(t *testing.T) {
	run := func(web, defaults, events string) []string {
		t.Helper()
		dir := kubeFiles(t, map[string]string{"web.yaml": web, "s.yaml": kubeDefaultsScenario(defaults, events)})
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, ev := timelineRun(t, s)
		return ev
	}
	fail := "[{at: 103s, fail_node: n-0}]"
	ev := run(timelineWeb, "{node_monitor_grace_period: 40s, node_heartbeat: 10s, node_monitor_period: 5s, default_unreachable_toleration: 60s}", fail)
	if got := kubeEventTimes(ev, "Node/n-0 NodeNotReady") + " / " + kubeEventTimes(ev, "TaintManagerEviction"); got != "145 / 205" {
		t.Errorf("NotReady / evicted at %s, want 145 / 205", got)
	}
	ev = run(timelineWeb, "{node_monitor_grace_period: 40s, node_monitor_period: 20s}", fail)
	if got := kubeEventTimes(ev, "Node/n-0 NodeNotReady") + " / " + kubeEventTimes(ev, "TaintManagerEviction"); got != "160 / 460" {
		t.Errorf("NotReady / evicted at %s, want 160 / 460", got)
	}
	ev = run(timelineWeb, "{node_heartbeat: 15s}", fail)
	if got := kubeEventTimes(ev, "Node/n-0 NodeNotReady"); got != "145" {
		t.Errorf("NotReady at %s, want 145 (last renewal at 90 s)", got)
	}
	crash := strings.Replace(timelineWeb, "metadata: {name: web}", "metadata: {name: web, annotations: {fleetsim.io/crash-after: 5s}}", 1)
	crash = strings.Replace(crash, "replicas: 2", "replicas: 1", 1)
	ev = run(crash, "{backoff_initial: 5s, backoff_max: 20s}", "[{at: 90s, scale: web, replicas: 1}]")
	if got := kubeEventTimes(ev, "Started"); !strings.HasPrefix(got, "5 15 30 55 80 105 ") {
		t.Errorf("container starts at %s s, want 5 15 30 55 80 105 ... (every 25 s from then)", got)
	}
	hpa := strings.Replace(timelineWeb, "metadata: {name: web}", `metadata: {name: web, annotations: {fleetsim.io/cpu-usage: "0s=3000m"}}`, 1) + `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
`
	ev = run(hpa, "{hpa_sync_period: 40s}", "[{at: 1000s, scale: web, replicas: 2}]")
	if got := kubeEventTimes(ev, "SuccessfulRescale"); !strings.HasPrefix(got, "40") {
		t.Errorf("rescales at %s s, want the first at 40", got)
	}
	for _, tm := range strings.Fields(kubeEventTimes(ev, "SuccessfulRescale")) {
		var v int
		fmt.Sscan(tm, &v)
		if v%40 != 0 {
			t.Errorf("a rescale at %d s, off the 40 s sync period", v)
		}
	}
}

// readiness_period matters once the application is slower than the
// probe's initialDelaySeconds (fleetsim.io/ready-after). Worked by hand:
// bound at 0, started at 5 s (startup), initialDelaySeconds 3: probes at
// 5 + 3 + k·period; the application answers from 5 + 22 = 27 s. With the
// default period 10 s the probes at 8, 18, 28: Ready at 28. With
// readiness_period 7s (the probe sets no periodSeconds): 8, 15, 22, 29:
// Ready at 29. With the probe's own periodSeconds 4 it wins over the
// default: 8, 12, ..., 24, 28: Ready at 28 again, not 29. Without the
// annotation the first probe, at 8, passes.
func TestKubernetesReadyAfter(t *testing.T) {
	run := func(web, defaults string) string {
		t.Helper()
		dir := kubeFiles(t, map[string]string{"web.yaml": web, "s.yaml": kubeDefaultsScenario(defaults, "[{at: 19m, scale: web, replicas: 2}]")})
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, ev := timelineRun(t, s)
		return kubeEventTimes(ev, "Pod/web-0-0 Ready")
	}
	slow := strings.Replace(timelineWeb, "metadata: {name: web}", "metadata: {name: web, annotations: {fleetsim.io/ready-after: 22s}}", 1)
	for _, c := range []struct{ web, defaults, want string }{
		{timelineWeb, "{}", "8"},
		{slow, "{}", "28"},
		{slow, "{readiness_period: 7s}", "29"},
		{strings.Replace(slow, "initialDelaySeconds: 3}", "initialDelaySeconds: 3, periodSeconds: 4}", 1), "{readiness_period: 7s}", "28"},
	} {
		if got := run(c.web, c.defaults); got != c.want {
			t.Errorf("defaults %s, ready-after in manifest %v: Ready at %s s, want %s", c.defaults, strings.Contains(c.web, "ready-after"), got, c.want)
		}
	}
	bad := strings.Replace(timelineWeb, "metadata: {name: web}", "metadata: {name: web, annotations: {fleetsim.io/ready-after: soon}}", 1)
	dir := kubeFiles(t, map[string]string{"web.yaml": bad, "s.yaml": kubeDefaultsScenario("{}", "[{at: 19m, scale: web, replicas: 2}]")})
	if _, err := Load(filepath.Join(dir, "s.yaml")); err == nil || !strings.Contains(err.Error(), "web.yaml:3") || !strings.Contains(err.Error(), `fleetsim.io/ready-after: expected a duration > 0 such as 20s, got "soon"`) {
		t.Errorf("bad ready-after: %v", err)
	}
}

// Bad values in workload.kubernetes.defaults: one line with file, line,
// field and what was expected.
func TestKubernetesDefaultsBadInput(t *testing.T) {
	for _, c := range []struct{ defaults, want string }{
		{"{node_monitor_grace_period: 0s}", "s.yaml:6:102: workload.kubernetes.defaults.node_monitor_grace_period: expected a duration > 0"},
		{"{hpa_tolerance: 1.5}", "s.yaml:6:90: workload.kubernetes.defaults.hpa_tolerance: expected a number in (0, 1), got 1.5"},
		{"{hpa_tolerance: 0}", "s.yaml:6:90: workload.kubernetes.defaults.hpa_tolerance: expected a finite number > 0, got 0"},
		{"{scale_down_utilization_threshold: 2}", "s.yaml:6:109: workload.kubernetes.defaults.scale_down_utilization_threshold: expected a number in (0, 1], got 2"},
		{"{backoff_max: 5s}", "s.yaml:6:88: workload.kubernetes.defaults.backoff_max: expected backoff_max (5s) >= backoff_initial (10s)"},
		{"{scan_interval: soon}", "s.yaml:6:90: workload.kubernetes.defaults.scan_interval: expected a duration > 0"},
		{"{hpa_sync: 30s}", "s.yaml:6:75: workload.kubernetes.defaults.hpa_sync: unknown field (allowed: node_monitor_period, node_monitor_grace_period, node_heartbeat, default_unreachable_toleration, readiness_period, drain_retry, backoff_initial, backoff_max, backoff_reset, hpa_sync_period, hpa_tolerance, hpa_downscale_stabilization, scan_interval, scale_down_unneeded_time, scale_down_delay_after_add, scale_down_utilization_threshold)"},
		{"[30s]", "s.yaml:6:74: workload.kubernetes.defaults: expected a mapping like {node_monitor_grace_period: 40s, hpa_tolerance: 0.2}, got a list"},
	} {
		dir := kubeFiles(t, map[string]string{"web.yaml": timelineWeb, "s.yaml": kubeDefaultsScenario(c.defaults, "[{at: 1s, fail_node: n-0}]")})
		_, err := Load(filepath.Join(dir, "s.yaml"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.defaults, err, c.want)
		}
	}
	// Without controllers, nothing would read them.
	dir := kubeFiles(t, map[string]string{"web.yaml": timelineWeb, "s.yaml": "stop: {time: 20m}\ncluster:\n  queueing: central\n  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi}]\nworkload:\n  kubernetes: {path: web.yaml, defaults: {hpa_tolerance: 0.2}}\nstrategies: [least-allocated]\n"})
	if _, err := Load(filepath.Join(dir, "s.yaml")); err == nil || !strings.Contains(err.Error(), "s.yaml:6:42: workload.kubernetes.defaults: expected controllers: true with defaults (they set the control loops)") {
		t.Errorf("defaults without controllers: %v", err)
	}
}

// The cluster autoscaler's settings, worked by hand as
// TestGoldenClusterAutoscaler (sim/kube) with other values: group g
// starts with g-0 (4 cpu), which takes a (3 cpu); b (3 cpu), arriving at
// 1 s, is pending.
// With scan_interval 20s the first scan, at 20 s, requests g-1, which joins
// 60 s later (provision) at 80 s, when b binds there. b is scaled to 0 at
// 1000 s and gone at 1030 s (30 s grace); the scan at 1040 s finds g-1
// unneeded (empty); with scale_down_unneeded_time 5m it is removed at the
// first scan 300 s later, 1340 s. With scale_down_delay_after_add 30m as
// well, not before 20 + 1800 = 1820 s (a scan time): removed then.
func TestKubernetesDefaultsAutoscaler(t *testing.T) {
	pods := `apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  replicas: 1
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: app, resources: {requests: {cpu: "3"}}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, annotations: {fleetsim.io/arrival: 1s}}
spec:
  replicas: 1
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: app, resources: {requests: {cpu: "3"}}}]}
`
	for _, c := range []struct{ defaults, want string }{
		{"{scan_interval: 20s, scale_down_unneeded_time: 5m}", "20 NodeGroup/g ScaledUpGroup|80 Pod/b-0-0 Scheduled|1340 Node/g-1 RemovingNode"},
		{"{scan_interval: 20s, scale_down_unneeded_time: 5m, scale_down_delay_after_add: 30m}", "20 NodeGroup/g ScaledUpGroup|80 Pod/b-0-0 Scheduled|1820 Node/g-1 RemovingNode"},
	} {
		dir := kubeFiles(t, map[string]string{"pods.yaml": pods, "s.yaml": `stop: {time: 1h}
cluster:
  queueing: central
  nodes: [{group: g, count: 1, cpu: 4, memory: 16Gi, cost_per_hour: 1}]
workload:
  kubernetes:
    path: pods.yaml
    controllers: true
    events: [{at: 1000s, scale: b, replicas: 0}]
    autoscaler: {groups: [{group: g, min: 1, max: 2, provision: 60s}]}
    defaults: ` + c.defaults + `
strategies: [least-allocated]
`})
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, ev := timelineRun(t, s)
		var got []string
		for _, e := range ev {
			if strings.HasSuffix(e, "ScaledUpGroup") || strings.HasSuffix(e, "RemovingNode") || strings.HasSuffix(e, "b-0-0 Scheduled") {
				got = append(got, e)
			}
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: %s\nwant %s", c.defaults, strings.Join(got, "|"), c.want)
		}
	}
}

// hpa_downscale_stabilization and hpa_tolerance, worked by hand: web (2
// pods of 1 cpu, Ready at 8 s) uses 3 cpu, then 0.5 cpu from 300 s; its
// HPA targets 50 %. At the 15 s sync: 150 %, a ratio of 3 to the target →
// ceil(2 × 3) = 6 (the scale-up policy allows max(2 × 100 %, 4 pods)
// more). From 300 s: 500m / 6 cpu = 8.3 %, a ratio of 1/6 → 1, held at 6
// while a recommendation of 6 lies in the scale-down window, the last at
// 285 s; a recommendation counts while it is strictly after now − window
// (upstream: timestamp.After(cutoff)): with the default 5 min window the
// rescale to 1 is at the sync at 285 + 300 = 585 s, with 60 s at 345 s.
// With hpa_tolerance 0.9 the scale-up still happens (|3 − 1| > 0.9) but
// not the scale-down (|1/6 − 1| = 0.83 is within 0.9).
func TestKubernetesDefaultsHPA(t *testing.T) {
	hpa := strings.Replace(timelineWeb, "metadata: {name: web}", `metadata: {name: web, annotations: {fleetsim.io/cpu-usage: "0s=3000m,300s=500m"}}`, 1) + `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
`
	hpa = strings.Replace(hpa, "          requiredDuringSchedulingIgnoredDuringExecution:\n          - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}\n", "          preferredDuringSchedulingIgnoredDuringExecution:\n          - {weight: 1, podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}}\n", 1)
	for _, c := range []struct{ defaults, want string }{
		{"{}", "15 New size: 6|585 New size: 1"},
		{"{hpa_downscale_stabilization: 60s}", "15 New size: 6|345 New size: 1"},
		{"{hpa_tolerance: 0.9}", "15 New size: 6"},
	} {
		dir := kubeFiles(t, map[string]string{"web.yaml": hpa, "s.yaml": kubeDefaultsScenario(c.defaults, "[{at: 1h, scale: web, replicas: 2}]")})
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{OnEvent: func(e *kube.Event) {
			if e.Reason == "SuccessfulRescale" {
				msg, _, _ := strings.Cut(e.Message, ";")
				got = append(got, fmt.Sprintf("%d %s", e.Time/kube.Second, msg))
			}
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
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: rescales %q, want %q", c.defaults, strings.Join(got, "|"), c.want)
		}
	}
}
