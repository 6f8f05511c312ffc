package main

import (
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/sim"
)

// TestWriteValidationOOM checks validate's OOM line on outcomes worked by
// hand (as realexec's TestCompareOOM): four tasks, killed in the real run
// 1 and 2, in the simulation 2 and 3. A comparison without kills prints no
// such line, so the output of the scenarios without memory use is as it
// was.
func TestWriteValidationOOM(t *testing.T) {
	mk := func(oom ...int64) []realexec.Outcome {
		var outs []realexec.Outcome
		for id := int64(1); id <= 4; id++ {
			o := realexec.Outcome{ID: id, Finish: sim.Second, Status: sim.Completed}
			for _, k := range oom {
				if k == id {
					o.Status, o.OOM = sim.Failed, true
				}
			}
			outs = append(outs, o)
		}
		return outs
	}
	v := &realexec.Validation{Comparisons: []realexec.Comparison{
		realexec.Compare("first-fit", "scenario", mk(1, 2), mk(2, 3), 1, nil),
		realexec.Compare("first-fit", "calibrated", mk(), mk(), 1, nil),
	}}
	var b strings.Builder
	if err := writeValidation(&b, v, "table"); err != nil {
		t.Fatal(err)
	}
	want := "first-fit scenario, OOM-killed: real 2 of 4 (50.0%), sim 2 of 4 (50.0%), share error 0.0%, 2 tasks killed in one run only\n"
	if got := b.String(); !strings.Contains(got, want) || strings.Count(got, "OOM-killed") != 1 {
		t.Fatalf("output:\n%s\nwant one OOM line:\n%s", got, want)
	}
}
