package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/fleetsim/fleetsim/sim"
)

// A Direction says which way a metric improves.
type Direction int

// Directions. Neutral is the zero value: a metric of unknown direction is
// reported when it changes but never fails a check.
const (
	// Neutral metrics are informational: set by the scenario (how many
	// tasks arrived) or not a measure of the strategy (engine events).
	Neutral Direction = iota
	LowerIsBetter
	HigherIsBetter
)

// String is "lower is better", "higher is better" or "neutral".
func (d Direction) String() string {
	switch d {
	case LowerIsBetter:
		return "lower is better"
	case HigherIsBetter:
		return "higher is better"
	case Neutral:
		return "neutral"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// MarshalText writes "lower", "higher" or "neutral" (in JSON, a string).
func (d Direction) MarshalText() ([]byte, error) {
	switch d {
	case LowerIsBetter:
		return []byte("lower"), nil
	case HigherIsBetter:
		return []byte("higher"), nil
	case Neutral:
		return []byte("neutral"), nil
	}
	return nil, fmt.Errorf("invalid direction %d", int(d))
}

// UnmarshalText reads what MarshalText writes.
func (d *Direction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "lower":
		*d = LowerIsBetter
	case "higher":
		*d = HigherIsBetter
	case "neutral":
		*d = Neutral
	default:
		return fmt.Errorf("expected a direction (lower, higher or neutral), got %q", b)
	}
	return nil
}

// A Tolerance is how far a metric may move before a check calls it a
// change: by more than Allowed(baseline) = max(Rel·|baseline|, Abs).
// Rel is a fraction (0.05 is 5 %), Abs in the metric's own unit.
type Tolerance struct {
	Rel float64 `json:"rel,omitempty"`
	Abs float64 `json:"abs,omitempty"`
}

// Allowed is the largest change from baseline within t.
func (t Tolerance) Allowed(baseline float64) float64 {
	return math.Max(t.Rel*math.Abs(baseline), t.Abs)
}

// String is "±5 %", "±0.005", "±0", or "±5 % (at least ±0.001)" when
// both parts are set.
func (t Tolerance) String() string {
	switch {
	case t.Rel > 0 && t.Abs > 0:
		return "±" + checkPercent(t.Rel) + " (at least ±" + checkNum(t.Abs) + ")"
	case t.Rel > 0:
		return "±" + checkPercent(t.Rel)
	}
	return "±" + checkNum(t.Abs)
}

// percent writes a fraction as a percentage: 0.05 is "5 %", 0.025 "2.5 %".
func checkPercent(f float64) string {
	return strconv.FormatFloat(100*f, 'g', 4, 64) + " %"
}

// A metricRule gives the metrics matching pattern (exact, or a prefix
// ending in '*') a direction and a tolerance.
type metricRule struct {
	pattern string
	dir     Direction
	tol     Tolerance
}

// defaultRules are the default directions and tolerances of the metrics
// Flatten lists.
//
// The simulator is deterministic: the same scenario, strategy and seed
// reproduce a Result bit for bit, so between runs of the same program
// every metric is exact and any tolerance would do. Tolerances are for the
// other case, comparing across a change of the program, where some
// movement is intended or harmless:
//
//   - Quantiles (latency_s.p99, wait_s.p50, bounded_slowdown.p99) come
//     from a log-bucketed histogram, within metrics.RelativeError (< 0.4 %)
//     of the exact value. A small change in the sample set can move a
//     quantile to a neighbouring bucket, and tail quantiles rest on few
//     samples: 5 %.
//   - Means (latency_s.mean, mean_in_system, makespan_s) are exact sums
//     over all samples and move little: 2 %.
//   - Throughput and completed tasks are set by the offered load once a
//     run is stable; a 1 % drop means tasks are lost or the run is
//     overloaded.
//   - Failed, dropped and unschedulable tasks are counts that a working
//     strategy keeps at its baseline: any increase (Abs 0) is a regression.
//   - Ratios in [0, 1] (allocation, fragmentation, utilization) are
//     compared absolutely: ±0.005, half a percentage point. A relative
//     tolerance would be too tight near 0 and too loose near 1.
//   - Waiting times get a floor of 1 ms, as a good strategy's median wait
//     is 0 and any relative tolerance of 0 is 0.
//
// utilization (the Result's single figure) is Neutral: in load balancing
// it is set by the offered load, not by the strategy. Informational
// figures (tasks.arrived, window_s, engine.events) are Neutral too.
var defaultRules = []metricRule{
	{"latency_s.*", LowerIsBetter, Tolerance{Rel: 0.05}},
	{"latency_s.mean", LowerIsBetter, Tolerance{Rel: 0.02}},
	{"wait_s.*", LowerIsBetter, Tolerance{Rel: 0.05, Abs: 0.001}},
	{"wait_s.mean", LowerIsBetter, Tolerance{Rel: 0.02, Abs: 0.001}},
	{"makespan_s", LowerIsBetter, Tolerance{Rel: 0.02}},
	{"imbalance_cov", LowerIsBetter, Tolerance{Rel: 0.05, Abs: 0.005}},
	{"mean_in_system", LowerIsBetter, Tolerance{Rel: 0.02}},
	{"throughput_per_s", HigherIsBetter, Tolerance{Rel: 0.01}},
	{"utilization", Neutral, Tolerance{Abs: 0.005}},
	{"window_s", Neutral, Tolerance{Rel: 0.01}},

	{"tasks.arrived", Neutral, Tolerance{}},
	{"tasks.warmup", Neutral, Tolerance{}},
	{"tasks.completed", HigherIsBetter, Tolerance{Rel: 0.01}},
	{"tasks.failed", LowerIsBetter, Tolerance{}},
	{"tasks.dropped", LowerIsBetter, Tolerance{}},

	{"engine.*", Neutral, Tolerance{Rel: 0.01}},

	{"placement.gpu_alloc_ratio*", HigherIsBetter, Tolerance{Abs: 0.005}},
	{"placement.alloc_ratio.*", HigherIsBetter, Tolerance{Abs: 0.005}},
	{"placement.utilization.*", HigherIsBetter, Tolerance{Abs: 0.005}},
	{"placement.gpu_frag_gpus", LowerIsBetter, Tolerance{Rel: 0.05}},
	{"placement.gpu_frag_ratio", LowerIsBetter, Tolerance{Abs: 0.005}},
	{"placement.unallocated_gpus", LowerIsBetter, Tolerance{Rel: 0.02}},
	// The unallocated GPU share when a task first fails to fit: lower
	// means the cluster filled further before packing failed.
	{"placement.unallocated_gpu_share_at_first_failure", LowerIsBetter, Tolerance{Abs: 0.005}},
	{"placement.unschedulable", LowerIsBetter, Tolerance{}},
	{"placement.bounded_slowdown.*", LowerIsBetter, Tolerance{Rel: 0.05}},
	{"placement.bounded_slowdown.mean", LowerIsBetter, Tolerance{Rel: 0.02}},
}

// defaultTolerance is the tolerance of a metric no rule names (a figure
// added to Result after this table): Neutral, 5 %.
var defaultTolerance = Tolerance{Rel: 0.05}

// MetricDirection says which way the named metric (a Flatten name)
// improves, by the default table:
//
//   - lower is better: latency_s.*, wait_s.*, makespan_s, imbalance_cov,
//     mean_in_system, tasks.failed, tasks.dropped, placement.unschedulable,
//     placement.gpu_frag_gpus, placement.gpu_frag_ratio,
//     placement.unallocated_gpus,
//     placement.unallocated_gpu_share_at_first_failure,
//     placement.bounded_slowdown.*;
//   - higher is better: throughput_per_s, tasks.completed,
//     placement.gpu_alloc_ratio (and _at_full), placement.alloc_ratio.*,
//     placement.utilization.*;
//   - neutral: utilization (set by the offered load in load balancing),
//     tasks.arrived, tasks.warmup, window_s, engine.*, and any metric not
//     listed.
func MetricDirection(name string) Direction {
	if r, ok := matchRule(defaultRules, name); ok {
		return r.dir
	}
	return Neutral
}

// MetricTolerance is the default tolerance of the named metric (see the
// rationale at defaultRules in check.go): 5 % for latency and wait
// quantiles, 2 % for means, 1 % for throughput and completed tasks, any
// increase for failed, dropped and unschedulable tasks, ±0.005 for ratios.
func MetricTolerance(name string) Tolerance {
	if r, ok := matchRule(defaultRules, name); ok {
		return r.tol
	}
	return defaultTolerance
}

// matchRule finds the rule for name: an exact pattern first, else the
// longest matching wildcard.
func matchRule(rules []metricRule, name string) (metricRule, bool) {
	best, found := metricRule{}, false
	for _, r := range rules {
		if r.pattern == name {
			return r, true
		}
		if prefix, ok := strings.CutSuffix(r.pattern, "*"); ok && strings.HasPrefix(name, prefix) {
			if !found || len(r.pattern) > len(best.pattern) {
				best, found = r, true
			}
		}
	}
	return best, found
}

// matches reports whether pattern (exact, or a prefix ending in '*')
// names metric name.
func metricMatches(pattern, name string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, prefix)
	}
	return pattern == name
}

