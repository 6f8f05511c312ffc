package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// readTrace reads every task of a trace file.
func readTrace(t *testing.T, path, format string) []sim.Task {
	t.Helper()
	src, c, err := traces.Open(path, format)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tasks []sim.Task
	for {
		var task sim.Task
		err := src.Next(&task)
		if err == io.EOF {
			return tasks
		}
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
	}
}

// TestTraceConvertFixtures converts the traces package's openb and SWF
// fixtures to each native format and checks that the output reads back to
// the very tasks the input's reader gives.
func TestTraceConvertFixtures(t *testing.T) {
	for _, tc := range []struct {
		name, in, from, out string
		args                []string
		note                string // on standard error
	}{
		{"openb to csv", "openb_pods.csv", "openb", "pods.csv", nil, ""},
		{"openb to gzipped jsonl", "openb_pods.csv", "openb", "pods.jsonl.gz", nil, ""},
		{"five-column openb", "openb_pods_5col.csv", "openb", "multi.csv", nil, "has no timestamps"},
		{"swf to jsonl by extension", kthLog, "", "kth.ndjson", nil, "skipped 1 job whose processors, run time or submit time are unknown"},
		{"swf to csv by --to", kthLog, "swf", "kth.out", []string{"--to", "csv"}, "skipped 1 job"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join("..", "..", "traces", "testdata", tc.in)
			if tc.in == kthLog {
				in = sharedTrace(t, kthLog)
			}
			out := filepath.Join(t.TempDir(), tc.out)
			args := append([]string{"trace", "convert", in, out}, tc.args...)
			if tc.from != "" {
				args = append(args, "--from", tc.from)
			}
			code, stdout, stderr := fleetsim(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != "" || !strings.Contains(stderr, tc.note) || tc.note == "" && stderr != "" {
				t.Errorf("stdout %q, stderr %q; want no output and a note %q", stdout, stderr, tc.note)
			}
			want := readTrace(t, in, tc.from)
			format := ""
			if len(tc.args) > 0 {
				format = tc.args[1]
			}
			if got := readTrace(t, out, format); !reflect.DeepEqual(got, want) {
				t.Errorf("converted\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestTraceConvertToStdout writes JSONL to standard output with OUT "-".
func TestTraceConvertToStdout(t *testing.T) {
	code, stdout, stderr := fleetsim(t, "trace", "convert", sharedTrace(t, kthLog), "-", "--to", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout, "\n")
	// KTH job 15, the first the archive's cleaning kept.
	const want = `{"id":15,"arrival":599850,"duration":3477,"cpu":4,"tenant":"u12","estimate":53940}`
	if first != want {
		t.Errorf("first line %s, want %s", first, want)
	}
}

// TestTraceConvertBadInput checks that bad input ends convert with one
// line naming the file, line and column, exit code 2, and no OUT file (nor
// a temporary one) left behind.
func TestTraceConvertBadInput(t *testing.T) {
	const head = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
	for _, tc := range []struct {
		name, file, data string
		args             []string
		want             string
	}{
		{"GPU share over 1000 milli", "bad.csv", head + "p0,1000,1024,1,500,,LS,Running,0,10,0\np1,1000,1024,1,1500,,LS,Running,1,10,1\n",
			[]string{"--from", "openb"}, `bad.csv:3:16: column gpu_milli: GPU share over 1000 milli: got "1500"`},
		{"negative size", "bad.csv", head + "p0,1000,-1024,0,0,,LS,Running,0,10,0\n",
			[]string{"--from", "openb"}, `bad.csv:2:9: column memory_mib: expected a non-negative whole number of MiB, got "-1024" (negative)`},
		{"non-numeric SWF field", "bad.swf", "; MaxProcs: 4\n1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 1 -1 x 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			nil, `bad.swf:3:8: column run_time: field 4: expected a number of seconds >= 0, or -1 for unknown, got "x"`},
		{"arrivals out of order", "late.csv", head + "p0,1000,1024,0,0,,LS,Running,5,10,5\n\np1,1000,1024,0,0,,LS,Running,3,10,3\n",
			[]string{"--from", "openb"}, `late.csv:4: arrival 3 is earlier than the previous task's 5 (line 2); a native trace is sorted by arrival: sort the input first`},
		{"unknown output format", "ok.swf", "1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			nil, `cannot tell the output format of `},
		{"unknown --to", "ok.swf", "1 0 -1 5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			[]string{"--to", "parquet"}, `--to: unknown format "parquet" (allowed: csv, jsonl, fsc)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, tc.file)
			if err := os.WriteFile(in, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			outDir := filepath.Join(dir, "out")
			if err := os.Mkdir(outDir, 0o755); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(outDir, "converted.csv")
			if strings.HasPrefix(tc.name, "unknown output") {
				out = filepath.Join(outDir, "converted.parquet")
			}
			args := append([]string{"trace", "convert", in, out}, tc.args...)
			code, stdout, stderr := fleetsim(t, args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "fleetsim: ") || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want none", stdout)
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("left files behind: %v", entries)
			}
		})
	}
}

// TestTraceStatsGPU checks the GPU figures of trace stats on an openb
// fixture: 6 pods, 5 with GPUs (4 whole, 1 share of 450 milli), a request
// of 1 + 0.45 + 8 + 1 + 2 GPUs.
func TestTraceStatsGPU(t *testing.T) {
	code, out, errs := fleetsim(t, "trace", "stats", "--format", "openb", "../../traces/testdata/openb_pods.csv", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"tasks": 6, "gpu_tasks": 5, "whole_gpu_tasks": 4, "gpu_share_tasks": 1,
		"gpu_request_gpus": 12.45, "distinct_shapes": 6, "out_of_order": 0, "cpu_total_cores": 120}
	for k, v := range want {
		if got, _ := st[k].(float64); abs(got-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, st[k], v)
		}
	}
	if _, ok := st["skipped_jobs"]; ok {
		t.Errorf("an openb pod list skips nothing, yet stats reports skipped_jobs")
	}
	code, out, errs = fleetsim(t, "trace", "stats", sharedTrace(t, kthLog))
	if code != 0 || !strings.Contains(out, "skipped jobs") || !strings.Contains(out, "gpu request (GPUs)") {
		t.Errorf("exit %d, %s\n%s", code, errs, out)
	}
}

// TestTraceConvertRealSamples converts the real KTH SWF log and the default
// openb pod list (skipped without the shared traces) and checks the
// converted traces' statistics: 28,475 tasks from 599,850 s; 8,152 pods
// asking for 6,086.8 GPUs.
func TestTraceConvertRealSamples(t *testing.T) {
	for _, tc := range []struct {
		rel, from string
		tasks     float64
		key       string
		value     float64
	}{
		{kthLog, "", 28475, "first_arrival_s", 599850},
		{"alibaba-gpu-2023/openb_pod_list_default.csv", "openb", 8152, "gpu_request_gpus", 6086.8},
	} {
		t.Run(filepath.Base(tc.rel), func(t *testing.T) {
			in := sharedTrace(t, tc.rel)
			out := filepath.Join(t.TempDir(), "out.csv")
			args := []string{"trace", "convert", in, out}
			if tc.from != "" {
				args = append(args, "--from", tc.from)
			}
			if code, _, errs := fleetsim(t, args...); code != 0 {
				t.Fatalf("convert: exit %d: %s", code, errs)
			}
			code, stdout, errs := fleetsim(t, "trace", "stats", out, "--json")
			if code != 0 {
				t.Fatalf("stats: exit %d: %s", code, errs)
			}
			var st map[string]float64
			if err := json.Unmarshal([]byte(stdout), &st); err != nil {
				t.Fatal(err)
			}
			if st["tasks"] != tc.tasks || abs(st[tc.key]-tc.value) > 1e-6 {
				t.Errorf("tasks %v, %s %v; want %v, %v", st["tasks"], tc.key, st[tc.key], tc.tasks, tc.value)
			}
		})
	}
}

// kthLog is the KTH SP2 log among the shared traces, read in place.
const kthLog = "swf/KTH-SP2-1996-2.1-cln.swf"

// sharedTrace returns the path of a shared trace (../shared/traces beside
// the repository), skipping the test when it is absent.
func sharedTrace(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "traces", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real trace %s is not available (%v); the shared traces live in ../shared/traces beside the repository", rel, err)
	}
	return p
}
