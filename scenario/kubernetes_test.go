package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// runKube runs one strategy entry of a Kubernetes scenario and returns its
// result and pod records.
func runKube(t *testing.T, s *Scenario, k int) (sim.Result, []*PodRecord) {
	t.Helper()
	var pods []*PodRecord
	run, closer, err := s.Start(s.Strategies[k], s.Seed, RunOptions{OnPod: func(p *PodRecord) { c := *p; pods = append(pods, &c) }})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	for done := false; !done; {
		if done, err = run.Step(1 << 16); err != nil {
			t.Fatal(err)
		}
	}
	return run.Result(), pods
}

// The embedded kubernetes scenario, worked by hand:
//   - web: 6 replicas, required anti-affinity per hostname and zone skew
//     <= 1 over three zones of three CPU nodes: two per zone, one per node;
//   - train-resnet: 8 pods, 4 at a time, each 2 GPUs on the tainted A100
//     nodes it tolerates (3 nodes × 4 GPUs = 6 pods fit; parallelism 4);
//   - nightly-etl: 60 pods of 2 cpu, 30 at a time: 6 web cpus + 60 = 66 of
//     the 72 CPU-node cores, 15 min each (GPU nodes are tainted);
//   - api at 10 min: 6 × 3 cpu with 6 cores free: preemption of
//     nightly-etl pods (priority 100 < 1000), never of web (the same
//     priority), each victim recreated by its Job.
func TestKubernetesEmbedded(t *testing.T) {
	s, err := LoadEmbedded("kubernetes")
	if err != nil {
		t.Fatal(err)
	}
	for k := range s.Strategies {
		res, pods := runKube(t, s, k)
		ks := res.Kubernetes
		if ks == nil || ks.PendingAtEnd != 0 || ks.Preempted == 0 || ks.Bound != ks.Pods || ks.Completed != 68 {
			t.Fatalf("%s: kubernetes block %+v", res.Strategy, ks)
		}
		web := map[string]int{}
		nodes := map[string]bool{}
		preempted := 0
		for _, p := range pods {
			switch {
			case p.Owner == "Deployment/web":
				web[p.Zone]++
				if nodes[p.Node] || p.Reason != "running" {
					t.Fatalf("%s: web pod %+v shares a node or is not running", res.Strategy, p)
				}
				nodes[p.Node] = true
			case p.Owner == "Job/train-resnet":
				if !strings.HasPrefix(p.Node, "gpu-") {
					t.Fatalf("training pod on %s", p.Node)
				}
			case strings.HasPrefix(p.Reason, "preempted by "):
				preempted++
				if p.Owner != "Job/nightly-etl" || !strings.HasPrefix(p.Reason, "preempted by api-") {
					t.Fatalf("%s: unexpected preemption %+v", res.Strategy, p)
				}
			case p.Owner == "Job/nightly-etl":
				if !strings.HasPrefix(p.Node, "cpu-") || p.Reason != "completed" {
					t.Fatalf("%s: etl pod %+v", res.Strategy, p)
				}
			}
		}
		if web["eu-west-1a"] != 2 || web["eu-west-1b"] != 2 || web["eu-west-1c"] != 2 {
			t.Fatalf("%s: web per zone %v, want 2 each", res.Strategy, web)
		}
		if preempted != ks.Preempted {
			t.Fatalf("%s: %d preempted rows, summary says %d", res.Strategy, preempted, ks.Preempted)
		}
		if sp := ks.Spread["Deployment/api"]; len(sp.Nodes) == 0 {
			t.Fatalf("%s: api spread %+v", res.Strategy, ks.Spread)
		}
	}
}

