package scenario

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// parsed parses a calibrated text, failing the test on an error.
func parsed(t *testing.T, text []byte) *Scenario {
	t.Helper()
	s, err := Parse("calibrated.yaml", text, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	s.YAML, s.shapes, s.File, s.Name = nil, nil, "", ""
	for i := range s.Strategies {
		s.Strategies[i].Line = 0 // (the added startup line moves them)
	}
	return s
}

// TestCalibrate writes a start-up delay and two groups' speeds into the
// default scenario, which has no startup field, and reads them back: the figures hold to the precision they
// are written with (1 µs; 4 significant digits), and nothing else changes,
// comments included.
func TestCalibrate(t *testing.T) {
	text, err := embedded.ReadFile("scenarios/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	startup := sim.Delay{Mean: 83412345 * sim.Nanosecond, CV: 0.312345}
	speeds := map[string]float64{"us-large": 1.876543, "ap": 0.9123456}
	out, err := Calibrate(text, startup, speeds)
	if err != nil {
		t.Fatal(err)
	}
	got := parsed(t, out)
	// 83.412345 ms to the µs; the CV and speeds to 4 significant digits.
	if want := (sim.Delay{Mean: 83412 * sim.Microsecond, CV: 0.3123}); got.Cluster.Startup != want {
		t.Errorf("startup %+v, want %+v", got.Cluster.Startup, want)
	}
	want := parsed(t, text)
	want.Cluster.Startup = got.Cluster.Startup
	for i, g := range want.Cluster.Groups {
		switch g.Name {
		case "us-large":
			want.Cluster.Groups[i].Speed = 1.877
		case "ap":
			want.Cluster.Groups[i].Speed = 0.9123
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calibrated scenario\n got %+v\nwant %+v", got, want)
	}
	for _, c := range []string{"# One of the large us-east servers dies for 5 minutes.", "# A day compressed into the 30-minute run"} {
		if !strings.Contains(string(out), c) {
			t.Errorf("comment %q lost:\n%s", c, out)
		}
	}
	if !strings.Contains(string(out), "startup: {mean: 83.412ms, cv: 0.3123}") {
		t.Errorf("startup not written as a flow mapping after the nodes:\n%s", out)
	}

	// Again, over the calibrated text: the fields are replaced, not added.
	again, err := Calibrate(out, sim.Delay{Mean: 2 * sim.Second}, map[string]float64{"us-large": 3})
	if err != nil {
		t.Fatal(err)
	}
	s := parsed(t, again)
	if s.Cluster.Startup != (sim.Delay{Mean: 2 * sim.Second}) || s.Cluster.Groups[0].Speed != 3 || s.Cluster.Groups[3].Speed != 0.9123 {
		t.Errorf("recalibrated: startup %+v, speeds %v and %v", s.Cluster.Startup, s.Cluster.Groups[0].Speed, s.Cluster.Groups[3].Speed)
	}
	if n := strings.Count(string(again), "startup:"); n != 1 {
		t.Errorf("%d startup fields:\n%s", n, again)
	}
}

// TestCalibrateAdds: a group without speed gets one, after its name; a
// cluster without startup gets one after its nodes.
func TestCalibrateAdds(t *testing.T) {
	out, err := Calibrate([]byte(valid), sim.Delay{Mean: 1500 * sim.Microsecond, CV: 2}, map[string]float64{"web": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := lines(okStop, "cluster:", "  nodes:", "    - group: web", "      speed: 0.5", "  startup: {mean: 1.5ms, cv: 2}", okWorkload, okStrats)
	if string(out) != want {
		t.Errorf("calibrated\n%s\nwant\n%s", out, want)
	}
	s := parsed(t, out)
	if s.Cluster.Startup != (sim.Delay{Mean: 1500 * sim.Microsecond, CV: 2}) || s.Cluster.Groups[0].Speed != 0.5 {
		t.Errorf("startup %+v, speed %v", s.Cluster.Startup, s.Cluster.Groups[0].Speed)
	}
}

func TestCalibrateErrors(t *testing.T) {
	for _, tc := range []struct {
		text    string
		startup sim.Delay
		speeds  map[string]float64
		want    string
	}{
		{valid, sim.Delay{}, map[string]float64{"db": 1, "web": 1, "cache": 2}, `calibrate: speeds: no group "cache", "db" in cluster.nodes (groups: web)`},
		{valid, sim.Delay{}, map[string]float64{"web": 0}, "calibrate: speed of group web: expected a finite number > 0, got 0"},
		{valid, sim.Delay{Mean: sim.Second, CV: -1}, nil, "calibrate: startup: coefficient of variation must be a finite number >= 0, got -1"},
		{"- a\n", sim.Delay{}, nil, "calibrate: expected a scenario (a mapping), got a list"},
		{"seed: 1\n", sim.Delay{}, nil, "calibrate: expected a scenario with a cluster mapping, got cluster: nothing"},
		{"seed: [1\n", sim.Delay{}, nil, "scenario:2: invalid YAML: did not find expected ',' or ']'"},
	} {
		if _, err := Calibrate([]byte(tc.text), tc.startup, tc.speeds); err == nil || err.Error() != tc.want {
			t.Errorf("Calibrate(%q, %+v, %v) = %v, want %s", tc.text, tc.startup, tc.speeds, err, tc.want)
		}
	}
}
