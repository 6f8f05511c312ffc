package manifest

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// Objects the controllers run (issue 19): Deployments as Deployments (their
// pods are also listed in Set.Pods, for runs without controllers),
// Services and HorizontalPodAutoscalers.

// Deployment is an apps/v1 Deployment as the deployment controller sees it.
type Deployment struct {
	Name, Namespace string
	Replicas        int32
	Template        *kube.Pod
	Selector        *kube.LabelSelector
	Recreate        bool
	// MaxSurge and MaxUnavailable; nil: Kubernetes' 25 %.
	MaxSurge, MaxUnavailable *kube.IntOrPercent
	MinReadySeconds          int32
	// ReadinessDelay and ReadinessPeriod are the first container's
	// readinessProbe initialDelaySeconds and periodSeconds (0: none set).
	ReadinessDelay, ReadinessPeriod int32
	Grace                           int64 // terminationGracePeriodSeconds, ns; -1 when unset
	Arrival                         int64
	// Usage is the fleetsim.io/cpu-usage annotation: total cpu usage of
	// the Deployment's pods over time, millicores (nil: none given).
	Usage []UsageStep
	// CrashAfter is the fleetsim.io/crash-after annotation (0: none).
	CrashAfter int64
	// ReadyAfter is the fleetsim.io/ready-after annotation: how long the
	// application takes from its container's start to answer its readiness
	// probe (0: by the probe's initialDelaySeconds).
	ReadyAfter int64
	// CPULimit is the sum of the containers' limits.cpu, millicores (0
	// when a container sets none): what a pod serving requests may use.
	CPULimit int64
	Source
}

// UsageStep is one step of fleetsim.io/cpu-usage: from At (nanoseconds)
// on, MilliCPU in total.
type UsageStep struct {
	At       int64
	MilliCPU float64
}

// AnnotationCPUUsage gives a Deployment's total cpu usage over time for
// its HorizontalPodAutoscaler, as steps "TIME=QUANTITY" separated by
// commas: "0s=400m,10m=1200m,30m=300m".
const AnnotationCPUUsage = "fleetsim.io/cpu-usage"

// AnnotationCrashAfter makes every container of a Deployment crash that
// long after it starts (a duration > 0), for runs with controllers.
const AnnotationCrashAfter = "fleetsim.io/crash-after"

// AnnotationReadyAfter is how long a Deployment's application needs from
// its container's start before it answers its readiness probe (a
// duration > 0), for runs with controllers: the first probe at or after
// it succeeds, probes coming at initialDelaySeconds + k·periodSeconds.
const AnnotationReadyAfter = "fleetsim.io/ready-after"

// Service is a v1 Service: the pods its selector picks receive its
// traffic.
type Service struct {
	Name, Namespace string
	Selector        map[string]string
	Ports           []int32
	Source
	selLine int
}

// HPA is an autoscaling/v2 HorizontalPodAutoscaler on cpu utilisation.
type HPA struct {
	Name, Namespace string
	Target          string // the Deployment's name
	Min, Max        int32
	// TargetUtilization is the cpu averageUtilization, percent.
	TargetUtilization  int32
	ScaleUp, ScaleDown kube.ScalingRules
	// DownWindowSet says behavior.scaleDown sets stabilizationWindowSeconds
	// (otherwise the controller's default, 300 s, applies).
	DownWindowSet bool
	Source
	refLine int
}

