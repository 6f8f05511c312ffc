package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func TestEmbedded(t *testing.T) {
	names := Embedded()
	if want := []string{"batch", "bench", "bursty", "default", "ecommerce", "fgd-synthetic", "gangs", "homogeneous", "inference", "kubernetes", "orchestration", "speeds", "training", "validation", "workflows"}; !reflect.DeepEqual(names, want) {
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
		// validation is what `fleetsim validate` runs on real nodes: two
		// strategies, few tasks.
		if got := strategyNames(s); name != "bench" && name != "validation" && got != strings.Join(builtins, " ") {
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
		// 3×2 slots at speed 1 = 6 units/s; 4 tasks/s × 0.25 s.
		{"validation", 3, 1.0 / 12, 240, 0}, // at speed 1; a quarter core makes it ≈ 0.45 for real
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

	want := "nosuch: no such file, and no embedded scenario of that name (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, gangs, homogeneous, inference, kubernetes, orchestration, speeds, training, validation, workflows)"
	if _, err := Resolve("nosuch"); err == nil || err.Error() != want {
		t.Errorf("Resolve(nosuch) error %v\nwant %s", err, want)
	}
	want = "testdata: expected a scenario file or an embedded scenario name, got a directory (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, gangs, homogeneous, inference, kubernetes, orchestration, speeds, training, validation, workflows)"
	if _, err := Resolve("testdata"); err == nil || err.Error() != want {
		t.Errorf("Resolve(testdata) error %v\nwant %s", err, want)
	}
	want = "expected a scenario file or an embedded scenario name, got nothing (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, gangs, homogeneous, inference, kubernetes, orchestration, speeds, training, validation, workflows)"
	if _, err := Resolve(""); err == nil || err.Error() != want {
		t.Errorf("Resolve(\"\") error %v\nwant %s", err, want)
	}
	want = "embedded:nosuch: no embedded scenario of that name (embedded: batch, bench, bursty, default, ecommerce, fgd-synthetic, gangs, homogeneous, inference, kubernetes, orchestration, speeds, training, validation, workflows)"
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

// TestValidationScenario pins what `fleetsim validate` runs on real nodes
// (its nodes must match the daemons a user starts), and runs it in the
// model once calibrated with a start-up delay and a speed.
func TestValidationScenario(t *testing.T) {
	s, err := LoadEmbedded("validation")
	if err != nil {
		t.Fatal(err)
	}
	g := s.Cluster.Groups
	want := Group{Name: "node", Count: 3, Slots: 2, Speed: 1, CPU: 500, Memory: 256 << 20}
	if len(g) != 1 || g[0] != want {
		t.Errorf("groups %+v, want [%+v]", g, want)
	}
	if a, v := s.Workload.Arrivals, s.Workload.Service; a.Process != ArrivalsPoisson || a.Rate != 2 ||
		!reflect.DeepEqual(*v, Service{Dist: ServiceLognormal, Mean: 250 * sim.Millisecond, CV: 0.5}) {
		t.Errorf("workload %+v, %+v", a, v)
	}
	if s.Seed != 1 || s.Stop != (Limit{Tasks: 240}) || !s.Warmup.IsZero() || strategyNames(s) != "p2c round-robin" || s.Real != nil || !s.Cluster.Startup.IsZero() {
		t.Errorf("seed %d, stop %v, warmup %v, strategies %s, real %v, startup %+v", s.Seed, s.Stop, s.Warmup, strategyNames(s), s.Real, s.Cluster.Startup)
	}

	text, err := Calibrate(s.YAML, sim.Delay{Mean: 80 * sim.Millisecond, CV: 0.3}, map[string]float64{"node": 0.9})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("validation-calibrated.yaml", text, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range c.Strategies {
		// Each latency holds at least the start-up and the work at speed
		// 0.9: the mean is above 80ms + 250ms/0.9 ≈ 0.358 s, less a margin
		// for the sample (240 tasks).
		if r := runToEnd(t, c, spec, RunOptions{}); r.Tasks.Completed != 240 || r.Latency.Mean < 0.33 {
			t.Errorf("%s: %d completed, mean latency %v s", spec, r.Tasks.Completed, r.Latency.Mean)
		}
	}
}