// A scenario with a bad manifest fails to load with one line naming the
// manifest file, line, object and field.
func TestKubernetesBadManifest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("nodes.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: '4', memory: 8Gi}}\n")
	write("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  priorityClassName: gold\n  containers: [{name: c}]\n")
	sc := write("s.yaml", "stop: {time: 1h}\ncluster:\n  queueing: central\n  nodes_from: {path: nodes.yaml, format: kubernetes}\nworkload:\n  kubernetes: {path: pods.yaml}\nstrategies: [least-allocated]\n")
	_, err := Load(sc)
	want := filepath.Join(dir, "pods.yaml") + `:5: Pod default/p: spec.priorityClassName: no PriorityClass "gold"`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %v\nwant %s...", err, want)
	}
	write("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n")
	write("s.yaml", "stop: {time: 1h}\ncluster:\n  queueing: central\n  nodes_from: {path: nodes.yaml, format: kubernetes}\nworkload:\n  kubernetes: {path: pods.yaml}\nstrategies: [heft]\n")
	if _, err := Load(sc); err == nil || !strings.Contains(err.Error(), "strategies[0]: expected the kube-default profile's NodeResourcesFit scorer") {
		t.Fatalf("heft: %v", err)
	}
}

// Node groups with labels and taints make a synthetic Kubernetes cluster:
// the GPU group's taint keeps a pod without the toleration off it, its
// label draws a pod with a nodeSelector to it; a bad taint is refused.
func TestKubernetesGroupLabelsTaints(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("pods.yaml", `apiVersion: v1
kind: Pod
metadata: {name: plain}
spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: trainer}
spec:
  nodeSelector: {accelerator: a100}
  tolerations: [{key: gpu, operator: Exists}]
  containers: [{name: c, resources: {requests: {cpu: "1"}}}]
`)
	scen := func(taint string) string {
		return write("s.yaml", `stop: {time: 1h}
cluster:
  queueing: central
  nodes:
    - {group: gpu, count: 2, cpu: 8, memory: 32Gi, region: z1, labels: {accelerator: a100}, taints: ["`+taint+`"]}
    - {group: cpu, count: 1, cpu: 8, memory: 32Gi, region: z2}
workload:
  kubernetes: {path: pods.yaml}
strategies: [least-allocated]
`)
	}
	s, err := Load(scen("gpu=true:NoSchedule"))
	if err != nil {
		t.Fatal(err)
	}
	_, pods := runKube(t, s, 0)
	where := map[string]string{}
	for _, p := range pods {
		where[p.Pod] = p.Node + "/" + p.Zone
	}
	if where["plain"] != "cpu-0/z2" || !strings.HasPrefix(where["trainer"], "gpu-") || !strings.HasSuffix(where["trainer"], "/z1") {
		t.Fatalf("placements %v", where)
	}
	if _, err := Load(scen("gpu=true:Sometimes")); err == nil || !strings.Contains(err.Error(), `cluster.nodes[0].taints[0]: expected the effect NoSchedule, PreferNoSchedule or NoExecute, got "Sometimes"`) {
		t.Fatalf("bad taint: %v", err)
	}
}

