package kube

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func rescales(cp *ControlPlane) string {
	var out []string
	for _, e := range cp.Events() {
		if e.Reason == "SuccessfulRescale" {
			out = append(out, fmt.Sprintf("%d:%s", e.Time/sec, strings.TrimSuffix(strings.Fields(e.Message)[2], ";")))
		}
	}
	return strings.Join(out, " ")
}

// The HPA's algorithm as the Kubernetes documentation works it
// (desiredReplicas = ceil[currentReplicas × currentMetricValue /
// desiredMetricValue]): pods request 100m, the target is 100 % (100m).
// At 200m per pod (2 pods, 400m) the ratio is 2.0 and the replicas double
// at the first sync (15 s): 2 → 4. From 100 s the load is 200m, 50m per
// pod: ratio 0.5, halve to 2, but the scale-down stabilisation window
// (300 s) holds 4 until the last recommendation of 4 (the sync at 90 s)
// leaves it: at 390 s. From 400 s the load is 210m on 2 pods, 105m each:
// ratio 1.05, within the 0.1 tolerance, no change.
func TestGoldenHPADocsExample(t *testing.T) {
	cp := newCP(t, mkNode("n0").cap(16000, 64*gi))
	d, err := cp.AddDeployment(DeploymentSpec{Name: "php-apache", Replicas: 2, Template: mkPod("php").req(100, 0).Pod})
	if err != nil {
		t.Fatal(err)
	}
	h := &HPA{Target: d, Min: 1, Max: 10, TargetUtilization: 100, ScaleUp: DefaultScaleUp(), ScaleDown: DefaultScaleDown(),
		Usage: func(t int64) float64 {
			switch {
			case t < 100*sec:
				return 400
			case t < 400*sec:
				return 200
			}
			return 210
		}}
	cp.AddHPA(h)
	cp.Run(1000 * sec)
	if got, want := rescales(cp), "15:4 390:2"; got != want {
		t.Fatalf("rescales %s, want %s", got, want)
	}
	for _, dec := range h.Decisions {
		if dec.Time == 405*sec && math.Abs(dec.Utilization-105) > 1e-9 {
			t.Fatalf("utilisation at 405 s %v, want 105", dec.Utilization)
		}
	}
}

// The documentation's scale-down policy example: policies Pods 4 and
// Percent 10 per 60 s (selectPolicy Max: the larger change), no
// stabilisation window; from 80 replicas to the minimum 10. Worked by
// hand, one step per 60 s from the first sync at 15 s: 80 → 72 (10 % of
// 80 = 8 > 4) → 64 (7.2 rounds to 8: 72·0.9 = 64.8 truncated) → 57 → 51
// → 45 → 40 → 36 → 32 → 28 → 24 (below 40 the Pods policy removes more)
// → 20 → 16 → 12 → 10 (the minimum).
func TestGoldenHPABehaviorPolicies(t *testing.T) {
	cp := newCP(t, mkNode("n0").cap(64000, 64*gi))
	d, err := cp.AddDeployment(DeploymentSpec{Name: "worker", Replicas: 80, Template: mkPod("w").req(100, 0).Pod})
	if err != nil {
		t.Fatal(err)
	}
	h := &HPA{Target: d, Min: 10, Max: 100, TargetUtilization: 50, ScaleUp: DefaultScaleUp(),
		ScaleDown: ScalingRules{Policies: []ScalingPolicy{{Value: 4, Period: 60 * sec}, {Percent: true, Value: 10, Period: 60 * sec}}, Select: "Max"},
		Usage:     func(int64) float64 { return 0 }}
	cp.AddHPA(h)
	cp.Run(1000 * sec)
	want := "15:72 75:64 135:57 195:51 255:45 315:40 375:36 435:32 495:28 555:24 615:20 675:16 735:12 795:10"
	if got := rescales(cp); got != want {
		t.Fatalf("rescales\n%s\nwant\n%s", got, want)
	}
}

