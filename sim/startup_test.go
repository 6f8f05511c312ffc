package sim_test

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// intTasks is n tasks whose gaps (0..2 s), work (1 ms..3 s), estimates
// (work plus 0..1 s) and CPUs (1..4) are drawn as integers: no floating
// point, so their schedules are the same on every architecture.
func intTasks(n int) []sim.Task {
	r := sim.NewRand(1, "tasks")
	ts := make([]sim.Task, n)
	var at sim.Time
	for i := range ts {
		at += sim.Time(r.IntN(2000)) * ms
		w := sim.Time(1+r.IntN(3000)) * ms
		ts[i] = sim.Task{ID: int64(i + 1), Arrival: at, Work: w, Estimate: w + sim.Time(r.IntN(1000))*ms, CPU: int64(1+r.IntN(4)) * 1000}
	}
	return ts
}

// recordsHash runs tasks and hashes every record (id, node, start, finish,
// status, attempts), in the order they end.
func recordsHash(t *testing.T, cfg sim.Config, tasks []sim.Task, st sim.Strategy, central bool) uint64 {
	t.Helper()
	h := fnv.New64a()
	cfg.OnRecord = func(r *sim.Record) {
		fmt.Fprintln(h, r.Task.ID, r.Node, r.Start, r.Finish, r.Status, r.Attempts)
	}
	e, err := sim.Start(cfg, &sliceSource{tasks: tasks}, st, central)
	if err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		if done, err = e.Step(1 << 16); err != nil {
			t.Fatal(err)
		}
	}
	return h.Sum64()
}

// unchangedRuns are three runs without a start-up delay, one per path that
// starts a service: the Engine's short path (no dynamics), its dynamics
// path (a client timeout, so attempts' ends are projected, a retry, a
// scheduled failure, health checks) and the central Scheduler with EASY
// backfilling (which reads estimates).
func unchangedRuns(t *testing.T) (fast, dyn, central uint64) {
	tasks := intTasks(2000)
	rr, err := strategies.New("round-robin", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	two := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}, {Name: "n1", Slots: 1, Speed: 2}}
	fast = recordsHash(t, sim.Config{Nodes: two}, tasks, rr, false)
	cfg := sim.Config{Nodes: two, Seed: 3,
		Faults: []sim.Fault{{Node: 0, At: 200 * sim.Second, For: 60 * sim.Second}},
		Client: sim.Client{Retries: 1, Timeout: 3 * sim.Second, Backoff: 100 * ms, Multiplier: 2},
		Health: &sim.Health{Interval: 2 * sim.Second, Threshold: 2, Rise: 1}}
	dyn = recordsHash(t, cfg, tasks, &members{last: -1}, false)
	one := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 4000}}
	central = recordsHash(t, sim.Config{Nodes: one, Central: sim.Central{Backfill: sim.EASY}}, tasks, firstFit(), true)
	return fast, dyn, central
}

// TestNoStartupUnchanged: without a start-up delay, every path schedules
// exactly as it did before Config.Startup existed. The hashes were recorded
// with the code of that time (commit f0fef36) on the same runs.
func TestNoStartupUnchanged(t *testing.T) {
	fast, dyn, central := unchangedRuns(t)
	for _, c := range []struct {
		path      string
		got, want uint64
	}{
		{"engine", fast, 0x7c38a8f5934d5460},
		{"engine with dynamics", dyn, 0x13a377fbc598f82},
		{"central", central, 0x184a9e2dcabf10f4},
	} {
		if c.got != c.want {
			t.Errorf("%s: records hash %#x, want %#x (recorded before Startup)", c.path, c.got, c.want)
		}
	}
}

// startupTasks are the tasks of the hand-worked start-up schedule.
func startupTasks() []sim.Task {
	return []sim.Task{
		{ID: 1, Arrival: 0, Work: 2 * sim.Second, CPU: 1000},
		{ID: 2, Arrival: 1 * sim.Second, Work: 4 * sim.Second, CPU: 1000},
		{ID: 3, Arrival: 5 * sim.Second, Work: 2 * sim.Second, CPU: 1000},
	}
}

