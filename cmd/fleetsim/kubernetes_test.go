package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/sim"
)

// A Kubernetes scenario with a bad manifest: one line naming the manifest's
// file, line, object and field; exit 2; no output folder.
func TestKubernetesBadManifestExit2(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("nodes.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n0}\nstatus: {allocatable: {cpu: '4', memory: 8Gi}}\n")
	write("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 2 cpus}}\n")
	write("s.yaml", "stop: {time: 1h}\ncluster:\n  queueing: central\n  nodes_from: {path: nodes.yaml, format: kubernetes}\nworkload:\n  kubernetes: {path: pods.yaml}\nstrategies: [least-allocated]\n")
	out := filepath.Join(dir, "out")
	code, _, errs := fleetsim(t, "run", filepath.Join(dir, "s.yaml"), "--out", out)
	want := filepath.Join(dir, "pods.yaml") + `:7: Pod default/p: spec.containers[0].resources.requests.cpu: expected a quantity such as 500m, 2 or 4Gi, got "2 cpus"`
	if code != 2 || !strings.Contains(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("the output folder exists after a failed load: %v", err)
	}
}

// run --out on the embedded kubernetes scenario writes pods.csv with its
// documented header, one row per pod, every web pod running.
func TestKubernetesPodsCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, errs := fleetsim(t, "run", "kubernetes", "--out", out, "--no-plots"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(filepath.Join(out, "pods.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",")+"\n" != podsHeader {
		t.Fatalf("header %v", rows[0])
	}
	web := 0
	for _, r := range rows[1:] {
		if r[3] == "Deployment/web" && r[11] == "running" {
			web++
		}
	}
	// 80 pods and 6 replacements of preempted ones.
	if len(rows)-1 != 86 || web != 6 {
		t.Fatalf("%d rows, %d running web pods; want 86 and 6", len(rows)-1, web)
	}
}

// With controllers, run --out writes events.csv with its documented
// header, events in time order; a run without controllers writes none.
func TestKubernetesEventsCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	sc := filepath.Join("..", "..", "testdata", "scenarios", "kubernetes-controllers", "scenario.yaml")
	if code, _, errs := fleetsim(t, "run", sc, "--out", out, "--no-plots"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(filepath.Join(out, "events.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",")+"\n" != eventsHeader {
		t.Fatalf("header %v", rows[0])
	}
	last, seen := -1.0, map[string]int{}
	for _, r := range rows[1:] {
		ts, err := strconv.ParseFloat(r[2], 64)
		if err != nil || ts < last {
			t.Fatalf("row %v out of order", r)
		}
		last = ts
		seen[r[4]]++
	}
	// a-0 at 5 min and zone-b's two nodes at 25 min fail.
	if seen["NodeFailed"] != 3 || seen["RolloutComplete"] != 1 || seen["SuccessfulRescale"] == 0 || seen["ScaledUpGroup"] == 0 || seen["RemovingNode"] == 0 {
		t.Fatalf("events by reason %v", seen)
	}
	// Determinism with every controller on: the same bytes at another
	// GOMAXPROCS.
	prev := runtime.GOMAXPROCS(1)
	again := filepath.Join(t.TempDir(), "again")
	code, _, errs := fleetsim(t, "run", sc, "--out", again, "--no-plots")
	runtime.GOMAXPROCS(prev)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, name := range []string{"events.csv", "pods.csv", "timeline.csv", "windows.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if len(a) == 0 || string(a) != string(b) {
			t.Fatalf("%s differs between GOMAXPROCS %d and 1 (%d and %d bytes)", name, prev, len(a), len(b))
		}
	}
	out2 := filepath.Join(t.TempDir(), "out")
	if code, _, errs := fleetsim(t, "run", "kubernetes", "--out", out2, "--no-plots"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(out2, "events.csv")); !os.IsNotExist(err) {
		t.Fatalf("events.csv without controllers: %v", err)
	}
}

// With controllers, run --out writes timeline.csv and windows.csv, plots
// the timeline, and the report has a Kubernetes controllers section with
// it. The scenario's windows, from its events: a-0 fails at 5 min and is
// back at 45 min; web's rollout at 15 min completes 72 s later (its
// rollout_s, docs/kubernetes.md); zone-b fails at 25 min and is never
// back (its window ends at the stop, 1 h). A damaged timeline.csv makes
// the report fail naming the line and field.
func TestKubernetesTimelineReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	sc := filepath.Join("..", "..", "testdata", "scenarios", "kubernetes-controllers", "scenario.yaml")
	if code, _, errs := fleetsim(t, "run", sc, "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	w, err := os.ReadFile(filepath.Join(out, "windows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := reports.WindowsHeader + "least-allocated,1,300,2700,node failure,a-0\nleast-allocated,1,900,972,rollout,web\nleast-allocated,1,1500,3600,zone outage,zone-b\n"
	if string(w) != want {
		t.Errorf("windows.csv:\n%s\nwant\n%s", w, want)
	}
	f, err := os.Open(filepath.Join(out, "timeline.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := reports.ReadTimeline(f, "timeline.csv")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// 1 h sampled every 2 s (3600 / 1000 rounded down to 1, 2 or 5 × 10^k
	// s): 1801 samples of 5 series (web's Ready and replicas, pending,
	// nodes, cost).
	if len(rows) != 1801*5 {
		t.Errorf("%d timeline rows, want %d", len(rows), 1801*5)
	}
	if _, err := os.Stat(filepath.Join(out, "plots", "timeline-0-kube-default_least-allocated_.png")); err != nil {
		t.Errorf("no timeline plot: %v", err)
	}
	if code, _, errs := fleetsim(t, "report", out); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	sec := strings.Index(string(html), "<h2>Kubernetes controllers</h2>")
	if sec < 0 || !strings.Contains(string(html[sec:]), "Ready pods per Deployment, pods pending and machines up") {
		t.Errorf("report.html has no Kubernetes controllers section with the timeline")
	}
	// Its tables: web's rollout of 72 s, its recoveries (summary.json's
	// controllers block, as docs/kubernetes.md shows it), and the burst group
	// (0.2 per hour): burst-0 from 0 to 3320 s, burst-1 from 1220 to 3320 s,
	// and, requested at 1860 s for the pending web pods and the report Job's
	// replacement, burst-2 to 3320 s and burst-3 to the end: 8620 s, 0.4789.
	if sec < 0 || !strings.Contains(string(html[sec:]), `<td>web</td><td class="num">3</td><td class="num">3</td><td class="num">0</td><td class="num">72</td><td class="num">4</td><td>360, 493</td>`) ||
		!strings.Contains(string(html[sec:]), `<td>burst</td><td class="num">1</td><td class="num">4</td><td class="num">3</td><td class="num">3</td><td class="num">0.4789</td>`) {
		t.Errorf("report.html's Kubernetes controllers section lacks the Deployment or node group rows")
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.CopyFS(bad, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "timeline.csv"), []byte(reports.TimelineHeader+"least-allocated,1,0,ready:web,many\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := fleetsim(t, "report", bad)
	if code == 0 || !strings.Contains(errs, `timeline.csv: line 2: field value: expected a number >= 0, got "many"`) {
		t.Errorf("report of a bad timeline.csv: exit %d: %s", code, errs)
	}
}

// A two-level strategy entry ({placement, balancer}) is labelled
// "kube-default(least-allocated)/p2c" in the results and
// "least-allocated/p2c" in timeline.csv: the report must still find the
// run's timeline and draw it.
func TestKubernetesTimelineReportTwoLevel(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "scenarios", "kubernetes-controllers")
	m, err := os.ReadFile(filepath.Join(src, "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifests.yaml"), m, 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := os.ReadFile(filepath.Join(src, "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	two := strings.Replace(string(sc), "strategies: [least-allocated, most-allocated]",
		"  requests:\n    - {service: web, arrivals: {process: poisson, rate: 5}, service_time: {dist: exponential, mean: 50ms}}\n"+
			"stop: {time: 10m}\nstrategies: [{placement: least-allocated, balancer: p2c}]", 1)
	two = strings.Replace(two, "stop: {time: 1h}\n", "", 1)
	if two == string(sc) {
		t.Fatal("scenario.yaml changed: the strategies line to replace is gone")
	}
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(two), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, errs := fleetsim(t, "run", filepath.Join(dir, "scenario.yaml"), "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "plots", "timeline-0-kube-default_least-allocated__p2c.png")); err != nil {
		t.Errorf("no timeline plot for the two-level entry: %v", err)
	}
	// The requests' latency distribution is drawn per Service, and it is
	// the Service's: its 0.5 and 0.99 levels are the quantiles the
	// services block reports (one histogram, sampled twice).
	if _, err := os.Stat(filepath.Join(out, "plots", "request-cdf-web.png")); err != nil {
		t.Errorf("no request latency plot for Service web: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Results []sim.Result `json:"results"`
	}
	if err := json.Unmarshal(raw, &sum); err != nil || len(sum.Results) != 1 {
		t.Fatalf("summary.json: %v, %d results", err, len(sum.Results))
	}
	r := sum.Results[0]
	cdf, web := r.RequestCDFs["web"], r.Kubernetes.Services["web"]
	if len(cdf) == 0 || web.Served == 0 {
		t.Fatalf("no request CDF (%d points) or nothing served (%d)", len(cdf), web.Served)
	}
	at := func(q float64) float64 {
		for _, p := range cdf {
			if p.Fraction == q {
				return p.Value
			}
		}
		t.Fatalf("no CDF level %v", q)
		return 0
	}
	if at(0.5) != web.LatencyS.P50 || at(0.99) != web.LatencyS.P99 || cdf[len(cdf)-1].Fraction != 1 {
		t.Errorf("request CDF p50 %v p99 %v last level %v; services block p50 %v p99 %v",
			at(0.5), at(0.99), cdf[len(cdf)-1].Fraction, web.LatencyS.P50, web.LatencyS.P99)
	}
	// run --json prints no CDF, as before.
	if code, stdout, errs := fleetsim(t, "run", filepath.Join(dir, "scenario.yaml"), "--json"); code != 0 || strings.Contains(stdout, "latency_cdf") {
		t.Errorf("run --json: exit %d (%s), CDF printed: %v", code, errs, strings.Contains(stdout, "latency_cdf"))
	}
}

// Under the control loops a placement strategy cannot be the profile's
// resource scorer: the loops schedule their pods outside the engine's
// placement step, where the strategy has no view or task to score (fgd
// and best-fit dereferenced nil and crashed). Refused, one line, exit 2:
// from -s, and from the scenario file with its line and field.
func TestKubernetesControllersRefusePlacementScorer(t *testing.T) {
	sc := filepath.Join("..", "..", "testdata", "scenarios", "kubernetes-controllers", "scenario.yaml")
	for _, s := range []string{"fgd", "best-fit", "least-allocated{ties=index}"} {
		code, _, errs := fleetsim(t, "run", sc, "-s", s)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != exitBadInput || len(lines) != 1 || !strings.Contains(errs, "expected least-allocated or most-allocated with workload.kubernetes.controllers: true") {
			t.Errorf("-s %s: exit %d, stderr %q; want exit 2 and one line", s, code, errs)
		}
	}
	dir := t.TempDir()
	src := filepath.Dir(sc)
	m, err := os.ReadFile(filepath.Join(src, "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifests.yaml"), m, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sc)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "strategies: [least-allocated, most-allocated]", "strategies: [least-allocated, fgd]", 1)
	line := strings.Count(text[:strings.Index(text, "strategies:")], "\n") + 1
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := fleetsim(t, "run", filepath.Join(dir, "scenario.yaml"))
	col := strings.Index(text[strings.Index(text, "strategies:"):], "fgd") + 1
	want := fmt.Sprintf("scenario.yaml:%d:%d: strategies[1]: expected least-allocated or most-allocated with workload.kubernetes.controllers: true", line, col)
	if code != exitBadInput || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, want) {
		t.Errorf("scenario file: exit %d, stderr %q; want exit 2 and %q", code, errs, want)
	}
}