// The HPA never leaves [min, max], whatever the load (random load steps,
// bounds, targets and policies).
func TestPropertyHPABounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := range 40 {
		lo := int32(1 + rng.IntN(5))
		hi := lo + int32(rng.IntN(20))
		cp := newCP(t, mkNode("n0").cap(1_000_000, 1024*gi))
		d, err := cp.AddDeployment(DeploymentSpec{Name: "app", Replicas: lo + int32(rng.IntN(int(hi-lo+1))), Template: mkPod("a").req(100, 0).Pod,
			Startup: int64(rng.IntN(20)) * sec})
		if err != nil {
			t.Fatal(err)
		}
		steps := make([]float64, 50)
		for k := range steps {
			steps[k] = rng.Float64() * 5000
		}
		h := &HPA{Target: d, Min: lo, Max: hi, TargetUtilization: int32(20 + rng.IntN(80)), ScaleUp: DefaultScaleUp(), ScaleDown: DefaultScaleDown(),
			Usage: func(t int64) float64 { return steps[min(int(t/(60*sec)), len(steps)-1)] }}
		if rng.IntN(2) == 0 {
			h.ScaleDown.StabilizationWindow = 0
		}
		cp.AddHPA(h)
		for now := int64(0); now < 3000; now += 15 {
			cp.Run(now * sec)
			if r := d.Spec.Replicas; r < lo || r > hi {
				t.Fatalf("trial %d: replicas %d outside [%d, %d] at %d s", trial, r, lo, hi, now)
			}
		}
	}
}

// One cluster-autoscaler scale-up and scale-down, by hand. A static node
// (4 cpu) runs "a" (3 cpu); "b" (3 cpu) is pending at 0. Group g (4-cpu
// nodes, 0..3, provisioning 120 s, 1 per hour) scales up at the first scan
// (10 s): g-0 is requested at 10 and joins at 130, when b binds there.
// At 1000 s b's Deployment is scaled to 0: b terminates (30 s grace) and
// is gone at 1030, the scan then finds g-0 unneeded (empty, under 50 %);
// 10 minutes later, at 1630, it is removed. Cost: (1630 - 10) s at 1 per
// hour = 0.45.
func TestGoldenClusterAutoscaler(t *testing.T) {
	cp := newCP(t, mkNode("static").cap(4000, 16*gi))
	if _, err := cp.AddDeployment(DeploymentSpec{Name: "a", Replicas: 1, Template: mkPod("a").req(3000, gi).Pod}); err != nil {
		t.Fatal(err)
	}
	cp.Run(0)
	b, err := cp.AddDeployment(DeploymentSpec{Name: "b", Replicas: 1, Template: mkPod("b").req(3000, gi).Pod})
	if err != nil {
		t.Fatal(err)
	}
	g := &NodeGroup{Name: "g", Template: *mkNode("tmpl").cap(4000, 16*gi).Node, Min: 0, Max: 3, ProvisionDelay: 120 * sec, CostPerHour: 1}
	cp.AddAutoscaler(&Autoscaler{Groups: []*NodeGroup{g}}, nil)
	cp.Clock.At(1000*sec, func() { cp.Scale(b, 0) })
	cp.Run(2000 * sec)
	checkTimeline(t, timeline(cp, "ScaledUpGroup", "NodeReady", "Scheduled", "RemovingNode"), `0 Pod/a-0-0 Scheduled
10 NodeGroup/g ScaledUpGroup
130 Node/g-0 NodeReady
130 Pod/b-0-0 Scheduled
1630 Node/g-0 RemovingNode`)
	if c := g.Cost(2000 * sec); math.Abs(c-0.45) > 1e-12 || g.Size() != 0 {
		t.Fatalf("cost %v, size %d", c, g.Size())
	}
}