// TestStartupSchedule checks a constant start-up delay on a schedule worked
// by hand. One node of speed 2 with one slot; start-up 0.5 s, which the
// speed does not shorten:
//
//	T1 arrives 0, work 2: starts 0, starts its work at 0.5, ends 0.5+2/2 = 1.5
//	T2 arrives 1, work 4: waits for T1; starts 1.5, ends 1.5+0.5+4/2 = 4
//	T3 arrives 5, work 2: the node is idle; starts 5, ends 5+0.5+2/2 = 6.5
//
// Node queueing gives it by the short path, by the dynamics path with
// projected ends (a client timeout) and without (health checks only);
// central queueing (the node has room for one task) gives the same. The
// wait excludes the start-up: only T2 waits, 0.5 s.
func TestStartupSchedule(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 2, CPU: 1000}}
	startup := sim.Delay{Mean: 500 * ms}
	want := []rec{
		{1, 0, 0, 1500 * ms, sim.Completed, 1},
		{2, 0, 1500 * ms, 4000 * ms, sim.Completed, 1},
		{3, 0, 5000 * ms, 6500 * ms, sim.Completed, 1},
	}
	for _, c := range []struct {
		name string
		cfg  sim.Config
	}{
		{"engine", sim.Config{Nodes: node, Startup: startup}},
		{"engine, projected ends", sim.Config{Nodes: node, Startup: startup, Client: sim.Client{Timeout: time100s}}},
		{"engine, dynamics", sim.Config{Nodes: node, Startup: startup, Health: &sim.Health{Interval: time100s, Threshold: 1, Rise: 1}}},
	} {
		got, res := runRecords(t, c.cfg, startupTasks(), &script{})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: records\n got %v\nwant %v", c.name, got, want)
		}
		if w := res.Wait.Mean; math.Abs(w-0.5/3) > 1e-12 {
			t.Errorf("%s: mean wait %v s, want 0.5/3", c.name, w)
		}
	}
	cfg := sim.Config{Nodes: node, Startup: startup}
	if got, want := schedule(t, cfg, startupTasks(), firstFit()), "1:0-1.5 2:1.5-4 3:5-6.5"; got != want {
		t.Errorf("central: schedule\n got %s\nwant %s", got, want)
	}
}

const time100s = 100 * sim.Second

// TestStartupInEASYEstimates: EASY backfilling adds the mean start-up to
// each estimate, so a backfilled task cannot delay the reservation by its
// own start-up. One node of 4 CPUs, start-up 1 s; jobs (arrival, CPUs,
// run, estimate):
//
//	J1  0  1  10   10    runs 0–11 (1 s start-up); estimated end 0+10+1 = 11
//	J2  1  4   5    5    the head: needs the whole node, reserved at 11
//	J3  2  2   8.5  8.5  ends by its estimate at 2+8.5 = 10.5 <= 11 without
//	                     the start-up, but at 2+8.5+1 = 11.5 > 11 with it:
//	                     not backfilled, so it runs after J2 (17–26.5)
//
// J2 starts at its reservation, 11, and ends at 11+1+5 = 17.
func TestStartupInEASYEstimates(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 4000}}
	tasks := jobs(job{0, 1, 10, 10}, job{1, 4, 5, 5}, job{2, 2, 8.5, 8.5})
	cfg := sim.Config{Nodes: node, Startup: sim.Delay{Mean: sim.Second}, Central: sim.Central{Backfill: sim.EASY}}
	if got, want := schedule(t, cfg, tasks, firstFit()), "1:0-11 2:11-17 3:17-26.5"; got != want {
		t.Errorf("schedule\n got %s\nwant %s", got, want)
	}
}

