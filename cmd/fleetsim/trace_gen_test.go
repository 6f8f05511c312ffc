package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestTraceGenWritesWorkloadAttributes: trace gen writes the tasks as a run
// sees them, with every attribute the scenario's workload generates (issue
// 16): inference's token counts, default's client regions (origins) and
// sessions (tenant), fgd-synthetic's task shapes (cpu and GPUs).
func TestTraceGenWritesWorkloadAttributes(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		columns  []string // each must be set (not empty, not 0) in every row
		some     string   // and this one in some row
	}{
		{"inference", []string{"prompt_tokens", "output_tokens"}, "prompt_tokens"},
		{"default", []string{"region", "tenant"}, "region"},
		{"fgd-synthetic", []string{"cpu"}, "gpus"}, // a few shapes are CPU-only
	} {
		code, out, errs := fleetsim(t, "trace", "gen", tc.scenario, "-n", "50")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.scenario, code, errs)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 51 {
			t.Fatalf("%s: %d rows, want 50 tasks", tc.scenario, len(recs)-1)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, c := range tc.columns {
			for k, r := range recs[1:] {
				if v := r[col[c]]; v == "" || v == "0" {
					t.Errorf("%s: task %d has %s %q, want it generated", tc.scenario, k, c, v)
					break
				}
			}
		}
		set := false
		for _, r := range recs[1:] {
			set = set || (r[col[tc.some]] != "" && r[col[tc.some]] != "0")
		}
		if !set {
			t.Errorf("%s: no task has %s set", tc.scenario, tc.some)
		}
	}
}

// TestHumanBytes: trace stats prints memory in IEC units with the exact
// count: 318291271745536 bytes is 289.5 TiB (318291271745536 / 2^40 =
// 289.48).
func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0:               "0 bytes",
		1023:            "1023 bytes",
		1536:            "1.5 KiB (1536 bytes)",
		318291271745536: "289.5 TiB (318291271745536 bytes)",
	} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
