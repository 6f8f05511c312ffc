package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
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
	for _, name := range []string{"events.csv", "pods.csv"} {
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
