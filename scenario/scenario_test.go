package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// TestLoadFull reads testdata/full.yaml, which sets every field, and checks
// every value, with the unit arithmetic spelled out.
func TestLoadFull(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Scenario{
		Name:        "full-example",
		Description: "Every field, set once.", // the literal block, folded to one line
		File:        filepath.Join("testdata", "full.yaml"),
		Dir:         "testdata",
		Seed:        42,
		Stop:        Limit{Time: 90 * sim.Minute}, // 1h30m
		Warmup:      Limit{Time: 600 * sim.Second},
		Cluster: Cluster{
			Queueing: QueueingCentral,
			Queue:    "fifo",
			Backfill: "none",
			Startup:  sim.Delay{Mean: 80 * sim.Millisecond, CV: 0.3},
			Groups: []Group{
				{Name: "web", Region: "us-east", Count: 3, Slots: 4, Speed: 1.5,
					CPU: 16000, Memory: 64 << 30, CostPerHour: 0.5},
				{Name: "gpu", Region: "eu-west", Count: 2, Slots: 1, Speed: 0.75,
					CPU:    2500,          // 2500m
					Memory: 1649267441664, // 1.5 × 2^40
					GPUs:   8, GPUModel: "A100", CostPerHour: 32.77},
			},
		},
		Workload: Workload{
			Arrivals: &Arrivals{Process: ArrivalsBursty, Rates: [2]float64{30, 90.5}, Hold: [2]sim.Time{10 * sim.Second, 2 * sim.Second}},
			Service:  &Service{Dist: ServiceBoundedPareto, Alpha: 1.1, Min: 10 * sim.Millisecond, Max: sim.Hour},
		},
		Strategies: []StrategySpec{
			{Name: "test-plain", Line: 40},
			{Name: "test-fixed", Args: strategies.Args{"n": 3}, Line: 41},
			{Name: "test-fixed", Args: strategies.Args{"n": 4}, Line: 42},
			{Name: "test-timed", Args: strategies.Args{
				"timeout": 250 * sim.Millisecond,
				"weights": []any{1, 2.5},
				"extra":   "text",
			}, Line: 44},
		},
		Real: &Real{Namespace: "fleetsim-test", Snapshotter: "native", Line: 48, Nodes: []RealNode{
			{Address: "unix:///tmp/fleetsim-real/node-0/containerd.sock", Line: 52},
			{Address: "unix:///tmp/fleetsim-real/node-1/containerd.sock", Namespace: "other", // a path, as a URL
				CPU: 2000, Memory: 1 << 30, HasGPUs: true, Slots: 2, Line: 53},
			{Address: "unix:///run/n2.sock", CPU: 500, Line: 59},
			{Address: "unix:///run/n3.sock", GPUs: 4, HasGPUs: true, Line: 60},
			{Address: "unix:///run/n4.sock", Line: 61},
		}},
	}
	s.shapes = nil // a cache, not content
	if data, err := os.ReadFile(filepath.Join("testdata", "full.yaml")); err != nil || string(s.YAML) != string(data) {
		t.Errorf("Load(full.yaml).YAML is not the file's text (%v)", err)
	}
	s.YAML = nil
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Load(full.yaml)\n got: %+v\nwant: %+v", s, want)
	}
	labels := []string{"test-plain", "test-fixed{n=3}", "test-fixed{n=4}", "test-timed{extra=text,timeout=0.25s,weights=[1 2.5]}"}
	for i, spec := range s.Strategies {
		if got := spec.String(); got != labels[i] {
			t.Errorf("Strategies[%d].String() = %q, want %q", i, got, labels[i])
		}
	}
	if got := s.Stop.String(); got != "5400s" {
		t.Errorf("Stop.String() = %q, want 5400s", got)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse("dir/minimal.yml", []byte(valid), "dir")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "minimal" || s.Seed != 1 || s.Cluster.Queueing != QueueingNode || !s.Warmup.IsZero() {
		t.Errorf("defaults: name %q seed %d queueing %q warmup %v", s.Name, s.Seed, s.Cluster.Queueing, s.Warmup)
	}
	g := s.Cluster.Groups[0]
	if want := (Group{Name: "web", Count: 1, Slots: 1, Speed: 1}); g != want {
		t.Errorf("group defaults: got %+v, want %+v", g, want)
	}
	if s.Strategies[0].Args != nil {
		t.Errorf("a strategy without parameters has Args %v, want nil", s.Strategies[0].Args)
	}
}

// TestIndexedNames checks the node names built in one string against
// fmt.Sprintf("%s-%d"), across the powers of ten where the digit count
// changes.
func TestIndexedNames(t *testing.T) {
	for _, prefix := range []string{"web", "a", "gpu-pool"} {
		for _, n := range []int{0, 1, 9, 10, 11, 100, 1001, 12345} {
			got := indexedNames(prefix, n)
			if len(got) != n {
				t.Fatalf("indexedNames(%q, %d): %d names", prefix, n, len(got))
			}
			for i, name := range got {
				if want := fmt.Sprintf("%s-%d", prefix, i); name != want {
					t.Fatalf("indexedNames(%q, %d)[%d] = %q, want %q", prefix, n, i, name, want)
				}
			}
		}
	}
}