// checkPattern validates a metric name or wildcard from the user.
func checkMetricPattern(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("the metric name is empty")
	case strings.ContainsFunc(p, unicode.IsSpace):
		return fmt.Errorf("metric name %q contains a space", p)
	case strings.Contains(strings.TrimSuffix(p, "*"), "*"):
		return fmt.Errorf("metric name %q has a '*' before its end (only a trailing wildcard, like latency_s.*, is allowed)", p)
	}
	return nil
}

// ParseTolerance parses a tolerance flag: NAME=PERCENT% for a relative
// tolerance (latency_s.p99=10%), NAME=NUMBER for an absolute one in the
// metric's unit (tasks.failed=2, placement.gpu_frag_ratio=0.01). NAME is a
// metric as Flatten names it, or a prefix ending in '*' (latency_s.*=10%).
// An override replaces the metric's whole default tolerance.
func ParseTolerance(spec string) (name string, t Tolerance, err error) {
	const want = "expected NAME=PERCENT% (relative, like latency_s.p99=10%) or NAME=NUMBER (absolute, like tasks.failed=2)"
	name, v, ok := strings.Cut(spec, "=")
	name, v = strings.TrimSpace(name), strings.TrimSpace(v)
	if !ok || v == "" {
		return "", Tolerance{}, fmt.Errorf("tolerance %q: %s", spec, want)
	}
	if err := checkMetricPattern(name); err != nil {
		return "", Tolerance{}, fmt.Errorf("tolerance %q: %v", spec, err)
	}
	digits, rel := strings.CutSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(digits), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return "", Tolerance{}, fmt.Errorf("tolerance %q: %s; %q is not a number >= 0", spec, want, v)
	}
	if rel {
		return name, Tolerance{Rel: f / 100}, nil
	}
	return name, Tolerance{Abs: f}, nil
}

