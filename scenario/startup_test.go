package scenario

import (
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestStartup reads cluster.startup in its two forms, a duration (Go or
// seconds) and a mapping, and follows it into the engine configuration and
// the summary.
func TestStartup(t *testing.T) {
	for _, tc := range []struct {
		value   string
		want    sim.Delay
		summary string
	}{
		{"80ms", sim.Delay{Mean: 80 * sim.Millisecond}, "start-up 80ms"},
		{"0.25", sim.Delay{Mean: 250 * sim.Millisecond}, "start-up 250ms"},
		{"0", sim.Delay{}, ""},
		{"{mean: 80ms, cv: 0.3}", sim.Delay{Mean: 80 * sim.Millisecond, CV: 0.3}, "start-up 80ms (lognormal, CV 0.3)"},
		{"{mean: 1.5}", sim.Delay{Mean: 1500 * sim.Millisecond}, "start-up 1.5s"},
		{"{mean: 2s, cv: 0}", sim.Delay{Mean: 2 * sim.Second}, "start-up 2s"},
	} {
		text := lines(okStop, "cluster:", "  startup: "+tc.value, "  nodes: [{group: web}]", okWorkload, okStrats)
		s, err := Parse("t.yaml", []byte(text), "")
		if err != nil {
			t.Errorf("startup: %s: %v", tc.value, err)
			continue
		}
		if s.Cluster.Startup != tc.want {
			t.Errorf("startup: %s: got %+v, want %+v", tc.value, s.Cluster.Startup, tc.want)
		}
		if cfg := s.Config(); cfg.Startup != tc.want {
			t.Errorf("startup: %s: Config().Startup = %+v, want %+v", tc.value, cfg.Startup, tc.want)
		}
		if got := s.Summary(); got != tc.summary {
			t.Errorf("startup: %s: Summary() = %q, want %q", tc.value, got, tc.summary)
		}
	}
	s, err := Parse("t.yaml", []byte(valid), "")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cluster.Startup.IsZero() {
		t.Errorf("default startup %+v, want none", s.Cluster.Startup)
	}
}

// TestStartupRuns: a scenario with a start-up delay runs under both
// queueing models, and every task's service lasts at least the delay
// (deterministic service of 1 s, start-up a constant 0.5 s on speed-1
// nodes: each record spans exactly 1.5 s).
func TestStartupRuns(t *testing.T) {
	for _, q := range []string{"node", "central"} {
		strat := "round-robin"
		if q == "central" {
			strat = "first-fit"
		}
		text := lines("stop: {tasks: 50}", "cluster:", "  queueing: "+q, "  startup: 500ms", "  nodes: [{group: web, count: 2, cpu: 1}]",
			"workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: deterministic, mean: 1s}", "strategies: ["+strat+"]")
		s, err := Parse("t.yaml", []byte(text), "")
		if err != nil {
			t.Fatal(err)
		}
		var bad []string
		n := 0
		runToEnd(t, s, s.Strategies[0], RunOptions{OnRecord: func(r *sim.Record) {
			n++
			if d := r.Finish - r.Start; r.Status == sim.Completed && d != 1500*sim.Millisecond {
				bad = append(bad, d.String())
			}
		}})
		if n != 50 || len(bad) > 0 {
			t.Errorf("queueing %s: %d records; services not 1.5 s: %s", q, n, strings.Join(bad, " "))
		}
	}
}

// runToEnd runs spec on s with s's seed until the workload drains and
// returns the result.
func runToEnd(t *testing.T, s *Scenario, spec StrategySpec, opt RunOptions) sim.Result {
	t.Helper()
	run, closer, err := s.Start(spec, s.Seed, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	for done := false; !done; {
		if done, err = run.Step(1 << 10); err != nil {
			t.Fatal(err)
		}
	}
	return run.Result()
}
