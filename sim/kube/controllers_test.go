package kube

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

const sec = Second

func newCP(t *testing.T, nodes ...nodeW) *ControlPlane {
	t.Helper()
	s := newTestScheduler(t, nodes...)
	return NewControlPlane(s, DefaultConfig())
}

// timeline renders the events of the given reasons as "t Object Reason"
// lines, t in seconds.
func timeline(cp *ControlPlane, reasons ...string) string {
	var b strings.Builder
	for _, e := range cp.Events() {
		for _, r := range reasons {
			if e.Reason == r {
				fmt.Fprintf(&b, "%g %s %s\n", float64(e.Time)/float64(sec), e.Object, e.Reason)
			}
		}
	}
	return b.String()
}

func checkTimeline(t *testing.T, got, want string) {
	t.Helper()
	if strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

// The eviction timeline of a failed node, worked by hand with Kubernetes'
// defaults: web has 1 replica (startup 5 s, readiness initialDelay 3 s)
// on n0 (the scheduler's tie between two empty nodes goes to n0 or n1; the
// test fails whichever node holds it). The pod is bound at 0, started at
// 5, Ready at 8. The machine fails at 103 s: its last Lease renewal was
// at 100 (every 10 s), seen by the node lifecycle controller's check at
// 100 (every 5 s); NotReady at the first check more than 50 s later: 155
// (the pod stops being Ready then); the pod tolerates the unreachable
// taint for 300 s: evicted at 455, its replacement created and bound to
// the other node at 455, started at 460, Ready at 463.
func TestGoldenNodeFailureEviction(t *testing.T) {
	cp := newCP(t, mkNode("n0"), mkNode("n1"))
	d, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 1, Template: mkPod("web").req(500, gi).Pod, Startup: 5 * sec, ReadinessDelay: 3 * sec})
	if err != nil {
		t.Fatal(err)
	}
	cp.Run(100 * sec)
	first := cp.Pods()[0]
	if !first.Ready() || first.ReadySince != 8*sec {
		t.Fatalf("first pod %+v", first)
	}
	failed := first.Node
	other := cp.Cluster().Node(1 - failed).Name
	cp.Clock.At(103*sec, func() { cp.FailNode(failed) })
	cp.Run(1000 * sec)
	fn := cp.Cluster().Node(failed).Name
	want := fmt.Sprintf(`0 Pod/web-0-0 Scheduled
5 Pod/web-0-0 Started
8 Pod/web-0-0 Ready
103 Node/%[1]s NodeFailed
155 Node/%[1]s NodeNotReady
155 Pod/web-0-0 NodeNotReady
455 Pod/web-0-0 TaintManagerEviction
455 Pod/web-0-0 Evicted
455 Pod/web-0-1 Scheduled
460 Pod/web-0-1 Started
463 Pod/web-0-1 Ready`, fn)
	checkTimeline(t, timeline(cp, "Scheduled", "Started", "Ready", "NodeFailed", "NodeNotReady", "TaintManagerEviction", "Evicted"), want)
	if c := cp.Counts(d); c.Ready != 1 || cp.Pods()[1].Node != 1-failed || cp.Cluster().Node(cp.Pods()[1].Node).Name != other {
		t.Fatalf("after recovery %+v", c)
	}
}