// CheckOptions adjust a Check.
type CheckOptions struct {
	// Tolerances override the defaults, by metric name or wildcard
	// ("latency_s.*"); an exact name beats a wildcard, a longer wildcard a
	// shorter one.
	Tolerances map[string]Tolerance
	// Metrics, when not empty, limits the check to these metrics (names
	// or wildcards).
	Metrics []string
}

// Verdicts of a CheckRow.
const (
	VerdictOK         = "ok"         // within tolerance
	VerdictRegression = "regression" // worse beyond tolerance
	VerdictImproved   = "improved"   // better beyond tolerance
	VerdictChanged    = "changed"    // a Neutral metric beyond tolerance (never fails)
	VerdictMissing    = "missing"    // in the baseline, not in the current results (fails)
)

// A CheckRow is one metric of one strategy: its mean over the seeds of
// each side, and what the change means.
type CheckRow struct {
	Scenario string `json:"scenario"`
	Strategy string `json:"strategy"`
	Metric   string `json:"metric"`
	// Baseline and Current are means over each side's runs (BaselineN and
	// CurrentN of them); Delta is Current - Baseline and RelChange
	// Delta / |Baseline| (0 when Baseline is 0).
	Baseline  float64 `json:"baseline"`
	Current   float64 `json:"current"`
	Delta     float64 `json:"delta"`
	RelChange float64 `json:"rel_change"`
	BaselineN int     `json:"baseline_n"`
	CurrentN  int     `json:"current_n"`

	Tolerance Tolerance `json:"tolerance"`
	Direction Direction `json:"direction"`
	Verdict   string    `json:"verdict"` // one of the Verdict constants
}

