package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/scenario"
)

// fleetsim runs the CLI in-process and returns its exit code and output.
func fleetsim(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestCompareDefaultScenario: compare with no scenario prints issue 5's
// strategy table: every seed strategy plus random and p2c, with the
// measured decision cost, fault impact and cost columns.
func TestCompareDefaultScenario(t *testing.T) {
	code, out, errs := fleetsim(t, "compare", "--tasks", "20000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, s := range []string{"round-robin", "weighted-round-robin", "least-connections", "geo", "resource-based", "adaptive",
		"least-request", "consistent-hash", "queue", "random", "p2c",
		"decision (ns)", "state (B/node)", "p50 (s)", "p99 (s)", "throughput (/s)", "failed in fault", "p99 in fault (s)", "cost ($)", "node-hours",
		"us-large-2 fails at 10m0s for 5m0s"} {
		if !strings.Contains(out, s) {
			t.Errorf("compare output lacks %q:\n%s", s, out)
		}
	}
	if errs != "" {
		t.Errorf("unexpected stderr: %q", errs)
	}
}

// wallFields are the only fields that measure the machine, not the model.
var wallFields = regexp.MustCompile(`"(wall_s|events_per_s|decision_ns|state_bytes_per_node)": [0-9.eE+-]+`)

// TestDeterministicAcrossGOMAXPROCS checks rule 1 of the design: the same
// scenario and seed give byte-identical JSON (wall-clock fields aside)
// whether runs share one core or spread over eight; the default scenario
// too, with its failure, retries, timeouts, health checks, autoscaler and
// network.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	var outs []string
	// The default scenario with its failure moved into the first 75 s.
	def, err := scenario.LoadEmbedded("default")
	if err != nil {
		t.Fatal(err)
	}
	early := filepath.Join(t.TempDir(), "default-early.yaml")
	if err := os.WriteFile(early, bytes.Replace(def.YAML, []byte("at: 10m, for: 5m"), []byte("at: 20s, for: 30s"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []string{early, "bursty"} {
		outs = outs[:0]
		for _, procs := range []int{1, 8} {
			runtime.GOMAXPROCS(procs)
			code, out, errs := fleetsim(t, "compare", sc, "--tasks", "30000", "--format", "json")
			if code != 0 {
				t.Fatalf("GOMAXPROCS=%d: exit %d: %s", procs, code, errs)
			}
			outs = append(outs, wallFields.ReplaceAllString(out, `"$1": 0`))
		}
		if sc == early && !strings.Contains(outs[0], `"failures": 1`) {
			t.Fatalf("the early failure did not happen:\n%s", outs[0])
		}
		if outs[0] != outs[1] {
			t.Fatalf("%s: JSON differs between GOMAXPROCS 1 and 8:\n%s\n---\n%s", sc, outs[0], outs[1])
		}
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(outs[0]), &results); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scenario", "strategy", "seed", "tasks", "latency_s", "wait_s", "throughput_per_s", "makespan_s", "utilization", "imbalance_cov", "engine"} {
		if _, ok := results[0][k]; !ok {
			t.Errorf("JSON lacks the contract's field %q", k)
		}
	}
}

func TestRunJSONAndRecords(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "records.csv")
	code, out, errs := fleetsim(t, "run", "homogeneous", "-s", "p2c", "--tasks", "5000", "--json", "--records", rec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Strategy string `json:"strategy"`
		Tasks    struct {
			Arrived, Completed, Warmup int64
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if r.Strategy != "p2c" || r.Tasks.Arrived+r.Tasks.Warmup != 5000 || r.Tasks.Completed != r.Tasks.Arrived {
		t.Errorf("unexpected result %+v", r)
	}
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "id,arrival,start,finish,node,wait,latency,status,warmup,gpus" || len(lines) != 5001 {
		t.Errorf("records: header %q and %d lines, want the header and 5000 rows", lines[0], len(lines))
	}
}

// TestBadInputOneLineExit2 checks each bad input gives one clear error line
// naming file, line and field, exit code 2, no panic and no output file.
func TestBadInputOneLineExit2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // substring of the one error line
	}{
		{"malformed trace line", []string{"run", "../../testdata/cli/bad-trace.yaml"},
			`bad-trace.csv:4: column duration: expected`},
		{"bad scenario field", []string{"run", "../../testdata/cli/bad-field.yaml"},
			`bad-field.yaml:7:14: cluster.nodes[0].slots: expected an integer >= 1, got -1`},
		{"unknown strategy in scenario", []string{"run", "../../testdata/cli/unknown-strategy.yaml"},
			`unknown-strategy.yaml:9:27: strategies[1]: unknown strategy "least-latency"`},
		{"requests to an unknown Service", []string{"run", "../../testdata/cli/requests-unknown-service.yaml"},
			`requests-unknown-service.yaml:9: workload.requests[0].service: no Service "api" in the manifests (Services: web)`},
		{"a Service selecting no Deployment", []string{"run", "../../testdata/cli/service-no-deployment.yaml"},
			`service-no-deployment-manifests.yaml:16: Service default/api: spec.selector: selects no Deployment's pods`},
		{"an HPA on a missing target", []string{"run", "../../testdata/cli/hpa-missing-target.yaml"},
			`hpa-missing-target-manifests.yaml:23: HorizontalPodAutoscaler default/api: spec.scaleTargetRef.name: no Deployment "api" in namespace default`},
		{"unknown strategy flag", []string{"run", "-s", "least-latency"},
			`unknown strategy "least-latency"`},
		{"unknown scenario", []string{"compare", "no-such-scenario"},
			`no-such-scenario`},
		{"bad format", []string{"compare", "--format", "xml"},
			`--format: unknown format "xml"`},
		{"openb pod asks for an unknown GPU model", []string{"run", "../../testdata/cli/openb-unknown-model.yaml"},
			`openb-unknown-model.csv:3: column gpu_spec: expected a GPU model some node has, got "A100"`},
		{"openb GPU share over 1000 milli", []string{"run", "../../testdata/cli/openb-share-over.yaml"},
			`openb-share-over.csv:3:19: column gpu_milli: GPU share over 1000 milli`},
		{"openb negative size", []string{"run", "../../testdata/cli/openb-negative.yaml"},
			`openb-negative.csv:3:7: column cpu_milli: expected a non-negative whole number of milli-cores, got "-4000"`},
		{"openb missing column", []string{"run", "../../testdata/cli/openb-missing-column.yaml"},
			`openb-missing-column.csv:1: column num_gpu: missing required column`},
		{"a cycle in a workflow", []string{"run", "../../testdata/cli/wf-cycle.yaml"},
			`wf-cycle.csv:3: column parents: task 2 names parent 3, which is not an earlier task of workflow "w"`},
		{"a parent that never appears", []string{"run", "../../testdata/cli/wf-missing-parent.yaml"},
			`wf-missing-parent.csv:4: column parents: task 3 names parent 7, which is not an earlier task`},
		{"a gang larger than the cluster", []string{"run", gangTooBig(t)},
			`gang-too-big.swf:3: column nodes: task 2 asks for a gang of 64 nodes; the cluster has 16`},
		{"an unsupported WfFormat schema version", []string{"run", "../../testdata/cli/wf-old-schema.yaml"},
			`wf-old-schema.json: column schemaVersion: unsupported WfFormat schema version "1.3"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rec := filepath.Join(dir, "records.csv")
			args := append(append([]string{}, c.args...), "--records", rec)
			if c.args[0] == "compare" {
				args = c.args
			}
			code, out, errs := fleetsim(t, args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "fleetsim: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr %q, want one line containing %q", errs, c.want)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left files behind: %v", entries)
			}
		})
	}
}

// gangTooBig writes, into a temporary folder, a scenario of 16 one-CPU
// nodes whose SWF trace (two jobs, written here rather than kept as a .swf
// file in the repository) has a second job asking for 64 processors, one
// node each: a gang larger than the cluster. It returns the scenario's path.
func gangTooBig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"gang-too-big.yaml": `name: gang-too-big
cluster:
  queueing: central
  nodes:
    - {group: n, count: 16, cpu: 1, memory: 1Gi}
workload:
  trace: {path: gang-too-big.swf}
  procs_per_node: 1
strategies: [first-fit]
`,
		"gang-too-big.swf": `; two jobs, the second asks for more processors than the cluster has nodes
1 0 0 10 4 -1 -1 4 20 -1 1 1 1 1 1 1 -1 -1
2 5 0 10 64 -1 -1 64 20 -1 1 1 1 1 1 1 -1 -1
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "gang-too-big.yaml")
}

// TestInterruptStopsCleanly sends the process SIGINT during a long run: the
// CLI stops, says where the run stood, exits 130 and leaves no records file.
func TestInterruptStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "records.csv")
	go func() {
		time.Sleep(300 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGINT)
	}()
	code, _, errs := fleetsim(t, "run", "homogeneous", "-s", "jsq", "--tasks", "200000000", "--records", rec)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitInterrupted, errs)
	}
	if !strings.Contains(errs, "interrupted") || !strings.Contains(errs, "jsq stopped at simulated time") {
		t.Errorf("stderr does not say what was done: %q", errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left files behind: %v", entries)
	}
}

func TestListings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"strategies"}, "power-of-d"},
		{[]string{"scenarios"}, "homogeneous"},
		{[]string{"version"}, "fleetsim "},
	} {
		code, out, errs := fleetsim(t, c.args...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s%s", c.args, code, c.want, out, errs)
		}
	}
}

func TestTraceGenAndStats(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gen.csv")
	if code, _, errs := fleetsim(t, "trace", "gen", "homogeneous", "-n", "20000", "-o", path); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, errs)
	}
	code, out, errs := fleetsim(t, "trace", "stats", path, "--json")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, errs)
	}
	var st map[string]float64
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	// homogeneous: Poisson at 90/s, exponential service of mean 1 s. With
	// 20,000 samples the relative standard error of a mean is 1/√20000 ≈
	// 0.7 %; 5 standard errors give the 3.5 % tolerance.
	const tol = 5 / 141.42
	if st["tasks"] != 20000 || abs(st["rate_per_s"]/90-1) > tol || abs(st["duration_mean_s"]-1) > tol || abs(st["interarrival_cv"]-1) > 2*tol {
		t.Errorf("stats of a Poisson(90)/Exp(1) trace: %v", st)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