// A machine back before the node lifecycle controller noticed (failed at
// 103 s, NotReady would have come at 155, back at 130): nothing is
// evicted; the kubelet starts the pods again at 130 (SandboxChanged).
// web (start-up 5 s, readiness 3 s: Ready at 8) loses Ready at 130, is
// started at 135 (a restart) and Ready at 138; slow (start-up 200 s, due
// to start at 200) starts at 330 instead and is Ready at 333. Before the
// kubelet restarted them, slow stayed Starting for ever and web Ready
// with no container.
func TestGoldenNodeBackBeforeNotReady(t *testing.T) {
	cp := newCP(t, mkNode("n0"))
	web, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 1, Template: mkPod("web").req(500, gi).Pod, Startup: 5 * sec, ReadinessDelay: 3 * sec})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := cp.AddDeployment(DeploymentSpec{Name: "slow", Replicas: 1, Template: mkPod("slow").req(500, gi).Pod, Startup: 200 * sec, ReadinessDelay: 3 * sec})
	if err != nil {
		t.Fatal(err)
	}
	cp.Clock.At(103*sec, func() { cp.FailNode(0) })
	cp.Clock.At(130*sec, func() { cp.RecoverNode(0) })
	cp.Run(1000 * sec)
	want := `0 Pod/web-0-0 Scheduled
0 Pod/slow-0-0 Scheduled
5 Pod/web-0-0 Started
8 Pod/web-0-0 Ready
103 Node/n0 NodeFailed
130 Pod/web-0-0 SandboxChanged
130 Pod/slow-0-0 SandboxChanged
135 Pod/web-0-0 Started
138 Pod/web-0-0 Ready
330 Pod/slow-0-0 Started
333 Pod/slow-0-0 Ready`
	checkTimeline(t, timeline(cp, "Scheduled", "Started", "Ready", "NodeFailed", "NodeNotReady", "SandboxChanged", "TaintManagerEviction", "Evicted"), want)
	if c := cp.Counts(web); c.Ready != 1 {
		t.Errorf("web %+v, want 1 Ready", c)
	}
	if c := cp.Counts(slow); c.Ready != 1 {
		t.Errorf("slow %+v, want 1 Ready", c)
	}
	if r := cp.Pods()[0].Restarts + cp.Pods()[1].Restarts; r != 1 {
		t.Errorf("restarts %d, want 1 (web's container)", r)
	}
}

// CrashLoopBackOff: a container that crashes 5 s after every start is
// restarted after 10, 20, 40, 80, 160, 300, 300 s (kubelet's back-off,
// doubling from 10 s to the 5 min cap). Started at 0 (no start-up
// delay): crashes at 5, restarts at 15; crash 20, restart 40; crash 45,
// restart 85; crash 90, restart 170; crash 175, restart 335; crash 340,
// restart 640; crash 645, restart 945.
func TestGoldenCrashLoopBackOff(t *testing.T) {
	cp := newCP(t, mkNode("n0"))
	if _, err := cp.AddDeployment(DeploymentSpec{Name: "bad", Replicas: 1, Template: mkPod("bad").req(100, 0).Pod, CrashAfter: 5 * sec}); err != nil {
		t.Fatal(err)
	}
	cp.Run(1000 * sec)
	var starts []string
	for _, e := range cp.Events() {
		if e.Reason == "Started" {
			starts = append(starts, fmt.Sprint(e.Time/sec))
		}
	}
	if got, want := strings.Join(starts, " "), "0 15 40 85 170 335 640 945"; got != want {
		t.Fatalf("container starts %s, want %s", got, want)
	}
	if r := cp.Pods()[0].Restarts; r != 7 {
		t.Fatalf("restarts %d, want 7", r)
	}
}

// The back-off resets after 10 minutes of running: a container crashing
// 700 s after each start restarts 10 s after every crash (start 0, crash
// 700, start 710, crash 1410, start 1420).
func TestGoldenCrashLoopReset(t *testing.T) {
	cp := newCP(t, mkNode("n0"))
	if _, err := cp.AddDeployment(DeploymentSpec{Name: "slow", Replicas: 1, Template: mkPod("slow").req(100, 0).Pod, CrashAfter: 700 * sec}); err != nil {
		t.Fatal(err)
	}
	cp.Run(1500 * sec)
	checkTimeline(t, timeline(cp, "Started", "BackOff"), `0 Pod/slow-0-0 Started
700 Pod/slow-0-0 BackOff
710 Pod/slow-0-0 Started
1410 Pod/slow-0-0 BackOff
1420 Pod/slow-0-0 Started`)
}

// stepCounts records (time, old pods, new pods, Ready) whenever they change.
func rolloutSteps(t *testing.T, surge, unavail int32) (string, *ControlPlane, *Deployment) {
	t.Helper()
	cp := newCP(t, mkNode("n0").cap(16000, 64*gi), mkNode("n1").cap(16000, 64*gi))
	d, err := cp.AddDeployment(DeploymentSpec{Name: "app", Replicas: 4, Template: mkPod("v1").req(1000, gi).Pod, Startup: 5 * sec, ReadinessDelay: 5 * sec,
		MaxSurge: &IntOrPercent{Value: surge}, MaxUnavailable: &IntOrPercent{Value: unavail}, Grace: 30 * sec})
	if err != nil {
		t.Fatal(err)
	}
	cp.Run(100 * sec)
	cp.UpdateTemplate(d, mkPod("v2").req(1000, gi).Pod)
	var b strings.Builder
	last := ""
	for now := int64(100); now <= 200; now++ {
		cp.Run(now * sec)
		var old, nw, ready int
		for k, rs := range d.ReplicaSets() {
			for _, ps := range rs.Pods() {
				if k == 0 {
					old++
				} else {
					nw++
				}
				if ps.Ready() {
					ready++
				}
			}
		}
		s := fmt.Sprintf("old=%d new=%d ready=%d", old, nw, ready)
		if s != last {
			fmt.Fprintf(&b, "%d %s\n", now-100, s)
			last = s
		}
	}
	return b.String(), cp, d
}

