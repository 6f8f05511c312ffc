package sim_test

import (
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// script picks the nodes of its list in turn, one per decision (first
// attempts and retries alike), so a test fixes every placement.
type script struct {
	picks []int
	k     int
	seen  []bool // Healthy(0) at each decision, when watch is set
	watch bool
	times []sim.Time
}

func (s *script) Name() string { return "script" }
func (s *script) Pick(v *sim.View, _ *sim.Task) int {
	if s.watch {
		s.seen = append(s.seen, v.Healthy(0))
		s.times = append(s.times, v.Now())
	}
	if len(s.picks) == 0 {
		return 0
	}
	p := s.picks[s.k%len(s.picks)]
	s.k++
	return p
}

// members is round robin over members, ignoring health (DNS-style).
type members struct{ last int }

func (m *members) Name() string { return "members" }
func (m *members) Pick(v *sim.View, _ *sim.Task) int {
	for k := 1; k <= v.Len(); k++ {
		i := (m.last + k) % v.Len()
		if v.Member(i) {
			m.last = i
			return i
		}
	}
	return sim.Drop
}

type rec struct {
	id            int64
	node          int
	start, finish sim.Time
	status        sim.Status
	attempts      int
}

func runRecords(t *testing.T, cfg sim.Config, tasks []sim.Task, st sim.Strategy) ([]rec, sim.Result) {
	t.Helper()
	var out []rec
	cfg.OnRecord = func(r *sim.Record) {
		out = append(out, rec{r.Task.ID, r.Node, r.Start, r.Finish, r.Status, r.Attempts})
	}
	e, err := sim.NewEngine(cfg, &sliceSource{tasks: tasks}, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return out, e.Result()
}

func two() []sim.NodeSpec {
	return []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}, {Name: "n1", Slots: 1, Speed: 1}}
}

const ms = sim.Millisecond

