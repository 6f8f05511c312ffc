package manifest

import (
	"fmt"
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/fleetsim/fleetsim/sim/kube"
)

type failFunc func(field, format string, a ...any) error

// pod converts a pod spec (at field path spec) into the scheduler's model,
// refusing what would change placement and is not modelled.
func (r *reader) pod(ps *corev1.PodSpec, labels map[string]string, ns, name, spec string, tr *tree, src Source, fail failFunc) (*kube.Pod, error) {
	rel := func(f string) string {
		return strings.TrimPrefix(strings.TrimPrefix(spec+"."+f, src.fieldPrefix()), ".")
	}
	f := func(field, format string, a ...any) error {
		return fail(strings.TrimSuffix(rel(field), "."), format, a...)
	}
	// Refused: each can make a node infeasible in ways not modelled.
	for i, v := range ps.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			return nil, f(fmt.Sprintf("volumes[%d].persistentVolumeClaim", i), "persistent volumes (their node affinity and binding) are not modelled")
		case v.Ephemeral != nil:
			return nil, f(fmt.Sprintf("volumes[%d].ephemeral", i), "ephemeral volumes (a PVC per pod) are not modelled")
		case v.CSI != nil:
			return nil, f(fmt.Sprintf("volumes[%d].csi", i), "CSI volumes (node volume limits) are not modelled")
		}
	}
	if ps.HostNetwork {
		return nil, f("hostNetwork", "host networking (host ports) is not modelled")
	}
	if len(ps.ResourceClaims) > 0 {
		return nil, f("resourceClaims", "dynamic resource allocation (DRA claims) is not modelled")
	}
	if len(ps.SchedulingGates) > 0 {
		return nil, f("schedulingGates", "scheduling gates are not modelled (the pod would wait until they are removed)")
	}
	if ps.RuntimeClassName != nil {
		return nil, f("runtimeClassName", "runtime classes (their overhead and node selection) are not modelled")
	}
	if ps.Resources != nil {
		return nil, f("resources", "pod-level resources are not modelled; give requests per container")
	}
	if ps.OS != nil && ps.OS.Name != corev1.Linux {
		return nil, f("os.name", "only linux pods are modelled")
	}
	p := &kube.Pod{Name: name, Namespace: ns, Labels: labels, NodeName: ps.NodeName, NodeSelector: ps.NodeSelector, Start: 0}
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	// Requests: max(sum of containers, each init container over the
	// restartable (sidecar) init containers before it) plus overhead, as
	// the scheduler's resource helper computes them; NonZero alike with
	// 100m/200Mi for containers without cpu/memory requests.
	var sum, nzSum, initMax, nzInitMax, side, nzSide kube.Resources
	conv := func(c *corev1.Container, field string) (req, nz kube.Resources, err error) {
		for j, port := range c.Ports {
			if port.HostPort != 0 {
				return req, nz, f(fmt.Sprintf("%s.ports[%d].hostPort", field, j), "host ports are not modelled")
			}
		}
		if len(c.Resources.Claims) > 0 {
			return req, nz, f(field+".resources.claims", "dynamic resource allocation (DRA claims) is not modelled")
		}
		get := func(rn corev1.ResourceName) (resource.Quantity, bool) {
			if q, ok := c.Resources.Requests[rn]; ok {
				return q, true
			}
			q, ok := c.Resources.Limits[rn] // requests default to limits
			return q, ok
		}
		for rn := range maps.Keys(c.Resources.Requests) {
			if err := knownResource(rn, field+".resources.requests."+string(rn), f); err != nil {
				return req, nz, err
			}
		}
		for rn := range maps.Keys(c.Resources.Limits) {
			if err := knownResource(rn, field+".resources.limits."+string(rn), f); err != nil {
				return req, nz, err
			}
		}
		if q, ok := get(corev1.ResourceCPU); ok {
			req.MilliCPU = q.MilliValue()
		}
		if q, ok := get(corev1.ResourceMemory); ok {
			req.Memory = q.Value()
		}
		if q, ok := get(kube.ResourceGPU); ok {
			req.GPU = q.Value()
		}
		if q, ok := get(kube.GPUShareResource); ok {
			req.GPUMilli = q.Value()
		}
		nz = req
		if nz.MilliCPU == 0 {
			nz.MilliCPU = kube.DefaultMilliCPURequest
		}
		if nz.Memory == 0 {
			nz.Memory = kube.DefaultMemoryRequest
		}
		return req, nz, nil
	}
	for i := range ps.Containers {
		req, nz, err := conv(&ps.Containers[i], fmt.Sprintf("containers[%d]", i))
		if err != nil {
			return nil, err
		}
		sum.Add(req)
		nzSum.Add(nz)
	}
	for i := range ps.InitContainers {
		c := &ps.InitContainers[i]
		req, nz, err := conv(c, fmt.Sprintf("initContainers[%d]", i))
		if err != nil {
			return nil, err
		}
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sum.Add(req)
			nzSum.Add(nz)
			side.Add(req)
			nzSide.Add(nz)
			req, nz = side, nzSide
		} else {
			req.Add(side)
			nz.Add(nzSide)
		}
		initMax = maxRes(initMax, req)
		nzInitMax = maxRes(nzInitMax, nz)
	}
	p.Requests = maxRes(sum, initMax)
	p.NonZero = maxRes(nzSum, nzInitMax)
	for rn, q := range ps.Overhead {
		switch rn {
		case corev1.ResourceCPU:
			p.Requests.MilliCPU += q.MilliValue()
			p.NonZero.MilliCPU += q.MilliValue()
		case corev1.ResourceMemory:
			p.Requests.Memory += q.Value()
			p.NonZero.Memory += q.Value()
		default:
			return nil, f("overhead."+string(rn), "only cpu and memory overhead are modelled")
		}
	}
	p.Requests.Pods, p.NonZero.Pods = 1, 1
	if p.Requests.GPU > 0 && p.Requests.GPUMilli > 0 {
		return nil, f("containers", "a pod asks either whole %s or a %s share, not both", kube.ResourceGPU, kube.GPUShareResource)
	}
	// Tolerations.
	for i, t := range ps.Tolerations {
		kt := kube.Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value, Effect: kube.TaintEffect(t.Effect)}
		if t.TolerationSeconds != nil {
			if kt.Effect != kube.NoExecute {
				// (the API server's validation: tolerationSeconds only with NoExecute)
				return nil, f(fmt.Sprintf("tolerations[%d].tolerationSeconds", i), "goes with effect NoExecute only, got effect %q", t.Effect)
			}
			secs := *t.TolerationSeconds
			kt.Seconds = &secs
		}
		switch t.Operator {
		case "", corev1.TolerationOpEqual:
		case corev1.TolerationOpExists:
			if t.Value != "" {
				return nil, f(fmt.Sprintf("tolerations[%d].value", i), "must be empty with operator Exists")
			}
		default:
			return nil, f(fmt.Sprintf("tolerations[%d].operator", i), "expected Equal or Exists, got %q", t.Operator)
		}
		if err := checkEffect(kt.Effect, true, fmt.Sprintf("tolerations[%d].effect", i), f); err != nil {
			return nil, err
		}
		p.Tolerations = append(p.Tolerations, kt)
	}
	// Affinity.
	if a := ps.Affinity; a != nil {
		p.Affinity = &kube.Affinity{}
		if na := a.NodeAffinity; na != nil {
			p.Affinity.NodeAffinity = &kube.NodeAffinity{}
			if rq := na.RequiredDuringSchedulingIgnoredDuringExecution; rq != nil {
				terms, err := nodeTerms(rq.NodeSelectorTerms, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", f)
				if err != nil {
					return nil, err
				}
				if len(terms) == 0 {
					return nil, f("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "expected at least one term")
				}
				p.Affinity.NodeAffinity.Required = terms
			}
			for i, pt := range na.PreferredDuringSchedulingIgnoredDuringExecution {
				field := fmt.Sprintf("affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[%d]", i)
				if pt.Weight < 1 || pt.Weight > 100 {
					return nil, f(field+".weight", "expected 1..100, got %d", pt.Weight)
				}
				terms, err := nodeTerms([]corev1.NodeSelectorTerm{pt.Preference}, field+".preference", f)
				if err != nil {
					return nil, err
				}
				p.Affinity.NodeAffinity.Preferred = append(p.Affinity.NodeAffinity.Preferred, kube.PreferredSchedulingTerm{Weight: pt.Weight, Term: terms[0]})
			}
		}
		var err error
		if a.PodAffinity != nil {
			if p.Affinity.PodAffinity, err = podTerms(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution, "affinity.podAffinity", f); err != nil {
				return nil, err
			}
		}
		if a.PodAntiAffinity != nil {
			if p.Affinity.PodAntiAffinity, err = podTerms(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution, "affinity.podAntiAffinity", f); err != nil {
				return nil, err
			}
		}
	}
	// Topology spread.
	for i, c := range ps.TopologySpreadConstraints {
		field := fmt.Sprintf("topologySpreadConstraints[%d]", i)
		if len(c.MatchLabelKeys) > 0 {
			return nil, f(field+".matchLabelKeys", "not modelled")
		}
		if c.MaxSkew < 1 {
			return nil, f(field+".maxSkew", "expected an integer >= 1, got %d", c.MaxSkew)
		}
		if c.TopologyKey == "" {
			return nil, f(field+".topologyKey", "expected a label key")
		}
		kc := kube.TopologySpreadConstraint{MaxSkew: c.MaxSkew, TopologyKey: c.TopologyKey, MinDomains: 1,
			NodeAffinityPolicy: kube.Honor, NodeTaintsPolicy: kube.Ignore}
		switch c.WhenUnsatisfiable {
		case corev1.DoNotSchedule, corev1.ScheduleAnyway:
			kc.WhenUnsatisfiable = kube.UnsatisfiableAction(c.WhenUnsatisfiable)
		default:
			return nil, f(field+".whenUnsatisfiable", "expected DoNotSchedule or ScheduleAnyway, got %q", c.WhenUnsatisfiable)
		}
		if c.MinDomains != nil {
			if *c.MinDomains < 1 || c.WhenUnsatisfiable != corev1.DoNotSchedule {
				return nil, f(field+".minDomains", "expected an integer >= 1 with whenUnsatisfiable DoNotSchedule")
			}
			kc.MinDomains = *c.MinDomains
		}
		for _, pol := range []struct {
			v     *corev1.NodeInclusionPolicy
			name  string
			field *kube.InclusionPolicy
		}{{c.NodeAffinityPolicy, "nodeAffinityPolicy", &kc.NodeAffinityPolicy}, {c.NodeTaintsPolicy, "nodeTaintsPolicy", &kc.NodeTaintsPolicy}} {
			if pol.v == nil {
				continue
			}
			switch *pol.v {
			case corev1.NodeInclusionPolicyHonor, corev1.NodeInclusionPolicyIgnore:
				*pol.field = kube.InclusionPolicy(*pol.v)
			default:
				return nil, f(field+"."+pol.name, "expected Honor or Ignore, got %q", *pol.v)
			}
		}
		var err error
		if kc.Selector, err = selector(c.LabelSelector, rel(field+".labelSelector"), fail); err != nil {
			return nil, err
		}
		p.TopologySpread = append(p.TopologySpread, kc)
	}
	// Priority.
	p.PreemptionPolicy = kube.PreemptLowerPriority
	if ps.PreemptionPolicy != nil {
		switch *ps.PreemptionPolicy {
		case corev1.PreemptNever:
			p.PreemptionPolicy = kube.PreemptNever
		case corev1.PreemptLowerPriority:
		default:
			return nil, f("preemptionPolicy", "expected PreemptLowerPriority or Never, got %q", *ps.PreemptionPolicy)
		}
	}
	r.uses = append(r.uses, pending{pod: ps, kpod: p, field: spec, tr: tr, src: src})
	return p, nil
}

// fieldPrefix is "" (fields of an object are given from its root).
func (Source) fieldPrefix() string { return "" }

func maxRes(a, b kube.Resources) kube.Resources {
	return kube.Resources{MilliCPU: max(a.MilliCPU, b.MilliCPU), Memory: max(a.Memory, b.Memory),
		GPU: max(a.GPU, b.GPU), GPUMilli: max(a.GPUMilli, b.GPUMilli), Pods: max(a.Pods, b.Pods)}
}

func knownResource(rn corev1.ResourceName, field string, f failFunc) error {
	switch rn {
	case corev1.ResourceCPU, corev1.ResourceMemory, kube.ResourceGPU, kube.GPUShareResource:
		return nil
	}
	return f(field, "resource %s is not modelled (cpu, memory, %s and %s are)", rn, kube.ResourceGPU, kube.GPUShareResource)
}

func checkEffect(e kube.TaintEffect, emptyOK bool, field string, f failFunc) error {
	switch e {
	case kube.NoSchedule, kube.PreferNoSchedule, kube.NoExecute:
		return nil
	case "":
		if emptyOK {
			return nil
		}
	}
	return f(field, "expected NoSchedule, PreferNoSchedule or NoExecute, got %q", e)
}

func requirement(key, op string, values []string, field string, node bool, f failFunc) (kube.Requirement, error) {
	r := kube.Requirement{Key: key, Operator: kube.Operator(op), Values: values}
	switch r.Operator {
	case kube.OpIn, kube.OpNotIn:
		if len(values) == 0 {
			return r, f(field+".values", "expected at least one value with operator %s", op)
		}
	case kube.OpExists, kube.OpDoesNotExist:
		if len(values) > 0 {
			return r, f(field+".values", "must be empty with operator %s", op)
		}
	case kube.OpGt, kube.OpLt:
		if !node {
			return r, f(field+".operator", "expected In, NotIn, Exists or DoesNotExist, got %q", op)
		}
		if len(values) != 1 {
			return r, f(field+".values", "expected one integer with operator %s", op)
		}
	default:
		return r, f(field+".operator", "expected In, NotIn, Exists, DoesNotExist, Gt or Lt, got %q", op)
	}
	return r, nil
}

func nodeTerms(in []corev1.NodeSelectorTerm, field string, f failFunc) ([]kube.NodeSelectorTerm, error) {
	var out []kube.NodeSelectorTerm
	for i, t := range in {
		var kt kube.NodeSelectorTerm
		for j, e := range t.MatchExpressions {
			r, err := requirement(e.Key, string(e.Operator), e.Values, fmt.Sprintf("%s[%d].matchExpressions[%d]", field, i, j), true, f)
			if err != nil {
				return nil, err
			}
			kt.MatchExpressions = append(kt.MatchExpressions, r)
		}
		for j, e := range t.MatchFields {
			ff := fmt.Sprintf("%s[%d].matchFields[%d]", field, i, j)
			if e.Key != "metadata.name" {
				return nil, f(ff+".key", "only metadata.name can be matched, got %q", e.Key)
			}
			r, err := requirement(e.Key, string(e.Operator), e.Values, ff, false, f)
			if err != nil {
				return nil, err
			}
			kt.MatchFields = append(kt.MatchFields, r)
		}
		out = append(out, kt)
	}
	return out, nil
}

func podTerms(req []corev1.PodAffinityTerm, pref []corev1.WeightedPodAffinityTerm, field string, f failFunc) (*kube.PodAffinity, error) {
	out := &kube.PodAffinity{}
	conv := func(t *corev1.PodAffinityTerm, tf string) (*kube.PodAffinityTerm, error) {
		switch {
		case t.NamespaceSelector != nil:
			return nil, f(tf+".namespaceSelector", "not modelled; list namespaces instead")
		case len(t.MatchLabelKeys) > 0:
			return nil, f(tf+".matchLabelKeys", "not modelled")
		case len(t.MismatchLabelKeys) > 0:
			return nil, f(tf+".mismatchLabelKeys", "not modelled")
		case t.TopologyKey == "":
			return nil, f(tf+".topologyKey", "expected a label key")
		}
		sel, err := selector(t.LabelSelector, tf+".labelSelector", f)
		if err != nil {
			return nil, err
		}
		return &kube.PodAffinityTerm{Selector: sel, Namespaces: t.Namespaces, TopologyKey: t.TopologyKey}, nil
	}
	for i := range req {
		t, err := conv(&req[i], fmt.Sprintf("%s.requiredDuringSchedulingIgnoredDuringExecution[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out.Required = append(out.Required, t)
	}
	for i := range pref {
		tf := fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d]", field, i)
		if pref[i].Weight < 1 || pref[i].Weight > 100 {
			return nil, f(tf+".weight", "expected 1..100, got %d", pref[i].Weight)
		}
		t, err := conv(&pref[i].PodAffinityTerm, tf+".podAffinityTerm")
		if err != nil {
			return nil, err
		}
		out.Preferred = append(out.Preferred, kube.WeightedPodAffinityTerm{Weight: pref[i].Weight, Term: t})
	}
	return out, nil
}

// selector converts a label selector; nil stays nil (selects nothing).
func selector(s *metav1.LabelSelector, field string, f failFunc) (*kube.LabelSelector, error) {
	if s == nil {
		return nil, nil
	}
	out := &kube.LabelSelector{MatchLabels: s.MatchLabels}
	for i, e := range s.MatchExpressions {
		r, err := requirement(e.Key, string(e.Operator), e.Values, fmt.Sprintf("%s.matchExpressions[%d]", field, i), false, f)
		if err != nil {
			return nil, err
		}
		out.MatchExpressions = append(out.MatchExpressions, r)
	}
	return out, nil
}

// node converts a Node: allocatable (capacity when allocatable is absent),
// labels with kubernetes.io/hostname defaulted to the name, taints,
// unschedulable.
func node(n *corev1.Node, fail failFunc) (*kube.Node, error) {
	kn := &kube.Node{Name: n.Name, Labels: map[string]string{}, Unschedulable: n.Spec.Unschedulable}
	maps.Copy(kn.Labels, n.Labels)
	if _, ok := kn.Labels[kube.LabelHostname]; !ok {
		kn.Labels[kube.LabelHostname] = n.Name
	}
	alloc := n.Status.Allocatable
	if len(alloc) == 0 {
		alloc = n.Status.Capacity
	}
	if len(alloc) == 0 {
		return nil, fail("status.allocatable", "expected the node's allocatable (or capacity) cpu and memory")
	}
	for rn, q := range alloc {
		switch rn {
		case corev1.ResourceCPU:
			kn.Allocatable.MilliCPU = q.MilliValue()
		case corev1.ResourceMemory:
			kn.Allocatable.Memory = q.Value()
		case corev1.ResourcePods:
			kn.Allocatable.Pods = q.Value()
		case kube.ResourceGPU:
			kn.Allocatable.GPU = q.Value()
		case kube.GPUShareResource:
			kn.Allocatable.GPUMilli = q.Value()
		default:
			// ephemeral-storage, hugepages and other resources no
			// modelled pod asks for.
		}
	}
	if _, ok := alloc[corev1.ResourcePods]; !ok {
		kn.Allocatable.Pods = 110
	}
	if kn.Allocatable.GPUMilli == 0 {
		kn.Allocatable.GPUMilli = kn.Allocatable.GPU * 1000
	}
	for i, t := range n.Spec.Taints {
		kt := kube.Taint{Key: t.Key, Value: t.Value, Effect: kube.TaintEffect(t.Effect)}
		if err := checkEffect(kt.Effect, false, fmt.Sprintf("spec.taints[%d].effect", i), fail); err != nil {
			return nil, err
		}
		kn.Taints = append(kn.Taints, kt)
	}
	return kn, nil
}

// intOrStr reads a PDB's minAvailable/maxUnavailable.
type intOrStr intstr.IntOrString

func (v *intOrStr) value() (int32, bool, error) {
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			return 0, false, fmt.Errorf("expected a number >= 0 or a percentage, got %d", v.IntVal)
		}
		return v.IntVal, false, nil
	}
	s := v.StrVal
	var pct int32
	if _, err := fmt.Sscanf(s, "%d%%", &pct); err != nil || fmt.Sprintf("%d%%", pct) != s || pct < 0 || pct > 100 {
		return 0, false, fmt.Errorf("expected a number or a percentage such as 50%%, got %q", s)
	}
	return pct, true, nil
}

