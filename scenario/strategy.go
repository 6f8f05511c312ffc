package scenario

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/strategies"
)

func (r *reader) strategies(n *yaml.Node) []StrategySpec {
	if r.err != nil || n == nil {
		return nil
	}
	if !r.nonEmptyList(n, "strategies", "a list of strategies, like [random, p2c]") {
		return nil
	}
	var specs []StrategySpec
	for i, item := range n.Content {
		path := index("strategies", i)
		spec := r.strategy(item, path)
		if r.err != nil {
			return nil
		}
		for j, prev := range specs {
			if prev.Name == spec.Name && reflect.DeepEqual(prev.Args, spec.Args) && prev.Queue == spec.Queue && prev.Backfill == spec.Backfill && balancerLabel(prev.Balancer) == balancerLabel(spec.Balancer) {
				r.failf(item, path, "expected each strategy once, got a repeat of strategies[%d] (line %d: same name and parameters)", j, prev.Line)
				return nil
			}
		}
		specs = append(specs, spec)
	}
	return specs
}

// strategy reads one entry, a name or a mapping with name and parameters,
// and has strategies.New check it.
func (r *reader) strategy(n *yaml.Node, path string) (spec StrategySpec) {
	spec.Line = n.Line
	var m *mapping
	at := n // where an unknown name is reported
	switch n.Kind {
	case yaml.ScalarNode:
		spec.Name = r.string(n, path, "a strategy name")
	case yaml.MappingNode:
		m = r.mapping(n, path, "")
		if m.has(ExternalName) {
			r.externalStrategy(m, &spec)
			return spec
		}
		if m.has("placement") || m.has("balancer") {
			r.twoLevel(m, &spec)
			return spec
		}
		if v := m.require("name", "the strategy's name"); v != nil {
			spec.Name = r.string(v, m.field("name"), "a strategy name")
			at = v
		}
	default:
		r.failf(n, path, "expected a strategy name or a mapping with name and parameters, got %s", describe(n))
	}
	if r.err != nil {
		return spec
	}
	info, ok := strategies.Lookup(spec.Name)
	if !ok {
		known := strings.Join(strategies.Names(), ", ")
		if known == "" {
			known = "none registered"
		}
		r.failf(at, path, "unknown strategy %q (known: %s)", truncate(spec.Name, maxShown), known)
		return spec
	}
	if m != nil {
		r.strategyExtras(m, &spec)
		for _, k := range m.keys {
			if k == "name" || k == "queue" || k == "backfill" {
				continue
			}
			if spec.Args == nil {
				spec.Args = strategies.Args{}
			}
			spec.Args[k] = r.arg(m.get(k), m.field(k), paramType(info, k))
		}
	}
	if r.err != nil {
		return spec
	}
	err := newStrategy(spec)
	var pe *strategies.ParamError
	switch {
	case err == nil:
	case errors.As(err, &pe) && m != nil && m.keyNode(pe.Param) != nil:
		r.failf(m.keyNode(pe.Param), m.field(pe.Param), "%s", pe.Msg)
	case errors.As(err, &pe):
		r.failf(n, path, "parameter %s: %s", pe.Param, pe.Msg)
	default:
		r.failf(n, path, "%v", err)
	}
	return spec
}

// newStrategy builds the strategy once to validate its parameters; a
// constructor that panics is reported, not propagated.
func newStrategy(spec StrategySpec) (err error) {
	if spec.Name == ExternalName {
		return nil // checked when read; its process starts with a run
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("strategy %s failed to build: %v", spec.Name, p)
		}
	}()
	_, err = strategies.New(spec.Name, spec.Args, nil)
	return err
}

// paramType is the documented type of a strategy's parameter, or "".
func paramType(info strategies.Info, name string) string {
	for _, p := range info.Params {
		if p.Name == name {
			return p.Type
		}
	}
	return ""
}

// unbounded accepts any value (the strategy checks it).
var unbounded = bound{min: math.Inf(-1)}

// arg decodes a strategy parameter: a duration when the strategy documents
// one, else the YAML value as int, float64, bool, string, nil, []any or
// map[string]any, for the strategy to check.
func (r *reader) arg(n *yaml.Node, path, typ string) any {
	if r.err != nil || n == nil {
		return nil
	}
	if typ == "duration" {
		return r.duration(n, path, unbounded)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, c := range n.Content {
			list[i] = r.arg(c, index(path, i), "")
		}
		return list
	case yaml.MappingNode:
		m := r.mapping(n, path, "")
		obj := make(map[string]any, len(m.keys))
		for _, k := range m.keys {
			obj[k] = r.arg(m.get(k), m.field(k), "")
		}
		return obj
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				r.failf(n, path, "expected true or false, got %s", describe(n))
			}
			return b
		case "!!int", "!!float":
			v, ok := toNumber(n)
			switch {
			case !ok || v.huge:
				r.failf(n, path, "expected a number that fits in 64 bits, got %s", describe(n))
				return nil
			case n.ShortTag() == "!!int":
				return int(v.i)
			}
			return v.f
		}
		return n.Value
	}
	r.failf(n, path, "expected a value, got %s", describe(n))
	return nil
}
