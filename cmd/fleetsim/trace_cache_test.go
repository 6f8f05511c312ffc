package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// TestTraceCacheSameRun converts a native CSV trace to the trace cache
// with trace convert and runs the same scenario on each: the run JSON must
// be byte for byte the same, wall-clock fields aside (design rule 1: the
// cache is the same workload). Two workloads: a generated request stream
// with tenants and regions through p2c (node queueing), and the KTH SP2
// log under EASY backfilling (central queueing, estimates and cores).
func TestTraceCacheSameRun(t *testing.T) {
	dir := t.TempDir()
	// 1. 30,000 Poisson requests with text columns, written as CSV.
	gen := filepath.Join(dir, "gen.csv")
	f, err := os.Create(gen)
	if err != nil {
		t.Fatal(err)
	}
	w := traces.NewCSVWriter(f)
	g := traces.NewGenerator(traces.Poisson{Rate: 45}, traces.Exponential{Mean: sim.Second}, 7)
	regions := []string{"us-east", "eu-west", "ap-south"}
	for i := range 30000 {
		var task sim.Task
		g.Next(&task)
		task.Tenant, task.Region = "t"+string(rune('a'+i%5)), regions[i%3]
		if err := w.Write(&task); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	genScen := `name: cache-check
seed: 3
cluster:
  queueing: node
  nodes:
    - {group: web, count: 50, slots: 1}
workload:
  trace: {path: TRACE}
strategies: [p2c, round-robin]
`
	cases := []struct{ name, csv, scen string }{{"generated", gen, genScen}}
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "traces", kthLog)); err == nil {
		kth := filepath.Join(dir, "kth.csv")
		if code, _, errs := fleetsim(t, "trace", "convert", sharedTrace(t, kthLog), kth); code != 0 {
			t.Fatalf("convert: exit %d: %s", code, errs)
		}
		y, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scenarios", "kth-sp2.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(y), "{path: ../../../shared/traces/swf/KTH-SP2-1996-2.1-cln.swf, format: swf}", "{path: TRACE}", 1)
		cases = append(cases, struct{ name, csv, scen string }{"kth", kth, s})
	} else {
		t.Logf("KTH log not available (%v): the generated workload only", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsc := strings.TrimSuffix(tc.csv, ".csv") + ".fsc"
			if code, out, errs := fleetsim(t, "trace", "convert", tc.csv, fsc); code != 0 || out != "" || errs != "" {
				t.Fatalf("convert: exit %d, stdout %q, stderr %q", code, out, errs)
			}
			// The same cache under a name that does not say what it is:
			// the scenario loader knows it by its magic bytes.
			bin := strings.TrimSuffix(fsc, ".fsc") + ".bin"
			if data, err := os.ReadFile(fsc); err != nil {
				t.Fatal(err)
			} else if err := os.WriteFile(bin, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var outs []string
			for _, tr := range []string{tc.csv, fsc, bin} {
				sc := filepath.Join(dir, tc.name+filepath.Ext(tr)+".yaml")
				if err := os.WriteFile(sc, []byte(strings.Replace(tc.scen, "TRACE", tr, 1)), 0o644); err != nil {
					t.Fatal(err)
				}
				code, out, errs := fleetsim(t, "compare", sc, "--format", "json")
				if code != 0 {
					t.Fatalf("%s: exit %d: %s", tr, code, errs)
				}
				outs = append(outs, wallFields.ReplaceAllString(out, `"$1": 0`))
			}
			if !strings.Contains(outs[0], `"completed"`) {
				t.Fatalf("no results:\n%s", outs[0])
			}
			for i, tr := range []string{fsc, bin} {
				if outs[0] != outs[i+1] {
					t.Errorf("run JSON differs between the CSV and its cache %s:\n%s\n---\n%s", filepath.Base(tr), outs[0], outs[i+1])
				}
			}
		})
	}
}

// TestTraceConvertCacheRefusesWorkflows checks that a workflow trace is
// refused by name rather than cached without its dependencies.
func TestTraceConvertCacheRefusesWorkflows(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "wf.csv")
	if err := os.WriteFile(in, []byte("id,arrival,duration,workflow,parents\n1,0,1,w,\n2,0,1,w,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "wf.fsc")
	code, _, errs := fleetsim(t, "trace", "convert", in, out)
	if code == 0 || !strings.Contains(errs, "workflow tasks (workflow, parents) cannot be cached") {
		t.Errorf("exit %d, stderr %q; want the workflow refusal", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was left behind (%v)", out, err)
	}
}
