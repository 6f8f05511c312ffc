package realexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// tasks is a Source over a slice.
type tasks struct {
	ts []sim.Task
	i  int
}

func (s *tasks) Next(t *sim.Task) error {
	if s.i >= len(s.ts) {
		return io.EOF
	}
	*t = s.ts[s.i]
	s.i++
	return nil
}

// evenly is n tasks of work w, one every gap from 0.
func evenly(n int, gap, w time.Duration) *tasks {
	s := &tasks{}
	for i := 0; i < n; i++ {
		s.ts = append(s.ts, sim.Task{ID: int64(i), Arrival: sim.Time(gap) * sim.Time(i), Work: sim.Time(w)})
	}
	return s
}

// testCluster is the cluster the test daemons play: n nodes of 2 slots,
// one core and 256 MiB each.
func testCluster(n int) ([]sim.NodeSpec, []NodeConfig) {
	specs := make([]sim.NodeSpec, n)
	for i := range specs {
		specs[i] = sim.NodeSpec{Name: real.nodes[i].Name, Group: "node", Slots: real.nodes[i].Slots, Speed: 1,
			CPU: real.nodes[i].CPU, Memory: real.nodes[i].Memory}
	}
	return specs, append([]NodeConfig(nil), real.nodes[:n]...)
}

// runReal runs src through the strategy called name on the test nodes and
// returns the records in arrival order.
func runReal(t *testing.T, ctx context.Context, cfg Config, src sim.Source, strat sim.Strategy) ([]Record, *Result, error) {
	t.Helper()
	if cfg.Nodes == nil {
		cfg.Nodes, cfg.Real = testCluster(3)
	}
	cfg.Image = real.image
	var recs []Record
	cfg.OnRecord = func(r *Record) {
		recs = append(recs, *r)
	}
	var log strings.Builder
	cfg.Log = &log
	res, err := Run(ctx, cfg, src, strat)
	for i := range recs {
		recs[i].Record.Task = &recs[i].Task
	}
	if t.Failed() || err != nil {
		t.Logf("runner log:\n%s", log.String())
	} else {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("runner log:\n%s", log.String())
			}
		})
	}
	return recs, res, err
}

