package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/strategies"
)

// ParseStrategy reads a strategy given on the command line in the syntax
// results print it (StrategySpec.String): a name, optionally followed by
// parameters in braces, as "power-of-d{d=3}" or
// "weighted-round-robin{weights=[1,2,1]}" (or [1 2 1], as results print
// a list). Values are YAML scalars or flow sequences; the name and parameters are checked as a scenario file's
// strategies entries are, and errors say which.
//
// A two-level entry prints as placement/balancer ("least-allocated/p2c",
// StrategySpec.Balancer set); each half reads as above.
func ParseStrategy(label string) (StrategySpec, error) {
	if p, b, ok := cutOutside(label, '/'); ok {
		spec, err := ParseStrategy(p)
		if err != nil {
			return spec, err
		}
		bal, err := ParseStrategy(b)
		if err != nil {
			return spec, err
		}
		spec.Balancer = &bal
		return spec, nil
	}
	name, params, hasParams := strings.Cut(label, "{")
	name = strings.TrimSpace(name)
	var b strings.Builder
	fmt.Fprintf(&b, "name: %q\n", name)
	if hasParams {
		body, ok := strings.CutSuffix(strings.TrimSpace(params), "}")
		if !ok {
			return StrategySpec{}, fmt.Errorf("strategy %q: expected name{key=value,...} with a closing }", label)
		}
		for _, kv := range splitParams(body) {
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || v == "" {
				return StrategySpec{}, fmt.Errorf("strategy %q: expected key=value, got %q", label, kv)
			}
			if strings.HasPrefix(v, "[") && !strings.Contains(v, ",") {
				// A list as results print it, [1 2 1].
				v = "[" + strings.Join(strings.Fields(strings.Trim(v, "[]")), ", ") + "]"
			}
			fmt.Fprintf(&b, "%q: %s\n", k, v)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil || len(doc.Content) != 1 {
		return StrategySpec{}, fmt.Errorf("strategy %q: expected name{key=value,...}: %v", label, err)
	}
	r := &reader{}
	r.noAnchors(doc.Content[0])
	spec := r.strategy(doc.Content[0], "strategy")
	if r.err != nil {
		e := *r.err
		e.Line, e.Column = 0, 0 // lines of the generated text mean nothing to the user
		return StrategySpec{}, fmt.Errorf("strategy %q: %w", label, &e)
	}
	spec.Line = 0
	return spec, nil
}

// cutOutside cuts s at the first sep outside braces and brackets.
func cutOutside(s string, sep rune) (string, string, bool) {
	depth := 0
	for i, c := range s {
		switch c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case sep:
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// splitParams splits "a=1,b=[1,2]" at the commas outside brackets.
func splitParams(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" || len(out) > 0 {
		out = append(out, s[start:])
	}
	return out
}

// CheckKind says whether spec can run under the scenario's queueing model,
// in the words a scenario file's error uses: a placement strategy cannot
// balance node queues, nor a balancer place jobs.
func (s *Scenario) CheckKind(spec StrategySpec) error {
	info, ok := strategies.Lookup(spec.Name)
	if !ok {
		return fmt.Errorf("unknown strategy %q (known: %s)", spec.Name, strings.Join(strategies.Names(), ", "))
	}
	want, model := strategies.Balancer, QueueingNode
	if s.Cluster.Queueing == QueueingCentral {
		want, model = strategies.Placement, QueueingCentral
	}
	if info.Of()&want == 0 {
		return fmt.Errorf("%s: expected a strategy for queueing %s (%s), got %s, a %s", s.Name, model, strings.Join(kindNames(want), ", "), spec.Name, info.Of())
	}
	if b := spec.Balancer; b != nil {
		if len(s.Workload.Requests) == 0 {
			return fmt.Errorf("%s: strategy %s: a balancer, but the workload has no requests (workload.requests)", s.Name, spec)
		}
		if bi, ok := strategies.Lookup(b.Name); ok && bi.Of()&strategies.Balancer == 0 {
			return fmt.Errorf("%s: strategy %s: expected a balancer after the /, got %s, a %s", s.Name, spec, b.Name, bi.Of())
		}
	} else if len(s.Workload.Requests) > 0 {
		return fmt.Errorf("%s: strategy %s: the workload has requests (workload.requests): name both levels, as placement/balancer (least-allocated/p2c)", s.Name, spec)
	}
	if k := s.Workload.Kubernetes; k != nil {
		msg := kubeScorerProblem(placementOnly(spec))
		if msg == "" && k.Controllers {
			msg = kubeControllersProblem(placementOnly(spec))
		}
		if msg != "" {
			return fmt.Errorf("%s: strategy %s: %s", s.Name, spec, msg)
		}
	}
	return nil
}

// placementOnly is spec without its balancer level.
func placementOnly(spec StrategySpec) StrategySpec {
	spec.Balancer = nil
	return spec
}
