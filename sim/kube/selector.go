package kube

import (
	"slices"
	"strconv"
)

// matches reports whether labels satisfy requirement r. Gt and Lt compare
// the label's value and the requirement's single value as integers, as
// node selectors do.
func (r *Requirement) matches(labels map[string]string) bool {
	v, ok := labels[r.Key]
	switch r.Operator {
	case OpIn:
		return ok && slices.Contains(r.Values, v)
	case OpNotIn:
		return !ok || !slices.Contains(r.Values, v)
	case OpExists:
		return ok
	case OpDoesNotExist:
		return !ok
	case OpGt, OpLt:
		if !ok || len(r.Values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == OpGt {
			return a > b
		}
		return a < b
	}
	return false
}

// Matches reports whether the selector selects a pod with these labels.
// A nil selector selects nothing, an empty one everything.
func (s *LabelSelector) Matches(labels map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range s.MatchLabels {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	for i := range s.MatchExpressions {
		if !s.MatchExpressions[i].matches(labels) {
			return false
		}
	}
	return true
}

// matches reports whether node n satisfies every requirement of the term.
// A term with no requirements matches nothing (as the API server's
// nodeaffinity helper).
func (t *NodeSelectorTerm) matches(n *Node) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false
	}
	for i := range t.MatchExpressions {
		if !t.MatchExpressions[i].matches(n.Labels) {
			return false
		}
	}
	for i := range t.MatchFields {
		f := &t.MatchFields[i]
		if f.Key != "metadata.name" || !f.matches(map[string]string{"metadata.name": n.Name}) {
			return false
		}
	}
	return true
}

// requiredNodeMatch reports whether node n satisfies the pod's nodeSelector
// and required node affinity (the NodeAffinity filter; also the
// nodeAffinityPolicy Honor test of topology spreading).
func requiredNodeMatch(p *Pod, n *Node) bool {
	for k, v := range p.NodeSelector {
		if lv, ok := n.Labels[k]; !ok || lv != v {
			return false
		}
	}
	if p.Affinity == nil || p.Affinity.NodeAffinity == nil || p.Affinity.NodeAffinity.Required == nil {
		return true
	}
	for i := range p.Affinity.NodeAffinity.Required {
		if p.Affinity.NodeAffinity.Required[i].matches(n) {
			return true
		}
	}
	return false
}

// untolerated returns the first of the node's taints with one of the
// effects that the pod does not tolerate, or nil.
func untolerated(taints []Taint, tols []Toleration, effects ...TaintEffect) *Taint {
	for i := range taints {
		t := &taints[i]
		if !slices.Contains(effects, t.Effect) {
			continue
		}
		ok := false
		for j := range tols {
			if tols[j].Tolerates(t) {
				ok = true
				break
			}
		}
		if !ok {
			return t
		}
	}
	return nil
}

// termNamespaces are the namespaces a pod affinity term of a pod in ns
// looks at.
func termMatches(t *PodAffinityTerm, ownerNS string, p *Pod) bool {
	if len(t.Namespaces) == 0 {
		if p.Namespace != ownerNS {
			return false
		}
	} else if !slices.Contains(t.Namespaces, p.Namespace) {
		return false
	}
	return t.Selector.Matches(p.Labels)
}
