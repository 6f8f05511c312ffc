package scenario

import (
	"github.com/fleetsim/fleetsim/scenario/manifest"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// Kubernetes workloads with controllers (workload.kubernetes.controllers):
// the manifests' Deployments and HorizontalPodAutoscalers run as control
// loops (package sim/kube, ControlPlane) on the same cluster model and
// scheduler as the run's Jobs and bare pods, on the central engine's clock:
// the engine wakes the control plane (sim.Waker) at its next timer.

// startControllers builds the control plane and schedules the manifests'
// Deployments, HPAs, the scenario's events and its faults on it.
func (kr *kubeRun) startControllers(k *Kubernetes, opt RunOptions, seed uint64, faults []FaultSpec) {
	kr.cpArmed = -1
	kr.cp = kube.NewControlPlane(kr.s, k.Defaults.config(k.Grace))
	kr.cp.SetPDBs(k.Set.PDBs)
	kr.deps = map[string]*kube.Deployment{}
	kr.tl = newTimeline(k, opt)
	switch tl := kr.tl; {
	case opt.OnEvent != nil && tl != nil:
		kr.cp.OnEvent = func(e kube.Event) { tl.observe(e); opt.OnEvent(&e) }
	case opt.OnEvent != nil:
		kr.cp.OnEvent = func(e kube.Event) { opt.OnEvent(&e) }
	case tl != nil:
		kr.cp.OnEvent = tl.observe
	}
	cp := kr.cp
	cp.OnNotReady = kr.podNotReady
	for _, md := range k.Set.Deployments {
		spec := kube.DeploymentSpec{Name: md.Name, Replicas: md.Replicas, Template: md.Template, Recreate: md.Recreate,
			MaxSurge: md.MaxSurge, MaxUnavailable: md.MaxUnavailable, MinReadySeconds: int64(md.MinReadySeconds) * kube.Second,
			Startup: int64(k.Startup), ReadinessDelay: int64(md.ReadinessDelay) * kube.Second, ReadinessPeriod: int64(md.ReadinessPeriod) * kube.Second,
			CrashAfter: md.CrashAfter, AppReady: md.ReadyAfter}
		if md.Grace >= 0 {
			spec.Grace = md.Grace
		} else {
			spec.Grace = int64(k.Grace)
		}
		md := md
		cp.Clock.At(md.Arrival, func() {
			d, err := cp.AddDeployment(spec)
			if err != nil {
				return // checked when read
			}
			kr.deps[md.Name] = d
			for _, h := range k.Set.HPAs {
				if h.Target == md.Name && h.Namespace == md.Namespace {
					kh := &kube.HPA{Target: d, Min: h.Min, Max: h.Max, TargetUtilization: h.TargetUtilization,
						ScaleUp: h.ScaleUp, ScaleDown: h.ScaleDown, Usage: usageFunc(md.Usage),
						SyncPeriod: int64(k.Defaults.HPASyncPeriod), Tolerance: k.Defaults.HPATolerance}
					if !h.DownWindowSet {
						kh.ScaleDown.StabilizationWindow = int64(k.Defaults.HPADownscaleStabilization)
					}
					kr.hpas = append(kr.hpas, kh)
					cp.AddHPA(kh)
				}
			}
		})
	}
	for _, e := range k.Events {
		e := e
		cp.Clock.At(int64(e.At), func() { kr.controlEvent(e) })
	}
	kr.startFaults(faults, seed)
	kr.autoscaled = map[string]bool{}
	if len(k.Autoscaler) > 0 {
		kd := &k.Defaults
		a := &kube.Autoscaler{ScanInterval: int64(kd.ScanInterval), UnneededTime: int64(kd.ScaleDownUnneededTime),
			DelayAfterAdd: int64(kd.ScaleDownDelayAfterAdd), UtilizationThreshold: kd.ScaleDownUtilizationThreshold}
		kr.ca = a
		initial := map[*kube.NodeGroup][]int{}
		for _, ag := range k.Autoscaler {
			var first = -1
			var idx []int
			for i := 0; i < kr.c.Len(); i++ {
				if kr.groupOf(i) == ag.Group {
					idx = append(idx, i)
					if first < 0 {
						first = i
					}
				}
			}
			if first < 0 {
				continue // checked when read
			}
			tmpl := *kr.c.Node(first)
			tmpl.Labels = map[string]string{}
			for key, v := range kr.c.Node(first).Labels {
				if key != kube.LabelHostname {
					tmpl.Labels[key] = v
				}
			}
			g := &kube.NodeGroup{Name: ag.Group, Template: tmpl, Min: ag.Min, Max: ag.Max, ProvisionDelay: int64(ag.Provision), CostPerHour: kr.groupCost[ag.Group]}
			a.Groups = append(a.Groups, g)
			initial[g] = idx
			kr.autoscaled[ag.Group] = true
		}
		cp.AddAutoscaler(a, initial)
	}
}

// usageFunc is a step function of fleetsim.io/cpu-usage (0 before the
// first step, and without the annotation).
func usageFunc(steps []manifest.UsageStep) func(int64) float64 {
	return func(t int64) float64 {
		u := 0.0
		for _, s := range steps {
			if s.At > t {
				break
			}
			u = s.MilliCPU
		}
		return u
	}
}

func (kr *kubeRun) controlEvent(e KubeEvent) {
	cp, c := kr.cp, kr.c
	switch e.Kind {
	case "fail_node":
		kr.failNode(c.NodeIndex(e.Target), true)
	case "recover_node":
		kr.recoverNode(c.NodeIndex(e.Target))
	case "drain":
		cp.Drain(c.NodeIndex(e.Target))
	case "fail_zone":
		kr.failZone(e.Target)
	case "rollout":
		if d := kr.deps[e.Target]; d != nil {
			cp.UpdateTemplate(d, d.Template())
		}
	case "scale":
		if d := kr.deps[e.Target]; d != nil {
			cp.Scale(d, e.Replicas)
		}
	}
}

// armControl asks the engine to wake the control plane at its next timer
// before the stop time.
func (kr *kubeRun) armControl() {
	if kr.cp == nil || kr.alarm == nil {
		return
	}
	next, ok := kr.cp.Clock.Next()
	if !ok || sim.Time(next) >= kr.horizon {
		return
	}
	if kr.cpArmed >= 0 && kr.cpArmed <= sim.Time(next) {
		return
	}
	kr.cpArmed = sim.Time(next)
	kr.alarm(sim.Time(next), wakeControl)
}

// groupOf is node i's group ("" for a node the autoscaler added).
func (kr *kubeRun) groupOf(i int) string {
	if i < len(kr.group) {
		return kr.group[i]
	}
	return ""
}

// kickControl lets the control plane's pending pods try the room a pod of
// the run freed.
func (kr *kubeRun) kickControl(now sim.Time) {
	if kr.cp == nil {
		return
	}
	kr.runControl(now)
	kr.nodesLeft()
	kr.cp.Reschedule()
	kr.armControl()
}

// controlSummary is the controllers' part of the kubernetes block; the
// control plane's pods go to pods.csv then.
func (kr *kubeRun) controlSummary() *kube.ControlSummary {
	if kr.cp == nil {
		return nil
	}
	if kr.done {
		return kr.cpSum
	}
	kr.done = true
	kr.runControl(kr.horizon)
	kr.tl.finish(kr.horizon)
	for _, ps := range kr.cp.Pods() {
		rec := &PodRecord{Pod: ps.Pod.Name, Owner: ps.Pod.Owner, Priority: ps.Pod.Priority, Created: nsSecs(ps.Created),
			Bound: nsSecs(ps.Bound), Started: nsSecs(ps.Started), Ended: nsSecs(ps.Ended), Reason: ps.Reason}
		if ps.Node >= 0 {
			rec.Node, rec.Zone = kr.c.Node(ps.Node).Name, kr.c.Node(ps.Node).Labels[kube.LabelZone]
		}
		if ps.Ended < 0 {
			rec.Ended = kr.horizon.Seconds()
			rec.Reason = "running"
			if ps.Bound < 0 {
				rec.Reason = "pending"
			}
		}
		if kr.onPod != nil {
			kr.onPod(rec)
		}
	}
	kr.cpSum = kr.cp.Summary(kr.hpas)
	return kr.cpSum
}

func nsSecs(t int64) float64 {
	if t < 0 {
		return -1
	}
	return float64(t) / float64(kube.Second)
}
