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

// TestStrategyOnCommandLine: -s and --strategies take a strategy with
// parameters in the syntax results print (power-of-d{d=3}), commas inside
// the braces included; a placement strategy on a load-balancing scenario
// is refused in the scenario loader's words, not Go interface terms.
func TestStrategyOnCommandLine(t *testing.T) {
	code, out, errs := fleetsim(t, "run", "homogeneous", "-s", "power-of-d{d=3}", "--tasks", "2000", "--json")
	if code != 0 || !strings.Contains(out, `"strategy": "power-of-d{d=3}"`) {
		t.Errorf("run -s power-of-d{d=3}: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = fleetsim(t, "compare", "homogeneous", "--strategies", "weighted-round-robin{weights=[1,2]},p2c", "--tasks", "2000", "-f", "csv")
	if code == 0 || !strings.Contains(errs, "weights") {
		// 100 nodes need 100 weights: the parameter reached the strategy.
		t.Errorf("two weights for 100 nodes: exit %d, stderr %q; want the weights refused", code, errs)
	}
	code, out, errs = fleetsim(t, "compare", "homogeneous", "--strategies", "power-of-d{d=3},p2c", "--tasks", "2000", "-f", "csv")
	if code != 0 || !strings.Contains(out, "\npower-of-d{d=3},") || !strings.Contains(out, "\np2c,") {
		t.Errorf("--strategies power-of-d{d=3},p2c: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = fleetsim(t, "run", "homogeneous", "-s", "fgd")
	if code != exitBadInput || !strings.Contains(errs, "expected a strategy for queueing node") || !strings.Contains(errs, "got fgd, a placement") {
		t.Errorf("run homogeneous -s fgd: exit %d, stderr %q", code, errs)
	}
}

// TestOfferedLoadInHeader: the header of a run states the offered load
// against capacity; homogeneous is 90 tasks/s of 1 s work on 100
// single-slot speed-1 nodes, ρ = 0.90 (its description says 90 % load).
func TestOfferedLoadInHeader(t *testing.T) {
	code, out, errs := fleetsim(t, "compare", "homogeneous", "--tasks", "1000", "--strategies", "p2c")
	want := "offered load 90 tasks/s × 1s mean work = 90 s of work per s; capacity 100 (slots × speed of all 100 nodes); ρ = 0.90"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d; header lacks %q:\n%s%s", code, want, out, errs)
	}
}
