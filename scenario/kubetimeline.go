package scenario

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// The timeline of a Kubernetes run with controllers (--out timeline.csv
// and windows.csv): the control loops' state sampled at a fixed interval
// on the simulated clock, and the fault and rollout windows as intervals.

// TimelineSample is the control loops' state at time T, once everything
// due at T has run: per Deployment (in the manifests' order, Deployments
// names them) its Ready pods and its replicas (the spec, which the HPA and
// scale events change; both 0 before the Deployment arrives), the pods
// waiting to be scheduled (the control loops' and the run's Jobs and bare
// pods), the machines up (not failed, not removed by the cluster
// autoscaler) and the cost so far (every node of cluster.nodes from 0 at
// its group's cost_per_hour, an autoscaled node from its request to its
// removal).
type TimelineSample struct {
	T           sim.Time
	Deployments []string
	Ready       []int32
	Replicas    []int32
	Pending     int
	Nodes       int
	Cost        float64
}

// Window kinds.
const (
	WindowNodeFailure = "node failure" // a machine down: failed to recovered
	WindowZoneOutage  = "zone outage"  // fail_zone to every node of the zone recovered
	WindowRollout     = "rollout"      // RolloutStarted to RolloutComplete
)

// Window is a fault or rollout of a run: Kind (WindowNodeFailure,
// WindowZoneOutage, WindowRollout) of Name (a node, zone or Deployment)
// from Start to End; End is the stop time for one still open then.
type Window struct {
	Kind       string
	Name       string
	Start, End sim.Time
}

// timeline is a run's sampler and open windows.
type timeline struct {
	every, next sim.Time
	onSample    func(*TimelineSample)
	onWindow    func(*Window)
	names       []string
	sample      TimelineSample
	windows     []*Window
	open        map[string]*Window // by kind + "/" + name
}

func newTimeline(k *Kubernetes, opt RunOptions) *timeline {
	if opt.Timeline <= 0 || (opt.OnSample == nil && opt.OnWindow == nil) {
		return nil
	}
	tl := &timeline{every: opt.Timeline, onSample: opt.OnSample, onWindow: opt.OnWindow, open: map[string]*Window{}}
	for _, d := range k.Set.Deployments {
		tl.names = append(tl.names, d.Name)
	}
	tl.sample = TimelineSample{Deployments: tl.names, Ready: make([]int32, len(tl.names)), Replicas: make([]int32, len(tl.names))}
	return tl
}

// runControl runs the control plane to t, stopping at each sample time on
// the way to sample it (running the clock in steps runs the same timers in
// the same order). A sample time is taken once the engine is past it (or
// at the stop time), so that what the engine does at that instant is in.
func (kr *kubeRun) runControl(t sim.Time) {
	if tl := kr.tl; tl != nil {
		for (tl.next < t || t == kr.horizon) && tl.next <= kr.horizon {
			kr.cp.Run(int64(tl.next))
			kr.takeSample(tl.next)
			if tl.next == kr.horizon {
				tl.next = sim.MaxTime
				break
			}
			tl.next = min(tl.next+tl.every, kr.horizon)
		}
	}
	kr.cp.Run(int64(t))
}

func (kr *kubeRun) takeSample(t sim.Time) {
	tl := kr.tl
	s := &tl.sample
	s.T = t
	for i, name := range tl.names {
		s.Ready[i], s.Replicas[i] = 0, 0
		if d := kr.deps[name]; d != nil {
			s.Ready[i], s.Replicas[i] = kr.cp.Counts(d).Ready, d.Spec.Replicas
		}
	}
	s.Pending = 0
	for _, ps := range kr.cp.Pending() {
		if ps.Phase == kube.PodPending {
			s.Pending++
		}
	}
	for _, kp := range kr.pods {
		// (the engine may be past t: a pod bound after t was pending at t)
		if kp.created >= 0 && kp.created <= t && (kp.bound < 0 || kp.bound > t) {
			s.Pending++
		}
	}
	s.Nodes, s.Cost = 0, 0
	c := kr.c
	for i := 0; i < c.Len(); i++ {
		if !c.Gone(i) && !kr.cp.NodeFailed(i) {
			s.Nodes++
		}
	}
	hours := t.Seconds() / 3600
	for i := range kr.group {
		if !kr.autoscaled[kr.group[i]] {
			s.Cost += float64(hours * kr.groupCost[kr.group[i]])
		}
	}
	if kr.ca != nil {
		for _, g := range kr.ca.Groups {
			s.Cost += g.Cost(int64(t))
		}
	}
	if tl.onSample != nil {
		tl.onSample(s)
	}
}

// openWindow starts a window of kind and name at t, unless one is open.
func (tl *timeline) openWindow(kind, name string, t sim.Time) {
	if tl == nil {
		return
	}
	key := kind + "/" + name
	if tl.open[key] != nil {
		return
	}
	w := &Window{Kind: kind, Name: name, Start: t, End: -1}
	tl.open[key] = w
	tl.windows = append(tl.windows, w)
}

// closeWindow ends the open window of kind and name at t.
func (tl *timeline) closeWindow(kind, name string, t sim.Time) {
	if tl == nil {
		return
	}
	key := kind + "/" + name
	if w := tl.open[key]; w != nil {
		w.End = t
		delete(tl.open, key)
	}
}

// observe opens and closes rollout windows from the control plane's
// events.
func (tl *timeline) observe(e kube.Event) {
	name, ok := strings.CutPrefix(e.Object, "Deployment/")
	if !ok {
		return
	}
	switch e.Reason {
	case "RolloutStarted":
		tl.closeWindow(WindowRollout, name, sim.Time(e.Time)) // superseded
		tl.openWindow(WindowRollout, name, sim.Time(e.Time))
	case "RolloutComplete":
		tl.closeWindow(WindowRollout, name, sim.Time(e.Time))
	}
}

// finish ends the windows still open at the stop time and hands every
// window on, by start (then kind and name).
func (tl *timeline) finish(horizon sim.Time) {
	if tl == nil || tl.onWindow == nil {
		return
	}
	for _, w := range tl.windows {
		if w.End < 0 {
			w.End = horizon
		}
	}
	slices.SortStableFunc(tl.windows, func(a, b *Window) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	for _, w := range tl.windows {
		tl.onWindow(w)
	}
}