// kube-scheduler's scheduler_perf cases as scenario files
// (testdata/scenarios/scheduler-perf, 500 nodes; 5000 without -short):
// every measured pod binds, as upstream binds them all, and the cases'
// invariants hold at the end: blue pods' zone skew <= 5, at most one
// green pod per node, every high-priority pod running (the low pods it
// preempted are recreated and stay pending: no room is left).
func TestSchedulerPerfScenarioFiles(t *testing.T) {
	sizes := []string{"500"}
	if !testing.Short() {
		sizes = append(sizes, "5000")
	}
	measured := map[string]string{"scheduling-basic": "ReplicaSet/measured", "topology-spreading": "ReplicaSet/spreading",
		"pod-anti-affinity": "ReplicaSet/measured", "preemption-basic": "ReplicaSet/high"}
	for _, n := range sizes {
		for c, owner := range measured {
			t.Run(c+"-"+n, func(t *testing.T) {
				s, err := Load(filepath.Join("..", "testdata", "scenarios", "scheduler-perf", c+"-"+n+".yaml"))
				if err != nil {
					t.Fatal(err)
				}
				res, pods := runKube(t, s, 0)
				zones := map[string]int{}
				perNode := map[string]int{}
				meas := 0
				for _, p := range pods {
					if p.Owner == owner {
						meas++
						if p.Reason != "running" {
							t.Fatalf("measured pod %+v not running at the end", p)
						}
						zones[p.Zone]++
					}
					if c == "pod-anti-affinity" && p.Reason == "running" {
						perNode[p.Node]++
						if perNode[p.Node] > 1 {
							t.Fatalf("two green pods on %s", p.Node)
						}
					}
					if c == "preemption-basic" && p.Owner == "ReplicaSet/low" && p.Reason != "running" &&
						!strings.HasPrefix(p.Reason, "preempted by high-") && p.Reason != "not bound before the stop time" {
						t.Fatalf("low pod %+v", p)
					}
				}
				if c == "topology-spreading" {
					mn, mx := meas, 0
					for _, z := range []string{"moon-1", "moon-2", "moon-3"} {
						mn, mx = min(mn, zones[z]), max(mx, zones[z])
					}
					if mx-mn > 5 {
						t.Fatalf("blue pods per zone %v: skew %d > 5", zones, mx-mn)
					}
				}
				if meas == 0 || res.Kubernetes.Bound < meas {
					t.Fatalf("%d measured pods, %d bound", meas, res.Kubernetes.Bound)
				}
			})
		}
	}
}

// Any placement strategy that scores single nodes is the kube-default
// profile's NodeResourcesFit scorer; others are refused by kind. Worked
// by hand on two empty 8-core nodes: pod a (1 cpu) at 0 s, pod b (1 cpu)
// at 1 s. Every other plugin is neutral but BalancedAllocation (cpu only
// requested: 93 for the empty node, 87 for a's node after b), so the
// scorer's min-max normalised 0/100 decides: best-fit (least left over)
// puts b beside a, worst-fit on the other node, first-fit both on n-0
// (a node's score is its negated index).
func TestKubernetesAnyPlacementScorer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("pods.yaml", `apiVersion: v1
kind: Pod
metadata: {name: a}
spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, annotations: {fleetsim.io/arrival: 1s}}
spec: {containers: [{name: c, resources: {requests: {cpu: "1"}}}]}
`)
	scen := func(strategies string) string {
		return write("s.yaml", `stop: {time: 1h}
cluster:
  queueing: central
  nodes: [{group: n, count: 2, cpu: 8, memory: 32Gi}]
workload:
  kubernetes: {path: pods.yaml}
strategies: `+strategies+`
`)
	}
	s, err := Load(scen("[best-fit, worst-fit, first-fit, topology-fit, random, dot-product, gpu-packing, gpu-clustering, balanced-allocation, {name: least-allocated, gpu_weight: 1}, {name: most-allocated, ties: index}]"))
	if err != nil {
		t.Fatal(err)
	}
	for k, sp := range s.Strategies {
		res, pods := runKube(t, s, k)
		where := map[string]string{}
		for _, p := range pods {
			where[p.Pod] = p.Node
		}
		if res.Kubernetes.Bound != 2 || where["a"] == "" || where["b"] == "" {
			t.Fatalf("%s: %+v, placements %v", sp, res.Kubernetes, where)
		}
		switch sp.Name {
		case "best-fit", "most-allocated":
			if where["a"] != where["b"] {
				t.Fatalf("%s packs: got %v", sp, where)
			}
		case "worst-fit", "least-allocated":
			if where["a"] == where["b"] {
				t.Fatalf("%s spreads: got %v", sp, where)
			}
		case "first-fit", "topology-fit":
			if where["a"] != "n-0" || where["b"] != "n-0" {
				t.Fatalf("%s: lowest index first, got %v", sp, where)
			}
		}
	}
	for _, c := range []struct{ entry, want string }{
		{"[p2c]", "got p2c, a balancer"},
		{"[drf]", "got drf, a queue policy"},
		{"[heft]", "got heft, a workflow list scheduler"},
	} {
		if _, err := Load(scen(c.entry)); err == nil || !strings.Contains(err.Error(), "strategies[0]: expected ") || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v", c.entry, err)
		}
	}
}