func (r *reader) deployment(d *appsv1.Deployment, kp *kube.Pod, sel *kube.LabelSelector, n int32, arrival int64, src Source,
	fail func(field, format string, a ...any) error) error {
	dep := &Deployment{Name: d.Name, Namespace: kp.Namespace, Replicas: n, Template: kp, Selector: sel, MinReadySeconds: d.Spec.MinReadySeconds,
		Grace: int64(grace(&d.Spec.Template.Spec)), Arrival: arrival, Source: src}
	switch d.Spec.Strategy.Type {
	case appsv1.RecreateDeploymentStrategyType:
		dep.Recreate = true
	case "", appsv1.RollingUpdateDeploymentStrategyType:
		if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
			for _, f := range []struct {
				v     *intOrStr
				field string
				into  **kube.IntOrPercent
			}{{(*intOrStr)(ru.MaxSurge), "spec.strategy.rollingUpdate.maxSurge", &dep.MaxSurge}, {(*intOrStr)(ru.MaxUnavailable), "spec.strategy.rollingUpdate.maxUnavailable", &dep.MaxUnavailable}} {
				if f.v == nil {
					continue
				}
				v, pct, err := f.v.value()
				if err != nil {
					return fail(f.field, "%v", err)
				}
				*f.into = &kube.IntOrPercent{Value: v, Percent: pct}
			}
			if dep.MaxSurge != nil && dep.MaxUnavailable != nil && dep.MaxSurge.Value == 0 && dep.MaxUnavailable.Value == 0 {
				return fail("spec.strategy.rollingUpdate", "maxSurge and maxUnavailable cannot both be 0")
			}
		}
	default:
		return fail("spec.strategy.type", "expected RollingUpdate or Recreate, got %q", d.Spec.Strategy.Type)
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		q, ok := c.Resources.Limits[corev1.ResourceCPU]
		if !ok {
			dep.CPULimit = 0
			break
		}
		dep.CPULimit += q.MilliValue()
	}
	if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 && cs[0].ReadinessProbe != nil {
		dep.ReadinessDelay, dep.ReadinessPeriod = cs[0].ReadinessProbe.InitialDelaySeconds, cs[0].ReadinessProbe.PeriodSeconds
	}
	if s, ok := d.Annotations[AnnotationCPUUsage]; ok {
		steps, err := parseUsage(s)
		if err != nil {
			return fail("metadata.annotations", "%s: %v", AnnotationCPUUsage, err)
		}
		dep.Usage = steps
	}
	if _, ok := d.Annotations[AnnotationCrashAfter]; ok {
		c, err := annDuration(anyMap(d.Annotations), AnnotationCrashAfter)
		if err != nil || c <= 0 {
			return fail("metadata.annotations", "%s: expected a duration > 0 such as 5m, got %q", AnnotationCrashAfter, d.Annotations[AnnotationCrashAfter])
		}
		dep.CrashAfter = int64(c)
	}
	if _, ok := d.Annotations[AnnotationReadyAfter]; ok {
		c, err := annDuration(anyMap(d.Annotations), AnnotationReadyAfter)
		if err != nil || c <= 0 {
			return fail("metadata.annotations", "%s: expected a duration > 0 such as 20s, got %q", AnnotationReadyAfter, d.Annotations[AnnotationReadyAfter])
		}
		dep.ReadyAfter = int64(c)
	}
	r.set.Deployments = append(r.set.Deployments, dep)
	return nil
}

func parseUsage(s string) ([]UsageStep, error) {
	var out []UsageStep
	for _, part := range strings.Split(s, ",") {
		at, q, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("expected steps like 0s=400m,10m=1200m, got %q", part)
		}
		d, err := annDuration(map[string]any{"x": at}, "x")
		if err != nil {
			return nil, err
		}
		qq, err := resource.ParseQuantity(q)
		if err != nil || qq.Sign() < 0 {
			return nil, fmt.Errorf("expected a cpu quantity such as 400m or 2, got %q", q)
		}
		m := float64(qq.MilliValue())
		if len(out) > 0 && int64(d) <= out[len(out)-1].At {
			return nil, fmt.Errorf("expected steps in increasing time, got %q after %v", at, out[len(out)-1].At)
		}
		out = append(out, UsageStep{At: int64(d), MilliCPU: m})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("expected at least one step like 0s=400m")
	}
	return out, nil
}

func (r *reader) service(s *corev1.Service, ns string, src Source, selLine int, fail func(field, format string, a ...any) error) error {
	if len(s.Spec.Selector) == 0 {
		return fail("spec.selector", "expected a selector (Services without one are not modelled)")
	}
	svc := &Service{Name: s.Name, Namespace: ns, Selector: s.Spec.Selector, Source: src, selLine: selLine}
	for _, p := range s.Spec.Ports {
		svc.Ports = append(svc.Ports, p.Port)
	}
	r.set.Services = append(r.set.Services, svc)
	return nil
}