// A CheckReport is the outcome of Check.
type CheckReport struct {
	// Rows has one row per metric of each baseline strategy that the
	// current results have too, strategies in baseline order, metrics in
	// Flatten order.
	Rows []CheckRow `json:"rows"`
	// Missing lists the baseline's strategies absent from the current
	// results (each a regression); Extra the current results' strategies
	// absent from the baseline (informational).
	Missing []string `json:"missing,omitempty"`
	Extra   []string `json:"extra,omitempty"`
	// Notes are informational: strategies whose two sides ran different
	// seeds, so that their means are not of the same runs.
	Notes []string `json:"notes,omitempty"`
	// Regressions counts the rows whose verdict is regression or missing,
	// plus the missing strategies.
	Regressions int `json:"regressions"`
}

// Failed reports whether the check found a regression.
func (r *CheckReport) Failed() bool { return r.Regressions > 0 }

// groupLabel names a group in the report's lines.
func groupLabel(g *runGroup) string {
	if g.scenario == "" {
		return "strategy " + g.strategy
	}
	return "strategy " + g.strategy + " of scenario " + g.scenario
}

// groupSeeds is the seeds of a group's runs.
func groupSeeds(g *runGroup) []uint64 {
	seeds := make([]uint64, len(g.runs))
	for i, r := range g.runs {
		seeds[i] = r.Seed
	}
	return seeds
}

// Check compares current results against a baseline. Both sides are
// grouped by (scenario, strategy); a group's value of a metric is its mean
// over the group's runs (seeds), whether or not the two sides ran the same
// seeds. Each metric of each baseline group is then judged by its
// direction and tolerance (the defaults of MetricDirection and
// MetricTolerance, overridden by opt.Tolerances). It is an error when the
// baseline is empty, an option names no metric of the baseline, or a
// metric of the baseline is missing from the current results (the files
// are then not results of the same kind: an input error, not a
// regression).
func Check(baseline, current []sim.Result, opt CheckOptions) (*CheckReport, error) {
	if len(baseline) == 0 {
		return nil, fmt.Errorf("the baseline has no results")
	}
	base, _ := groupRuns(baseline, true)
	cur, _ := groupRuns(current, true)
	return checkGroups(base, cur, opt)
}

// CheckInputs is Check on two results files as ReadCheckInput reads them,
// runs or per-strategy aggregates on either side. Where a side holds
// aggregates, strategies are matched by name alone (aggregates name no
// scenario), and a note says that seeds could not be compared.
func CheckInputs(baseline, current *CheckInput, opt CheckOptions) (*CheckReport, error) {
	if len(baseline.Results) == 0 && len(baseline.Aggregates) == 0 {
		return nil, fmt.Errorf("the baseline has no results")
	}
	byScenario := baseline.Aggregates == nil && current.Aggregates == nil
	base, cur := baseline.groups(byScenario), current.groups(byScenario)
	rep, err := checkGroups(base, cur, opt)
	if err != nil {
		return nil, err
	}
	for _, side := range []struct {
		name string
		in   *CheckInput
	}{{"baseline", baseline}, {"current results", current}} {
		if side.in.Aggregates != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: aggregates (means over seeds) record no scenario or seeds; strategies, runs and tasks arrived were compared, not seeds", side.name))
		}
	}
	return rep, nil
}

