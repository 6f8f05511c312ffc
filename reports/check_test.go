package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// checkBaseline is two strategies of one scenario, two seeds each.
func checkBaseline() []sim.Result {
	r := func(strategy string, seed uint64, p99 float64) sim.Result {
		return sim.Result{
			Scenario: "default", Strategy: strategy, Seed: seed,
			Tasks:          sim.TaskCounts{Arrived: 1000, Completed: 1000, Warmup: 100},
			Latency:        sim.Quantiles{Mean: 2.5, P50: 1.5, P90: 5, P95: 7, P99: p99, P999: 20, Max: 31},
			Wait:           sim.WaitStats{Mean: 1, P50: 0, P99: 9},
			ThroughputPerS: 85,
			Utilization:    0.85,
			ImbalanceCoV:   0.2,
			MeanInSystem:   212.5,
			WindowS:        1000,
			Engine:         sim.EngineStats{Events: 5000, WallS: float64(seed)}, // wall time differs between runs
		}
	}
	return []sim.Result{
		r("random", 1, 12), r("random", 2, 14), // mean p99 13
		r("p2c", 1, 4), r("p2c", 2, 6), // mean p99 5
	}
}

// edit returns a copy of rs with f applied to the results of strategy.
func edit(rs []sim.Result, strategy string, f func(r *sim.Result)) []sim.Result {
	out := make([]sim.Result, len(rs))
	copy(out, rs)
	for i := range out {
		if out[i].Strategy == strategy {
			f(&out[i])
		}
	}
	return out
}

// rowOf returns the row of strategy and metric.
func rowOf(t *testing.T, rep *CheckReport, strategy, metric string) CheckRow {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Strategy == strategy && r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row for %s %s", strategy, metric)
	return CheckRow{}
}