// A rolling update of 4 replicas, maxSurge 1, maxUnavailable 0, each new
// pod Ready 10 s after creation (5 s start-up, 5 s readiness delay), by
// hand: at 0 one new pod (5 pods, 4 Ready); at each 10 s step the new pod
// is Ready, one old pod is deleted (Terminating, no longer counted) and
// the next new pod created; done at 40 s. Ready never below 4, pods never
// above 5.
func TestGoldenRollingSurge1(t *testing.T) {
	got, cp, d := rolloutSteps(t, 1, 0)
	checkTimeline(t, got, `0 old=4 new=1 ready=4
10 old=3 new=2 ready=4
20 old=2 new=3 ready=4
30 old=1 new=4 ready=4
40 old=0 new=4 ready=4`)
	if d.RolloutStart != 100*sec || d.RolloutEnd != 140*sec {
		t.Fatalf("rollout %d..%d", d.RolloutStart, d.RolloutEnd)
	}
	_ = cp
}

// maxSurge 0, maxUnavailable 1: at 0 one old pod is deleted and one new
// created (4 pods, 3 Ready); every 10 s the next pair; done at 40 s.
// Ready never below 3, pods never above 4.
func TestGoldenRollingUnavailable1(t *testing.T) {
	got, _, d := rolloutSteps(t, 0, 1)
	checkTimeline(t, got, `0 old=3 new=1 ready=3
10 old=2 new=2 ready=3
20 old=1 new=3 ready=3
30 old=0 new=4 ready=3
40 old=0 new=4 ready=4`)
	if d.RolloutEnd != 140*sec {
		t.Fatalf("rollout end %d", d.RolloutEnd)
	}
}

// Recreate: every old pod is deleted at 0; the new ReplicaSet scales up
// once they are gone, after their 30 s grace period: 4 new pods at 30,
// Ready at 40.
func TestGoldenRecreate(t *testing.T) {
	cp := newCP(t, mkNode("n0").cap(16000, 64*gi))
	d, err := cp.AddDeployment(DeploymentSpec{Name: "app", Replicas: 4, Template: mkPod("v1").req(1000, gi).Pod, Startup: 5 * sec, ReadinessDelay: 5 * sec, Recreate: true})
	if err != nil {
		t.Fatal(err)
	}
	cp.Run(100 * sec)
	cp.UpdateTemplate(d, mkPod("v2").req(1000, gi).Pod)
	cp.Run(129 * sec)
	if c := cp.Counts(d); c.Total != 0 || c.Terminating != 4 {
		t.Fatalf("at 29 s: %+v", c)
	}
	cp.Run(130 * sec)
	if c := cp.Counts(d); c.Total != 4 || c.Ready != 0 || c.Terminating != 0 {
		t.Fatalf("at 30 s: %+v", c)
	}
	cp.Run(140 * sec)
	if c := cp.Counts(d); c.Ready != 4 || d.RolloutEnd != 140*sec {
		t.Fatalf("at 40 s: %+v, end %d", c, d.RolloutEnd)
	}
}

