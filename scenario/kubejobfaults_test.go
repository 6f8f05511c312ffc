package scenario

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// jobFaultManifests: two Jobs of one pod each (train at 0 s, late at
// 120 s) and a bare pod (solo, at 0 s, running until the stop time), each
// of 1 cpu, each preferring node n-0 (preferred node affinity, weight
// 100), so that the scheduler puts them there while n-0 has no
// unreachable taint, and elsewhere when it has. A Job's pod runs
// job_duration (200 s) from its bind: the engine's pods have no start-up
// delay (workload.kubernetes.startup is the control loops' pods').
const jobFaultManifests = `apiVersion: batch/v1
kind: Job
metadata: {name: train}
spec:
  template:
    spec:
      restartPolicy: Never
      affinity: &pref
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n-0]}]}
      containers: [{name: c, resources: {requests: {cpu: "1"}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: late, annotations: {fleetsim.io/arrival: 120s}}
spec:
  template:
    spec:
      restartPolicy: Never
      affinity: *pref
      containers: [{name: c, resources: {requests: {cpu: "1"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  affinity: *pref
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
`

// jobFaultRun runs the Jobs and the bare pod on two nodes with the given
// events (", events: [...]", or "" for none) and returns the pods.csv rows of the engine's pods ("pod node
// bound ended reason"), the kubernetes block and the pod events.
func jobFaultRun(t *testing.T, events string) (rows []string, sum *kube.Summary, evs []string) {
	t.Helper()
	return jobFaultRunOf(t, jobFaultManifests, events)
}

