package kube

import (
	"math"
	"slices"
)

// HPA is a HorizontalPodAutoscaler (autoscaling/v2) on cpu utilisation,
// as the horizontal pod autoscaler controller computes it
// (pkg/controller/podautoscaler): every SyncPeriod (15 s,
// --horizontal-pod-autoscaler-sync-period) it reads the Ready pods' cpu
// usage as a metrics server reports it, utilisation = usage / request;
// desired = ceil(replicas × utilisation / target), unless the ratio is
// within Tolerance (0.1) of 1; the recommendation is stabilised (scale up
// to the lowest, down to the highest recommendation of the last
// StabilizationWindow), limited by the behavior policies (per
// PeriodSeconds, replicas at the period's start ± Pods or × Percent; Max
// takes the policy allowing the largest change), and kept in [Min, Max].
type HPA struct {
	Target *Deployment
	Min    int32
	Max    int32
	// TargetUtilization is averageUtilization, percent of the request.
	TargetUtilization int32
	SyncPeriod        int64
	Tolerance         float64
	ScaleUp           ScalingRules
	ScaleDown         ScalingRules
	// Usage is the pods' total cpu usage in millicores at a time (the
	// workload's demand); each Ready pod uses an equal share, at most its
	// request × LimitRatio when LimitRatio > 0.
	Usage      func(t int64) float64
	LimitRatio float64

	recs       []timedValue // recommendations
	upEvents   []timedValue
	downEvents []timedValue
	// Decisions are the syncs' outcomes, in order.
	Decisions []HPADecision
}

// HPADecision is one sync: the utilisation read and the replicas before
// and after.
type HPADecision struct {
	Time        int64
	Utilization float64
	From, To    int32
}

// ScalingRules is a behavior's scaleUp or scaleDown.
type ScalingRules struct {
	StabilizationWindow int64
	Policies            []ScalingPolicy
	// Select is "Max" (default), "Min" or "Disabled".
	Select string
}

// ScalingPolicy is one policy: Pods or Percent per PeriodSeconds.
type ScalingPolicy struct {
	Percent bool
	Value   int32
	Period  int64
}

type timedValue struct {
	t int64
	v int32
}

// DefaultScaleUp and DefaultScaleDown are autoscaling/v2's default
// behavior: up without stabilisation, by max(100 %, 4 pods) per 15 s;
// down with a 300 s window, by 100 % per 15 s.
func DefaultScaleUp() ScalingRules {
	return ScalingRules{Policies: []ScalingPolicy{{Percent: true, Value: 100, Period: 15 * Second}, {Value: 4, Period: 15 * Second}}, Select: "Max"}
}

// DefaultScaleDown is the default scaleDown behavior.
func DefaultScaleDown() ScalingRules {
	return ScalingRules{StabilizationWindow: 300 * Second, Policies: []ScalingPolicy{{Percent: true, Value: 100, Period: 15 * Second}}, Select: "Max"}
}

// AddHPA starts an autoscaler; zero SyncPeriod and Tolerance take the
// defaults (15 s, 0.1). Its first sync is one period from now.
func (cp *ControlPlane) AddHPA(h *HPA) {
	if h.SyncPeriod <= 0 {
		h.SyncPeriod = 15 * Second
	}
	if h.Tolerance == 0 {
		h.Tolerance = 0.1
	}
	cp.hpas = append(cp.hpas, h)
	var tick func()
	tick = func() {
		cp.syncHPA(h)
		cp.Clock.After(h.SyncPeriod, tick)
	}
	cp.Clock.After(h.SyncPeriod, tick)
}