// Determinism with every controller on: a rollout, a node failure, an
// HPA and the cluster autoscaler give the same event log twice.
func TestControlPlaneDeterministic(t *testing.T) {
	run := func() string {
		cp := newCP(t, mkNode("n0").zone("a"), mkNode("n1").zone("b"), mkNode("n2").zone("b"))
		d, err := cp.AddDeployment(DeploymentSpec{Name: "web", Replicas: 3, Template: mkPod("web").req(1000, gi).Pod, Startup: 7 * sec, ReadinessDelay: 2 * sec, CrashAfter: 900 * sec})
		if err != nil {
			t.Fatal(err)
		}
		cp.AddHPA(&HPA{Target: d, Min: 2, Max: 12, TargetUtilization: 60, ScaleUp: DefaultScaleUp(), ScaleDown: DefaultScaleDown(),
			Usage: func(t int64) float64 { return 3000 + 2000*math.Sin(float64(t)/float64(600*sec)) }})
		g := &NodeGroup{Name: "g", Template: *mkNode("tmpl").zone("a").Node, Max: 4, ProvisionDelay: 90 * sec, CostPerHour: 0.5}
		cp.AddAutoscaler(&Autoscaler{Groups: []*NodeGroup{g}}, nil)
		cp.Clock.At(300*sec, func() { cp.UpdateTemplate(d, mkPod("web2").req(1000, gi).Pod) })
		cp.Clock.At(500*sec, func() { cp.FailZone("b") })
		cp.Run(3600 * sec)
		var b strings.Builder
		for _, e := range cp.Events() {
			fmt.Fprintf(&b, "%d %s %s %s\n", e.Time, e.Object, e.Reason, e.Message)
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || len(a) == 0 {
		t.Fatalf("two runs differ (%d and %d bytes)", len(a), len(b))
	}
}

// Pods the control plane did not create (the central engine's Jobs' and
// bare pods) and the cluster autoscaler, worked by hand. static (4 cpu)
// runs fill (4 cpu) to 300 s; job (1 cpu) waits from the start
// (ExternalPending): the scan at 10 s requests g-0, Ready at 130 s, and
// job's owner binds it there then. fill ends at 300 s, before that
// instant's scan: g-0 (25 % requested, job fitting on static) is unneeded
// from 300 s. At 900 s, if job may be evicted, the autoscaler evicts it
// (ExternalEvict) and removes g-0 when its owner reports it gone at 930 s
// (ExternalPodGone); if not (a bare pod), g-0 stays.
func TestClusterAutoscalerExternalPods(t *testing.T) {
	for _, movable := range []bool{true, false} {
		cp := newCP(t, mkNode("static").cap(4000, 16*gi))
		c := cp.Cluster()
		fill, job := mkPod("fill").req(4000, gi).Pod, mkPod("job").req(1000, gi).Pod
		if err := c.Bind(fill, 0); err != nil {
			t.Fatal(err)
		}
		var evicted []string
		cp.ExternalPending = func() []*Pod {
			if c.NodeOf(job) < 0 && cp.Clock.Now() < 900*sec {
				return []*Pod{job}
			}
			return nil
		}
		cp.ExternalEvict = func(p *Pod, evict bool) bool {
			if evict && movable {
				evicted = append(evicted, fmt.Sprintf("%d %s", cp.Clock.Now()/sec, p.Name))
				i := c.NodeOf(p)
				cp.Clock.After(30*sec, func() { _ = c.Unbind(p); cp.ExternalPodGone(i) })
			}
			return movable
		}
		cp.OnEvent = func(e Event) {
			if e.Reason == "NodeReady" && e.Object == "Node/g-0" {
				if err := c.Bind(job, c.NodeIndex("g-0")); err != nil {
					t.Error(err)
				}
			}
		}
		g := &NodeGroup{Name: "g", Template: *mkNode("tmpl").cap(4000, 16*gi).Node, Min: 0, Max: 2, ProvisionDelay: 120 * sec, CostPerHour: 1}
		cp.AddAutoscaler(&Autoscaler{Groups: []*NodeGroup{g}}, nil)
		cp.Clock.At(300*sec, func() { _ = c.Unbind(fill) })
		cp.Run(2000 * sec)
		want := "10 NodeGroup/g ScaledUpGroup\n130 Node/g-0 NodeReady\n900 Node/g-0 ScaleDown\n930 Node/g-0 RemovingNode"
		wantEvicted := "900 job"
		if !movable {
			want, wantEvicted = "10 NodeGroup/g ScaledUpGroup\n130 Node/g-0 NodeReady", ""
		}
		checkTimeline(t, timeline(cp, "ScaledUpGroup", "NodeReady", "ScaleDown", "RemovingNode"), want)
		if got := strings.Join(evicted, ","); got != wantEvicted {
			t.Errorf("movable %v: evicted %q, want %q", movable, got, wantEvicted)
		}
		if got := cp.GroupOf(c.NodeIndex("g-0")); got != "g" || cp.GroupOf(0) != "" {
			t.Errorf("GroupOf(g-0) = %q, GroupOf(static) = %q; want g and none", got, cp.GroupOf(0))
		}
	}
}
