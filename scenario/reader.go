package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim"
)

// A reader walks a parsed YAML tree and keeps the first error it meets,
// positioned at the offending node. Once an error is recorded every further
// check is a no-op returning a zero value, so the walk can go on without
// testing after each field.
type reader struct {
	file string
	dir  string // folder relative paths are resolved against
	err  *Error
	// sets are the nodes ParseWith set or added, with the set that did
	// so: an error at one of them says so.
	sets map[*yaml.Node]Set
}

// failf records an error at node n (the parent mapping for a missing
// field) unless one is already recorded.
func (r *reader) failf(n *yaml.Node, field, format string, args ...any) {
	if r.err != nil {
		return
	}
	e := &Error{File: r.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	if s, ok := r.sets[n]; ok && n != nil {
		e.Msg += " (set by --set " + s.String() + ")"
	}
	r.err = e
}

// noAnchors rejects anchors and aliases anywhere in the tree: they add
// nothing to a scenario and alias expansion is the classic way to make a
// small file decode into an enormous one.
func (r *reader) noAnchors(n *yaml.Node) {
	if r.err != nil || n == nil {
		return
	}
	if n.Kind == yaml.AliasNode {
		r.failf(n, "", "aliases (*%s) are not supported; write the value out", truncate(n.Value, maxShown))
		return
	}
	if n.Anchor != "" {
		r.failf(n, "", "anchors (&%s) are not supported; write the value out", truncate(n.Anchor, maxShown))
		return
	}
	for _, c := range n.Content {
		r.noAnchors(c)
	}
}

// A mapping is a checked YAML mapping: string keys, no duplicates.
type mapping struct {
	r    *reader
	node *yaml.Node // nil when absent or not a mapping (after an error)
	path string
	keys []string       // in file order
	at   map[string]int // key -> index of its key node in node.Content
}

// mapping checks that n is a mapping whose keys are distinct scalars. what
// describes the expected value for the error message.
func (r *reader) mapping(n *yaml.Node, path, what string) *mapping {
	m := &mapping{r: r, path: path, at: map[string]int{}}
	if r.err != nil || n == nil {
		return m
	}
	if n.Kind != yaml.MappingNode {
		r.failf(n, path, "expected %s, got %s", what, describe(n))
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			r.failf(k, path, "expected a field name, got %s", describe(k))
			m.keys, m.at = nil, map[string]int{} // (no half-read mapping: callers range over keys)
			return m
		}
		if j, dup := m.at[k.Value]; dup {
			r.failf(k, join(path, k.Value), "duplicate field (first set on line %d)", n.Content[j].Line)
			m.keys, m.at = nil, map[string]int{}
			return m
		}
		m.at[k.Value] = i
		m.keys = append(m.keys, k.Value)
	}
	m.node = n
	return m
}

// allow rejects any key not in allowed, at the first such key.
func (m *mapping) allow(allowed ...string) {
	for _, k := range m.keys {
		if !slices.Contains(allowed, k) {
			m.unknown(k, allowed)
			return
		}
	}
}

// unknown reports key as a field that is not one of allowed.
func (m *mapping) unknown(key string, allowed []string) {
	m.r.failf(m.keyNode(key), m.field(key), "unknown field (allowed: %s)", strings.Join(allowed, ", "))
}

func (m *mapping) field(key string) string { return join(m.path, key) }

// get returns the value of key, or nil when it is absent.
func (m *mapping) get(key string) *yaml.Node {
	if m.node == nil {
		return nil
	}
	i, ok := m.at[key]
	if !ok {
		return nil
	}
	return m.node.Content[i+1]
}

// keyNode returns the key node of key, or nil.
func (m *mapping) keyNode(key string) *yaml.Node {
	if m.node == nil {
		return nil
	}
	i, ok := m.at[key]
	if !ok {
		return nil
	}
	return m.node.Content[i]
}

func (m *mapping) has(key string) bool { return m.get(key) != nil }

// require returns the value of key, recording an error at the mapping when
// it is absent.
func (m *mapping) require(key, what string) *yaml.Node {
	v := m.get(key)
	if v == nil && m.node != nil {
		m.r.failf(m.node, m.field(key), "required field missing; expected %s", what)
	}
	return v
}

// A number is a numeric scalar. isInt is set for integral values that fit
// in an int64 (1e6 counts as an integer); huge is set for integers beyond
// int64 (only a uint64 can hold them).
type number struct {
	f     float64
	i     int64
	u     uint64
	isInt bool
	huge  bool
}

// toNumber decodes a !!int or !!float scalar.
func toNumber(n *yaml.Node) (number, bool) {
	if n.Kind != yaml.ScalarNode {
		return number{}, false
	}
	if t := n.ShortTag(); t != "!!int" && t != "!!float" {
		return number{}, false
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return number{}, false
	}
	switch x := v.(type) {
	case int:
		return number{f: float64(x), i: int64(x), isInt: true}, true
	case int64:
		return number{f: float64(x), i: x, isInt: true}, true
	case uint64:
		return number{f: float64(x), u: x, huge: true}, true
	case float64:
		if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
			return number{f: x, i: int64(x), isInt: true}, true
		}
		return number{f: x}, true
	}
	return number{}, false
}

// intRange describes [min, max] for messages.
func intRange(min, max int64) string {
	switch {
	case max == math.MaxInt64:
		return fmt.Sprintf("an integer >= %d", min)
	case min == math.MinInt64:
		return fmt.Sprintf("an integer <= %d", max)
	}
	return fmt.Sprintf("an integer in [%d, %d]", min, max)
}

