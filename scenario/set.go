package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A Set overrides one scalar of a scenario file before it is validated,
// as `--set workload.arrivals.rate=40` does on the command line; a sweep
// runs one scenario per value.
//
// Path names the scalar with the field paths errors print: mapping keys
// joined by dots, list elements by [index] from 0, e.g. seed, stop.tasks,
// workload.arrivals.rate, cluster.nodes[0].count, strategies[1] (a list
// element that is a scalar), strategies[2].d. Value is the new value as it
// would be written plain in the file ("40", "1h", "p2c"): YAML resolves its
// type, so 40 is a number and 1h a string, whatever tag or quotes the
// replaced scalar had.
//
// The scalar must exist, except that the last key may be new to a
// mapping that exists: warmup.time=10m adds time to a file's warmup (and
// the reader then rejects a warmup with both tasks and time), while on a
// file with no warmup it is an error. A list index must be in range.
// Lists and mappings cannot be replaced; set their scalars one by one.
type Set struct {
	Path  string
	Value string
}

// String is the set as the flag writes it: "workload.arrivals.rate=40".
func (s Set) String() string { return s.Path + "=" + s.Value }

// ParseSetFlag parses a sweep flag, PATH=VALUE[,VALUE...], as in
// workload.arrivals.rate=40,45,50: the path and its values, split on
// commas and trimmed of spaces (so a value cannot hold a comma). The path
// must be well formed (see Set); whether it exists is checked when the
// scenario is parsed.
func ParseSetFlag(flag string) (path string, values []string, err error) {
	const want = "expected PATH=VALUE[,VALUE...], like workload.arrivals.rate=40,45,50"
	p, v, ok := strings.Cut(flag, "=")
	p = strings.TrimSpace(p)
	switch {
	case !ok:
		return "", nil, fmt.Errorf("--set %q: %s", flag, want)
	case p == "":
		return "", nil, fmt.Errorf("--set %q: %s; the path is empty", flag, want)
	}
	if _, err := parseSetPath(p); err != nil {
		return "", nil, fmt.Errorf("--set %q: %v", flag, err)
	}
	for i, x := range strings.Split(v, ",") {
		x = strings.TrimSpace(x)
		if x == "" {
			if i == 0 && !strings.Contains(v, ",") {
				return "", nil, fmt.Errorf("--set %q: %s; no value after =", flag, want)
			}
			return "", nil, fmt.Errorf("--set %q: %s; value %d is empty", flag, want, i+1)
		}
		values = append(values, x)
	}
	return p, values, nil
}

// A setStep is one part of a set's path: a mapping key, or a list index.
type setStep struct {
	key   string
	index int // when key is ""
}

// parseSetPath splits "cluster.nodes[0].count" into steps.
func parseSetPath(path string) ([]setStep, error) {
	bad := func(why string) error {
		return fmt.Errorf("expected a path of field names and [index]es, like workload.arrivals.rate or cluster.nodes[0].count, got %q (%s)", path, why)
	}
	var steps []setStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" {
			return nil, bad("a field name is empty")
		}
		if strings.ContainsAny(key, "] \t") {
			return nil, bad(fmt.Sprintf("field name %q", key))
		}
		steps = append(steps, setStep{key: key})
		if rest == "" && !strings.Contains(part, "[") {
			continue
		}
		rest = "[" + rest
		for rest != "" {
			num, after, ok := strings.Cut(rest[1:], "]")
			if rest[0] != '[' || !ok {
				return nil, bad(fmt.Sprintf("unbalanced brackets in %q", part))
			}
			i, err := strconv.Atoi(num)
			if err != nil || i < 0 || num != strconv.Itoa(i) {
				return nil, bad(fmt.Sprintf("index %q is not an integer >= 0", num))
			}
			steps = append(steps, setStep{index: i})
			rest = after
		}
	}
	return steps, nil
}

// applySets sets the scalars sets name in the tree under root, in order
// (a later set of the same path wins). It returns the nodes it set or
// added, each with the set that did so, for error messages.
func applySets(file string, root *yaml.Node, sets []Set) (map[*yaml.Node]Set, *Error) {
	done := map[*yaml.Node]Set{}
	for _, s := range sets {
		nodes, err := applySet(file, root, s)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			done[n] = s
		}
	}
	return done, nil
}

// applySet applies one set and returns the value node it set, with the
// key node when it added the entry.
func applySet(file string, root *yaml.Node, s Set) ([]*yaml.Node, *Error) {
	fail := func(n *yaml.Node, format string, args ...any) *Error {
		e := &Error{File: file, Field: "--set " + s.String(), Msg: fmt.Sprintf(format, args...)}
		if n != nil {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	steps, err := parseSetPath(s.Path)
	if err != nil {
		return nil, fail(nil, "%v", err)
	}
	n, at := root, ""
	var added []*yaml.Node
	for i, st := range steps {
		last := i == len(steps)-1
		if n.Kind == yaml.AliasNode {
			return nil, fail(n, "%s is an alias; write the value out to set it", at)
		}
		if st.key == "" {
			if n.Kind != yaml.SequenceNode {
				return nil, fail(n, "%s is %s, not a list", at, describe(n))
			}
			if len(n.Content) == 0 {
				return nil, fail(n, "%s is an empty list", at)
			}
			if st.index >= len(n.Content) {
				return nil, fail(n, "%s has %d %s (0..%d)", at, len(n.Content), setPlural(len(n.Content), "entry", "entries"), len(n.Content)-1)
			}
			n, at = n.Content[st.index], index(at, st.index)
			continue
		}
		if n.Kind != yaml.MappingNode {
			if at == "" {
				return nil, fail(n, "the scenario is %s, not a mapping of fields", describe(n))
			}
			return nil, fail(n, "%s is %s, not a mapping of fields", at, describe(n))
		}
		v := setLookup(n, st.key)
		if v == nil && !last {
			where := at
			if where == "" {
				where = "the scenario"
			}
			return nil, fail(n, "%s has no field %s (it has: %s)", where, st.key, strings.Join(setKeys(n), ", "))
		}
		if v == nil {
			// A new entry, placed at its mapping for error messages.
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: st.key, Line: n.Line, Column: n.Column}
			v = &yaml.Node{Kind: yaml.ScalarNode, Line: n.Line, Column: n.Column}
			n.Content = append(n.Content, k, v)
			added = append(added, k)
		}
		n, at = v, join(at, st.key)
	}
	if n.Kind != yaml.ScalarNode {
		return nil, fail(n, "%s is %s; only single values can be set (a field inside it, like %s)", at, describe(n), setExample(n, at))
	}
	n.Value, n.Tag, n.Style = s.Value, "", 0
	return append(added, n), nil
}

// setLookup returns the value of key in mapping n (the first, if repeated;
// the reader rejects repeats), or nil, also when n is no mapping.
func setLookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// setKeys lists the scalar keys of mapping n, in file order.
func setKeys(n *yaml.Node) []string {
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode {
			out = append(out, k.Value)
		}
	}
	if len(out) == 0 {
		return []string{"nothing"}
	}
	return out
}

// setExample names a path inside the mapping or list n at path at.
func setExample(n *yaml.Node, at string) string {
	switch {
	case n.Kind == yaml.MappingNode && len(n.Content) >= 2:
		return join(at, n.Content[0].Value)
	case n.Kind == yaml.SequenceNode:
		return index(at, 0)
	}
	return join(at, "FIELD")
}

func setPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
