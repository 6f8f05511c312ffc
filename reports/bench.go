package reports

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/fleetsim/fleetsim/sim"
)

// WriteBench writes results in the Go benchmark format
// (https://go.dev/design/14313-benchmark-format), so that benchstat can
// compare two sets of runs:
//
//	Unit latency_s.p99 better=lower
//	Unit throughput_per_s better=higher
//	BenchmarkFleetsim/scenario=default/strategy=p2c 1 2.63 latency_s.mean 12.1 latency_s.p99 ... 84.9 throughput_per_s ...
//
// Each result is one line, so a strategy's seeds are benchstat's
// repeated measurements of one benchmark; the iteration count is 1; each
// metric Flatten lists is a value with the metric's name as its unit.
// Unit lines first give each metric with a direction its better=lower or
// better=higher (MetricDirection).
//
// Scenario and strategy go into the name as sub-benchmark keys (benchstat
// -col /strategy), with white space and '/' replaced by '_'. A name that
// would end in -DIGITS (a strategy "x-2") gets "-1" appended, since the
// format reads a final -DIGITS as GOMAXPROCS.
func WriteBench(w io.Writer, results []sim.Result) error {
	bw := bufio.NewWriter(w)
	seen := map[string]bool{}
	for i := range results {
		for _, m := range Flatten(&results[i]) {
			if seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			switch MetricDirection(m.Name) {
			case LowerIsBetter:
				bw.WriteString("Unit " + m.Name + " better=lower\n")
			case HigherIsBetter:
				bw.WriteString("Unit " + m.Name + " better=higher\n")
			}
		}
	}
	for i := range results {
		r := &results[i]
		bw.WriteString(benchName(r.Scenario, r.Strategy))
		bw.WriteString(" 1")
		for _, m := range Flatten(r) {
			bw.WriteByte(' ')
			bw.WriteString(strconv.FormatFloat(m.Value, 'g', -1, 64))
			bw.WriteByte(' ')
			bw.WriteString(m.Name)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// benchName is the benchmark name WriteBench gives a scenario's strategy:
// "BenchmarkFleetsim/scenario=default/strategy=p2c" (without the scenario
// part when it is empty).
func benchName(scenario, strategy string) string {
	name := "BenchmarkFleetsim"
	if scenario != "" {
		name += "/scenario=" + benchPart(scenario)
	}
	name += "/strategy=" + benchPart(strategy)
	// A final -DIGITS would be read as GOMAXPROCS.
	if i := strings.LastIndexByte(name, '-'); i >= 0 && i < len(name)-1 &&
		strings.IndexFunc(name[i+1:], func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		name += "-1"
	}
	return name
}

// benchPart makes s fit in one sub-benchmark part: no white space, no '/'.
func benchPart(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, s)
}