// Utilization is the target's average cpu utilisation now, percent of
// the Ready pods' requests; false without Ready pods.
func (cp *ControlPlane) Utilization(h *HPA) (float64, bool) {
	var ready []*PodState
	for _, rs := range h.Target.rss {
		for _, ps := range rs.pods {
			if ps.Ready() {
				ready = append(ready, ps)
			}
		}
	}
	if len(ready) == 0 || h.Usage == nil {
		return 0, false
	}
	share := h.Usage(cp.Clock.Now()) / float64(len(ready))
	var used, req float64
	for _, ps := range ready {
		r := float64(ps.Pod.Requests.MilliCPU)
		u := share
		if h.LimitRatio > 0 {
			u = min(u, r*h.LimitRatio)
		}
		used += u
		req += r
	}
	if req == 0 {
		return 0, false
	}
	return 100 * used / req, true
}

func (cp *ControlPlane) syncHPA(h *HPA) {
	now := cp.Clock.Now()
	cur := h.Target.Spec.Replicas
	util, ok := cp.Utilization(h)
	desired := cur
	if ok && cur > 0 {
		ratio := util / float64(h.TargetUtilization)
		if math.Abs(ratio-1) > h.Tolerance {
			desired = int32(math.Ceil(ratio * float64(cur)))
		}
	}
	desired = h.normalize(now, cur, desired)
	h.Decisions = append(h.Decisions, HPADecision{Time: now, Utilization: util, From: cur, To: desired})
	if desired == cur {
		return
	}
	if desired > cur {
		h.upEvents = append(h.upEvents, timedValue{now, desired - cur})
	} else {
		h.downEvents = append(h.downEvents, timedValue{now, cur - desired})
	}
	cp.event("HorizontalPodAutoscaler/"+h.Target.Spec.Name, "SuccessfulRescale", "New size: %d; reason: cpu resource utilization (percentage of request) %s target", desired, map[bool]string{true: "above", false: "below"}[desired > cur])
	cp.Scale(h.Target, desired)
}

// normalize is normalizeDesiredReplicasWithBehaviors: stabilise, limit by
// the policies, clamp to [Min, Max].
func (h *HPA) normalize(now int64, cur, desired int32) int32 {
	up, down := desired, desired
	keep := h.recs[:0]
	horizon := max(h.ScaleUp.StabilizationWindow, h.ScaleDown.StabilizationWindow)
	for _, r := range h.recs {
		if r.t > now-h.ScaleUp.StabilizationWindow {
			up = min(up, r.v)
		}
		if r.t > now-h.ScaleDown.StabilizationWindow {
			down = max(down, r.v)
		}
		if r.t > now-horizon {
			keep = append(keep, r)
		}
	}
	h.recs = append(keep, timedValue{now, desired})
	rec := cur
	rec = max(rec, up)
	rec = min(rec, down)
	switch {
	case rec > cur:
		rec = min(rec, h.limit(now, cur, &h.ScaleUp, true))
	case rec < cur:
		rec = max(rec, h.limit(now, cur, &h.ScaleDown, false))
	}
	return min(max(rec, h.Min), h.Max)
}

// limit is calculateScaleUpLimitWithBehaviors / ...ScaleDown...: the
// furthest the policies allow from the replicas at each period's start.
func (h *HPA) limit(now int64, cur int32, r *ScalingRules, up bool) int32 {
	if r.Select == "Disabled" {
		return cur
	}
	minChange := r.Select == "Min"
	var res int32
	first := true
	for _, p := range r.Policies {
		added := changeIn(h.upEvents, now, p.Period)
		deleted := changeIn(h.downEvents, now, p.Period)
		start := cur - added + deleted
		var prop int32
		switch {
		case up && p.Percent:
			prop = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		case up:
			prop = start + p.Value
		case p.Percent:
			prop = int32(float64(start) * (1 - float64(p.Value)/100))
		default:
			prop = start - p.Value
		}
		switch {
		case first:
			res = prop
		case up != minChange:
			res = max(res, prop)
		default:
			res = min(res, prop)
		}
		first = false
	}
	if first {
		return cur
	}
	return res
}

// changeIn sums the scale events after now-period.
func changeIn(evs []timedValue, now, period int64) int32 {
	var n int32
	for _, e := range slices.Backward(evs) {
		if e.t <= now-period {
			break
		}
		n += e.v
	}
	return n
}
