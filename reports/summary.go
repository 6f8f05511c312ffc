package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/fleetsim/fleetsim/sim"
)

// Summary is summary.json, what run and compare write under --out DIR:
// the results in the user's contract (one per strategy and seed) with
// what produced them and, over seeds, each strategy's means and
// confidence intervals.
type Summary struct {
	// Fleetsim is the version of the program that wrote the file;
	// Command the command line, as typed.
	Fleetsim string `json:"fleetsim"`
	Command  string `json:"command"`

	Scenario ScenarioInfo `json:"scenario"`

	// Results has one entry per run, strategies in the scenario's order,
	// seeds ascending within a strategy.
	Results []sim.Result `json:"results"`

	// Aggregates has one entry per strategy when more than one seed ran.
	Aggregates []Aggregate `json:"aggregates,omitempty"`
}

// ScenarioInfo says which scenario a summary is of.
type ScenarioInfo struct {
	Name        string   `json:"name"`
	File        string   `json:"file"`
	Description string   `json:"description,omitempty"`
	Nodes       int      `json:"nodes"`
	Stop        string   `json:"stop"`
	Warmup      string   `json:"warmup"`
	Seeds       []uint64 `json:"seeds"`
	// YAML is the scenario file's text, when it was read from a file or
	// embedded (for the report).
	YAML string `json:"yaml,omitempty"`
}

// Aggregate summarises one strategy's runs over seeds.
type Aggregate struct {
	Strategy string       `json:"strategy"`
	N        int          `json:"n"`
	Metrics  []MetricStat `json:"metrics"`
}