func jobFaultRunOf(t *testing.T, manifests, events string) (rows []string, sum *kube.Summary, evs []string) {
	t.Helper()
	dir := kubeFiles(t, map[string]string{"m.yaml": manifests, "s.yaml": `stop: {time: 30m}
cluster:
  queueing: central
  nodes: [{group: n, count: 2, cpu: 4, memory: 8Gi}]
workload:
  kubernetes: {path: m.yaml, controllers: true, job_duration: 200s` + events + `}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res := runToEnd(t, s, s.Strategies[0], RunOptions{
		OnPod: func(r *PodRecord) {
			rows = append(rows, fmt.Sprintf("%s %s %g %g %s", r.Pod, r.Node, r.Bound, r.Ended, r.Reason))
		},
		OnEvent: func(e *kube.Event) {
			if strings.HasPrefix(e.Object, "Pod/") {
				evs = append(evs, fmt.Sprintf("%d %s %s", e.Time/kube.Second, e.Object, e.Reason))
			}
		},
	})
	return rows, res.Kubernetes, evs
}

// TestKubernetesJobPodsOnFailedNode works out by hand what a machine
// failure does to Job and bare pods (the clock of
// TestGoldenNodeEvictionTimeline, sim/kube): n-0 fails at 103 s, is
// NotReady at 155 s (last renewal 100 s, seen at the 100 s check, first
// check past 100 + 50 s), and its pods are evicted after the default
// 300 s toleration, at 455 s.
//
//   - train-0, bound at 0 s on n-0, would complete at 200 s: its container
//     died at 103 s, so it does not; evicted at 455 s, its Job recreates
//     it (train-0.1), bound at 455 s on n-1 (n-0 is tainted unreachable),
//     completed at 455 + 200 = 655 s.
//   - late-0, created at 120 s, is bound to n-0 (failed, not yet NotReady,
//     so not tainted) and never starts; evicted at 455 s with the others,
//     recreated on n-1, completed at 655 s.
//   - solo, a bare pod, is evicted at 455 s and not recreated.
func TestKubernetesJobPodsOnFailedNode(t *testing.T) {
	rows, sum, evs := jobFaultRun(t, ", events: [{at: 103s, fail_node: n-0}]")
	want := []string{
		"solo n-0 0 455 evicted: node n-0 NotReady",
		"train-0 n-0 0 455 evicted: node n-0 NotReady",
		"late-0 n-0 120 455 evicted: node n-0 NotReady",
		"train-0.1 n-1 455 655 completed",
		"late-0.1 n-1 455 655 completed",
	}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("pods:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if sum.Completed != 2 || sum.NodeLost != 3 || sum.Pods != 5 || sum.Preempted != 0 {
		t.Errorf("completed %d, lost %d, pods %d, preempted %d; want 2, 3, 5, 0", sum.Completed, sum.NodeLost, sum.Pods, sum.Preempted)
	}
	var evicted []string
	for _, e := range evs {
		if strings.HasSuffix(e, " TaintManagerEviction") {
			evicted = append(evicted, e)
		}
	}
	if got := strings.Join(evicted, "\n"); got != "455 Pod/solo TaintManagerEviction\n455 Pod/train-0 TaintManagerEviction\n455 Pod/late-0 TaintManagerEviction" {
		t.Errorf("evictions:\n%s", got)
	}
}

// A machine back before the eviction: n-0 fails at 103 s, is NotReady at
// 155 s and comes back at 300 s (Ready at the 300 s check, its taints
// removed). The model does not restart the dead containers in place: the
// pods fail at 300 s; the Jobs recreate theirs, bound at 300 s on n-0
// again (preferred, untainted), completed at 500 s; solo is gone.
func TestKubernetesJobPodsNodeBackBeforeEviction(t *testing.T) {
	rows, sum, evs := jobFaultRun(t, ", events: [{at: 103s, fail_node: n-0}, {at: 300s, recover_node: n-0}]")
	lost := "failed: node n-0 failed, container lost"
	want := []string{
		"solo n-0 0 300 " + lost,
		"train-0 n-0 0 300 " + lost,
		"late-0 n-0 120 300 " + lost,
		"train-0.1 n-0 300 500 completed",
		"late-0.1 n-0 300 500 completed",
	}
	if got := strings.Join(rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("pods:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if sum.Completed != 2 || sum.NodeLost != 3 {
		t.Errorf("completed %d, lost %d; want 2, 3", sum.Completed, sum.NodeLost)
	}
	for _, e := range evs {
		if strings.HasSuffix(e, " TaintManagerEviction") {
			t.Errorf("eviction after the machine came back: %s", e)
		}
	}
}

// Without faults the Job pods run their 200 s and solo until the stop
// time: the fault model changes nothing else (the control case of the
// two tests above).
func TestKubernetesJobPodsNoFault(t *testing.T) {
	rows, sum, _ := jobFaultRun(t, "")
	want := "train-0 n-0 0 200 completed\nlate-0 n-0 120 320 completed\nsolo n-0 0 1800 running"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("pods:\n%s\nwant:\n%s", got, want)
	}
	if sum.NodeLost != 0 {
		t.Errorf("lost %d, want 0", sum.NodeLost)
	}
}

// A replacement that fits only on the failed node binds when the node is
// Ready again: the node lifecycle controller's removal of the unreachable
// taint counts as a change that may make room (kube.Cluster.Freed), as
// kube-scheduler's queueing hints move a pod back on a node update.
// train-0 (1 cpu, preferring n-0) is bound on n-0 at 0 s; hog (a bare
// pod of 4 cpu, nodeSelector n-1) fills n-1. n-0 fails at 103 s, is
// NotReady at 155 s, train-0 is evicted at 455 s and its replacement
// fits nowhere (n-0 tainted, n-1 full); n-0 is back at 600 s, Ready at the
// 600 s check: train-0.1 binds at 600 s on n-0 and completes at 800 s.
func TestKubernetesJobPodsWaitForNodeReady(t *testing.T) {
	m := strings.SplitN(jobFaultManifests, "---", 2)[0] + `---
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  nodeSelector: {kubernetes.io/hostname: n-1}
  containers: [{name: c, resources: {requests: {cpu: "4"}}}]
`
	rows, sum, _ := jobFaultRunOf(t, m, ", events: [{at: 103s, fail_node: n-0}, {at: 600s, recover_node: n-0}]")
	want := "train-0 n-0 0 455 evicted: node n-0 NotReady\ntrain-0.1 n-0 600 800 completed\nhog n-1 0 1800 running"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("pods:\n%s\nwant:\n%s", got, want)
	}
	if sum.PendingAtEnd != 0 || sum.Completed != 1 {
		t.Errorf("pending at the end %d, completed %d; want 0, 1", sum.PendingAtEnd, sum.Completed)
	}
}

// A Job's pod's own toleration of the unreachable taint decides its
// eviction, as for the control loops' pods (TestKubernetesTolerationSeconds):
// with tolerationSeconds 60 train-0 is evicted at 155 + 60 = 215 s and its
// replacement completes on n-1 at 415 s; with a toleration that sets no
// seconds it is never evicted and is lost at the stop time (1800 s), not
// replaced.
func TestKubernetesJobPodsTolerationSeconds(t *testing.T) {
	job := strings.SplitN(jobFaultManifests, "---", 2)[0]
	for _, c := range []struct{ tol, want string }{
		{"tolerationSeconds: 60", "train-0 n-0 0 215 evicted: node n-0 NotReady\ntrain-0.1 n-1 215 415 completed"},
		{"", "train-0 n-0 0 1800 lost: node n-0 failed, not evicted by the stop time"},
	} {
		m := strings.Replace(job, "      restartPolicy: Never\n", "      restartPolicy: Never\n      tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, "+c.tol+"}]\n", 1)
		rows, sum, _ := jobFaultRunOf(t, m, ", events: [{at: 103s, fail_node: n-0}]")
		if got := strings.Join(rows, "\n"); got != c.want {
			t.Errorf("%q:\n%s\nwant:\n%s", c.tol, got, c.want)
		}
		if sum.NodeLost != 1 {
			t.Errorf("%q: lost %d, want 1", c.tol, sum.NodeLost)
		}
	}
}

// Random failures of three nodes (mean 5 min up, 2 min down) under a Job
// of 30 pods (4 at a time, 200 s each) and two bare pods: the same
// pods.csv rows and events at GOMAXPROCS 1 and 8; no pod completes whose
// machine failed while it was bound (its container died); every pod
// created ends once.
func TestKubernetesJobPodsFaultsDeterministic(t *testing.T) {
	manifests := `apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  parallelism: 4
  completions: 30
  backoffLimit: 100
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, resources: {requests: {cpu: "1"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo-a}
spec:
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo-b}
spec:
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
`
	type row struct {
		node         string
		bound, ended float64
		reason       string
	}
	run := func(procs int) (string, []row, map[string][]float64, *kube.Summary) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		dir := kubeFiles(t, map[string]string{"m.yaml": manifests, "s.yaml": `stop: {time: 2h}
cluster:
  queueing: central
  nodes: [{group: n, count: 3, cpu: 2, memory: 8Gi}]
workload:
  kubernetes: {path: m.yaml, controllers: true, job_duration: 200s}
faults: [{group: n, mtbf: 5m, mttr: 2m}]
strategies: [least-allocated]
`})
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		var rows []row
		failed := map[string][]float64{}
		r, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{
			OnPod: func(r *PodRecord) {
				fmt.Fprintf(&b, "%s %s %g %g %s\n", r.Pod, r.Node, r.Bound, r.Ended, r.Reason)
				rows = append(rows, row{r.Node, r.Bound, r.Ended, r.Reason})
			},
			OnEvent: func(e *kube.Event) {
				fmt.Fprintf(&b, "%d %s %s\n", e.Time, e.Object, e.Reason)
				if e.Reason == "NodeFailed" {
					n := strings.TrimPrefix(e.Object, "Node/")
					failed[n] = append(failed[n], float64(e.Time)/float64(kube.Second))
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		for done := false; !done; {
			if done, err = r.Step(1 << 10); err != nil {
				t.Fatal(err)
			}
		}
		return b.String(), rows, failed, r.Result().Kubernetes
	}
	one, rows, failed, sum := run(1)
	eight, _, _, _ := run(8)
	if one != eight {
		t.Errorf("GOMAXPROCS 1 and 8 differ:\n%s\n---\n%s", one, eight)
	}
	if sum.NodeLost < 5 || sum.Completed != 30 {
		t.Fatalf("%d pods lost to the random failures (want at least 5), %d completed (want 30):\n%s", sum.NodeLost, sum.Completed, one)
	}
	for _, r := range rows {
		if r.reason != "completed" && r.reason != "running" {
			continue
		}
		for _, at := range failed[r.node] {
			if at >= r.bound && at < r.ended {
				t.Errorf("a pod bound to %s from %g s to %g s %s though its machine failed at %g s", r.node, r.bound, r.ended, r.reason, at)
			}
		}
	}
	// Every pod created ends once: completed, lost, running at the end or
	// pending.
	ends := strings.Count(one, " completed\n") + strings.Count(one, " running\n") + sum.PendingAtEnd
	lost := strings.Count(one, " evicted: ") + strings.Count(one, " failed: node ") + strings.Count(one, " lost: node ")
	if lost != sum.NodeLost || ends+lost != sum.Pods {
		t.Errorf("pods %d = completed/running/pending %d + lost %d (summary %d)?\n%s", sum.Pods, ends, lost, sum.NodeLost, one)
	}
}