// kubeFiles writes files into a temporary folder and returns its path.
func kubeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Pods of a kubectl snapshot are preemption victims like any other: they
// end after their terminationGracePeriodSeconds (default 30 s), and the
// preemptor binds then. Worked by hand: two 4-core nodes, each running a
// snapshot pod of 3 cpu at priority 0 (on n0 with a 20 s grace period, on
// n1 without one); "hi" (2 cpu, priority 1000) arrives at 5 s and fits
// nowhere; both nodes are candidates with one victim of priority 0, so
// the tie goes to the latest start (equal: 0) and then the first
// candidate examined; whichever node it is, its victim ends at 5 s + its
// grace (25 s on n0, 35 s on n1), and hi binds at that instant.
// "lo" (2 cpu, priority 0, arriving at 6 s) cannot preempt anything and
// binds nowhere until then, and not after either: hi takes the room.
func TestKubernetesSnapshotVictimGrace(t *testing.T) {
	dir := kubeFiles(t, map[string]string{
		"cluster.yaml": `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: n0}
  status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: n1}
  status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
- apiVersion: v1
  kind: Pod
  metadata: {name: old0, namespace: default}
  spec: {nodeName: n0, terminationGracePeriodSeconds: 20, containers: [{name: c, resources: {requests: {cpu: "3"}}}]}
  status: {phase: Running}
- apiVersion: v1
  kind: Pod
  metadata: {name: old1, namespace: default}
  spec: {nodeName: n1, containers: [{name: c, resources: {requests: {cpu: "3"}}}]}
  status: {phase: Running}
`,
		"pods.yaml": `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: v1
kind: Pod
metadata: {name: hi, annotations: {fleetsim.io/arrival: 5s}}
spec: {priorityClassName: high, containers: [{name: c, resources: {requests: {cpu: "2"}}}]}
`,
		"s.yaml": `stop: {time: 10m}
cluster:
  queueing: central
  nodes_from: {path: cluster.yaml, format: kubernetes}
workload:
  kubernetes: {path: pods.yaml}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 6; seed++ {
		res, pods := runKube(t, s, 0)
		s.Seed = seed + 1
		rows := map[string]*PodRecord{}
		for _, p := range pods {
			rows[p.Pod] = p
		}
		hi := rows["hi"]
		if hi == nil || hi.Reason != "running" {
			t.Fatalf("hi: %+v", hi)
		}
		victim := map[string]string{"n0": "old0", "n1": "old1"}[hi.Node]
		want := map[string]float64{"old0": 25, "old1": 35}[victim]
		v := rows[victim]
		if v == nil || v.Reason != "preempted by hi" || v.Ended != want || v.Node != hi.Node || hi.Bound != want {
			t.Fatalf("seed %d: victim %+v, hi %+v: want the victim to end and hi to bind at %v s", seed, v, hi, want)
		}
		if res.Kubernetes.Preempted != 1 || len(pods) != 2 {
			t.Fatalf("seed %d: %+v, %d rows", seed, res.Kubernetes, len(pods))
		}
	}
}

// A Job past its activeDeadlineSeconds fails: its running pods are
// terminated after their grace period, it creates no more, and pods.csv
// and the kubernetes block say so. Worked by hand: one 4-core node, a Job
// of 4 completions, parallelism 2, 1 cpu each, pods running 60 s
// (fleetsim.io/duration), activeDeadlineSeconds 100, grace 10 s. Pods 0
// and 1 run 0-60 s and complete; 2 and 3 start at 60 s and are still
// running at 100 s: terminated at 110 s with the reason
// "Job failed: DeadlineExceeded". Nothing else is created.
func TestKubernetesJobActiveDeadline(t *testing.T) {
	dir := kubeFiles(t, map[string]string{
		"pods.yaml": `apiVersion: batch/v1
kind: Job
metadata: {name: etl, annotations: {fleetsim.io/duration: 60s}}
spec:
  completions: 4
  parallelism: 2
  activeDeadlineSeconds: 100
  template:
    spec:
      terminationGracePeriodSeconds: 10
      restartPolicy: Never
      containers: [{name: c, resources: {requests: {cpu: "1"}}}]
`,
		"s.yaml": `stop: {time: 10m}
cluster:
  queueing: central
  nodes: [{group: n, count: 1, cpu: 4, memory: 8Gi}]
workload:
  kubernetes: {path: pods.yaml}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, pods := runKube(t, s, 0)
	got := map[string]string{}
	for _, p := range pods {
		got[p.Pod] = fmt.Sprintf("%v-%v %s", p.Started, p.Ended, p.Reason)
	}
	want := map[string]string{
		"etl-0": "0-60 completed", "etl-1": "0-60 completed",
		"etl-2": "60-110 Job failed: DeadlineExceeded", "etl-3": "60-110 Job failed: DeadlineExceeded",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pods %v\nwant %v", got, want)
	}
	ks := res.Kubernetes
	if ks.JobsFailed != 1 || ks.Killed != 2 || ks.Completed != 2 || ks.Preempted != 0 || ks.PendingAtEnd != 0 {
		t.Fatalf("kubernetes block %+v", ks)
	}
}

// A Kubernetes workload with controllers, through the scenario and the
// central engine's clock: web (2 replicas, required anti-affinity per
// node, start-up 5 s, readiness initialDelaySeconds 3) on four nodes.
// At 103 s the node of web's first pod fails; NotReady at 155 (last
// Lease renewal 100, grace 50 s, checks every 5 s), evicted at 455, the
// replacement bound at once on a free node, Ready at 463: recovery 360 s
// after the failure. A rollout at 600 s with the default 25 % surge (1)
// and unavailability (0): the new pod goes to the one node without a web
// pod, Ready at 608; the old pod Ready most recently (web-0-2) is deleted
// and the second new pod waits for its node, which anti-affinity keeps
// until the 30 s grace period ends: bound at 638, Ready at 646, when the
// last old pod goes: the rollout took 46 s, never fewer than 2 Ready.
// (With three nodes the surge pod has nowhere to go and the rollout
// stalls, as it would in a real cluster.)
func TestKubernetesControllers(t *testing.T) {
	dir := kubeFiles(t, map[string]string{
		"web.yaml": `apiVersion: apps/v1
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
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`,
		"s.yaml": `stop: {time: 20m}
cluster:
  queueing: central
  nodes: [{group: n, count: 4, cpu: 4, memory: 8Gi}]
workload:
  kubernetes:
    path: web.yaml
    controllers: true
    startup: 5s
    events: [{at: 103s, fail_node: NODE}, {at: 600s, rollout: web}]
strategies: [least-allocated]
`})
	// An autoscaled group that does not exist, or autoscaler without
	// controllers, is refused at load.
	bad := map[string]string{
		"autoscaler: {groups: [{group: nope, max: 3}]}": `no node group "nope" in cluster.nodes`,
		"autoscaler: {groups: [{group: n, max: 2}]}":    `group "n" starts with 4 nodes, outside min 0 and max 2`,
	}
	for extra, want := range bad {
		text := "stop: {time: 1h}\ncluster:\n  queueing: central\n  nodes: [{group: n, count: 4, cpu: 4, memory: 8Gi}]\nworkload:\n  kubernetes:\n    path: web.yaml\n    controllers: true\n    " + extra + "\nstrategies: [least-allocated]\n"
		if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(filepath.Join(dir, "bad.yaml")); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v", extra, err)
		}
	}
	// A node that does not exist is refused at load. Which node gets web's
	// first pod is the scheduler's tie-break: fail each in turn, and check
	// the timeline where it held web-0-0.
	_, err := Load(filepath.Join(dir, "s.yaml"))
	if err == nil || !strings.Contains(err.Error(), `no node "NODE" in the cluster`) {
		t.Fatalf("bad node name: %v", err)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "s.yaml"))
	for _, node := range []string{"n-0", "n-1", "n-2", "n-3"} {
		if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(strings.Replace(string(text), "NODE", node, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(filepath.Join(dir, "s.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		var pods []*PodRecord
		run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{
			OnEvent: func(e *kube.Event) {
				events = append(events, fmt.Sprintf("%d %s %s", e.Time/kube.Second, e.Object, e.Reason))
			},
			OnPod: func(p *PodRecord) { c := *p; pods = append(pods, &c) }})
		if err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			if done, err = run.Step(1 << 16); err != nil {
				t.Fatal(err)
			}
		}
		closer.Close()
		res := run.Result()
		cs := res.Kubernetes.Controllers
		if cs == nil {
			t.Fatal("no controllers block")
		}
		ws := cs.Deployments["web"]
		hosted := false
		for _, p := range pods {
			hosted = hosted || p.Pod == "web-0-0" && p.Node == node
		}
		log := strings.Join(events, "\n")
		if !hosted {
			// The failed node ran the other pod or none: its own timeline.
			continue
		}
		for _, want := range []string{"103 Node/" + node + " NodeFailed", "155 Node/" + node + " NodeNotReady", "455 Pod/web-0-0 Evicted",
			"455 Pod/web-0-2 Scheduled", "460 Pod/web-0-2 Started", "463 Pod/web-0-2 Ready", "600 Deployment/web RolloutStarted",
			"600 Pod/web-1-0 Scheduled", "608 Pod/web-1-0 Ready", "608 Pod/web-0-2 Killing", "638 Pod/web-1-1 Scheduled", "646 Pod/web-1-1 Ready",
			"646 Pod/web-0-1 Killing", "646 Deployment/web RolloutComplete"} {
			if !strings.Contains(log, want) {
				t.Fatalf("failing %s: no %q in\n%s", node, want, log)
			}
		}
		if ws.Ready != 2 || len(ws.RecoveryS) != 1 || ws.RecoveryS[0] != 360 || ws.RolloutS != 46 || ws.MinReadyInRollout != 2 {
			t.Fatalf("web %+v", ws)
		}
		if cs.Events["Evicted"] != 1 || len(pods) < 5 {
			t.Fatalf("events %v, %d pod rows", cs.Events, len(pods))
		}
		return
	}
	t.Fatal("no node ran web-0-0")
}

// fleetsim.io/crash-after through a scenario: a container crashing 5 s
// after every start is restarted at 15, 40, 85, 170, 335, 640 and 945 s
// (CrashLoopBackOff, as TestGoldenCrashLoopBackOff in sim/kube): 7
// restarts before the 20-minute stop.
func TestKubernetesControllersCrashLoop(t *testing.T) {
	dir := kubeFiles(t, map[string]string{
		"bad.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, annotations: {fleetsim.io/crash-after: 5s}}
spec:
  replicas: 1
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec: {containers: [{name: app, resources: {requests: {cpu: 100m}}}]}
`,
		"s.yaml": `stop: {time: 20m}
cluster:
  queueing: central
  nodes: [{group: n, count: 1, cpu: 4, memory: 8Gi}]
workload:
  kubernetes: {path: bad.yaml, controllers: true}
strategies: [least-allocated]
`})
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := runKube(t, s, 0)
	if d := res.Kubernetes.Controllers.Deployments["bad"]; d.Restarts != 7 || d.Ready != 0 {
		t.Fatalf("bad %+v", d)
	}
	if n := res.Kubernetes.Controllers.Events["BackOff"]; n != 8 {
		t.Fatalf("%d BackOff events, want 8 (the last crash at 950 s waits past the stop)", n)
	}
}