// TestStartupLognormal checks the drawn delays against the lognormal
// they come from. Tasks of no work arrive 10 s apart on one idle node, so
// each record's finish minus start is one drawn delay.
//
// With σ² = ln(1+CV²), ln(delay) is normal with mean μ = ln(Mean) − σ²/2 and
// variance σ². Over n draws the sample mean of the delays has standard
// error CV·Mean/√n (the delays' standard deviation is CV·Mean); the sample
// mean of their logs has standard error σ/√n, and the sample variance of
// their logs σ²·√(2/(n−1)) (a normal sample's variance). Each is checked
// within tolSE such standard errors: a correct sampler fails one of the
// three checks with probability about 1e-6.
func TestStartupLognormal(t *testing.T) {
	const (
		n     = 20000
		tolSE = 5
		cv    = 0.5
		mean  = 80 * ms
	)
	tasks := make([]sim.Task, n)
	for i := range tasks {
		tasks[i] = sim.Task{ID: int64(i + 1), Arrival: sim.Time(i) * 10 * sim.Second}
	}
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}}
	got, _ := runRecords(t, sim.Config{Nodes: node, Seed: 5, Startup: sim.Delay{Mean: mean, CV: cv}}, tasks, &script{})
	var sum, sumLog, sumLog2 float64
	for _, r := range got {
		d := float64(r.finish - r.start)
		sum += d
		sumLog += math.Log(d)
		sumLog2 += math.Log(d) * math.Log(d)
	}
	s2 := math.Log1p(cv * cv)
	mu := math.Log(float64(mean)) - s2/2
	m, ml := sum/n, sumLog/n
	vl := (sumLog2 - n*ml*ml) / (n - 1)
	if se := cv * float64(mean) / math.Sqrt(n); math.Abs(m-float64(mean)) > tolSE*se {
		t.Errorf("mean delay %.0f ns, want %d ± %.0f", m, mean, tolSE*se)
	}
	if se := math.Sqrt(s2 / n); math.Abs(ml-mu) > tolSE*se {
		t.Errorf("mean log delay %.5f, want μ = %.5f ± %.5f", ml, mu, tolSE*se)
	}
	if se := s2 * math.Sqrt(2.0/(n-1)); math.Abs(vl-s2) > tolSE*se {
		t.Errorf("variance of log delays %.5f, want σ² = %.5f ± %.5f", vl, s2, tolSE*se)
	}

	// CV 0 is the mean, exactly.
	got, _ = runRecords(t, sim.Config{Nodes: node, Startup: sim.Delay{Mean: mean}}, tasks[:100], &script{})
	for _, r := range got {
		if r.finish-r.start != mean {
			t.Fatalf("task %d: delay %v with CV 0, want %v", r.id, r.finish-r.start, mean)
		}
	}
}

// TestStartupDeterministic: the delays come from the stream (seed,
// "startup"): the same seed gives the same records, byte for byte, under
// node queueing (with and without dynamics) and central queueing, and
// another seed other ones.
func TestStartupDeterministic(t *testing.T) {
	startup := sim.Delay{Mean: 80 * ms, CV: 0.3}
	nodes := []sim.NodeSpec{{Name: "n0", Slots: 2, Speed: 1, CPU: 4000}, {Name: "n1", Slots: 2, Speed: 2, CPU: 4000}}
	runs := map[string]func(seed uint64) uint64{
		"engine": func(seed uint64) uint64 {
			rr, _ := strategies.New("round-robin", nil, nil)
			return recordsHash(t, sim.Config{Nodes: nodes, Seed: seed, Startup: startup}, intTasks(2000), rr, false)
		},
		"engine with dynamics": func(seed uint64) uint64 {
			cfg := sim.Config{Nodes: nodes, Seed: seed, Startup: startup,
				Faults: []sim.Fault{{Node: 0, At: 200 * sim.Second, For: 60 * sim.Second}},
				Client: sim.Client{Retries: 1, Timeout: 3 * sim.Second, Backoff: 100 * ms, Multiplier: 2}}
			return recordsHash(t, cfg, intTasks(2000), &members{last: -1}, false)
		},
		"central": func(seed uint64) uint64 {
			cfg := sim.Config{Nodes: nodes, Seed: seed, Startup: startup, Central: sim.Central{Backfill: sim.EASY}}
			return recordsHash(t, cfg, intTasks(2000), firstFit(), true)
		},
	}
	for name, run := range runs {
		a, b, c := run(7), run(7), run(8)
		if a != b {
			t.Errorf("%s: same seed, different records", name)
		}
		if a == c {
			t.Errorf("%s: another seed gave the same records", name)
		}
	}
	// A run with a generated workload and p2c gives the same result twice.
	res := func() sim.Result {
		gen := traces.NewGenerator(traces.Poisson{Rate: 6}, traces.Exponential{Mean: sim.Second}, 1)
		st, _ := strategies.New("p2c", nil, sim.NewRand(1, "strategy/p2c"))
		e, err := sim.NewEngine(sim.Config{Nodes: nodes, StopTasks: 5000, Seed: 1, Startup: startup}, gen, st)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		return e.Result()
	}
	if a, b := res(), res(); a.Latency != b.Latency || a.Wait != b.Wait {
		t.Errorf("same seed, different results: %+v, %+v", a.Latency, b.Latency)
	}
}

