package reports

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/sim"
)

// The Go benchmark format (https://go.dev/design/14313-benchmark-format,
// and golang.org/x/perf/benchfmt, which benchstat reads it with):
//
//   - A result line is "BenchmarkNAME ITERATIONS VALUE UNIT [VALUE UNIT...]",
//     fields separated by white space: an even number of fields, at least
//     four. The name begins with "Benchmark" followed by an upper case
//     letter or the end of the field; the iteration count is an integer;
//     each value parses with strconv.ParseFloat; a unit is one field.
//   - A unit metadata line is "Unit UNIT KEY=VALUE...".
//   - In a name, "/" separates sub-benchmark parts ("/key=value"), and a
//     final "-DIGITS" is GOMAXPROCS.
var (
	benchLine = regexp.MustCompile(`^Benchmark(\p{Lu}\S*)?(\s+\S+)+$`)
	unitLine  = regexp.MustCompile(`^Unit\s+\S+(\s+[^=\s]+=\S+)+$`)
)

// checkBenchLine checks one result line against the format and returns its
// name and value per unit.
func checkBenchLine(t *testing.T, line string) (string, map[string]float64) {
	t.Helper()
	if !utf8.ValidString(line) || !benchLine.MatchString(line) {
		t.Fatalf("not a benchmark result line: %q", line)
	}
	f := strings.FieldsFunc(line, unicode.IsSpace)
	if len(f) < 4 || len(f)%2 != 0 {
		t.Fatalf("%d fields, want an even number >= 4: %q", len(f), line)
	}
	if n, err := strconv.Atoi(f[1]); err != nil || n < 1 {
		t.Errorf("iterations %q: want an integer >= 1", f[1])
	}
	values := map[string]float64{}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			t.Errorf("value %q of %s: %v", f[i], f[i+1], err)
		}
		values[f[i+1]] = v
	}
	return f[0], values
}

// benchParts splits a name as benchfmt's Name.Parts does: the base, the
// "/..." parts, and a final "-DIGITS" GOMAXPROCS part if any.
func benchParts(name string) (base string, parts []string, procs string) {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '-' && i < len(name)-1 {
			name, procs = name[:i], name[i:]
			break
		}
		if name[i] < '0' || name[i] > '9' {
			break
		}
	}
	all := strings.SplitAfter(name, "/")
	base = strings.TrimSuffix(all[0], "/")
	for _, p := range all[1:] {
		parts = append(parts, "/"+strings.TrimSuffix(p, "/"))
	}
	return base, parts, procs
}

func TestWriteBench(t *testing.T) {
	results := checkBaseline()
	gpu := results[0]
	gpu.Scenario, gpu.Strategy = "fgd synthetic", "fgd/best-fit-2"
	gpu.Placement = &sim.PlacementResult{GPUAllocRatio: 0.9123456789, Unschedulable: 3}
	results = append(results, gpu)

	var b bytes.Buffer
	if err := WriteBench(&b, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var got []string
	units := map[string]string{}
	for _, line := range lines {
		if strings.HasPrefix(line, "Unit") {
			if !unitLine.MatchString(line) {
				t.Errorf("not a unit metadata line: %q", line)
			}
			f := strings.Fields(line)
			units[f[1]] = f[2]
			continue
		}
		name, values := checkBenchLine(t, line)
		got = append(got, name)
		if len(values) != len(Flatten(&results[len(got)-1])) {
			t.Errorf("%s: %d values, want one per metric", name, len(values))
		}
		if i := len(got) - 1; values["latency_s.p99"] != results[i].Latency.P99 {
			t.Errorf("%s: p99 %v, want %v", name, values["latency_s.p99"], results[i].Latency.P99)
		}
	}
	want := []string{
		"BenchmarkFleetsim/scenario=default/strategy=random",
		"BenchmarkFleetsim/scenario=default/strategy=random",
		"BenchmarkFleetsim/scenario=default/strategy=p2c",
		"BenchmarkFleetsim/scenario=default/strategy=p2c",
		"BenchmarkFleetsim/scenario=fgd_synthetic/strategy=fgd_best-fit-2-1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("names:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Sub-benchmark keys survive the name's parsing; the appended -1 is
	// read as GOMAXPROCS, leaving the strategy whole.
	base, parts, procs := benchParts(want[4][len("Benchmark"):])
	if base != "Fleetsim" || strings.Join(parts, "") != "/scenario=fgd_synthetic/strategy=fgd_best-fit-2" || procs != "-1" {
		t.Errorf("parts of %s: %q %q %q", want[4], base, parts, procs)
	}
	if _, _, procs := benchParts(want[2][len("Benchmark"):]); procs != "" {
		t.Errorf("%s has a GOMAXPROCS part %q", want[2], procs)
	}

	for unit, want := range map[string]string{
		"latency_s.p99":             "better=lower",
		"throughput_per_s":          "better=higher",
		"placement.gpu_alloc_ratio": "better=higher",
		"placement.unschedulable":   "better=lower",
	} {
		if units[unit] != want {
			t.Errorf("Unit %s: %q, want %q", unit, units[unit], want)
		}
	}
	if _, ok := units["utilization"]; ok {
		t.Error("a unit line for utilization, which is neutral")
	}
	// Full precision: the value reads back exactly.
	if !strings.Contains(b.String(), " 0.9123456789 placement.gpu_alloc_ratio ") {
		t.Errorf("gpu_alloc_ratio not written in full:\n%s", b.String())
	}
}

func TestBenchName(t *testing.T) {
	for _, tc := range []struct{ scenario, strategy, want string }{
		{"default", "p2c", "BenchmarkFleetsim/scenario=default/strategy=p2c"},
		{"", "p2c", "BenchmarkFleetsim/strategy=p2c"},
		{"default", "power-of-d{d=3}", "BenchmarkFleetsim/scenario=default/strategy=power-of-d{d=3}"},
		{"default", "first-fit+sjf-oracle+easy", "BenchmarkFleetsim/scenario=default/strategy=first-fit+sjf-oracle+easy"},
		{"a\tb", "x y", "BenchmarkFleetsim/scenario=a_b/strategy=x_y"},
		{"s", "", "BenchmarkFleetsim/scenario=s/strategy=_"},
		{"s", "v-10", "BenchmarkFleetsim/scenario=s/strategy=v-10-1"},
		{"s", "v-", "BenchmarkFleetsim/scenario=s/strategy=v-"},
	} {
		if got := benchName(tc.scenario, tc.strategy); got != tc.want {
			t.Errorf("benchName(%q, %q) = %q, want %q", tc.scenario, tc.strategy, got, tc.want)
		}
	}
}