// TestNodes checks the expansion of groups: file order, then index order,
// named group-index, each node carrying its group's spec.
func TestNodes(t *testing.T) {
	s := &Scenario{Cluster: Cluster{Groups: []Group{
		{Name: "web", Region: "us-east", Count: 3, Slots: 1, Speed: 2, CPU: 4000, Memory: 1 << 30, CostPerHour: 0.1},
		{Name: "gpu", Region: "eu-west", Count: 1, Slots: 2, Speed: 1, GPUs: 8, GPUModel: "V100"},
		{Name: "a-1", Count: 2, Slots: 1, Speed: 0.5},
	}}}
	var names []string
	for _, n := range s.Nodes() {
		names = append(names, n.Name)
	}
	want := "web-0 web-1 web-2 gpu-0 a-1-0 a-1-1"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("node names %q, want %q", got, want)
	}
	if s.NodeCount() != 6 {
		t.Errorf("NodeCount() = %d, want 6", s.NodeCount())
	}
	web2 := sim.NodeSpec{Name: "web-2", Group: "web", Region: "us-east", Slots: 1, Speed: 2, CPU: 4000, Memory: 1 << 30, CostPerHour: 0.1}
	if got := s.Nodes()[2]; got != web2 {
		t.Errorf("Nodes()[2] = %+v, want %+v", got, web2)
	}
	gpu0 := sim.NodeSpec{Name: "gpu-0", Group: "gpu", Region: "eu-west", Slots: 2, Speed: 1, GPUs: 8, GPUModel: "V100"}
	if got := s.Nodes()[3]; got != gpu0 {
		t.Errorf("Nodes()[3] = %+v, want %+v", got, gpu0)
	}
	if n := (&Scenario{}).Nodes(); len(n) != 0 {
		t.Errorf("no groups gave %d nodes", len(n))
	}
}

func TestLoadTrace(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "trace.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Trace{Path: filepath.Join("testdata", "jobs.csv"), Format: "csv", Line: 6}
	if !reflect.DeepEqual(s.Workload.Trace, want) {
		t.Errorf("trace %+v, want %+v", s.Workload.Trace, want)
	}
	if !s.Stop.IsZero() || s.Workload.Arrivals != nil || s.Workload.Service != nil {
		t.Errorf("trace scenario has stop %v, arrivals %v, service %v", s.Stop, s.Workload.Arrivals, s.Workload.Service)
	}
	// An absolute path is kept as it is.
	s, err = Parse("t.yaml", []byte(lines(okCluster, "workload:", "  trace: {path: /data/x.ndjson}", okStrats)), "dir")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Workload.Trace; got.Path != "/data/x.ndjson" || got.Format != "jsonl" {
		t.Errorf("trace %+v, want /data/x.ndjson in jsonl", got)
	}
	// A gzip'd trace's format is told by the extension before .gz, as
	// traces.Open reads it; .gz alone tells nothing.
	for path, want := range map[string]string{"/d/x.csv.gz": "csv", "/d/x.JSONL.GZ": "jsonl", "/d/x.swf.gz": "swf"} {
		s, err = Parse("t.yaml", []byte(lines(okCluster, "workload:", "  trace: {path: "+path+"}", okStrats)), "dir")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Workload.Trace.Format; got != want {
			t.Errorf("%s: format %q, want %q", path, got, want)
		}
	}
	if _, err = Parse("t.yaml", []byte(lines(okCluster, "workload:", "  trace: {path: /d/x.gz}", okStrats)), "dir"); err == nil ||
		!strings.Contains(err.Error(), "the path's extension does not tell") {
		t.Errorf("/d/x.gz: %v, want the extension's error", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", MaxFileSize+10)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, want string
	}{
		{filepath.Join("testdata", "web.yaml"), "testdata/web.yaml:12:14: cluster.nodes[0].slots: expected an integer >= 1, got -1"},
		{filepath.Join("testdata", "missing-trace.yaml"),
			"testdata/missing-trace.yaml:6: workload.trace.path: cannot open trace file: testdata/no-such-file.jsonl: no such file or directory"},
		{filepath.Join("testdata", "nope.yaml"), "testdata/nope.yaml: cannot open scenario file: no such file or directory"},
		{"testdata", "testdata: expected a scenario file, got a directory"},
		{big, big + ": expected a file of at most 1048576 bytes, got 1048577 bytes"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		// Load must not read an endless file to the end.
		cases = append(cases, struct{ path, want string }{"/dev/zero", "/dev/zero: expected a file of at most 1048576 bytes, got 1048577 bytes"})
	}
	for _, tc := range cases {
		_, err := Load(tc.path)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Load(%s): error %T %v, want an *Error", tc.path, err, err)
			continue
		}
		if got := filepath.ToSlash(err.Error()); got != tc.want {
			t.Errorf("Load(%s)\n got: %s\nwant: %s", tc.path, got, tc.want)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Column: 5, Field: "seed", Msg: "m"}, "a.yaml:3:5: seed: m"},
		{Error{File: "a.yaml", Line: 3, Msg: "m"}, "a.yaml:3: m"},
		{Error{File: "a.yaml", Msg: "m"}, "a.yaml: m"},
		{Error{File: "a.yaml", Column: 4, Field: "f", Msg: "m"}, "a.yaml: f: m"},
		{Error{Field: "f", Msg: "m"}, "f: m"},
		{Error{Msg: "line\nbreak"}, `line\nbreak`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%+v.Error() = %q, want %q", tc.e, got, tc.want)
		}
	}
}

func TestDescribeTruncates(t *testing.T) {
	long := strings.Repeat("é", 30) // 60 bytes
	_, err := Parse("t.yaml", []byte("seed: "+long+"\n"), "")
	want := `t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got "` + strings.Repeat("é", 20) + `..."`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