func checkGroups(base, cur []*runGroup, opt CheckOptions) (*CheckReport, error) {
	var overrides []metricRule
	for p, t := range opt.Tolerances {
		if err := checkMetricPattern(p); err != nil {
			return nil, fmt.Errorf("tolerance: %v", err)
		}
		overrides = append(overrides, metricRule{pattern: p, tol: t})
	}
	slices.SortFunc(overrides, func(a, b metricRule) int { return strings.Compare(a.pattern, b.pattern) })
	for _, p := range opt.Metrics {
		if err := checkMetricPattern(p); err != nil {
			return nil, fmt.Errorf("metric: %v", err)
		}
	}
	baseByKey, curByKey := map[groupKey]*runGroup{}, map[groupKey]*runGroup{}
	for _, g := range base {
		baseByKey[groupKey{g.scenario, g.strategy}] = g
	}
	for _, g := range cur {
		curByKey[groupKey{g.scenario, g.strategy}] = g
	}
	if err := checkPatternsUsed(base, overrides, opt.Metrics); err != nil {
		return nil, err
	}

	rep := &CheckReport{}
	var missing []string
	for _, b := range base {
		c, ok := curByKey[groupKey{b.scenario, b.strategy}]
		if !ok {
			rep.Missing = append(rep.Missing, fmt.Sprintf("%s: in the baseline (%s), not in the current results", groupLabel(b), checkRuns(b.count())))
			rep.Regressions++
			continue
		}
		if bs, cs := groupSeeds(b), groupSeeds(c); len(b.runs) > 0 && len(c.runs) > 0 && !slices.Equal(checkSortedSeeds(bs), checkSortedSeeds(cs)) {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the baseline ran seeds %s, the current results seeds %s", groupLabel(b), checkSeedList(bs), checkSeedList(cs)))
		}
		for _, name := range b.names {
			if !metricWanted(opt.Metrics, name) {
				continue
			}
			row := CheckRow{
				Scenario: b.scenario, Strategy: b.strategy, Metric: name,
				Baseline:  b.mean(name),
				BaselineN: b.count(),
				Direction: MetricDirection(name),
				Tolerance: MetricTolerance(name),
			}
			if r, ok := matchRule(overrides, name); ok {
				row.Tolerance = r.tol
			}
			if _, ok := c.values[name]; !ok {
				missing = append(missing, fmt.Sprintf("%s: %s", groupLabel(b), name))
				continue
			}
			row.Current, row.CurrentN = c.mean(name), c.count()
			row.Delta = row.Current - row.Baseline
			if row.Baseline != 0 {
				row.RelChange = row.Delta / math.Abs(row.Baseline)
			}
			row.Verdict = checkVerdict(row.Baseline, row.Current, row.Tolerance, row.Direction)
			if row.Verdict == VerdictRegression {
				rep.Regressions++
			}
			rep.Rows = append(rep.Rows, row)
		}
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 3 {
			more = fmt.Sprintf(" and %d more", len(missing)-3)
			missing = missing[:3]
		}
		return nil, fmt.Errorf("metrics of the baseline missing from the current results (%s%s): the files are not results of the same kind of run", strings.Join(missing, "; "), more)
	}
	for _, c := range cur {
		if baseByKey[groupKey{c.scenario, c.strategy}] == nil {
			rep.Extra = append(rep.Extra, fmt.Sprintf("%s: in the current results (%s), not in the baseline", groupLabel(c), checkRuns(c.count())))
		}
	}
	return rep, nil
}

// CheckInput is one side of a check: a results file's runs (with its
// summary, for summary.json), or the per-strategy aggregates that
// compare --seeds N --format json prints.
type CheckInput struct {
	Results    []sim.Result
	Summary    *Summary
	Aggregates []Aggregate
}

// ReadCheckInput reads a results file of any form fleetsim writes:
// summary.json, run --json, compare --format json (runs, or aggregates
// with --seeds).
func ReadCheckInput(path string) (*CheckInput, error) {
	data, err := readInput(path, MaxResultsBytes)
	if err != nil {
		return nil, err
	}
	if aggs, ok, err := parseAggregates(path, data); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &CheckInput{Aggregates: aggs}, nil
	}
	rs, sum, err := ParseResults(path, data)
	if err != nil {
		return nil, err
	}
	return &CheckInput{Results: rs, Summary: sum}, nil
}

// groups is the input's runs grouped as Check groups them, or one group
// per aggregate.
func (in *CheckInput) groups(byScenario bool) []*runGroup {
	if in.Aggregates == nil {
		g, _ := groupRuns(in.Results, byScenario)
		return g
	}
	var out []*runGroup
	for _, a := range in.Aggregates {
		g := &runGroup{strategy: a.Strategy, values: map[string][]float64{}, n: a.N}
		for _, m := range a.Metrics {
			if _, ok := g.values[m.Name]; !ok {
				g.names = append(g.names, m.Name)
			}
			g.values[m.Name] = []float64{m.Mean}
		}
		out = append(out, g)
	}
	return out
}