func (r *reader) hpa(h *autoscalingv2.HorizontalPodAutoscaler, ns string, src Source, refLine int, fail func(field, format string, a ...any) error) error {
	ref := h.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" {
		return fail("spec.scaleTargetRef.kind", "expected Deployment (other targets are not modelled), got %q", ref.Kind)
	}
	out := &HPA{Name: h.Name, Namespace: ns, Target: ref.Name, Min: 1, Max: h.Spec.MaxReplicas, Source: src, refLine: refLine,
		ScaleUp: kube.DefaultScaleUp(), ScaleDown: kube.DefaultScaleDown()}
	if h.Spec.MinReplicas != nil {
		out.Min = *h.Spec.MinReplicas
	}
	if out.Min < 1 || out.Max < out.Min {
		return fail("spec.maxReplicas", "expected 1 <= minReplicas <= maxReplicas, got %d and %d", out.Min, out.Max)
	}
	if len(h.Spec.Metrics) != 1 {
		return fail("spec.metrics", "expected one metric, a cpu Resource metric with an Utilization target (others are not modelled)")
	}
	m := h.Spec.Metrics[0]
	if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil || m.Resource.Name != corev1.ResourceCPU ||
		m.Resource.Target.Type != autoscalingv2.UtilizationMetricType || m.Resource.Target.AverageUtilization == nil || *m.Resource.Target.AverageUtilization <= 0 {
		return fail("spec.metrics[0]", "expected a cpu Resource metric with an Utilization target and averageUtilization > 0 (others are not modelled)")
	}
	out.TargetUtilization = *m.Resource.Target.AverageUtilization
	if b := h.Spec.Behavior; b != nil {
		for _, f := range []struct {
			in    *autoscalingv2.HPAScalingRules
			into  *kube.ScalingRules
			field string
		}{{b.ScaleUp, &out.ScaleUp, "spec.behavior.scaleUp"}, {b.ScaleDown, &out.ScaleDown, "spec.behavior.scaleDown"}} {
			if f.in == nil {
				continue
			}
			if f.in.StabilizationWindowSeconds != nil {
				f.into.StabilizationWindow = int64(*f.in.StabilizationWindowSeconds) * kube.Second
				out.DownWindowSet = out.DownWindowSet || f.into == &out.ScaleDown
			}
			if f.in.SelectPolicy != nil {
				f.into.Select = string(*f.in.SelectPolicy)
			}
			if f.in.Tolerance != nil {
				return fail(f.field+".tolerance", "not modelled (the controller's tolerance applies: 0.1, or workload.kubernetes.defaults.hpa_tolerance)")
			}
			if len(f.in.Policies) > 0 {
				f.into.Policies = nil
				for k, p := range f.in.Policies {
					if p.Value <= 0 || p.PeriodSeconds <= 0 {
						return fail(fmt.Sprintf("%s.policies[%d]", f.field, k), "expected value > 0 and periodSeconds > 0")
					}
					f.into.Policies = append(f.into.Policies, kube.ScalingPolicy{Percent: p.Type == autoscalingv2.PercentScalingPolicy, Value: p.Value, Period: int64(p.PeriodSeconds) * kube.Second})
				}
			}
		}
	}
	r.set.HPAs = append(r.set.HPAs, out)
	return nil
}

// checkControllers runs at the end: each Service selects a Deployment's
// pods, each HPA targets a Deployment of the manifests.
func (r *reader) checkControllers() error {
	for _, s := range r.set.Services {
		sel := &kube.LabelSelector{MatchLabels: s.Selector}
		ok := false
		for _, d := range r.set.Deployments {
			if d.Namespace == s.Namespace && sel.Matches(d.Template.Labels) {
				ok = true
				break
			}
		}
		if !ok {
			return &Error{File: s.File, Line: s.selLine, Object: s.Object, Field: "spec.selector", Msg: fmt.Sprintf("selects no Deployment's pods (selector %v)", s.Selector)}
		}
	}
	for _, h := range r.set.HPAs {
		ok := false
		for _, d := range r.set.Deployments {
			if d.Namespace == h.Namespace && d.Name == h.Target {
				ok = true
			}
		}
		if !ok {
			return &Error{File: h.File, Line: h.refLine, Object: h.Object, Field: "spec.scaleTargetRef.name", Msg: fmt.Sprintf("no Deployment %q in namespace %s", h.Target, h.Namespace)}
		}
	}
	return nil
}
