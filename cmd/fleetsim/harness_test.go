package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/reports"
)

// TestOutFolder runs compare with --seeds and --out and reads every file
// back: the summary's aggregates against Student's t interval worked from
// its own runs, the series' layout, the records' count, the plots, and no
// temporary file left behind.
func TestOutFolder(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := fleetsim(t, "compare", "homogeneous", "--tasks", "4000", "--seeds", "3", "--strategies", "random,jsq",
		"--out", dir, "--out-records")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	results, sum, err := reports.ReadResults(filepath.Join(dir, summaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if sum == nil || len(results) != 6 || len(sum.Aggregates) != 2 || len(sum.Scenario.Seeds) != 3 {
		t.Fatalf("summary: %d results, %d aggregates, seeds %v; want 6, 2, 3 seeds", len(results), len(sum.Aggregates), sum.Scenario.Seeds)
	}
	// Mean ± t(0.975, 2)·s/√3 with t(0.975, 2) = 4.302652729911275 (tables).
	var xs []float64
	for _, r := range results[:3] {
		xs = append(xs, r.Latency.P99)
	}
	mean := (xs[0] + xs[1] + xs[2]) / 3
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	half := 4.302652729911275 * math.Sqrt(ss/2) / math.Sqrt(3)
	got, ok := sum.Aggregates[0].Lookup("latency_s.p99")
	if !ok || math.Abs(got.Mean-mean) > 1e-12*mean || math.Abs(got.CI95-half) > 1e-9*half {
		t.Errorf("random p99 = %v ± %v, want %v ± %v", got.Mean, got.CI95, mean, half)
	}
	if len(results[0].LatencyCDF) < 100 {
		t.Errorf("summary result has %d CDF points, want >= 100", len(results[0].LatencyCDF))
	}

	f, err := os.Open(filepath.Join(dir, seriesFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := reports.ReadSeries(f, seriesFile, nil)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	perRun := map[string]int{}
	for _, r := range rows {
		if r.Node == reports.ClusterNode {
			perRun[r.Strategy+"/"+strconv.FormatUint(r.Seed, 10)]++
		}
	}
	if len(perRun) != 6 {
		t.Errorf("series has cluster rows for %d runs, want 6: %v", len(perRun), perRun)
	}

	recs := readCSV(t, filepath.Join(dir, recordsFile))
	var want int64
	for _, r := range results {
		want += r.Tasks.Arrived + r.Tasks.Warmup
	}
	if int64(len(recs)-1) != want || strings.Join(recs[0], ",")+"\n" != reports.LabeledRecordsHeader {
		t.Errorf("records.csv: %d rows, header %v; want %d rows under %q", len(recs)-1, recs[0], want, reports.LabeledRecordsHeader)
	}
	for _, name := range []string{"latency-cdf", "queue-length", "bar-latency_s-p99", "utilization-0-random"} {
		for _, ext := range []string{".svg", ".png"} {
			if _, err := os.Stat(filepath.Join(dir, plotsDir, name+ext)); err != nil {
				t.Errorf("plot missing: %v", err)
			}
		}
	}
	assertNoTemp(t, dir)
}

// assertNoTemp fails when a temporary or part file is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			t.Errorf("temporary file left behind: %s", path)
		}
		return nil
	})
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCheckPlantedRegression: a rerun of the baseline passes (exit 0);
// the same results with one strategy's p99 latency 10 % higher fail (exit
// 1) under the default 5 % tolerance, and the table names the metric.
func TestCheckPlantedRegression(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	code, out, errs := fleetsim(t, "compare", "homogeneous", "--tasks", "5000", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	os.WriteFile(base, []byte(out), 0o644)

	code, out, errs = fleetsim(t, "check", "--baseline", base, "--scenario", "homogeneous", "--tasks", "5000")
	if code != 0 {
		t.Fatalf("rerun of the baseline: exit %d\n%s%s", code, out, errs)
	}

	var rs []map[string]any
	if err := json.Unmarshal(mustRead(t, base), &rs); err != nil {
		t.Fatal(err)
	}
	lat := rs[1]["latency_s"].(map[string]any)
	lat["p99"] = lat["p99"].(float64) * 1.10
	cur := filepath.Join(dir, "cur.json")
	b, _ := json.Marshal(rs)
	os.WriteFile(cur, b, 0o644)
	code, out, errs = fleetsim(t, "check", "--baseline", base, "--current", cur)
	if code != exitRegression {
		t.Fatalf("planted regression: exit %d, want %d\n%s%s", code, exitRegression, out, errs)
	}
	if !regexp.MustCompile(`round-robin\s+│\s+latency_s\.p99\s.*REGRESSION`).MatchString(out) {
		t.Errorf("the table does not name round-robin's latency_s.p99 as a regression:\n%s", out)
	}
	// A looser tolerance lets it pass.
	code, out, _ = fleetsim(t, "check", "--baseline", base, "--current", cur, "--tolerance", "latency_s.p99=12%")
	if code != 0 {
		t.Errorf("with a 12%% tolerance: exit %d\n%s", code, out)
	}
	code, out, _ = fleetsim(t, "check", "--baseline", base, "--current", cur, "--format", "bench")
	if code != exitRegression || !strings.Contains(out, "BenchmarkFleetsim/scenario=homogeneous/strategy=round-robin 1 ") {
		t.Errorf("--format bench: exit %d\n%s", code, out)
	}
}

// TestCheckRefusesOtherRuns: check exits 2 with one line saying why when
// the two sides are not the same runs (issue 16): a baseline of 3,000
// tasks against the scenario's own 500,000 (refused before running), or
// another scenario, or another number of arrived tasks; and it reads the
// aggregates of compare --seeds 2 --format json, which it checks against a
// rerun as equal.
func TestCheckRefusesOtherRuns(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, args ...string) string {
		t.Helper()
		code, out, errs := fleetsim(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(out), 0o644)
		return path
	}
	code, _, errs := fleetsim(t, "compare", "homogeneous", "--tasks", "3000", "--strategies", "p2c,random", "--out", filepath.Join(dir, "base"), "--no-plots")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	summary := filepath.Join(dir, "base", summaryFile)
	runs3k := write("3k.json", "compare", "homogeneous", "--tasks", "3000", "--strategies", "p2c,random", "--format", "json")
	runs5k := write("5k.json", "compare", "homogeneous", "--tasks", "5000", "--strategies", "p2c,random", "--format", "json")
	speeds := write("speeds.json", "compare", "speeds", "--tasks", "3000", "--strategies", "p2c,random", "--format", "json")
	agg := write("agg.json", "compare", "homogeneous", "--tasks", "3000", "--strategies", "p2c,random", "--seeds", "2", "--format", "json")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"stop", []string{"--baseline", summary, "--scenario", "homogeneous"}, "stops at"},
		// run --json has no stop field: the arrivals tell, before running 500,000 tasks.
		{"stop from arrivals", []string{"--baseline", runs3k, "--scenario", "homogeneous"}, "3000 tasks arrived in the baseline's p2c run"},
		{"scenario", []string{"--baseline", runs3k, "--scenario", "speeds", "--tasks", "3000"}, "the baseline is of scenario homogeneous"},
		{"scenario files", []string{"--baseline", runs3k, "--current", speeds}, "the baseline is of scenario homogeneous, the current results of speeds"},
		{"arrivals", []string{"--baseline", runs3k, "--current", runs5k}, "tasks arrived in the baseline"},
	} {
		code, out, errs := fleetsim(t, append([]string{"check"}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 2 and one line with %q", tc.name, code, errs, out, tc.want)
		}
	}

	code, out, errs := fleetsim(t, "check", "--baseline", agg, "--current", agg)
	if code != 0 || strings.Contains(out, "MISSING") || !strings.Contains(out, "aggregates") {
		t.Errorf("aggregates against themselves: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = fleetsim(t, "check", "--baseline", agg, "--scenario", "homogeneous", "--tasks", "3000")
	if code != 0 {
		t.Errorf("aggregates against a rerun: exit %d\n%s%s", code, out, errs)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSweepShardsMerge: a sweep run as three shards and merged equals the
// unsharded sweep byte for byte (sweep.csv and sweep.json); merge refuses
// an incomplete or repeated set of shards.
func TestSweepShardsMerge(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sweep", "homogeneous", "--set", "workload.arrivals.rate=30,45", "--set", "cluster.nodes[0].count=40,50",
		"--seeds", "2", "--strategies", "random,p2c", "--tasks", "3000", "--no-plots"}
	whole := filepath.Join(dir, "whole")
	if code, _, errs := fleetsim(t, append(args, "-o", whole)...); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	var shards []string
	for i := 0; i < 3; i++ {
		d := filepath.Join(dir, "shard"+strconv.Itoa(i))
		if code, _, errs := fleetsim(t, append(args, "-o", d, "--shard", strconv.Itoa(i)+"/3")...); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, errs)
		}
		shards = append(shards, d)
	}
	merged := filepath.Join(dir, "merged")
	if code, _, errs := fleetsim(t, append([]string{"merge", "--no-plots", "-o", merged}, shards[2], shards[0], shards[1])...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	for _, name := range []string{sweepFile, sweepManifest} {
		a, b := mustRead(t, filepath.Join(whole, name)), mustRead(t, filepath.Join(merged, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: merged shards differ from the unsharded sweep", name)
		}
	}
	recs := readCSV(t, filepath.Join(whole, sweepFile))
	if len(recs) != 1+2*2*2*2 {
		t.Errorf("sweep.csv has %d rows, want 16 runs + header", len(recs))
	}
	if code, _, errs := fleetsim(t, "merge", "-o", filepath.Join(dir, "bad"), shards[0], shards[1]); code != exitBadInput || !strings.Contains(errs, "missing shards: 2/3") {
		t.Errorf("merge of 2 of 3 shards: exit %d, %q", code, errs)
	}
	if code, _, errs := fleetsim(t, "merge", "-o", filepath.Join(dir, "bad"), shards[0], shards[1], shards[1]); code != exitBadInput || !strings.Contains(errs, "given twice") {
		t.Errorf("merge with a repeated shard: exit %d, %q", code, errs)
	}
}

// TestReportHTML builds the report of an output folder and of a sweep and
// checks each is well-formed, self-contained and holds every plot.
func TestReportHTML(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if code, _, errs := fleetsim(t, "compare", "homogeneous", "--tasks", "3000", "--seeds", "2", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := fleetsim(t, "report", out); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	svgs, _ := filepath.Glob(filepath.Join(out, plotsDir, "*.svg"))
	checkHTML(t, filepath.Join(out, reportFile), len(svgs))

	file := filepath.Join(dir, "cmp.html")
	if code, _, errs := fleetsim(t, "compare", "batch", "--tasks", "2000", "--report", file); code != 0 {
		t.Fatalf("compare --report: exit %d: %s", code, errs)
	}
	checkHTML(t, file, 0)

	sw := filepath.Join(dir, "sweep")
	if code, _, errs := fleetsim(t, "sweep", "homogeneous", "--set", "workload.arrivals.rate=30,45", "--tasks", "2000", "-o", sw); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	if code, _, errs := fleetsim(t, "report", sw); code != 0 {
		t.Fatalf("report of a sweep: exit %d: %s", code, errs)
	}
	svgs, _ = filepath.Glob(filepath.Join(sw, plotsDir, "*.svg"))
	checkHTML(t, filepath.Join(sw, reportFile), len(svgs))
}

var urlAttr = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)

// checkHTML parses a report as XML (WriteHTML writes well-formed markup),
// counts its <svg> elements (at least wantSVG, or at least one when 0),
// and looks for anything that would reach the network or run.
func checkHTML(t *testing.T, path string, wantSVG int) {
	t.Helper()
	data := mustRead(t, path)
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	svg := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch strings.ToLower(se.Name.Local) {
			case "svg":
				svg++
			case "script", "link", "iframe", "img":
				t.Errorf("%s has a <%s> element", path, se.Name.Local)
			}
		}
	}
	if svg < max(wantSVG, 1) {
		t.Errorf("%s has %d <svg> elements, want at least %d", path, svg, max(wantSVG, 1))
	}
	rest := regexp.MustCompile(`xmlns(:\w+)?="[^"]*"`).ReplaceAll(data, nil)
	if m := urlAttr.Find(rest); m != nil {
		t.Errorf("%s refers to the network: %s", path, m)
	}
	for _, s := range []string{"fleetsim", "<table", "scenario"} {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("%s lacks %q", path, s)
		}
	}
}