// TestStartupChecked: a negative mean or a bad CV is refused when the
// run is prepared, by both queueing models; a delay that would end past
// representable time stops the run with an error.
func TestStartupChecked(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1, CPU: 1000}}
	st, _ := strategies.New("round-robin", nil, nil)
	for _, c := range []struct {
		d    sim.Delay
		want string
	}{
		{sim.Delay{Mean: -sim.Second}, "sim: startup: mean must be >= 0, got -1s"},
		{sim.Delay{Mean: 1, CV: -0.5}, "sim: startup: coefficient of variation must be a finite number >= 0, got -0.5"},
		{sim.Delay{Mean: 1, CV: math.NaN()}, "sim: startup: coefficient of variation must be a finite number >= 0, got NaN"},
		{sim.Delay{Mean: 1, CV: math.Inf(1)}, "sim: startup: coefficient of variation must be a finite number >= 0, got +Inf"},
	} {
		cfg := sim.Config{Nodes: node, Startup: c.d}
		if _, err := sim.NewEngine(cfg, &sliceSource{}, st); err == nil || err.Error() != c.want {
			t.Errorf("NewEngine with %+v: %v, want %s", c.d, err, c.want)
		}
		if _, err := sim.NewScheduler(cfg, &sliceSource{}, firstFit()); err == nil || err.Error() != c.want {
			t.Errorf("NewScheduler with %+v: %v, want %s", c.d, err, c.want)
		}
	}
	if d := (sim.Delay{}); !d.IsZero() || d.Validate() != nil {
		t.Error("the zero Delay is not a valid none")
	}

	late := []sim.Task{{ID: 4, Arrival: sim.MaxTime - sim.Second, Work: 1, CPU: 1000}}
	for _, central := range []bool{false, true} {
		var s sim.Strategy = st
		if central {
			s = firstFit()
		}
		e, err := sim.Start(sim.Config{Nodes: node, Startup: sim.Delay{Mean: 2 * sim.Second}}, &sliceSource{tasks: late}, s, central)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Step(100)
		if err == nil || !strings.Contains(err.Error(), "task 4 would finish after the end of representable time (start-up delay 2s)") {
			t.Errorf("central %v: got %v", central, err)
		}
	}
}

// TestStartupCountsTowardTimeout: the start-up is part of the service a
// client waits for. With a timeout of 2 s and no retries, a task of 1.8 s
// of work and 0.5 s of start-up fails at 2 s. With a random start-up the
// node projects each attempt's end from the delay it then draws, and the
// service takes that same delay: no attempt is answered after its timeout.
func TestStartupCountsTowardTimeout(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}}
	cfg := sim.Config{Nodes: node, Startup: sim.Delay{Mean: 500 * ms}, Client: sim.Client{Timeout: 2 * sim.Second}}
	got, _ := runRecords(t, cfg, []sim.Task{{ID: 1, Work: 1800 * ms}}, &script{})
	if want := []rec{{1, 0, 2 * sim.Second, 2 * sim.Second, sim.Failed, 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}

	const timeout = 3 * sim.Second
	nodes := []sim.NodeSpec{{Name: "n0", Slots: 2, Speed: 1}, {Name: "n1", Slots: 2, Speed: 1}}
	cfg = sim.Config{Nodes: nodes, Seed: 2, Startup: sim.Delay{Mean: 500 * ms, CV: 1}, Client: sim.Client{Timeout: timeout}}
	tasks := intTasks(2000)
	got, _ = runRecords(t, cfg, tasks, &members{last: -1})
	var failed, close int
	for _, r := range got {
		switch lat := r.finish - tasks[r.id-1].Arrival; {
		case r.status == sim.Failed:
			failed++
		case lat > timeout:
			t.Fatalf("task %d answered after %v, past its %v timeout", r.id, lat, timeout)
		case lat > timeout-500*ms:
			close++
		}
	}
	if failed == 0 || close == 0 {
		t.Errorf("%d failed, %d answered within 0.5 s of the timeout: the run does not test the projection", failed, close)
	}
}