// finish resolves priority classes and checks budgets' selectors.
func (r *reader) finish() (*Set, error) {
	var def *PriorityClass
	for _, c := range r.set.PriorityClasses {
		if c.GlobalDefault {
			cc := c
			def = &cc
		}
	}
	for _, u := range r.uses {
		ps := u.pod
		switch {
		case ps.PriorityClassName != "":
			c, ok := r.set.PriorityClasses[ps.PriorityClassName]
			field := u.field + ".priorityClassName"
			if !ok {
				return nil, &Error{File: u.src.File, Line: u.tr.lineOf(field), Object: u.src.Object, Field: field,
					Msg: fmt.Sprintf("no PriorityClass %q (define it in the manifests; built in: system-cluster-critical, system-node-critical)", ps.PriorityClassName)}
			}
			if ps.Priority != nil && *ps.Priority != c.Value {
				return nil, &Error{File: u.src.File, Line: u.tr.lineOf(u.field + ".priority"), Object: u.src.Object, Field: u.field + ".priority",
					Msg: fmt.Sprintf("priority %d disagrees with PriorityClass %s (%d)", *ps.Priority, ps.PriorityClassName, c.Value)}
			}
			u.kpod.Priority = c.Value
			if ps.PreemptionPolicy == nil {
				u.kpod.PreemptionPolicy = c.PreemptionPolicy
			}
		case ps.Priority != nil:
			u.kpod.Priority = *ps.Priority
		case def != nil:
			u.kpod.Priority = def.Value
			if ps.PreemptionPolicy == nil {
				u.kpod.PreemptionPolicy = def.PreemptionPolicy
			}
		}
	}
	// Copies made for replicas before priorities were known.
	for _, it := range r.set.Pods {
		if it.tmpl != nil {
			it.Pod.Priority, it.Pod.PreemptionPolicy = it.tmpl.Priority, it.tmpl.PreemptionPolicy
		}
	}
	for k, b := range r.set.PDBs {
		matched := false
		for _, it := range r.set.Pods {
			if b.Namespace == it.Pod.Namespace && b.Selector.Matches(it.Pod.Labels) {
				matched = true
				break
			}
		}
		for _, j := range r.set.Jobs {
			if b.Namespace == j.Namespace && b.Selector.Matches(j.Template.Labels) {
				matched = true
			}
		}
		if !matched {
			src := r.pdbSrc[k]
			return nil, &Error{File: src.File, Line: src.Line, Object: src.Object, Field: "spec.selector", Msg: "the selector matches no pod of the manifests"}
		}
	}
	if err := r.checkControllers(); err != nil {
		return nil, err
	}
	return r.set, nil
}
