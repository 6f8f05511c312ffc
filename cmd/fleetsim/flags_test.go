package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagSpellings: every verb spells where its output goes -o/--out and
// its stdout format -f/--format; the old spellings (--output, --json) still
// work as aliases.
func TestFlagSpellings(t *testing.T) {
	dir := t.TempDir()
	// run: -f csv prints CSV (header first), --json and -f json one object.
	code, out, errs := fleetsim(t, "run", "homogeneous", "--tasks", "2000", "-f", "csv")
	if code != 0 || !strings.HasPrefix(out, "strategy,completed,") {
		t.Fatalf("run -f csv: %d %q %s", code, out, errs)
	}
	for _, args := range [][]string{{"--json"}, {"-f", "json"}, {"--format", "json"}} {
		code, out, errs = fleetsim(t, append([]string{"run", "homogeneous", "--tasks", "2000"}, args...)...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["strategy"] != "random" {
			t.Fatalf("run %v: %d %.80q %s", args, code, out, errs)
		}
	}
	// run and compare: -o is --out.
	res := filepath.Join(dir, "res")
	if code, _, errs = fleetsim(t, "compare", "homogeneous", "--tasks", "2000", "--strategies", "p2c", "-o", res); code != 0 {
		t.Fatalf("compare -o: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(res, "summary.json")); err != nil {
		t.Fatal(err)
	}
	// report and trace gen: -o and --out, with --output kept.
	for _, flag := range []string{"-o", "--out", "--output"} {
		html := filepath.Join(dir, "r"+flag+".html")
		if code, _, errs = fleetsim(t, "report", res, flag, html); code != 0 {
			t.Fatalf("report %s: %d %s", flag, code, errs)
		}
		csv := filepath.Join(dir, "g"+flag+".csv")
		if code, _, errs = fleetsim(t, "trace", "gen", "homogeneous", "-n", "3", flag, csv); code != 0 {
			t.Fatalf("trace gen %s: %d %s", flag, code, errs)
		}
		for _, f := range []string{html, csv} {
			if st, err := os.Stat(f); err != nil || st.Size() == 0 {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
	if code, _, errs = fleetsim(t, "run", "homogeneous", "--tasks", "100", "-f", "yaml"); code != 2 || !strings.Contains(errs, `--format: unknown format "yaml"`) {
		t.Fatalf("run -f yaml: %d %s", code, errs)
	}
}
