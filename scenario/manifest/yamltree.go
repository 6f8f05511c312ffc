package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values one document may expand to (aliases can
// multiply a small file into a huge tree), maxDepth its nesting (an alias
// may refer to itself).
const (
	maxNodes = 1 << 20
	maxDepth = 64
)

// tree turns a YAML node into the value encoding/json would decode from the
// equivalent JSON (maps, slices, strings, numbers, booleans, nil),
// recording each value's line under its path ("spec.containers[0].name").
type tree struct {
	lines map[string]int
	n     int
	depth int
}

func (t *tree) value(n *yaml.Node, path string) (any, error) {
	t.n++
	if t.n > maxNodes {
		return nil, lineErr(n.Line, path, fmt.Sprintf("the document expands to more than %d values", maxNodes))
	}
	t.depth++
	defer func() { t.depth-- }()
	if t.depth > maxDepth {
		return nil, lineErr(n.Line, "", fmt.Sprintf("nested more than %d levels deep (a self-referring alias?)", maxDepth))
	}
	if _, ok := t.lines[path]; !ok && n.Kind != yaml.DocumentNode {
		t.lines[path] = n.Line
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return t.value(n.Content[0], path)
	case yaml.AliasNode:
		return t.value(n.Alias, path)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged, err := t.value(v, path)
				if err != nil {
					return nil, err
				}
				if mm, ok := merged.(map[string]any); ok {
					for mk, mv := range mm {
						if _, set := m[mk]; !set {
							m[mk] = mv
						}
					}
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, lineErr(k.Line, path, "expected a string key")
			}
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, dup := m[k.Value]; dup {
				return nil, lineErr(k.Line, p, "key given twice")
			}
			t.lines[p] = k.Line
			val, err := t.value(v, p)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := t.value(c, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			return strings.EqualFold(n.Value, "true"), nil
		case "!!int":
			if v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				return v, nil
			}
			return n.Value, nil
		case "!!float":
			if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return v, nil
			}
			return n.Value, nil
		}
		return n.Value, nil
	}
	return nil, lineErr(n.Line, path, "unexpected YAML node")
}

// posError is an error at a line of the current file.
type posError struct {
	line  int
	field string
	msg   string
}

func (e *posError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.line, e.field, e.msg) }

func lineErr(line int, field, msg string) error { return &posError{line: line, field: field, msg: msg} }

// lineOf returns the line of path, or of its nearest recorded ancestor.
func (t *tree) lineOf(path string) int {
	for p := path; ; {
		if l, ok := t.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return t.lines[""]
		}
		p = p[:i]
	}
}