// int reads an integer in [min, max].
func (r *reader) int(n *yaml.Node, path string, min, max int64) int64 {
	if r.err != nil || n == nil {
		return 0
	}
	v, ok := toNumber(n)
	if !ok || !v.isInt || v.i < min || v.i > max {
		r.failf(n, path, "expected %s, got %s", intRange(min, max), describe(n))
		return 0
	}
	return v.i
}

// uint64 reads a non-negative integer up to 2^64-1.
func (r *reader) uint64(n *yaml.Node, path string) uint64 {
	if r.err != nil || n == nil {
		return 0
	}
	v, ok := toNumber(n)
	switch {
	case ok && v.isInt && v.i >= 0:
		return uint64(v.i)
	case ok && v.huge:
		return v.u
	}
	r.failf(n, path, "expected an integer in [0, %d], got %s", uint64(math.MaxUint64), describe(n))
	return 0
}

// A bound is a lower limit on a number: > min when strict, else >= min.
type bound struct {
	min    float64
	strict bool
}

var (
	positive    = bound{0, true}
	nonNegative = bound{0, false}
	atLeastOne  = bound{1, false}
)

func (b bound) String() string {
	if math.IsInf(b.min, -1) {
		return ""
	}
	if b.strict {
		return fmt.Sprintf("> %g", b.min)
	}
	return fmt.Sprintf(">= %g", b.min)
}

func (b bound) ok(f float64) bool {
	if b.strict {
		return f > b.min
	}
	return f >= b.min
}

// float reads a finite number within b.
func (r *reader) float(n *yaml.Node, path string, b bound) float64 {
	if r.err != nil || n == nil {
		return 0
	}
	v, ok := toNumber(n)
	if !ok || math.IsNaN(v.f) || math.IsInf(v.f, 0) || !b.ok(v.f) {
		r.failf(n, path, "expected a finite number %s, got %s", b, describe(n))
		return 0
	}
	return v.f
}

// duration reads a Go duration string or a number of seconds, within b
// (whose min is in seconds).
func (r *reader) duration(n *yaml.Node, path string, b bound) sim.Time {
	if r.err != nil || n == nil {
		return 0
	}
	var (
		d   sim.Time
		err error
	)
	if v, ok := toNumber(n); ok {
		switch {
		case math.IsNaN(v.f) || math.IsInf(v.f, 0):
			err = ErrSyntax
		case math.Abs(v.f)*float64(sim.Second) >= math.MaxInt64:
			err = ErrRange
		default:
			d = sim.FromSeconds(v.f)
		}
	} else if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		d, err = ParseDuration(n.Value)
	} else {
		err = ErrSyntax
	}
	switch {
	case errors.Is(err, ErrRange):
		r.failf(n, path, "expected a duration of at most %s, got %s", maxDuration, describe(n))
	case err != nil:
		r.failf(n, path, "expected a duration%s (like 250ms, 1h30m, or a number of seconds), got %s", withSpace(b), describe(n))
	case !b.ok(d.Seconds()):
		r.failf(n, path, "expected a duration%s, got %s", withSpace(b), describe(n))
	default:
		return d
	}
	return 0
}

// withSpace is " " and b, or nothing for an unbounded b.
func withSpace(b bound) string {
	if s := b.String(); s != "" {
		return " " + s
	}
	return ""
}

// maxDuration is the longest duration, as messages print it.
const maxDuration = "2562047h47m16.854775807s"

// quantity reads a non-negative size (unit "size") or CPU amount (unit
// "cpu"): a YAML number, or a string with a suffix.
func (r *reader) quantity(n *yaml.Node, path, what string, units map[string]int64, help string) int64 {
	if r.err != nil || n == nil {
		return 0
	}
	var (
		q   int64
		err error
	)
	if v, ok := toNumber(n); ok {
		switch {
		case math.IsNaN(v.f) || math.IsInf(v.f, 0):
			err = ErrSyntax
		case v.huge:
			err = ErrRange
		case v.isInt:
			q, err = parseQuantity(fmt.Sprint(v.i), units)
		default:
			q, err = parseQuantity(fmt.Sprint(v.f), units)
		}
	} else if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		q, err = parseQuantity(n.Value, units)
	} else {
		err = ErrSyntax
	}
	switch {
	case errors.Is(err, ErrRange):
		r.failf(n, path, "expected %s that fits in 64 bits, got %s", what, describe(n))
	case err != nil:
		r.failf(n, path, "expected %s >= 0 (%s), got %s", what, help, describe(n))
	case q < 0:
		r.failf(n, path, "expected %s >= 0, got %s", what, describe(n))
	default:
		return q
	}
	return 0
}

// string reads a non-empty scalar as text (numbers as written).
func (r *reader) string(n *yaml.Node, path, what string) string {
	if r.err != nil || n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" || n.Value == "" {
		r.failf(n, path, "expected %s, got %s", what, describe(n))
		return ""
	}
	return n.Value
}

// bool reads true or false.
func (r *reader) bool(n *yaml.Node, path string) bool {
	if r.err != nil || n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		r.failf(n, path, "expected true or false, got %s", describe(n))
		return false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
}

// oneOf reads a string that must be one of allowed.
func (r *reader) oneOf(n *yaml.Node, path string, allowed ...string) string {
	if r.err != nil || n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		for _, a := range allowed {
			if n.Value == a {
				return a
			}
		}
	}
	r.failf(n, path, "expected one of %s, got %s", strings.Join(allowed, ", "), describe(n))
	return ""
}

// nonEmptyList checks that n is a sequence with at least one element, and
// records an error saying what was expected otherwise.
func (r *reader) nonEmptyList(n *yaml.Node, path, what string) bool {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		return true
	}
	got := describe(n)
	if n.Kind == yaml.SequenceNode {
		got = "an empty list"
	}
	r.failf(n, path, "expected %s, got %s", what, got)
	return false
}
