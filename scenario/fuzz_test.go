package scenario

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/traces"
)

// billionLaughs is the classic alias bomb: ten levels of ten aliases, 10^9
// values once expanded.
var billionLaughs = func() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}()

func TestHostileInput(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"billion laughs", billionLaughs, "t.yaml:1:5: anchors (&a0) are not supported; write the value out"},
		{"deep nesting", "strategies: " + strings.Repeat("[", 20000), "t.yaml:1: invalid YAML: exceeded max depth of 10000"},
		{"deep indentation", strings.Repeat("- ", 20000), "t.yaml:1: invalid YAML: exceeded max depth of 10000"},
		{"merge key", lines(okStop, okCluster, okWorkload, okStrats, "<<: {seed: 2}"),
			"t.yaml:9:1: <<: unknown field (allowed: name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows)"},
		{"line break in a key", lines(okStop, okCluster, okWorkload, okStrats, `"se\ned": 2`),
			`t.yaml:9:1: se\ned: unknown field (allowed: name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows)`},
		{"explicit tag", lines("seed: !!int abc"), `t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got abc`},
		{"custom tag", lines("seed: !mine 3"), `t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got 3`},
		{"binary", lines("name: !!binary aGVsbG8="), ""},
		{"timestamp as a name", lines("name: 2001-12-14", okStop, okCluster, okWorkload, okStrats), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tc.yaml), "")
			if tc.want == "" {
				var e *Error
				if err != nil && !errors.As(err, &e) {
					t.Errorf("error %T is not an *Error: %v", err, err)
				}
				_ = s
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}

// FuzzParse checks that no input makes Parse panic, that it returns either
// a scenario or an *Error, never both, that errors are one line, and that
// every scenario it accepts keeps the promises of the format.
func FuzzParse(f *testing.F) {
	for _, name := range Embedded() {
		data, err := embedded.ReadFile("scenarios/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	files, _ := fs.Glob(os.DirFS("testdata"), "*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(valid))
	f.Add([]byte(billionLaughs))
	for _, tc := range errorCases {
		if len(tc.yaml) < 4096 {
			f.Add([]byte(tc.yaml))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data, "dir")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			if s != nil {
				t.Fatalf("Parse returned both a scenario and an error: %v", err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || e.Msg == "" {
				t.Fatalf("error is not one non-empty line: %q", msg)
			}
			return
		}
		if s == nil {
			t.Fatal("Parse returned neither a scenario nor an error")
		}
		checkInvariants(t, s)
	})
}

// checkInvariants checks what a validated scenario promises.
func checkInvariants(t *testing.T, s *Scenario) {
	t.Helper()
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	if s.Name == "" {
		t.Error("empty name")
	}
	for _, l := range []Limit{s.Stop, s.Warmup} {
		if l.Tasks < 0 || l.Time < 0 || (l.Tasks != 0 && l.Time != 0) {
			t.Errorf("bad limit %+v", l)
		}
	}
	w := s.Workload
	if s.Workflows != nil {
		// The workflows are the workload (workflows.go): no workload
		// section, no stop needed, central queueing.
		if w.Trace != nil || w.Arrivals != nil || w.Inflation != nil || s.Cluster.Queueing != QueueingCentral {
			t.Errorf("workflows beside a workload %+v or with queueing %s", w, s.Cluster.Queueing)
		}
	}
	inflatedShapes := w.Inflation != nil && w.Trace == nil && w.Shapes != nil && w.Arrivals == nil && w.Service == nil
	if s.Workflows == nil && !inflatedShapes && ((w.Trace != nil) == (w.Arrivals != nil || w.Service != nil) || (w.Arrivals == nil) != (w.Service == nil)) {
		t.Errorf("workload is neither a trace, nor synthetic, nor inflated shapes: %+v", w)
	}
	if w.Inflation != nil && (s.Cluster.Queueing != QueueingCentral || !s.Stop.IsZero()) {
		t.Errorf("inflation with queueing %s and stop %v", s.Cluster.Queueing, s.Stop)
	}
	if s.Workflows == nil && w.Trace == nil && w.Inflation == nil && s.Stop.IsZero() {
		t.Error("synthetic workload without stop")
	}
	if a := w.Arrivals; a != nil {
		ok := finite(a.Rate) && a.Rate >= 0 && a.Rates[0] >= 0 && a.Rates[1] >= 0 && a.Hold[0] >= 0 && a.Hold[1] >= 0
		switch a.Process {
		case ArrivalsPoisson, ArrivalsDeterministic:
			ok = ok && a.Rate > 0
		case ArrivalsBursty:
			ok = ok && finite(a.Rates[0]) && finite(a.Rates[1]) && a.Rates[0]+a.Rates[1] > 0 && a.Hold[0] > 0 && a.Hold[1] > 0
		case ArrivalsDiurnal:
			d := traces.Diurnal{Rate: a.Rate, Amplitude: a.Amplitude, Period: a.Period, Peak: a.Peak, Bursts: a.Bursts}
			ok = ok && d.Validate() == nil
		default:
			ok = false
		}
		if !ok {
			t.Errorf("bad arrivals %+v", a)
		}
	}
	if v := w.Service; v != nil {
		ok := finite(v.CV) && finite(v.Alpha)
		switch v.Dist {
		case ServiceExponential, ServiceDeterministic:
			ok = ok && v.Mean > 0
		case ServiceLognormal:
			ok = ok && v.Mean > 0 && v.CV > 0
		case ServiceHyperexponential:
			ok = ok && v.Mean > 0 && v.CV >= 1
		case ServiceBoundedPareto:
			ok = ok && v.Alpha > 0 && v.Min > 0 && v.Max > v.Min
		case ServiceEmpirical:
			ok = ok && traces.Empirical{Quantiles: v.Quantiles}.Validate() == nil && v.Mean >= 0
		default:
			ok = false
		}
		if !ok {
			t.Errorf("bad service %+v", v)
		}
	}
	if o := w.Estimates; o != nil && (o.Check() != nil || w.Trace != nil || w.Inflation != nil) {
		t.Errorf("bad estimates %+v beside trace %v, inflation %v", o, w.Trace, w.Inflation)
	}
	if len(s.Cluster.Groups) == 0 || s.NodeCount() > MaxNodes || len(s.Strategies) == 0 {
		t.Errorf("%d groups, %d nodes, %d strategies", len(s.Cluster.Groups), s.NodeCount(), len(s.Strategies))
	}
	seen := map[string]bool{}
	for _, g := range s.Cluster.Groups {
		if seen[g.Name] || !groupName.MatchString(g.Name) || g.Count < 1 || g.Slots < 1 || !finite(g.Speed) || g.Speed <= 0 ||
			g.CPU < 0 || g.Memory < 0 || g.GPUs < 0 || !finite(g.CostPerHour) || g.CostPerHour < 0 {
			t.Errorf("bad group %+v", g)
		}
		seen[g.Name] = true
	}
	if s.NodeCount() <= 10000 {
		names := map[string]bool{}
		for _, n := range s.Nodes() {
			if names[n.Name] {
				t.Errorf("node name %s twice", n.Name)
			}
			names[n.Name] = true
		}
	}
}
