package scenario

import (
	"strings"
	"testing"
)

// TestParseStrategy: the command line takes a strategy in the syntax
// results print (StrategySpec.String), and the label round-trips; bad
// parameters are refused as a scenario file's entry is, naming them.
func TestParseStrategy(t *testing.T) {
	for _, label := range []string{"p2c", "power-of-d{d=3}", "weighted-round-robin{weights=[1,2,1]}"} {
		spec, err := ParseStrategy(label)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		// The label as printed reads back as the same strategy.
		again, err := ParseStrategy(spec.String())
		if err != nil || again.String() != spec.String() || strings.ReplaceAll(spec.String(), " ", ",") != label {
			t.Errorf("%s parsed and printed as %s, which reads back as %s (%v)", label, spec.String(), again.String(), err)
		}
	}
	for label, want := range map[string]string{
		"power-of-d{d=0}":    "strategy.d: expected an integer",
		"power-of-d{x=1}":    "strategy.x: unknown parameter (allowed: d)",
		"power-of-d{d=3":     "closing }",
		"power-of-d{d}":      "expected key=value",
		"no-such{a=1}":       `unknown strategy "no-such"`,
		"power-of-d{d=&a 1}": "anchors",
	} {
		if _, err := ParseStrategy(label); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", label, err, want)
		}
	}
}

// TestCheckKind: fgd places jobs, so a load-balancing scenario refuses it
// in the loader's words; p2c it takes.
func TestCheckKind(t *testing.T) {
	sc, err := LoadEmbedded("homogeneous")
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.CheckKind(StrategySpec{Name: "p2c"}); err != nil {
		t.Errorf("p2c: %v", err)
	}
	err = sc.CheckKind(StrategySpec{Name: "fgd"})
	if err == nil || !strings.Contains(err.Error(), "expected a strategy for queueing node") || !strings.Contains(err.Error(), "got fgd, a placement") {
		t.Errorf("fgd on homogeneous: %v", err)
	}
}