// TestNetworkDelay: a task from region a served in region b takes its work
// plus the round trip, half before it starts and half after it ends; a
// spike on b adds to the round trip while it lasts. Worked by hand:
// task 1 at 0 reaches n0 at 50ms, ends at 1.05s, is back at 1.1s; task 2
// at 2s sees RTT 100+200ms: starts 2.15s, back at 3.3s.
func TestNetworkDelay(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n0", Region: "b", Slots: 1, Speed: 1}}
	cfg := sim.Config{Nodes: nodes, Network: &sim.Network{
		Regions: []string{"a", "b"},
		RTT:     []sim.Time{0, 100 * ms, 100 * ms, 10 * ms},
		Spikes:  []sim.Spike{{Region: 1, At: 2 * sim.Second, For: sim.Second, Add: 200 * ms}},
	}}
	tasks := []sim.Task{
		{ID: 1, Arrival: 0, Work: sim.Second, Region: "a"},
		{ID: 2, Arrival: 2 * sim.Second, Work: sim.Second, Region: "a"},
		{ID: 3, Arrival: 4 * sim.Second, Work: sim.Second, Region: "b"},
	}
	got, res := runRecords(t, cfg, tasks, &script{})
	want := []rec{
		{1, 0, 50 * ms, 1100 * ms, sim.Completed, 1},
		{2, 0, 2150 * ms, 3300 * ms, sim.Completed, 1},
		{3, 0, 4005 * ms, 5010 * ms, sim.Completed, 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
	// Latency is finish minus arrival, network included: 1.1, 1.3, 1.01.
	if m := res.Latency.Mean; m < 1.1366 || m > 1.1367 {
		t.Errorf("mean latency %v, want (1.1+1.3+1.01)/3", m)
	}
	// Little's law holds with responses in flight: L = λW over the
	// window [0, 5.01s].
	if l, want := res.MeanInSystem, 3*1.13666666/5.01; l < want*0.9999 || l > want*1.0001 {
		t.Errorf("mean in system %v, want λW = %v", l, want)
	}
	bad := cfg
	if _, _, err := runErr(bad, []sim.Task{{ID: 9, Work: 1, Region: "mars"}}); err == nil {
		t.Error("a task from an unknown region ran")
	}
}

func runErr(cfg sim.Config, tasks []sim.Task) ([]rec, sim.Result, error) {
	e, err := sim.NewEngine(cfg, &sliceSource{tasks: tasks}, &script{})
	if err != nil {
		return nil, sim.Result{}, err
	}
	err = e.Run()
	return nil, e.Result(), err
}

// TestFailureRetry: n0 fails at 4s under task 1 (10s of work). Without a
// timeout the client notices at once, backs off 1s and retries on n1: it
// ends at 5+10 = 15s after two attempts. Without retries it fails at 4s.
func TestFailureRetry(t *testing.T) {
	cfg := sim.Config{Nodes: two(), Faults: []sim.Fault{{Node: 0, At: 4 * sim.Second, For: 100 * sim.Second}},
		Client: sim.Client{Retries: 1, Backoff: sim.Second}}
	tasks := []sim.Task{{ID: 1, Work: 10 * sim.Second}}
	got, res := runRecords(t, cfg, tasks, &script{picks: []int{0, 1}})
	want := []rec{{1, 1, 5 * sim.Second, 15 * sim.Second, sim.Completed, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
	f := res.Faults
	if f == nil || f.Failures != 1 || f.LostAttempts != 1 || f.Retries != 1 || f.Timeouts != 0 {
		t.Fatalf("faults %+v", f)
	}
	// The run ends with its last task, not with the repair at 104s.
	if res.MakespanS != 15 {
		t.Errorf("makespan %v, want 15", res.MakespanS)
	}

	cfg.Client = sim.Client{}
	got, res = runRecords(t, cfg, tasks, &script{picks: []int{0, 1}})
	want = []rec{{1, 0, 4 * sim.Second, 4 * sim.Second, sim.Failed, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.Tasks.Failed != 1 {
		t.Fatalf("without retries\n got %v\nwant %v", got, want)
	}
}

// TestTimeoutAbandons: timeouts of 3s with one retry; n1 is 4 times as
// fast as n0. Hand-worked:
//
//	t1 (10s) on n0 at 0; times out at 3s, retried on n1: runs 3..5.5s.
//	n0 serves the abandoned t1 anyway, until 10s.
//	t2 (1s) at 4s on n0 queues behind it; times out at 7s, retried on n1:
//	runs 7..7.25s. n0 serves t2's abandoned copy 10..11s.
//
// The run ends with its last task (7.25s); abandoned work left on a node
// is not waited for. Without retries t1 fails at its timeout, 3s.
func TestTimeoutAbandons(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "n0", Slots: 1, Speed: 1}, {Name: "n1", Slots: 1, Speed: 4}}
	cfg := sim.Config{Nodes: nodes, Client: sim.Client{Retries: 1, Timeout: 3 * sim.Second}}
	tasks := []sim.Task{{ID: 1, Work: 10 * sim.Second}, {ID: 2, Arrival: 4 * sim.Second, Work: sim.Second}}
	got, res := runRecords(t, cfg, tasks, &script{picks: []int{0, 1, 0, 1}})
	want := []rec{
		{1, 1, 3 * sim.Second, 5500 * ms, sim.Completed, 2},
		{2, 1, 7 * sim.Second, 7250 * ms, sim.Completed, 2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
	if f := res.Faults; f.Timeouts != 2 || f.Retries != 2 {
		t.Fatalf("faults %+v", f)
	}
	// Abandoned work occupies n0 all along.
	if u := res.Nodes[0].Utilization; u != 1 {
		t.Errorf("n0 utilization %v, want 1", u)
	}
	if u := res.Nodes[1].Utilization; u < 2.75/7.25-1e-9 || u > 2.75/7.25+1e-9 {
		t.Errorf("n1 utilization %v, want 2.75/7.25", u)
	}

	cfg.Client.Retries = 0
	got, res = runRecords(t, cfg, tasks[:1], &script{picks: []int{0}})
	want = []rec{{1, 0, 3 * sim.Second, 3 * sim.Second, sim.Failed, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.WindowS != 3 {
		t.Fatalf("without retries\n got %v (window %vs)\nwant %v (window 3s)", got, res.WindowS, want)
	}
}

// TestHealthDetectionLag: the checker probes every interval I at a phase
// of its own and reports a node down after k failed probes, so strategies
// see a failure at tf after a lag in [(k-1)I, kI] (interval × threshold
// within one interval), and a recovery after [(r-1)I, rI].
func TestHealthDetectionLag(t *testing.T) {
	const iv = sim.Second
	for _, k := range []int{1, 3} {
		for seed := uint64(1); seed <= 20; seed++ {
			tf := sim.Time(seed)*137*ms + 20*sim.Second
			dur := 30 * sim.Second
			var tasks []sim.Task
			for a := sim.Time(0); a < 90*sim.Second; a += 10 * ms {
				tasks = append(tasks, sim.Task{ID: int64(len(tasks)), Arrival: a, Work: ms})
			}
			s := &script{picks: []int{1}, watch: true}
			cfg := sim.Config{Nodes: two(), Seed: seed,
				Faults: []sim.Fault{{Node: 0, At: tf, For: dur}},
				Health: &sim.Health{Interval: iv, Threshold: k, Rise: 2}}
			runRecords(t, cfg, tasks, s)
			down, up := sim.Time(-1), sim.Time(-1)
			for j, h := range s.seen {
				if !h && down < 0 {
					down = s.times[j]
				}
				if h && down >= 0 && up < 0 {
					up = s.times[j]
				}
			}
			// Decisions come every 10ms, so a change is seen up to 10ms late.
			if lag := down - tf; lag < sim.Time(k-1)*iv || lag > sim.Time(k)*iv+10*ms {
				t.Errorf("k=%d seed %d: down seen %v after the failure, want in [%v, %v]", k, seed, lag, sim.Time(k-1)*iv, sim.Time(k)*iv)
			}
			if lag := up - (tf + dur); lag < iv || lag > 2*iv+10*ms {
				t.Errorf("k=%d seed %d: recovery seen %v after the repair, want in [1s, 2s]", k, seed, lag)
			}
		}
	}
}

// TestDrainFinishesInFlight: maintenance takes n0 out of the pool at 5s for
// 10s; what it holds finishes, a membership-aware round robin sends it
// nothing in [5s, 15s), and nothing fails.
func TestDrainFinishesInFlight(t *testing.T) {
	var tasks []sim.Task
	for a := sim.Time(0); a < 30*sim.Second; a += 500 * ms {
		tasks = append(tasks, sim.Task{ID: int64(len(tasks)), Arrival: a, Work: 900 * ms})
	}
	cfg := sim.Config{Nodes: two(), Faults: []sim.Fault{{Node: 0, At: 5 * sim.Second, For: 10 * sim.Second, Drain: true}}}
	got, res := runRecords(t, cfg, tasks, &members{last: -1})
	for _, r := range got {
		if r.node == 0 && r.start >= 5*sim.Second && r.start < 15*sim.Second {
			t.Errorf("task %d started on the drained node at %v", r.id, r.start)
		}
		if r.status != sim.Completed {
			t.Errorf("task %d %v", r.id, r.status)
		}
	}
	if res.Tasks.Completed != int64(len(tasks)) {
		t.Errorf("completed %d of %d", res.Tasks.Completed, len(tasks))
	}
}

// TestAutoscalerBound: a saturated group of at most 2 nodes scales out at
// its first evaluation (10s); the new node is billed from then and joins
// 30s later, so no task starts on it before 40s; the group never exceeds
// max; node-hours are T + (T − 10s) for a run ending at T.
func TestAutoscalerBound(t *testing.T) {
	nodes := []sim.NodeSpec{{Name: "w-0", Slots: 1, Speed: 1, CostPerHour: 3600}, {Name: "w-1", Slots: 1, Speed: 1, CostPerHour: 3600}}
	var tasks []sim.Task
	for a := sim.Time(0); a < 100*sim.Second; a += 500 * ms {
		tasks = append(tasks, sim.Task{ID: int64(len(tasks)), Arrival: a, Work: 900 * ms})
	}
	cfg := sim.Config{Nodes: nodes, Autoscale: []sim.Autoscaler{{Group: "w", Nodes: []int{0, 1}, Initial: 1, Min: 1, Max: 2,
		Target: 0.5, Interval: 10 * sim.Second, Cooldown: sim.Hour, Provision: 30 * sim.Second}}}
	got, res := runRecords(t, cfg, tasks, &members{last: -1})
	first := sim.MaxTime
	var end sim.Time
	for _, r := range got {
		if r.node == 1 && r.start < first {
			first = r.start
		}
		end = max(end, r.finish)
	}
	if first != 40*sim.Second {
		t.Errorf("first task on the new node at %v, want 40s", first)
	}
	s := res.Scaling
	if s == nil || s.PeakNodes != 2 || s.ScaleOuts != 1 || s.ScaleIns != 0 {
		t.Fatalf("scaling %+v", s)
	}
	// Cost 3600/h is 1 per second of billing.
	if want := (2*end - 10*sim.Second).Seconds(); res.Cost.USD < want-1e-6 || res.Cost.USD > want+1e-6 {
		t.Errorf("cost %v, want %v (billing from the request)", res.Cost.USD, want)
	}
}

// TestAutoscalerNeverExceedsMax: under a load far above what max nodes
// can serve (40 tasks/s of 1s on 2-slot nodes wants 34 nodes at target
// 0.6), a group of max 5 stops at 5; nodes outside it stay static.
func TestAutoscalerNeverExceedsMax(t *testing.T) {
	var nodes []sim.NodeSpec
	var idx []int
	for i := 0; i < 8; i++ {
		nodes = append(nodes, sim.NodeSpec{Name: fmt.Sprint("w-", i), Slots: 2, Speed: 1})
		idx = append(idx, i)
	}
	gen := traces.NewGenerator(traces.Poisson{Rate: 40}, traces.Exponential{Mean: sim.Second}, 1)
	cfg := sim.Config{Nodes: nodes, StopTime: 200 * sim.Second, Autoscale: []sim.Autoscaler{{Group: "w", Nodes: idx[3:], Initial: 2, Min: 2, Max: 5,
		Target: 0.6, Interval: 5 * sim.Second, Cooldown: 20 * sim.Second, Provision: 2 * sim.Second}}}
	var onNode [8]int
	cfg.OnRecord = func(r *sim.Record) {
		if r.Node >= 0 {
			onNode[r.Node]++
		}
	}
	e, err := sim.NewEngine(cfg, gen, &members{last: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	s := e.Result().Scaling
	// Billed nodes: the 3 static ones and at most 5 of the group.
	if s.PeakNodes != 3+5 || s.ScaleOuts != 3 {
		t.Errorf("peak %d nodes after %d scale-outs, want 8 (3 static + max 5) after 3", s.PeakNodes, s.ScaleOuts)
	}
	for i := 0; i < 8; i++ {
		if onNode[i] == 0 {
			t.Errorf("node %d served nothing", i)
		}
	}
}

// TestDynamicsDeterministic: failures (scheduled and random, Weibull),
// health checks, timeouts, retries and the network give the same records,
// byte for byte, on every run with the same seed, and other ones with
// another seed.
func TestDynamicsDeterministic(t *testing.T) {
	run := func(seed uint64) uint64 {
		var nodes []sim.NodeSpec
		for i := 0; i < 6; i++ {
			nodes = append(nodes, sim.NodeSpec{Name: fmt.Sprint("n", i), Region: []string{"a", "b"}[i%2], Slots: 2, Speed: 1})
		}
		gen := traces.NewGenerator(traces.Poisson{Rate: 8}, traces.Exponential{Mean: sim.Second}, seed)
		cfg := sim.Config{Nodes: nodes, StopTasks: 20000, Seed: seed,
			Network:      &sim.Network{Regions: []string{"a", "b"}, RTT: []sim.Time{ms, 80 * ms, 80 * ms, ms}},
			Faults:       []sim.Fault{{Node: 1, At: 100 * sim.Second, For: 60 * sim.Second}, {Node: 2, At: 300 * sim.Second, For: 60 * sim.Second, Drain: true}},
			RandomFaults: []sim.RandomFaults{{Nodes: []int{3, 4, 5}, MTBF: 200 * sim.Second, MTTR: 20 * sim.Second, Weibull: 1.5}},
			Client:       sim.Client{Retries: 2, Timeout: 4 * sim.Second, Backoff: 100 * ms, Multiplier: 2},
			Health:       &sim.Health{Interval: 2 * sim.Second, Threshold: 2, Rise: 1}}
		h := fnv.New64a()
		cfg.OnRecord = func(r *sim.Record) {
			fmt.Fprintln(h, r.Task.ID, r.Node, r.Start, r.Finish, r.Status, r.Attempts)
		}
		e, err := sim.NewEngine(cfg, gen, &members{last: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		f := e.Result().Faults
		if f.Failures < 3 || f.Retries == 0 {
			t.Errorf("seed %d: faults %+v: the scenario should fail nodes and retry", seed, f)
		}
		fmt.Fprintf(h, "%+v", e.Result().Faults)
		return h.Sum64()
	}
	a, b, c := run(7), run(7), run(8)
	if a != b {
		t.Error("same seed, different records")
	}
	if a == c {
		t.Error("another seed gave the same records")
	}
}
