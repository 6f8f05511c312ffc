package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
)

// TestScenariosShow: `scenarios show NAME` prints the embedded file with
// the line numbers errors cite (embedded:NAME:LINE:COL): every line of the
// file once, in order, after its number counted from 1; an unknown name
// is bad input.
func TestScenariosShow(t *testing.T) {
	sc, err := scenario.LoadEmbedded("homogeneous")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := fleetsim(t, "scenarios", "show", "homogeneous")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	src := strings.Split(strings.TrimSuffix(string(sc.YAML), "\n"), "\n")
	if lines[0] != "# embedded:homogeneous" || len(lines) != len(src)+1 {
		t.Fatalf("got %d lines after %q, want the file's %d", len(lines)-1, lines[0], len(src))
	}
	for i, l := range src {
		num, text, ok := strings.Cut(strings.TrimLeft(lines[i+1], " "), "  ")
		if !ok || num != strconv.Itoa(i+1) || text != l {
			t.Errorf("line %d: %q, want number %d and %q", i+1, lines[i+1], i+1, l)
		}
	}
	if code, _, _ := fleetsim(t, "scenarios", "show", "no-such-scenario"); code != exitBadInput {
		t.Errorf("unknown scenario: exit %d, want %d", code, exitBadInput)
	}
}