// Rollout invariant on random settings (replicas, surge, unavailable,
// start-up times, minReadySeconds): at every second of the rollout,
// Ready pods >= replicas - maxUnavailable and pods (not terminating) <=
// replicas + maxSurge; the rollout completes.
func TestPropertyRolloutBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	for trial := range 60 {
		replicas := int32(1 + rng.IntN(8))
		surge, unavail := int32(rng.IntN(4)), int32(rng.IntN(4))
		if surge == 0 && unavail == 0 {
			surge = 1
		}
		cp := newCP(t, mkNode("n0").cap(64000, 256*gi), mkNode("n1").cap(64000, 256*gi))
		d, err := cp.AddDeployment(DeploymentSpec{Name: "app", Replicas: replicas, Template: mkPod("v1").req(500, gi).Pod,
			Startup: int64(1+rng.IntN(10)) * sec, ReadinessDelay: int64(rng.IntN(10)) * sec, MinReadySeconds: int64(rng.IntN(5)) * sec,
			MaxSurge: &IntOrPercent{Value: surge}, MaxUnavailable: &IntOrPercent{Value: unavail}})
		if err != nil {
			t.Fatal(err)
		}
		cp.Run(100 * sec)
		cp.UpdateTemplate(d, mkPod("v2").req(500, gi).Pod)
		lo := replicas - min(unavail, replicas)
		for now := int64(100); now < 2000 && d.RolloutEnd < 0; now++ {
			cp.Run(now * sec)
			c := cp.Counts(d)
			if c.Ready < lo || c.Total > replicas+surge {
				t.Fatalf("trial %d (replicas %d surge %d unavail %d) at %d s: %+v", trial, replicas, surge, unavail, now-100, c)
			}
		}
		if d.RolloutEnd < 0 {
			t.Fatalf("trial %d: rollout did not complete", trial)
		}
	}
}

// A drain respects a PodDisruptionBudget (minAvailable 2 of web's 3
// pods, one per node by anti-affinity), worked by hand: n0 and n1 are
// drained at 100 s. n0's pod is evicted at once (3 healthy, 1 disruption
// allowed); its replacement is bound to a spare node at 100, Ready at 108
// (start-up 5 s, readiness 3 s). n1's eviction is refused at 100 and at
// 105 (2 healthy, none allowed) and goes through at 110, the retry after
// the replacement is Ready; its own replacement is Ready at 118.
func TestGoldenDrainPDB(t *testing.T) {
	cp := newCP(t, mkNode("n0"), mkNode("n1"), mkNode("n2"))
	sel := &LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	two := int32(2)
	cp.SetPDBs([]*PDB{{Name: "web", Namespace: "default", Selector: sel, MinAvailable: &two}})
	d, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 3, Template: mkPod("web").label("app", "web").antiReq(sel, LabelHostname).req(500, gi).Pod,
		Startup: 5 * sec, ReadinessDelay: 3 * sec})
	if err != nil {
		t.Fatal(err)
	}
	cp.Clock.At(50*sec, func() {
		for _, n := range []string{"n3", "n4"} {
			if _, err := cp.Cluster().AddNode(mkNode(n).Node); err != nil {
				t.Error(err)
			}
		}
		cp.growNodes()
	})
	var onN0, onN1 string
	cp.Clock.At(100*sec, func() {
		for _, ps := range cp.Pods() {
			switch cp.Cluster().Node(ps.Node).Name {
			case "n0":
				onN0 = ps.Pod.Name
			case "n1":
				onN1 = ps.Pod.Name
			}
		}
		cp.Drain(0)
		cp.Drain(1)
	})
	cp.Run(300 * sec)
	got := timeline(cp, "Evicted", "Drained")
	want := fmt.Sprintf("100 Pod/%s Evicted\n100 Node/n0 Drained\n110 Pod/%s Evicted\n110 Node/n1 Drained", onN0, onN1)
	checkTimeline(t, got, want)
	if c := cp.Counts(d); c.Ready != 3 {
		t.Fatalf("at the end %+v", c)
	}
	ready := map[string]int64{}
	for _, ps := range cp.Pods()[3:] {
		ready[cp.Cluster().Node(ps.Node).Name] = ps.ReadySince / sec
	}
	if len(ready) != 2 || ready["n3"]+ready["n4"] != 108+118 {
		t.Fatalf("replacements Ready %v, want 108 and 118 on n3 and n4", ready)
	}
}