// Comparable says why two check inputs are not results of the same runs,
// or nil: a different scenario, stop condition, or number of tasks arrived
// (by more than 10 %, for a strategy both have). Comparing them would
// report the difference in load as regressions.
func Comparable(baseline, current *CheckInput) error {
	scen := func(in *CheckInput) []string {
		var names []string
		for _, r := range in.Results {
			if r.Scenario != "" && !slices.Contains(names, r.Scenario) {
				names = append(names, r.Scenario)
			}
		}
		slices.Sort(names)
		return names
	}
	if b, c := scen(baseline), scen(current); len(b) > 0 && len(c) > 0 && !slices.Equal(b, c) {
		return fmt.Errorf("the baseline is of scenario %s, the current results of %s", strings.Join(b, ", "), strings.Join(c, ", "))
	}
	if baseline.Summary != nil && current.Summary != nil {
		if b, c := baseline.Summary.Scenario.Stop, current.Summary.Scenario.Stop; b != "" && c != "" && b != c {
			return fmt.Errorf("the baseline stopped at %s, the current results at %s", b, c)
		}
	}
	return ComparableArrivals(baseline, current)
}

// ComparableArrivals is the tasks-arrived part of Comparable.
func ComparableArrivals(baseline, current *CheckInput) error {
	arrived := func(in *CheckInput) map[string]float64 {
		out := map[string]float64{}
		for _, g := range in.groups(false) {
			if _, ok := g.values["tasks.arrived"]; ok {
				out[g.strategy] = g.mean("tasks.arrived")
			}
		}
		return out
	}
	b, c := arrived(baseline), arrived(current)
	for _, g := range baseline.groups(false) {
		bv, ok1 := b[g.strategy]
		cv, ok2 := c[g.strategy]
		if ok1 && ok2 && bv > 0 && math.Abs(cv-bv) > 0.1*bv {
			return fmt.Errorf("strategy %s: %s tasks arrived in the baseline, %s in the current results", g.strategy, checkNum(bv), checkNum(cv))
		}
	}
	return nil
}

// checkPatternsUsed rejects an override or metric filter that names no
// metric of the baseline (a typo would otherwise check nothing).
func checkPatternsUsed(base []*runGroup, overrides []metricRule, metrics []string) error {
	names := map[string]bool{}
	for _, g := range base {
		for _, n := range g.names {
			names[n] = true
		}
	}
	used := func(p string) bool {
		for n := range names {
			if metricMatches(p, n) {
				return true
			}
		}
		return false
	}
	for _, r := range overrides {
		if !used(r.pattern) {
			return fmt.Errorf("tolerance for %q: no metric of the baseline matches (metrics are named like latency_s.p99, tasks.failed, placement.gpu_alloc_ratio)", r.pattern)
		}
	}
	for _, p := range metrics {
		if !used(p) {
			return fmt.Errorf("metric %q: no metric of the baseline matches (metrics are named like latency_s.p99, tasks.failed, placement.gpu_alloc_ratio)", p)
		}
	}
	return nil
}

// wanted reports whether name passes the metric filter.
func metricWanted(filter []string, name string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, p := range filter {
		if metricMatches(p, name) {
			return true
		}
	}
	return false
}

// verdict judges a change from base to cur. A change of exactly the
// tolerance is within it (up to rounding in the last bits).
func checkVerdict(base, cur float64, t Tolerance, dir Direction) string {
	d := cur - base
	slack := float64(1e-12 * math.Max(math.Abs(base), math.Abs(cur))) // (float64: not fused with the add below)
	if math.Abs(d) <= t.Allowed(base)+slack {
		return VerdictOK
	}
	switch {
	case dir == Neutral:
		return VerdictChanged
	case (d > 0) == (dir == LowerIsBetter):
		return VerdictRegression
	}
	return VerdictImproved
}

func checkRuns(n int) string {
	if n == 1 {
		return "1 run"
	}
	return strconv.Itoa(n) + " runs"
}

