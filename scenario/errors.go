package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An Error is a problem with a scenario file, positioned at the value (or
// key) that causes it:
//
//	examples/web.yaml:12:14: cluster.nodes[0].slots: expected an integer >= 1, got -1
//
// Field is the path of the field, with list indexes; it is empty for
// problems with the file as a whole. Line and Column are 1-based; zero when
// unknown (some YAML syntax errors give a line only).
type Error struct {
	File   string
	Line   int
	Column int
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File == "" && e.Line == 0 {
		if e.Field != "" {
			return oneLine(e.Field) + ": " + oneLine(e.Msg)
		}
		return oneLine(e.Msg)
	}
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(oneLine(e.Field))
		b.WriteString(": ")
	}
	b.WriteString(oneLine(e.Msg))
	return b.String()
}

// oneLine escapes control characters (a field name or a strategy's message
// may hold a line break), so that an error is always one line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 }

// maxShown bounds how much of a bad value an error message quotes.
const maxShown = 40

// describe says what a node is, for the "got ..." half of a message: the
// value as written for scalars, quoted when it is a string.
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	case yaml.ScalarNode:
		v := n.Value
		short := v
		if len(short) > maxShown {
			short = truncate(short, maxShown) + "..."
		}
		switch n.ShortTag() {
		case "!!null":
			if v == "" {
				return "nothing"
			}
			return v
		case "!!str", "!!binary", "!!timestamp":
			return strconv.Quote(short)
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			return strconv.Quote(short)
		}
		return short
	}
	return "an unknown node"
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// join builds a field path: join("cluster", "nodes") is "cluster.nodes",
// join("", "seed") is "seed".
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index builds a list element's path: "strategies[2]".
func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