// A node back before its pods are evicted: its pods run again. The
// machine fails at 103 s (NotReady at 155) and is back at 200: Ready at
// the next check (200), the pod's container starts again after its 5 s
// start-up and is Ready at 208 (3 s readiness delay); no eviction.
func TestGoldenNodeRecovery(t *testing.T) {
	cp := newCP(t, mkNode("n0"))
	if _, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 1, Template: mkPod("web").req(500, gi).Pod, Startup: 5 * sec, ReadinessDelay: 3 * sec}); err != nil {
		t.Fatal(err)
	}
	cp.Clock.At(103*sec, func() { cp.FailNode(0) })
	cp.Clock.At(200*sec, func() { cp.RecoverNode(0) })
	cp.Run(1000 * sec)
	checkTimeline(t, timeline(cp, "Started", "Ready", "NodeNotReady", "NodeReady", "Evicted"), `5 Pod/web-0-0 Started
8 Pod/web-0-0 Ready
155 Node/n0 NodeNotReady
155 Pod/web-0-0 NodeNotReady
200 Node/n0 NodeReady
205 Pod/web-0-0 Started
208 Pod/web-0-0 Ready`)
}

// Per-pod tolerationSeconds, worked by hand on the schedule of
// TestGoldenNodeFailureEviction (failure 103 s, NotReady 155 s): a pod
// tolerating node.kubernetes.io/unreachable:NoExecute for 60 s is evicted
// at 155 + 60 = 215 s and its replacement is bound at 215, started at 220
// and Ready at 223; with 0 s it is evicted at NotReady (155 s); a
// toleration of the taint without tolerationSeconds (or an empty key with
// Exists, as DaemonSets have) keeps it bound for ever; a toleration of
// not-ready only does not stop the DefaultTolerationSeconds plugin from
// adding its 300 s one for unreachable (evicted at 455 s).
func TestGoldenTolerationSeconds(t *testing.T) {
	secs := func(s int64) *int64 { return &s }
	for _, c := range []struct {
		name  string
		tols  []Toleration
		evict int64 // -1: never
	}{
		{"unreachable 60s", []Toleration{{Key: TaintUnreachable, Operator: "Exists", Effect: NoExecute, Seconds: secs(60)}}, 215},
		{"unreachable 0s", []Toleration{{Key: TaintUnreachable, Operator: "Exists", Effect: NoExecute, Seconds: secs(0)}}, 155},
		{"unreachable for ever", []Toleration{{Key: TaintUnreachable, Operator: "Exists", Effect: NoExecute}}, -1},
		{"everything", []Toleration{{Operator: "Exists"}}, -1},
		{"not-ready only", []Toleration{{Key: "node.kubernetes.io/not-ready", Operator: "Exists", Effect: NoExecute, Seconds: secs(30)}}, 455},
		{"two, the smaller wins", []Toleration{{Key: TaintUnreachable, Operator: "Exists", Effect: NoExecute, Seconds: secs(120)}, {Key: TaintUnreachable, Operator: "Exists", Seconds: secs(90)}}, 245},
	} {
		t.Run(c.name, func(t *testing.T) {
			cp := newCP(t, mkNode("n0"), mkNode("n1"))
			tmpl := mkPod("web").req(500, gi).Pod
			tmpl.Tolerations = c.tols
			if _, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 1, Template: tmpl, Startup: 5 * sec, ReadinessDelay: 3 * sec}); err != nil {
				t.Fatal(err)
			}
			cp.Run(100 * sec)
			failed := cp.Pods()[0].Node
			cp.Clock.At(103*sec, func() { cp.FailNode(failed) })
			cp.Run(1000 * sec)
			fn := cp.Cluster().Node(failed).Name
			want := fmt.Sprintf("103 Node/%[1]s NodeFailed\n155 Node/%[1]s NodeNotReady\n155 Pod/web-0-0 NodeNotReady\n", fn)
			if c.evict >= 0 {
				want += fmt.Sprintf("%[1]d Pod/web-0-0 TaintManagerEviction\n%[1]d Pod/web-0-0 Evicted\n%[1]d Pod/web-0-1 Scheduled\n%[2]d Pod/web-0-1 Started\n%[3]d Pod/web-0-1 Ready\n", c.evict, c.evict+5, c.evict+8)
			}
			checkTimeline(t, timeline(cp, "Scheduled", "Started", "Ready", "NodeFailed", "NodeNotReady", "TaintManagerEviction", "Evicted")[len("0 Pod/web-0-0 Scheduled\n5 Pod/web-0-0 Started\n8 Pod/web-0-0 Ready\n"):], want)
			if c.evict < 0 && (len(cp.Pods()) != 1 || cp.Pods()[0].Node != failed) {
				t.Errorf("the pod left the failed node: %d pods", len(cp.Pods()))
			}
		})
	}
}