func newStrategy(t *testing.T, name string) sim.Strategy {
	t.Helper()
	s, err := strategies.New(name, nil, sim.NewRand(1, "strategy/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkComplete checks that every one of n tasks has exactly one record,
// completed with exit code 0, and that its timeline is in causal order:
// arrival ≤ decision ≤ slot taken ≤ created ≤ started ≤ exited = finish,
// with the workload's own time inside the span from slot to exit.
func checkComplete(t *testing.T, recs []Record, n int) []int {
	t.Helper()
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}
	seen := make(map[int64]bool)
	counts := make([]int, len(real.nodes))
	for k := range recs {
		r := &recs[k]
		if seen[r.Task.ID] {
			t.Fatalf("task %d has two records", r.Task.ID)
		}
		seen[r.Task.ID] = true
		if r.Status != sim.Completed || r.ExitCode != 0 || r.Err != "" {
			t.Fatalf("task %d: status %v exit %d err %q", r.Task.ID, r.Status, r.ExitCode, r.Err)
		}
		if !(r.Task.Arrival <= r.Decided && r.Decided <= r.Start && r.Start <= r.Created &&
			r.Created <= r.Started && r.Started <= r.Exited && r.Exited == r.Finish) {
			t.Fatalf("task %d: timeline out of order: arrival %v decided %v start %v created %v started %v exited %v finish %v",
				r.Task.ID, r.Task.Arrival, r.Decided, r.Start, r.Created, r.Started, r.Exited, r.Finish)
		}
		if r.Inside <= 0 || r.Inside > r.Exited-r.Start {
			t.Fatalf("task %d: inside %v, slot to exit %v", r.Task.ID, r.Inside, r.Exited-r.Start)
		}
		if r.Record.Task != &r.Task || r.Node < 0 || r.Node >= len(counts) {
			t.Fatalf("task %d: node %d", r.Task.ID, r.Node)
		}
		counts[r.Node]++
	}
	return counts
}

// TestRoundRobinReal sends 100 tasks to 3 real nodes with round-robin:
// the per-node counts must be exactly those of the rotation, 34/33/33 in
// some order, and every record complete.
func TestRoundRobinReal(t *testing.T) {
	needReal(t)
	recs, res, err := runReal(t, context.Background(), Config{}, evenly(100, 40*time.Millisecond, 20*time.Millisecond), newStrategy(t, "round-robin"))
	if err != nil {
		t.Fatal(err)
	}
	counts := checkComplete(t, recs, 100)
	t.Logf("counts %v wall %v snapshotter %s versions %v", counts, res.Wall, res.Snapshotter, res.Versions)
	// Rotation: task k goes to node (k + offset) mod 3.
	for _, r := range recs {
		if want := (recs[0].Node + int(r.Task.ID-recs[0].Task.ID)) % 3; r.Node != want && r.Task.ID >= recs[0].Task.ID {
			t.Fatalf("task %d on node %d, rotation says %d", r.Task.ID, r.Node, want)
		}
	}
	thirty := 0
	for _, c := range counts {
		if c == 33 {
			thirty++
		} else if c != 34 {
			t.Fatalf("counts %v, want 34/33/33", counts)
		}
	}
	if thirty != 2 || res.Completed != 100 || res.Tasks != 100 {
		t.Fatalf("counts %v result %+v", counts, res)
	}
}

// loadSpy records the load every node showed when the strategy picked.
type loadSpy struct {
	sim.Picker
	name  string
	loads [][3]int
	picks []int
}

func (s *loadSpy) Name() string { return s.name }

func (s *loadSpy) Pick(v *sim.View, t *sim.Task) int {
	i := s.Picker.Pick(v, t)
	s.loads = append(s.loads, [3]int{v.InSystem(0), v.InSystem(1), v.InSystem(2)})
	s.picks = append(s.picks, i)
	return i
}

// TestPowerOfTwoReal sends 100 tasks to 3 real nodes with p2c. Its
// choices depend on the live load, so the check is the algorithm's
// defining property: the pick is the less loaded of two distinct nodes,
// so it is never the one node strictly more loaded than both others; and
// the per-node counts the records give equal the picks.
func TestPowerOfTwoReal(t *testing.T) {
	needReal(t)
	p2c := newStrategy(t, "p2c")
	spy := &loadSpy{Picker: p2c.(sim.Picker), name: p2c.Name()}
	if _, ok := p2c.(sim.Observer); ok {
		t.Fatal("p2c observes completions; the spy would hide that")
	}
	recs, res, err := runReal(t, context.Background(), Config{}, evenly(100, 40*time.Millisecond, 20*time.Millisecond), spy)
	if err != nil {
		t.Fatal(err)
	}
	counts := checkComplete(t, recs, 100)
	t.Logf("counts %v wall %v", counts, res.Wall)
	picked := make([]int, 3)
	busy := 0
	for k, i := range spy.picks {
		picked[i]++
		l := spy.loads[k]
		if l[0]+l[1]+l[2] > 0 {
			busy++
		}
		if l[i] > l[(i+1)%3] && l[i] > l[(i+2)%3] {
			t.Fatalf("pick %d: node %d chosen with loads %v (strictly the most loaded)", k, i, l)
		}
	}
	if picked[0] != counts[0] || picked[1] != counts[1] || picked[2] != counts[2] {
		t.Fatalf("picks %v but records %v", picked, counts)
	}
	if busy == 0 {
		t.Fatalf("every pick saw an idle cluster: the View never showed live load")
	}
}

// TestMemoryLimitReal runs one task that touches twice its memory limit
// and one that stays under it: the first is killed by the kernel's OOM
// killer (exit 137, SIGKILL) and recorded failed, the second completes.
func TestMemoryLimitReal(t *testing.T) {
	needReal(t)
	src := &tasks{ts: []sim.Task{
		{ID: 1, Work: sim.Time(10 * time.Millisecond), Memory: 32 << 20, Class: "over"},
		{ID: 2, Work: sim.Time(10 * time.Millisecond), Memory: 32 << 20, Class: "under"},
	}}
	cfg := Config{Touch: func(t *sim.Task, limit int64) int64 {
		if t.Class == "over" {
			return 2 * limit
		}
		return limit / 2
	}}
	recs, _, err := runReal(t, context.Background(), cfg, src, newStrategy(t, "round-robin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		t.Logf("task %d: %v exit %d err %q memory max %d", r.Task.ID, r.Status, r.ExitCode, r.Err, r.MemoryMax)
		switch r.Task.Class {
		case "over":
			if r.ExitCode != 137 || r.Status != sim.Failed || !strings.Contains(r.Err, "memory limit") || r.Reason != sim.ReasonOOM {
				t.Fatalf("over its limit: status %v exit %d err %q reason %q, want failed with 137, OOM-killed", r.Status, r.ExitCode, r.Err, r.Reason)
			}
		case "under":
			if r.ExitCode != 0 || r.Status != sim.Completed || r.Reason != "" {
				t.Fatalf("under its limit: status %v exit %d err %q", r.Status, r.ExitCode, r.Err)
			}
		}
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
}

// TestOOMKillReal runs tasks whose memory use the workload models
// (Task.MemoryUse, MemoryRate: the runner's own touching, no Config.Touch)
// under central placement, each with a 32 MiB limit, using memory at
// 256 MiB per second of work at speed 1, and checks each record against
// sim.OOMKill, the simulator's rule:
//
//	1  use 64 Mi, work 300 ms: reaches 32 Mi after 125 ms of work: OOM-killed
//	2  use 16 Mi, work 300 ms: within its limit: completes
//	3  use 64 Mi, work 50 ms: the work ends at 12.8 Mi: completes
//
// An OOM-killed record is failed with exit 137 and reason "oom", which only
// containerd's OOM event sets (a kill from elsewhere leaves it empty); the
// others complete with no reason. The run's count agrees.
func TestOOMKillReal(t *testing.T) {
	needReal(t)
	const mi = 1 << 20
	ts := []sim.Task{
		{ID: 1, Work: sim.Time(300 * time.Millisecond), CPU: 250, Memory: 32 * mi, MemoryUse: 64 * mi, MemoryRate: 256 * mi},
		{ID: 2, Work: sim.Time(300 * time.Millisecond), CPU: 250, Memory: 32 * mi, MemoryUse: 16 * mi, MemoryRate: 256 * mi},
		{ID: 3, Work: sim.Time(50 * time.Millisecond), CPU: 250, Memory: 32 * mi, MemoryUse: 64 * mi, MemoryRate: 256 * mi},
	}
	specs, rcs := testCluster(3)
	cfg := Config{Nodes: specs, Real: rcs, Central: true}
	recs, res, err := runReal(t, context.Background(), cfg, &tasks{ts: ts}, newStrategy(t, "first-fit"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(ts) {
		t.Fatalf("%d records, want %d", len(recs), len(ts))
	}
	killed := 0
	for _, r := range recs {
		t.Logf("task %d: %v exit %d reason %q err %q memory max %d", r.Task.ID, r.Status, r.ExitCode, r.Reason, r.Err, r.MemoryMax)
		_, oom := sim.OOMKill(&r.Task, r.Task.Work)
		if oom != (r.Task.ID == 1) {
			t.Fatalf("task %d: sim.OOMKill says %v; the test's table is wrong", r.Task.ID, oom)
		}
		if oom {
			killed++
			if r.Status != sim.Failed || r.ExitCode != 137 || r.Reason != sim.ReasonOOM {
				t.Errorf("task %d over its limit: status %v exit %d reason %q err %q; want failed, 137, oom", r.Task.ID, r.Status, r.ExitCode, r.Reason, r.Err)
			}
		} else if r.Status != sim.Completed || r.ExitCode != 0 || r.Reason != "" {
			t.Errorf("task %d within its limit: status %v exit %d reason %q err %q; want completed", r.Task.ID, r.Status, r.ExitCode, r.Reason, r.Err)
		}
	}
	if res.OOMKilled != int64(killed) || res.Failed != int64(killed) {
		t.Errorf("result: %d OOM-killed, %d failed; want %d", res.OOMKilled, res.Failed, killed)
	}
}

// maxTick is the longest scheduler tick Linux allows (HZ = 100): CFS
// notices that a cgroup has used up its quota only at the next tick (or
// hrtick), so a running task can overrun by up to a tick on each CPU, a
// debt the next periods pay back.
const maxTick = 10 * time.Millisecond

// quotaBound is the most CPU time a cgroup with quota q per period P can be
// charged over a window of length w: the window overlaps at most w/P + 2
// periods, each refilling the quota (no cpu.cfs_burst), and the runtime
// already handed to the CPUs' run queues when it opened comes from a pool
// of at most one quota, counted in the + 2 since the pool is refilled, not
// added to; beyond that each CPU may overrun by a tick. So usage ≤
// q·(w/P + 2) + CPUs × tick.
func quotaBound(q, period, w time.Duration) time.Duration {
	return time.Duration(float64(q)*(float64(w)/float64(period)+2)) + time.Duration(runtime.NumCPU())*maxTick
}

// TestCPUQuotaReal shows the CPU quota by the cgroup's own accounting, not
// by wall-clock time (which depends on what else the machine runs): a
// container with the least quota the kernel allows (100 milli-cores: 1 ms
// per 10 ms period), spinning on 150 ms of work, is sampled every 10 ms,
// and over every window between two samples its CPU time must stay within
// quotaBound, the window taken from the first sample's request to the
// second's reply (the longest the true window can be). The kernel must
// also report throttled periods: the quota bound whenever the container
// gets more than a tenth of a core, which even a machine with a CPU-bound
// job on every core leaves it. Without the quota the container uses what
// the machine leaves it, many times the bound over a second, and no
// period is throttled.
func TestCPUQuotaReal(t *testing.T) {
	needReal(t)
	ctx := context.Background()
	n := readyNode(t, 0)
	t0 := time.Now()
	now := func() time.Duration { return time.Since(t0) }
	var tl Timeline
	const milli = MinSlotCPU
	r, err := n.Start(ctx, Spec{ID: "fleetsim-test-quota", Run: "test", Args: []string{"-work", "150ms"}, CPU: milli}, now, &tl)
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		req, rep time.Duration
		u        Usage
	}
	var samples []sample
	done := make(chan struct{})
	go func() {
		r.Wait(now, &tl)
		close(done)
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(10 * time.Millisecond):
			req := now()
			u, err := r.Sample(ctx)
			if err == nil {
				samples = append(samples, sample{req, now(), u})
			}
		}
	}
	if _, err := r.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if tl.ExitCode != 0 {
		t.Fatalf("exit code %d", tl.ExitCode)
	}
	period := time.Duration(CFSPeriod) * time.Microsecond
	q := period * milli / 1000
	if len(samples) < 5 {
		t.Fatalf("%d samples of a run of %v: too few to check", len(samples), tl.Exited-tl.Started)
	}
	first, last := samples[0], samples[len(samples)-1]
	used := time.Duration(last.u.CPUNs - first.u.CPUNs)
	t.Logf("%d samples over %v: %v of CPU, %d of %d periods throttled (%v throttled)", len(samples), last.rep-first.req,
		used, last.u.ThrottledPeriods, last.u.Periods, time.Duration(last.u.ThrottledNs))
	if used <= 0 {
		t.Fatalf("no CPU time accounted between the first and last samples")
	}
	worst := 0.0
	for i := range samples {
		for j := i + 1; j < len(samples); j++ {
			w := samples[j].rep - samples[i].req
			du := time.Duration(samples[j].u.CPUNs - samples[i].u.CPUNs)
			bound := quotaBound(q, period, w)
			worst = max(worst, float64(du)/float64(bound))
			if du > bound {
				t.Fatalf("samples %d..%d: %v of CPU in at most %v, above the quota's bound %v (%v per %v)", i, j, du, w, bound, q, period)
			}
		}
	}
	t.Logf("highest usage over any window: %.2f of the bound", worst)
	if last.u.ThrottledPeriods == 0 || last.u.Periods == 0 {
		t.Fatalf("the kernel reports no throttling (%d of %d periods): the quota was not applied (load average %.1f)", last.u.ThrottledPeriods, last.u.Periods, Load1())
	}
}

// TestCPUQuotaRunnerReal checks that the runner gives a task the quota of
// its cpu request: a task of 100 milli-cores has throttled periods in its
// record, and its CPU time is within quotaBound of the span from the
// container's creation (its cgroup is made then: runc's own start-up is
// charged to it) to its exit.
func TestCPUQuotaRunnerReal(t *testing.T) {
	needReal(t)
	src := &tasks{ts: []sim.Task{{ID: 1, Work: sim.Time(200 * time.Millisecond), CPU: MinSlotCPU, Class: "tenth"}}}
	recs, _, err := runReal(t, context.Background(), Config{}, src, newStrategy(t, "round-robin"))
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, recs, 1)
	r := recs[0]
	period := time.Duration(CFSPeriod) * time.Microsecond
	q := period * MinSlotCPU / 1000
	span := time.Duration(r.Exited - r.Prepared)
	cpu := time.Duration(r.CPUSeconds * 1e9)
	t.Logf("cpu %v over %v from create to exit, %d periods throttled", cpu, span, r.Throttled)
	if r.Throttled == 0 {
		t.Fatalf("no throttled periods recorded: the runner did not apply the task's quota (load average %.1f)", Load1())
	}
	if cpu > quotaBound(q, period, span) {
		t.Fatalf("cpu %v over %v: above the quota's bound %v", cpu, span, quotaBound(q, period, span))
	}
}

// TestFaultKillsReal fails node 0 while its containers run: they must be
// killed for real (SIGKILL, exit 137), recorded failed with the cause,
// while the other nodes' tasks complete.
func TestFaultKillsReal(t *testing.T) {
	needReal(t)
	cfg := Config{Faults: []sim.Fault{{Node: 0, At: sim.Time(1500 * time.Millisecond), For: sim.Time(time.Second)}}}
	recs, res, err := runReal(t, context.Background(), cfg, evenly(6, 10*time.Millisecond, 3*time.Second), newStrategy(t, "round-robin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		t.Logf("task %d node %d: %v exit %d err %q finish %v", r.Task.ID, r.Node, r.Status, r.ExitCode, r.Err, r.Finish)
		if r.Node == 0 {
			if r.Status != sim.Failed || r.ExitCode != 137 || r.Err != "killed: node failed" {
				t.Fatalf("task %d on the failed node: %v exit %d %q", r.Task.ID, r.Status, r.ExitCode, r.Err)
			}
			// Killed, not ended by itself: exit 137 and the cause above;
			// and not before the fault. How long after depends on how busy
			// the machine is, so no upper bound.
			if r.Finish < sim.Time(1500*time.Millisecond) {
				t.Fatalf("task %d killed at %v, before the fault at 1.5 s", r.Task.ID, r.Finish)
			}
		} else if r.Status != sim.Completed {
			t.Fatalf("task %d on node %d: %v %q", r.Task.ID, r.Node, r.Status, r.Err)
		}
	}
	if res.Failed != 2 || res.Completed != 4 {
		t.Fatalf("result %+v", res)
	}
}

// TestInterruptCleansReal cancels a run (as Ctrl-C does) while its
// containers run: Run must return ErrInterrupted, record every task, and
// leave no container in the namespace.
func TestInterruptCleansReal(t *testing.T) {
	needReal(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	// Tasks of 5 minutes of work: at any speed a core reaches (under 2.5
	// on any machine fleetsim runs on) they need 2 minutes at least, so a
	// run that returns sooner did not wait for them.
	recs, res, err := runReal(t, ctx, Config{}, evenly(12, 50*time.Millisecond, 5*time.Minute), newStrategy(t, "round-robin"))
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err %v, want ErrInterrupted", err)
	}
	if took := time.Since(start); took > 2*time.Minute {
		t.Fatalf("interrupted run took %v to return: it waited for its tasks", took)
	}
	if len(recs) != 12 || !res.Interrupted {
		t.Fatalf("%d records, result %+v", len(recs), res)
	}
	for _, r := range recs {
		if r.Status != sim.Failed {
			t.Fatalf("task %d: %v", r.Task.ID, r.Status)
		}
	}
	for _, nc := range real.nodes {
		n, err := Connect(context.Background(), nc, "")
		if err != nil {
			t.Fatal(err)
		}
		ids, err := n.Containers(context.Background())
		n.Close()
		if err != nil || len(ids) != 0 {
			t.Fatalf("node %s after interrupt: containers %v err %v", nc.Name, ids, err)
		}
	}
}

// TestStaleCleanedReal leaves a container behind (as a crashed run would)
// and checks that the next run removes it before starting.
func TestStaleCleanedReal(t *testing.T) {
	needReal(t)
	ctx := context.Background()
	n := readyNode(t, 1)
	t0 := time.Now()
	var tl Timeline
	if _, err := n.Start(ctx, Spec{ID: "fleetsim-stale", Run: "crashed", Args: []string{"-sleep", "60s"}, CPU: 100, Memory: 16 << 20}, func() time.Duration { return time.Since(t0) }, &tl); err != nil {
		t.Fatal(err)
	}
	if ids, _ := n.Containers(ctx); len(ids) != 1 {
		t.Fatalf("stale containers %v", ids)
	}
	if _, _, err := runReal(t, ctx, Config{}, evenly(1, 0, 0), newStrategy(t, "round-robin")); err != nil {
		t.Fatal(err)
	}
	if ids, err := n.Containers(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("after the next run: containers %v err %v", ids, err)
	}
}

// TestGPUReal runs a one-GPU task on the machine's first GPU and checks
// the container saw exactly that device. It needs NVML and a GPU; where
// either is missing it skips and says which.
func TestGPUReal(t *testing.T) {
	needReal(t)
	gpus, err := GPUs()
	if err != nil {
		t.Skipf("no GPU path here: %v", err)
	}
	if len(gpus) == 0 {
		t.Skip("NVML found no GPU on this machine")
	}
	specs, rcs := testCluster(1)
	specs[0].GPUs = 1
	rcs[0].GPUs = gpus[:1]
	var samples int
	cfg := Config{Nodes: specs, Real: rcs, Central: true, OnGPU: func(GPUSample) { samples++ }, Scrape: 100 * time.Millisecond}
	src := &tasks{ts: []sim.Task{{ID: 1, Work: sim.Time(500 * time.Millisecond), GPUs: 1}}}
	recs, _, err := runReal(t, context.Background(), cfg, src, newStrategy(t, "first-fit"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != sim.Completed || len(recs[0].GPUs) != 1 {
		t.Fatalf("records %+v", recs)
	}
	// The container must see exactly the GPU it was given: its device
	// node and no other, and NVIDIA_VISIBLE_DEVICES naming it.
	want := fmt.Sprintf("/dev/nvidia%d", gpus[0].Minor)
	if r := recs[0]; len(r.Devices) != 1 || r.Devices[0] != want || r.Visible != strconv.Itoa(gpus[0].Index) {
		t.Fatalf("container saw devices %v, NVIDIA_VISIBLE_DEVICES %q; want [%s] and %d (machine has %d GPUs)", r.Devices, r.Visible, want, gpus[0].Index, len(gpus))
	}
	t.Logf("GPU %d (%s): container saw %v; %d telemetry samples", gpus[0].Index, gpus[0].Model, recs[0].Devices, samples)
	if samples == 0 {
		t.Fatal("no GPU telemetry sample")
	}
}

// TestGPURefusedWithoutNVMLReal checks that a GPU task is refused, with the
// reason, when the node has no GPUs to give (no NVML, or none found).
func TestGPURefusedWithoutNVMLReal(t *testing.T) {
	needReal(t)
	if g, err := GPUs(); err == nil && len(g) > 0 {
		t.Skip("this machine has GPUs; the refusal path is for machines without")
	}
	specs, rcs := testCluster(1)
	specs[0].GPUs = 1
	cfg := Config{Nodes: specs, Real: rcs, Central: true}
	src := &tasks{ts: []sim.Task{{ID: 1, Work: sim.Time(time.Millisecond), GPUs: 1}, {ID: 2, Work: sim.Time(time.Millisecond)}}}
	recs, res, err := runReal(t, context.Background(), cfg, src, newStrategy(t, "first-fit"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || res.GPUError == "" {
		t.Fatalf("records %d, GPU error %q", len(recs), res.GPUError)
	}
	for _, r := range recs {
		if r.Task.GPUs > 0 && (r.Status != sim.Dropped || !strings.Contains(r.Err, "GPU task refused")) {
			t.Fatalf("GPU task: %v %q", r.Status, r.Err)
		}
		if r.Task.GPUs == 0 && r.Status != sim.Completed {
			t.Fatalf("CPU task: %v %q", r.Status, r.Err)
		}
	}
}