// MetricStat is a metric's mean over N independent runs with its 95 %
// confidence interval from Student's t distribution with N-1 degrees of
// freedom: Mean ± CI95, CI95 = t(0.975, N-1) · StdDev / √N. With one run
// StdDev and CI95 are 0 (unknown, not exact).
type MetricStat struct {
	Name   string  `json:"name"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
	CI95   float64 `json:"ci95"`
}

// Metric is one numeric figure of a Result, named by its JSON path
// ("latency_s.p99", "placement.utilization.gpu").
type Metric struct {
	Name  string
	Value float64
}

// flattenSkip are the parts of a Result that are not single comparable
// figures: per-node lists, curves and series, and the wall-clock figures
// that differ between identical runs.
var flattenSkip = map[string]bool{
	"nodes": true, "latency_cdf": true, "request_latency_cdf": true, "seed": true,
	"placement.curve": true, "placement.series": true,
	"engine.wall_s": true, "engine.events_per_s": true,
	"engine.decision_ns": true, "engine.state_bytes_per_node": true,
}

// Flatten lists r's numeric figures by JSON path, in the order of the
// JSON object (so the same for every Result of the same shape). Lists,
// series, the seed and the wall-clock figures are left out: what remains
// is deterministic for a given scenario, strategy and seed.
func Flatten(r *sim.Result) []Metric {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // a Result is plain numbers and strings
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []Metric
	flattenObject(dec, "", &out)
	return out
}

// flattenObject reads one JSON object from dec (its '{' not yet read).
func flattenObject(dec *json.Decoder, prefix string, out *[]Metric) {
	dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		name := prefix + tok.(string)
		if flattenSkip[name] {
			var skip json.RawMessage
			dec.Decode(&skip)
			continue
		}
		var raw json.RawMessage
		dec.Decode(&raw)
		switch {
		case len(raw) > 0 && raw[0] == '{':
			flattenObject(json.NewDecoder(bytes.NewReader(raw)), name+".", out)
		case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
			var v float64
			json.Unmarshal(raw, &v)
			*out = append(*out, Metric{Name: name, Value: v})
		}
	}
	dec.Token() // }
}

// runGroup is the runs of one strategy (of one scenario, when grouped by
// scenario too), with each metric's values over them.
type runGroup struct {
	scenario, strategy string
	runs               []*sim.Result
	names              []string // metric names in order of first appearance
	values             map[string][]float64
	// n, for a group read from an Aggregate, is the number of runs its
	// one value per metric (the mean) stands for.
	n int
}

// count is the number of runs in the group.
func (g *runGroup) count() int {
	if g.n > 0 {
		return g.n
	}
	return len(g.runs)
}

// mean is the group's mean of a metric.
func (g *runGroup) mean(name string) float64 { return Stat(name, g.values[name]).Mean }

type groupKey struct{ scenario, strategy string }

// groupRuns groups results by strategy, and by scenario too when
// byScenario is set, in order of first appearance.
func groupRuns(results []sim.Result, byScenario bool) ([]*runGroup, map[groupKey]*runGroup) {
	var order []*runGroup
	byKey := map[groupKey]*runGroup{}
	for i := range results {
		r := &results[i]
		k := groupKey{strategy: r.Strategy}
		if byScenario {
			k.scenario = r.Scenario
		}
		g, ok := byKey[k]
		if !ok {
			g = &runGroup{scenario: k.scenario, strategy: r.Strategy, values: map[string][]float64{}}
			byKey[k] = g
			order = append(order, g)
		}
		g.runs = append(g.runs, r)
		for _, m := range Flatten(r) {
			if _, ok := g.values[m.Name]; !ok {
				g.names = append(g.names, m.Name)
			}
			g.values[m.Name] = append(g.values[m.Name], m.Value)
		}
	}
	return order, byKey
}

// Aggregates groups results by strategy (in order of first appearance) and
// returns each metric's mean and 95 % confidence interval over the group's
// runs.
func Aggregates(results []sim.Result) []Aggregate {
	groups, _ := groupRuns(results, false)
	out := make([]Aggregate, 0, len(groups))
	for _, g := range groups {
		a := Aggregate{Strategy: g.strategy, N: len(g.runs)}
		for _, name := range g.names {
			a.Metrics = append(a.Metrics, Stat(name, g.values[name]))
		}
		out = append(out, a)
	}
	return out
}

// Stat is the mean of xs with its 95 % Student-t confidence interval.
func Stat(name string, xs []float64) MetricStat {
	m := MetricStat{Name: name}
	n := len(xs)
	if n == 0 {
		return m
	}
	m.Mean = stat.Mean(xs, nil)
	if n < 2 {
		return m
	}
	m.StdDev = stat.StdDev(xs, nil)
	m.CI95 = TQuantile975(n-1) * m.StdDev / math.Sqrt(float64(n))
	return m
}

// TQuantile975 is the 0.975 quantile of Student's t distribution with df
// degrees of freedom: the half-width factor of a two-sided 95 % interval.
func TQuantile975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// Lookup returns the named metric of an aggregate.
func (a *Aggregate) Lookup(name string) (MetricStat, bool) {
	for _, m := range a.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricStat{}, false
}

// WriteSummary writes s as indented JSON.
func WriteSummary(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// ReadResults reads results from a file written by fleetsim: a
// summary.json, the object of run --json or the array of compare --format
// json. It returns the summary too when the file is one (nil otherwise).
func ReadResults(path string) ([]sim.Result, *Summary, error) {
	data, err := readInput(path, MaxResultsBytes)
	if err != nil {
		return nil, nil, err
	}
	return ParseResults(path, data)
}

// ParseResults is ReadResults on data already read; name names it in errors.
// Every result must carry the fields a check compares (strategy, tasks,
// latency_s): a result without them would compare as zeros.
func ParseResults(name string, data []byte) ([]sim.Result, *Summary, error) {
	rs, sum, err := parseResults(name, data)
	if err != nil {
		return nil, nil, err
	}
	if err := requireFields(name, bytes.TrimSpace(data)); err != nil {
		return nil, nil, err
	}
	return rs, sum, nil
}

// requiredResultFields are the fields every result of a results file has.
var requiredResultFields = []string{"strategy", "tasks", "latency_s"}

// requireFields checks that each result object of data (already parsed
// well) has requiredResultFields.
func requireFields(name string, data []byte) error {
	var list []map[string]json.RawMessage
	if data[0] == '[' {
		json.Unmarshal(data, &list)
	} else {
		var top map[string]json.RawMessage
		json.Unmarshal(data, &top)
		if raw, ok := top["results"]; ok {
			json.Unmarshal(raw, &list)
		} else {
			list = append(list, top)
		}
	}
	if len(list) == 0 {
		// An empty list (or summary) would check nothing and pass.
		return fmt.Errorf("%s: expected at least one result, got none", name)
	}
	for i, r := range list {
		for _, f := range requiredResultFields {
			if _, ok := r[f]; !ok {
				return fmt.Errorf("%s: result %d: field %s: missing; expected fleetsim results, which always have it", name, i+1, f)
			}
		}
	}
	return nil
}

func parseResults(name string, data []byte) ([]sim.Result, *Summary, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil, fmt.Errorf("%s: expected fleetsim results (summary.json, run --json or compare --format json), got an empty file", name)
	}
	if _, ok, err := parseAggregates(name, trimmed); ok || err != nil {
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s: expected runs (summary.json, run --json or compare --format json with one seed), got per-strategy aggregates (compare --seeds N --format json); check reads those, for the rest write runs with --out DIR", name)
	}
	switch trimmed[0] {
	case '[':
		var rs []sim.Result
		if err := json.Unmarshal(trimmed, &rs); err != nil {
			return nil, nil, jsonError(name, trimmed, err)
		}
		return rs, nil, nil
	case '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return nil, nil, jsonError(name, trimmed, err)
		}
		if _, ok := probe["results"]; ok {
			var s Summary
			if err := json.Unmarshal(trimmed, &s); err != nil {
				return nil, nil, jsonError(name, trimmed, err)
			}
			return s.Results, &s, nil
		}
		if _, ok := probe["strategy"]; !ok {
			return nil, nil, fmt.Errorf("%s: expected fleetsim results: an object with \"results\" (summary.json) or \"strategy\" (run --json), got neither", name)
		}
		var r sim.Result
		if err := json.Unmarshal(trimmed, &r); err != nil {
			return nil, nil, jsonError(name, trimmed, err)
		}
		return []sim.Result{r}, nil, nil
	}
	return nil, nil, fmt.Errorf("%s: line 1: expected fleetsim results as JSON (an object or an array), got %q", name, firstLine(trimmed))
}

// jsonError places a JSON error at its line.
func jsonError(name string, data []byte, err error) error {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
		return fmt.Errorf("%s: line %d: field %s: expected %s, got %s", name, lineAt(data, off), e.Field, e.Type, e.Value)
	}
	if off >= 0 {
		return fmt.Errorf("%s: line %d: invalid JSON: %v", name, lineAt(data, off), err)
	}
	return fmt.Errorf("%s: invalid JSON: %v", name, err)
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// parseAggregates reads the per-strategy aggregates of compare --seeds N
// --format json: a JSON array of objects with "strategy", "n" and
// "metrics". ok is false for anything else.
func parseAggregates(name string, data []byte) (aggs []Aggregate, ok bool, err error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, false, nil
	}
	var probe []map[string]json.RawMessage
	if json.Unmarshal(trimmed, &probe) != nil || len(probe) == 0 {
		return nil, false, nil
	}
	_, hasN := probe[0]["n"]
	_, hasMetrics := probe[0]["metrics"]
	if !hasN || !hasMetrics {
		return nil, false, nil
	}
	if err := json.Unmarshal(trimmed, &aggs); err != nil {
		return nil, true, jsonError(name, trimmed, err)
	}
	for i, a := range aggs {
		if a.Strategy == "" || a.N < 1 {
			return nil, true, fmt.Errorf("%s: aggregate %d: expected a strategy and n >= 1, got strategy %q, n %d", name, i+1, a.Strategy, a.N)
		}
	}
	return aggs, true, nil
}