func mustCheck(t *testing.T, base, cur []sim.Result, opt CheckOptions) *CheckReport {
	t.Helper()
	rep, err := Check(base, cur, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// metricsPerResult is how many metrics Flatten lists for a checkBaseline
// result (no placement section).
var metricsPerResult = len(Flatten(&sim.Result{}))

func TestCheckIdentical(t *testing.T) {
	base := checkBaseline()
	rep := mustCheck(t, base, checkBaseline(), CheckOptions{})
	if rep.Failed() || len(rep.Missing)+len(rep.Extra)+len(rep.Notes) > 0 {
		t.Errorf("identical results: %+v", rep)
	}
	if len(rep.Rows) != 2*metricsPerResult {
		t.Errorf("%d rows, want %d", len(rep.Rows), 2*metricsPerResult)
	}
	for _, r := range rep.Rows {
		if r.Verdict != VerdictOK || r.Delta != 0 || r.BaselineN != 2 || r.CurrentN != 2 {
			t.Errorf("row %+v", r)
		}
	}
	var b bytes.Buffer
	if err := WriteCheckTable(&b, rep, false); err != nil {
		t.Fatal(err)
	}
	if want := "no regression: 44 metrics within tolerance\n"; b.String() != want {
		t.Errorf("table:\n%s\nwant only the summary %q", b.String(), want)
	}
}

// TestCheckPlantedRegression plants a 10 % rise in p2c's p99 latency,
// twice the 5 % tolerance of a quantile.
func TestCheckPlantedRegression(t *testing.T) {
	base := checkBaseline()
	cur := edit(base, "p2c", func(r *sim.Result) { r.Latency.P99 *= 1.10 })
	rep := mustCheck(t, base, cur, CheckOptions{})
	if !rep.Failed() || rep.Regressions != 1 {
		t.Fatalf("Failed() = %v with %d regressions, want one", rep.Failed(), rep.Regressions)
	}
	row := rowOf(t, rep, "p2c", "latency_s.p99")
	// Means over seeds: (4 + 6) / 2 = 5 before, (4.4 + 6.6) / 2 = 5.5 after.
	if row.Verdict != VerdictRegression || !near(row.Baseline, 5) || !near(row.Current, 5.5) || !near(row.RelChange, 0.10) {
		t.Errorf("p99 row %+v", row)
	}
	if row.Direction != LowerIsBetter || row.Tolerance != (Tolerance{Rel: 0.05}) {
		t.Errorf("p99 direction %v, tolerance %v", row.Direction, row.Tolerance)
	}
	if r := rowOf(t, rep, "random", "latency_s.p99"); r.Verdict != VerdictOK {
		t.Errorf("random's p99 %+v", r)
	}
	var b bytes.Buffer
	if err := WriteCheckTable(&b, rep, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"latency_s.p99", "REGRESSION", "+10.0 %", "±5 %", "p2c",
		"1 regression in 1 strategy (44 metrics checked)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "random") || strings.Contains(out, "latency_s.p50") {
		t.Errorf("table shows ok rows without all:\n%s", out)
	}
	b.Reset()
	if err := WriteCheckTable(&b, rep, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "latency_s.p50") || !strings.Contains(b.String(), "random") {
		t.Errorf("table with all lacks the ok rows:\n%s", b.String())
	}
}

func TestCheckVerdicts(t *testing.T) {
	base := checkBaseline()
	for _, tc := range []struct {
		name    string
		edit    func(r *sim.Result)
		metric  string
		verdict string
		failed  bool
	}{
		// 5 → 4: 20 % better than the 5 % tolerance.
		{"improvement", func(r *sim.Result) { r.Latency.P99 *= 0.8 }, "latency_s.p99", VerdictImproved, false},
		// 5 → 5.25: exactly the 5 % tolerance, within it.
		{"at the tolerance", func(r *sim.Result) { r.Latency.P99 *= 1.05 }, "latency_s.p99", VerdictOK, false},
		// 85 → 84: 1.2 % lower, more than the 1 % of throughput.
		{"throughput drop", func(r *sim.Result) { r.ThroughputPerS = 84 }, "throughput_per_s", VerdictRegression, true},
		// 85 → 86: higher is better.
		{"throughput rise", func(r *sim.Result) { r.ThroughputPerS = 86 }, "throughput_per_s", VerdictImproved, false},
		// 0 → 1 failed task in one seed: mean 0.5 > Abs 0.
		{"one failure", func(r *sim.Result) {
			if r.Seed == 1 {
				r.Tasks.Failed = 1
			}
		}, "tasks.failed", VerdictRegression, true},
		// Neutral metrics change but never fail.
		{"utilization", func(r *sim.Result) { r.Utilization = 0.95 }, "utilization", VerdictChanged, false},
		{"events", func(r *sim.Result) { r.Engine.Events *= 2 }, "engine.events", VerdictChanged, false},
		{"arrivals", func(r *sim.Result) { r.Tasks.Arrived++ }, "tasks.arrived", VerdictChanged, false},
		// Wall time is not a metric: no row, no change.
		{"wall time", func(r *sim.Result) { r.Engine.WallS *= 10 }, "engine.events", VerdictOK, false},
		// Wait p50 0 → 0.5 ms: within the 1 ms floor.
		{"wait floor", func(r *sim.Result) { r.Wait.P50 = 0.0005 }, "wait_s.p50", VerdictOK, false},
		// 0.2 → 0.204 CoV: within max(5 % × 0.2, 0.005) = 0.01.
		{"imbalance", func(r *sim.Result) { r.ImbalanceCoV = 0.204 }, "imbalance_cov", VerdictOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustCheck(t, base, edit(base, "p2c", tc.edit), CheckOptions{})
			if r := rowOf(t, rep, "p2c", tc.metric); r.Verdict != tc.verdict {
				t.Errorf("%s: verdict %q, want %q (%+v)", tc.metric, r.Verdict, tc.verdict, r)
			}
			if rep.Failed() != tc.failed {
				t.Errorf("Failed() = %v, want %v: %s", rep.Failed(), tc.failed, rep.Summary())
			}
		})
	}
}

func TestCheckNeutralSummary(t *testing.T) {
	base := checkBaseline()
	cur := edit(base, "p2c", func(r *sim.Result) { r.Utilization = 0.95; r.Latency.P99 *= 0.5 })
	rep := mustCheck(t, base, cur, CheckOptions{})
	want := "no regression: 44 metrics checked, 42 within tolerance, 1 improved, 1 changed (neutral)"
	if got := rep.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

func TestCheckMissingAndExtra(t *testing.T) {
	base := checkBaseline()
	var cur []sim.Result
	for _, r := range base {
		if r.Strategy != "random" {
			cur = append(cur, r)
		}
	}
	extra := base[0]
	extra.Strategy = "jsq"
	cur = append(cur, extra)
	rep := mustCheck(t, base, cur, CheckOptions{})
	if !rep.Failed() || rep.Regressions != 1 {
		t.Errorf("a missing strategy: Failed() = %v, %d regressions", rep.Failed(), rep.Regressions)
	}
	if want := []string{"strategy random of scenario default: in the baseline (2 runs), not in the current results"}; strings.Join(rep.Missing, "|") != want[0] {
		t.Errorf("Missing = %q, want %q", rep.Missing, want)
	}
	if want := "strategy jsq of scenario default: in the current results (1 run), not in the baseline"; strings.Join(rep.Extra, "|") != want {
		t.Errorf("Extra = %q, want %q", rep.Extra, want)
	}
	var b bytes.Buffer
	if err := WriteCheckTable(&b, rep, false); err != nil {
		t.Fatal(err)
	}
	want := "MISSING strategy random of scenario default: in the baseline (2 runs), not in the current results\n" +
		"extra strategy jsq of scenario default: in the current results (1 run), not in the baseline\n" +
		"1 regression in 1 strategy (22 metrics checked)\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}

	// An extra strategy alone is no failure.
	rep = mustCheck(t, base, append(checkBaseline(), extra), CheckOptions{})
	if rep.Failed() || len(rep.Extra) != 1 {
		t.Errorf("an extra strategy: Failed() = %v, Extra %q", rep.Failed(), rep.Extra)
	}
}

// TestCheckSeeds: different seeds on the two sides still compare means,
// with a note.
func TestCheckSeeds(t *testing.T) {
	base := checkBaseline()
	cur := []sim.Result{base[0], base[2], base[3]} // random seed 1 only
	rep := mustCheck(t, base, cur, CheckOptions{})
	r := rowOf(t, rep, "random", "latency_s.p99")
	// 13 (mean of 12 and 14) → 12: 7.7 % better.
	if r.BaselineN != 2 || r.CurrentN != 1 || r.Verdict != VerdictImproved {
		t.Errorf("row %+v", r)
	}
	want := "strategy random of scenario default: the baseline ran seeds 1,2, the current results seeds 1"
	if strings.Join(rep.Notes, "|") != want {
		t.Errorf("Notes = %q, want %q", rep.Notes, want)
	}
}

// TestCheckMissingMetric: a metric of the baseline that the current
// results lack (here the placement block) means the files are not results
// of the same kind of run: an input error naming the strategy and metric,
// not a regression (issue 16).
func TestCheckMissingMetric(t *testing.T) {
	base := edit(checkBaseline(), "p2c", func(r *sim.Result) { r.Placement = &sim.PlacementResult{GPUAllocRatio: 0.9} })
	rep, err := Check(base, checkBaseline(), CheckOptions{})
	if err == nil || !strings.Contains(err.Error(), "strategy p2c of scenario default: placement.gpu_alloc_ratio") {
		t.Errorf("a metric gone from the current results: report %+v, error %v; want an input error naming it", rep, err)
	}
}

// TestCheckAggregates: the aggregates of compare --seeds N --format json
// are read as a results file, and a check of aggregates against the runs
// they were made from finds every metric equal, with N runs a side.
func TestCheckAggregates(t *testing.T) {
	runs := checkBaseline()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(Aggregates(runs)); err != nil {
		t.Fatal(err)
	}
	aggs, ok, err := parseAggregates("agg.json", b.Bytes())
	if err != nil || !ok || len(aggs) != 2 {
		t.Fatalf("aggregates read as %d, ok %v, %v; want 2", len(aggs), ok, err)
	}
	if _, _, err := ParseResults("agg.json", b.Bytes()); err == nil || !strings.Contains(err.Error(), "aggregates") {
		t.Errorf("ParseResults on aggregates: %v, want an error saying they are aggregates", err)
	}
	rep, err := CheckInputs(&CheckInput{Aggregates: aggs}, &CheckInput{Results: runs}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2*metricsPerResult || rep.Failed() || len(rep.Missing) > 0 {
		t.Errorf("%d rows (want %d), %d regressions, missing %q", len(rep.Rows), 2*metricsPerResult, rep.Regressions, rep.Missing)
	}
	if r := rowOf(t, rep, "random", "latency_s.p99"); r.Baseline != 13 || r.Current != 13 || r.BaselineN != 2 || r.CurrentN != 2 {
		t.Errorf("random p99: %+v, want 13 against 13 over 2 runs a side", r)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "aggregates") {
		t.Errorf("notes %q, want one saying the baseline's seeds are unknown", rep.Notes)
	}
}

// TestComparable: results of another scenario, another stop condition or
// another number of arrived tasks are refused, each with a reason that
// names both sides; the same runs are comparable.
func TestComparable(t *testing.T) {
	in := func(rs []sim.Result, stop string) *CheckInput {
		c := &CheckInput{Results: rs}
		if stop != "" {
			c.Summary = &Summary{Scenario: ScenarioInfo{Stop: stop}}
		}
		return c
	}
	base := checkBaseline()
	if err := Comparable(in(base, "1000 tasks"), in(checkBaseline(), "1000 tasks")); err != nil {
		t.Errorf("the same runs: %v", err)
	}
	other := edit(checkBaseline(), "p2c", func(r *sim.Result) { r.Scenario = "homogeneous" })
	other = edit(other, "random", func(r *sim.Result) { r.Scenario = "homogeneous" })
	for _, tc := range []struct {
		name     string
		cur      *CheckInput
		baseStop string
		want     string
	}{
		{"scenario", in(other, ""), "", "the baseline is of scenario default, the current results of homogeneous"},
		{"stop", in(checkBaseline(), "500000 tasks"), "1000 tasks", "the baseline stopped at 1000 tasks, the current results at 500000 tasks"},
		// --tasks 100000 against 500000: five times the arrivals.
		{"arrivals", in(edit(checkBaseline(), "p2c", func(r *sim.Result) { r.Tasks.Arrived = 5000 }), ""), "", "strategy p2c: 1000 tasks arrived in the baseline, 5000 in the current results"},
	} {
		err := Comparable(in(base, tc.baseStop), tc.cur)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// 5 % more arrivals (another seed of a time-stopped run) pass.
	if err := Comparable(in(base, ""), in(edit(checkBaseline(), "p2c", func(r *sim.Result) { r.Tasks.Arrived = 1050 }), "")); err != nil {
		t.Errorf("5 %% more arrivals: %v", err)
	}
}

func TestCheckOptions(t *testing.T) {
	base := checkBaseline()
	cur := edit(base, "p2c", func(r *sim.Result) { r.Latency.P99 *= 1.10; r.Latency.P50 *= 1.10 })

	// A wildcard loosens all latency metrics; an exact name beats it.
	rep := mustCheck(t, base, cur, CheckOptions{Tolerances: map[string]Tolerance{
		"latency_s.*":   {Rel: 0.20},
		"latency_s.p50": {Rel: 0.01},
	}})
	if r := rowOf(t, rep, "p2c", "latency_s.p99"); r.Verdict != VerdictOK || r.Tolerance.Rel != 0.20 {
		t.Errorf("p99 under latency_s.*=20%%: %+v", r)
	}
	if r := rowOf(t, rep, "p2c", "latency_s.p50"); r.Verdict != VerdictRegression || r.Tolerance.Rel != 0.01 {
		t.Errorf("p50 under latency_s.p50=1%%: %+v", r)
	}

	// A filter checks only what it names.
	rep = mustCheck(t, base, cur, CheckOptions{Metrics: []string{"throughput_per_s", "tasks.*"}})
	if len(rep.Rows) != 2*6 || rep.Failed() {
		t.Errorf("filtered to throughput and tasks: %d rows, Failed() = %v", len(rep.Rows), rep.Failed())
	}

	// Names that match nothing are errors, not silent passes.
	for _, tc := range []struct {
		opt  CheckOptions
		want string
	}{
		{CheckOptions{Tolerances: map[string]Tolerance{"latency_s.p98": {Rel: 0.1}}},
			`tolerance for "latency_s.p98": no metric of the baseline matches (metrics are named like latency_s.p99, tasks.failed, placement.gpu_alloc_ratio)`},
		{CheckOptions{Metrics: []string{"placement.*"}},
			`metric "placement.*": no metric of the baseline matches (metrics are named like latency_s.p99, tasks.failed, placement.gpu_alloc_ratio)`},
		{CheckOptions{Metrics: []string{"*latency"}},
			`metric: metric name "*latency" has a '*' before its end (only a trailing wildcard, like latency_s.*, is allowed)`},
	} {
		if _, err := Check(base, cur, tc.opt); err == nil || err.Error() != tc.want {
			t.Errorf("Check(%+v): got %v\nwant %s", tc.opt, err, tc.want)
		}
	}
	if _, err := Check(nil, cur, CheckOptions{}); err == nil {
		t.Error("Check with an empty baseline: no error")
	}
}

// TestDefaultRulesCoverFlatten: every metric Flatten lists, placement
// included, has a rule of its own (none falls back to the default).
func TestDefaultRulesCoverFlatten(t *testing.T) {
	for _, m := range Flatten(&sim.Result{Placement: &sim.PlacementResult{}}) {
		if _, ok := matchRule(defaultRules, m.Name); !ok {
			t.Errorf("%s has no default direction or tolerance", m.Name)
		}
	}
	for name, want := range map[string]Direction{
		"latency_s.p99":                  LowerIsBetter,
		"wait_s.mean":                    LowerIsBetter,
		"tasks.failed":                   LowerIsBetter,
		"placement.gpu_frag_ratio":       LowerIsBetter,
		"placement.bounded_slowdown.p99": LowerIsBetter,
		"placement.unallocated_gpu_share_at_first_failure": LowerIsBetter,
		"throughput_per_s":                  HigherIsBetter,
		"placement.gpu_alloc_ratio":         HigherIsBetter,
		"placement.gpu_alloc_ratio_at_full": HigherIsBetter,
		"placement.utilization.gpu":         HigherIsBetter,
		"utilization":                       Neutral,
		"engine.events":                     Neutral,
		"tasks.arrived":                     Neutral,
		"something_new":                     Neutral,
	} {
		if got := MetricDirection(name); got != want {
			t.Errorf("MetricDirection(%s) = %v, want %v", name, got, want)
		}
	}
	if got := MetricTolerance("something_new"); got != (Tolerance{Rel: 0.05}) {
		t.Errorf("MetricTolerance(something_new) = %v", got)
	}
}

func TestParseTolerance(t *testing.T) {
	const want = "expected NAME=PERCENT% (relative, like latency_s.p99=10%) or NAME=NUMBER (absolute, like tasks.failed=2)"
	for _, tc := range []struct {
		spec string
		name string
		tol  Tolerance
		err  string
	}{
		{spec: "latency_s.p99=10%", name: "latency_s.p99", tol: Tolerance{Rel: 0.10}},
		{spec: "throughput_per_s=0.5 %", name: "throughput_per_s", tol: Tolerance{Rel: 0.005}},
		{spec: "tasks.failed=2", name: "tasks.failed", tol: Tolerance{Abs: 2}},
		{spec: "placement.gpu_frag_ratio=0.01", name: "placement.gpu_frag_ratio", tol: Tolerance{Abs: 0.01}},
		{spec: "latency_s.*=10%", name: "latency_s.*", tol: Tolerance{Rel: 0.10}},
		{spec: "*=0", name: "*", tol: Tolerance{}},

		{spec: "latency_s.p99", err: `tolerance "latency_s.p99": ` + want},
		{spec: "latency_s.p99=", err: `tolerance "latency_s.p99=": ` + want},
		{spec: "=10%", err: `tolerance "=10%": the metric name is empty`},
		{spec: "latency_s.p99=ten%", err: `tolerance "latency_s.p99=ten%": ` + want + `; "ten%" is not a number >= 0`},
		{spec: "latency_s.p99=-5%", err: `tolerance "latency_s.p99=-5%": ` + want + `; "-5%" is not a number >= 0`},
		{spec: "latency_s.p99=NaN", err: `tolerance "latency_s.p99=NaN": ` + want + `; "NaN" is not a number >= 0`},
		{spec: "latency s=1", err: `tolerance "latency s=1": metric name "latency s" contains a space`},
		{spec: "lat*ency=1", err: `tolerance "lat*ency=1": metric name "lat*ency" has a '*' before its end (only a trailing wildcard, like latency_s.*, is allowed)`},
	} {
		name, tol, err := ParseTolerance(tc.spec)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseTolerance(%q): got error %v\nwant %s", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || name != tc.name || !near(tol.Rel, tc.tol.Rel) || tol.Abs != tc.tol.Abs {
			t.Errorf("ParseTolerance(%q) = %q, %+v, %v; want %q, %+v", tc.spec, name, tol, err, tc.name, tc.tol)
		}
	}
}

func TestToleranceString(t *testing.T) {
	for tol, want := range map[Tolerance]string{
		{Rel: 0.05}:             "±5 %",
		{Rel: 0.025}:            "±2.5 %",
		{Abs: 0.005}:            "±0.005",
		{}:                      "±0",
		{Rel: 0.05, Abs: 0.001}: "±5 % (at least ±0.001)",
		{Abs: 2}:                "±2",
	} {
		if got := tol.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", tol, got, want)
		}
	}
}

func TestCheckReportJSON(t *testing.T) {
	base := checkBaseline()
	rep := mustCheck(t, base, edit(base, "p2c", func(r *sim.Result) { r.Latency.P99 *= 1.1 }), CheckOptions{})
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back CheckReport
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Regressions != 1 || len(back.Rows) != len(rep.Rows) || back.Rows[0].Direction != rep.Rows[0].Direction {
		t.Errorf("round trip lost data:\n%s", b)
	}
	if !bytes.Contains(b, []byte(`"direction":"lower"`)) {
		t.Errorf("direction not written as a word:\n%s", b)
	}
}

// near compares computed fractions (1.1 × 5 is not exactly 5.5).
func near(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}