func checkSortedSeeds(s []uint64) []uint64 {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func checkSeedList(s []uint64) string {
	parts := make([]string, len(s))
	for i, x := range checkSortedSeeds(s) {
		parts[i] = strconv.FormatUint(x, 10)
	}
	return strings.Join(parts, ",")
}

// Summary is the report in one line: "3 regressions in 2 strategies (120
// metrics checked)", or "no regression: 120 metrics within tolerance".
func (r *CheckReport) Summary() string {
	var improved, changed int
	failing := map[groupKey]bool{}
	for _, row := range r.Rows {
		switch row.Verdict {
		case VerdictImproved:
			improved++
		case VerdictChanged:
			changed++
		case VerdictRegression, VerdictMissing:
			failing[groupKey{row.Scenario, row.Strategy}] = true
		}
	}
	checked := strconv.Itoa(len(r.Rows)) + " " + checkPlural(len(r.Rows), "metric", "metrics")
	if r.Failed() {
		n := len(failing) + len(r.Missing)
		return fmt.Sprintf("%d %s in %d %s (%s checked)", r.Regressions, checkPlural(r.Regressions, "regression", "regressions"), n, checkPlural(n, "strategy", "strategies"), checked)
	}
	if improved == 0 && changed == 0 {
		return "no regression: " + checked + " within tolerance"
	}
	s := fmt.Sprintf("no regression: %s checked, %d within tolerance", checked, len(r.Rows)-improved-changed)
	if improved > 0 {
		s += fmt.Sprintf(", %d improved", improved)
	}
	if changed > 0 {
		s += fmt.Sprintf(", %d changed (neutral)", changed)
	}
	return s
}

func checkPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteCheckTable writes r for people: a table of the rows that are not
// ok (of every row when all is set), with strategy, metric, both means,
// the change (relative for metrics with a relative tolerance, "+12.3 %",
// else absolute, "+0.0021"), the tolerance and the verdict (regressions
// in capitals); then missing and extra strategies, notes, and the
// Summary line.
func WriteCheckTable(w io.Writer, r *CheckReport, all bool) error {
	var rows []CheckRow
	for _, row := range r.Rows {
		if all || row.Verdict != VerdictOK {
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		scenarios := false
		for _, row := range rows {
			scenarios = scenarios || row.Scenario != rows[0].Scenario
		}
		head := []string{"strategy", "metric", "baseline", "current", "change", "tolerance", "verdict"}
		align := []tw.Align{tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft}
		if scenarios {
			head = append([]string{"scenario"}, head...)
			align = append([]tw.Align{tw.AlignLeft}, align...)
		}
		var cells [][]string
		for _, row := range rows {
			c := []string{row.Strategy, row.Metric, checkNum(row.Baseline), checkCurrentCell(row), checkChange(row), row.Tolerance.String(), checkVerdictCell(row.Verdict)}
			if scenarios {
				c = append([]string{row.Scenario}, c...)
			}
			cells = append(cells, c)
		}
		err := renderFitted(w, head, cells, func(w io.Writer, cols []int) *tablewriter.Table {
			return tablewriter.NewTable(w,
				tablewriter.WithHeaderAutoFormat(tw.Off),
				tablewriter.WithHeaderAlignment(tw.AlignLeft),
				tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignRight, PerColumn: pick(align, cols)}),
			)
		})
		if err != nil {
			return err
		}
	}
	var b strings.Builder
	for _, m := range r.Missing {
		b.WriteString("MISSING " + m + "\n")
	}
	for _, m := range r.Extra {
		b.WriteString("extra " + m + "\n")
	}
	for _, m := range r.Notes {
		b.WriteString("note: " + m + "\n")
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func checkCurrentCell(row CheckRow) string {
	if row.Verdict == VerdictMissing {
		return "-"
	}
	return checkNum(row.Current)
}

func checkVerdictCell(v string) string {
	if v == VerdictRegression || v == VerdictMissing {
		return strings.ToUpper(v)
	}
	return v
}

// change writes a row's change as its tolerance reads it: relative for a
// relative tolerance (when the baseline is not 0), else absolute.
func checkChange(row CheckRow) string {
	switch {
	case row.Verdict == VerdictMissing:
		return "-"
	case row.Delta == 0:
		return "0"
	case row.Tolerance.Rel > 0 && row.Baseline != 0:
		return fmt.Sprintf("%+.1f %%", 100*row.RelChange)
	}
	return fmt.Sprintf("%+.4g", row.Delta)
}

// num writes a metric's value: integers in full, others to 6 significant
// digits.
func checkNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
