package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	names := Embedded()
	if want := []string{"batch", "bench", "bursty", "default", "ecommerce", "fgd-synthetic", "homogeneous", "inference", "speeds"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Embedded() = %v, want %v", names, want)
	}
	for _, name := range names {
		s, err := LoadEmbedded(name)
		if err != nil {
			t.Errorf("LoadEmbedded(%s): %v", name, err)
			continue
		}
		if s.Name != name || s.File != "embedded:"+name || s.Dir != "" {
			t.Errorf("%s: name %q file %q dir %q", name, s.Name, s.File, s.Dir)
		}
		if s.Description == "" || strings.Contains(s.Description, "\n") {
			t.Errorf("%s: description %q, want one non-empty line", name, s.Description)
		}
		// bench is the performance yardstick, not a comparison: it runs the
		// strategies of the acceptance benchmark only. Job-placement
		// scenarios compare placement strategies and queue policies.
		if s.Cluster.Queueing == QueueingCentral {
			continue
		}
		// default, ecommerce and inference are issue 5's tables: the seed
		// strategies, each where it applies.
		if name == "default" || name == "ecommerce" || name == "inference" {
			continue
		}
		if got := strategyNames(s); name != "bench" && got != strings.Join(builtins, " ") {
			t.Errorf("%s: strategies %s, want %s", name, got, strings.Join(builtins, " "))
		}
	}
}

func strategyNames(s *Scenario) string {
	var names []string
	for _, spec := range s.Strategies {
		names = append(names, spec.String())
	}
	return strings.Join(names, " ")
}

// capacity is the work per second the cluster serves when every slot is
// busy.
func capacity(s *Scenario) float64 {
	c := 0.0
	for _, n := range s.Nodes() {
		c += float64(n.Slots) * n.Speed
	}
	return c
}

// TestEmbeddedLoads checks the load each embedded scenario promises in its
// description: offered work per second over capacity.
func TestEmbeddedLoads(t *testing.T) {
	for _, tc := range []struct {
		name       string
		nodes      int
		load       float64 // arrival rate × mean work / capacity
		stop, warm int64
	}{
		// 20×2 + 40×1 + 40×0.5 = 100 units/s; 85 tasks/s × 1 s.
		{"speeds", 100, 0.85, 200000, 20000},
		// 100 units/s; 90 tasks/s × 1 s.
		{"homogeneous", 100, 0.90, 500000, 50000},
		// 100 units/s; (60×15 + 120×5)/20 = 75 tasks/s × 1 s.
		{"bursty", 100, 0.75, 300000, 30000},
	} {
		s, err := LoadEmbedded(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		a, svc := s.Workload.Arrivals, s.Workload.Service
		rate := a.Rate
		if a.Process == ArrivalsBursty {
			rate = (a.Rates[0]*a.Hold[0].Seconds() + a.Rates[1]*a.Hold[1].Seconds()) / (a.Hold[0].Seconds() + a.Hold[1].Seconds())
		}
		load := rate * svc.Mean.Seconds() / capacity(s)
		if s.NodeCount() != tc.nodes || load < tc.load-1e-9 || load > tc.load+1e-9 || s.Stop.Tasks != tc.stop || s.Warmup.Tasks != tc.warm {
			t.Errorf("%s: %d nodes, load %.4f, stop %v, warmup %v; want %d, %.2f, %d, %d",
				tc.name, s.NodeCount(), load, s.Stop, s.Warmup, tc.nodes, tc.load, tc.stop, tc.warm)
		}
	}
	// The speeds scenario's slow nodes are overloaded under speed-blind
	// routing: each gets 85/100 tasks/s of 1 s work and serves 0.5 units/s.
	s, _ := LoadEmbedded("speeds")
	for _, g := range s.Cluster.Groups {
		if g.Name == "slow" && 0.85/g.Speed <= 1 {
			t.Errorf("slow nodes at speed %g are not overloaded by round robin", g.Speed)
		}
	}
}

func TestResolve(t *testing.T) {
	s, err := Resolve("homogeneous")
	if err != nil || s.Name != "homogeneous" || s.File != "embedded:homogeneous" {
		t.Errorf("Resolve(homogeneous) = %v, %v", s, err)
	}
	s, err = Resolve(filepath.Join("testdata", "trace.yaml"))
	if err != nil || s.Name != "trace" {
		t.Errorf("Resolve(testdata/trace.yaml) = %v, %v", s, err)
	}

	want := "nosuch: no such file, and no embedded scenario of that name (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, homogeneous, inference, speeds)"
	if _, err := Resolve("nosuch"); err == nil || err.Error() != want {
		t.Errorf("Resolve(nosuch) error %v\nwant %s", err, want)
	}
	want = "testdata: expected a scenario file or an embedded scenario name, got a directory (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, homogeneous, inference, speeds)"
	if _, err := Resolve("testdata"); err == nil || err.Error() != want {
		t.Errorf("Resolve(testdata) error %v\nwant %s", err, want)
	}
	want = "expected a scenario file or an embedded scenario name, got nothing (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, homogeneous, inference, speeds)"
	if _, err := Resolve(""); err == nil || err.Error() != want {
		t.Errorf("Resolve(\"\") error %v\nwant %s", err, want)
	}
	want = "embedded:nosuch: no embedded scenario of that name (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, homogeneous, inference, speeds)"
	if _, err := LoadEmbedded("nosuch"); err == nil || err.Error() != want {
		t.Errorf("LoadEmbedded(nosuch) error %v\nwant %s", err, want)
	}
	if _, err := LoadEmbedded("../doc.go"); err == nil {
		t.Errorf("LoadEmbedded(../doc.go) succeeded")
	}

	// A file wins over an embedded scenario of the same name.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "default"), []byte("name: from-file\n"+valid), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	s, err = Resolve("default")
	if err != nil || s.Name != "from-file" || s.File != "default" {
		t.Errorf("Resolve(default) with a file called default = %v, %v", s, err)
	}
}
