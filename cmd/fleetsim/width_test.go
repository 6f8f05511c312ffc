package main

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTablesFitTerminal: with a 100-column terminal ($COLUMNS=100) no line
// of the listings, a comparison (default, and with --per-node) or a check
// exceeds 100 characters; with --wide the strategy listing keeps its
// rows whole (issue 16's acceptance).
func TestTablesFitTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	dir := t.TempDir()
	base := dir + "/base.json"
	for _, args := range [][]string{
		{"strategies"},
		{"scenarios"},
		{"compare", "homogeneous", "--tasks", "2000"},
		{"compare", "ecommerce", "--tasks", "2000", "--per-node"},
		{"compare", "homogeneous", "--tasks", "2000", "--strategies", "p2c,random", "--format", "json"},
		{"check", "--baseline", base, "--current", base, "--all"},
	} {
		code, out, errs := fleetsim(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if args[len(args)-1] == "json" {
			writeFile(t, base, out)
			continue
		}
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > 100 {
				t.Errorf("%v: line %d has %d characters: %s", args, i+1, n, line)
				break
			}
		}
	}
	code, out, _ := fleetsim(t, "strategies", "--wide")
	w := 0
	for line := range strings.SplitSeq(out, "\n") {
		w = max(w, utf8.RuneCountInString(line))
	}
	if code != 0 || w <= 100 {
		t.Errorf("strategies --wide: exit %d, widest line %d; want rows whole, over 100", code, w)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
