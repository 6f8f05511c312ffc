package external_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies/external"
)

var update = flag.Bool("update", false, "rewrite the golden transcript")

// small is a hand-sized node-queueing scenario: tasks every 0.5 s, each
// 1.5 s of work, on a fast and a slow node; the strategy is the test
// binary itself in the given helper mode (helper_test.go).
const small = `name: small
seed: 7
stop: {tasks: %d}
cluster:
  queueing: node
  nodes:
    - {group: fast, count: 1, speed: 2}
    - {group: slow, count: 1, speed: 1}
workload:
  arrivals: {process: deterministic, rate: 2}
  service: {dist: deterministic, mean: 1.5s}
strategies:
  - external: {command: [%q, -test.run=^$], name: scripted, timeout: %s}
`

// patient is the answer timeout of tests whose strategy does answer: long
// enough for a loaded machine to start the helper.
const patient = "60s"

// load writes text to a scenario file and loads it.
func load(t *testing.T, text string) *scenario.Scenario {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// runAll runs spec of sc to the end and returns the result as JSON (wall
// times zeroed) and the task records, one line each.
func runAll(t *testing.T, sc *scenario.Scenario, spec scenario.StrategySpec) (string, string, error) {
	t.Helper()
	var recs strings.Builder
	opt := scenario.RunOptions{OnRecord: func(r *sim.Record) {
		fmt.Fprintf(&recs, "%d %d %d %d %d %d %v %d\n", r.Task.ID, r.Task.Arrival, r.Node, r.Start, r.Finish, r.Status, r.Warmup, r.Attempts)
	}}
	e, closer, err := sc.Start(spec, sc.Seed, opt)
	if err != nil {
		return "", "", err
	}
	defer closer.Close()
	for {
		done, err := e.Step(1 << 16)
		if err != nil {
			return "", "", err
		}
		if done {
			break
		}
	}
	res := e.Result()
	res.Engine.WallS, res.Engine.EventsPerS = 0, 0
	res.Strategy = ""
	j, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(j), recs.String(), nil
}

// TestGoldenTranscript drives the protocol against the scripted round
// robin and compares every line both ways with the transcript in
// testdata/transcript.golden (-update rewrites it). The schedule it holds
// is worked by hand in the test's comments: task k arrives at (k+1)/2 s
// (deterministic arrivals start one interval in); round robin sends even
// tasks to fast (0.75 s of service) and odd ones to slow (1.5 s), so task
// 3 waits on node 1.
func TestGoldenTranscript(t *testing.T) {
	exe, _ := os.Executable()
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv("FLEETSIM_EXT_HELPER", "script")
	t.Setenv("FLEETSIM_EXT_LOG", log)
	sc := load(t, fmt.Sprintf(small, 4, exe, patient))
	_, recs, err := runAll(t, sc, sc.Strategies[0])
	if err != nil {
		t.Fatal(err)
	}
	// Hand-worked, in order of finish: task 0 at 0.5 s on node 0 ends at
	// 1.25 s; task 2 at 1.5 s on node 0 ends at 2.25 s; task 1 at 1 s on
	// node 1 ends at 2.5 s; task 3 at 2 s queues on node 1, starts at
	// 2.5 s, ends at 4 s.
	want := "0 500000000 0 500000000 1250000000 0 false 1\n" +
		"2 1500000000 0 1500000000 2250000000 0 false 1\n" +
		"1 1000000000 1 1000000000 2500000000 0 false 1\n" +
		"3 2000000000 1 2500000000 4000000000 0 false 1\n"
	if recs != want {
		t.Errorf("records:\n%s\nwant (hand-worked):\n%s", recs, want)
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	// The hello names the command, which differs between machines.
	got = bytes.ReplaceAll(got, []byte(strconv.Quote(exe)), []byte(`"EXE"`))
	golden := filepath.Join("testdata", "transcript.golden")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want2, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want2) {
		t.Errorf("transcript differs from %s:\n%s", golden, got)
	}
}

// TestBadStrategies: each misbehaviour stops the run with one line naming
// the strategy, the message and what was wrong, and leaves no process
// behind (the helper's pid is gone from /proc: killed and reaped).
func TestBadStrategies(t *testing.T) {
	exe, _ := os.Executable()
	for _, c := range []struct {
		mode string
		want []string
	}{
		{"crash", []string{"message 1 (pick, task 0 at 0.5s)", "exit status 3", "boom: a deliberate crash"}},
		{"hang", []string{"message 1 (pick, task 0 at 0.5s)", "no answer within 2s (timeout)"}},
		{"range", []string{"message 1 (pick, task 0 at 0.5s)", "node 99 is out of range: valid nodes are 0..1"}},
		{"malformed", []string{"message 1 (pick, task 0 at 0.5s)", `expected one JSON object per line`, `"this is not json"`}},
		{"version", []string{"message hello", "the strategy speaks protocol 2, fleetsim speaks 1"}},
	} {
		t.Run(c.mode, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			t.Setenv("FLEETSIM_EXT_HELPER", c.mode)
			t.Setenv("FLEETSIM_EXT_PID", pidFile)
			timeout := patient
			if c.mode == "hang" {
				timeout = "2s"
			}
			sc := load(t, fmt.Sprintf(small, 4, exe, timeout))
			_, _, err := runAll(t, sc, sc.Strategies[0])
			if err == nil {
				t.Fatal("the run succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range append(c.want, "external strategy scripted") {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			assertGone(t, pidFile)
		})
	}
}

// assertGone checks that the process whose pid is in file no longer
// exists: not running, and not a zombie waiting to be reaped.
func assertGone(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the helper wrote no pid: %v", err)
	}
	if _, err := os.Stat("/proc/" + string(b)); err == nil {
		st, _ := os.ReadFile("/proc/" + string(b) + "/stat")
		t.Errorf("process %s still exists: %s", b, st)
	}
}

// TestInfeasiblePlacement: under central queueing a placement on a GPU the
// node does not have stops the run, naming the task, node and GPU.
func TestInfeasiblePlacement(t *testing.T) {
	exe, _ := os.Executable()
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("FLEETSIM_EXT_HELPER", "infeasible")
	t.Setenv("FLEETSIM_EXT_PID", pidFile)
	sc := load(t, fmt.Sprintf(`name: gpu
seed: 1
stop: {tasks: 3}
cluster:
  queueing: central
  nodes:
    - {group: g, count: 2, cpu: 8, memory: 32Gi, gpus: 2}
workload:
  arrivals: {process: deterministic, rate: 1}
  service: {dist: deterministic, mean: 1s}
  shapes:
    - {cpu: 1, gpus: 1, weight: 1}
strategies:
  - external: {command: [%q, -test.run=^$], name: scripted}
`, exe))
	_, _, err := runAll(t, sc, sc.Strategies[0])
	if err == nil {
		t.Fatal("the run succeeded")
	}
	for _, w := range []string{"external strategy scripted", "message 1 (place, task 0 at 1s)", "infeasible placement", "has GPUs 0..1, the answer names GPU 7"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	assertGone(t, pidFile)
}

// TestScoreOp: a strategy that scores node i at 10·i sends every task to
// the last node, as the engine's own scorer rule (highest score) says.
func TestScoreOp(t *testing.T) {
	exe, _ := os.Executable()
	t.Setenv("FLEETSIM_EXT_HELPER", "score")
	sc := load(t, fmt.Sprintf(small, 5, exe, patient))
	_, recs, err := runAll(t, sc, sc.Strategies[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(recs), "\n") {
		if f := strings.Fields(line); f[2] != "1" {
			t.Errorf("task %s went to node %s, want 1 (score 10 beats 0)", f[0], f[2])
		}
	}
}

// python returns the path of python3, skipping the test when it is missing.
func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the Python examples cannot run")
	}
	// The interpreter itself rather than a wrapper (pyenv's shim is a
	// shell script that takes seconds to start on a loaded machine).
	if out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output(); err == nil {
		if exe := strings.TrimSpace(string(out)); exe != "" {
			return exe
		}
	}
	return p
}

// TestPythonEqualsBuiltins: the Python examples give the built-ins'
// results byte for byte (the result JSON, and every task's record) on the
// embedded speeds scenario: round robin and least loaded by the same
// rule, p2c by the same rule and the same random stream.
func TestPythonEqualsBuiltins(t *testing.T) {
	py := python(t)
	root, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples"))
	for _, c := range []struct{ builtin, script string }{
		{"round-robin", "round_robin.py"},
		{"p2c", "p2c.py"},
		{"least-connections", "least_loaded.py"},
	} {
		t.Run(c.builtin, func(t *testing.T) {
			sc, err := scenario.LoadEmbedded("speeds")
			if err != nil {
				t.Fatal(err)
			}
			sc.Stop = scenario.Limit{Tasks: 4000}
			sc.Warmup = scenario.Limit{Tasks: 400}
			wantRes, wantRecs, err := runAll(t, sc, scenario.StrategySpec{Name: c.builtin})
			if err != nil {
				t.Fatal(err)
			}
			spec, _, err := scenario.ParseExternal("external:" + py + " " + filepath.Join(root, c.script))
			if err != nil {
				t.Fatal(err)
			}
			gotRes, gotRecs, err := runAll(t, sc, spec)
			if err != nil {
				t.Fatal(err)
			}
			if gotRes != wantRes {
				t.Errorf("result differs:\n got %s\nwant %s", gotRes, wantRes)
			}
			if gotRecs != wantRecs {
				t.Errorf("records differ (%d vs %d bytes)", len(gotRecs), len(wantRecs))
			}
			if strings.Count(gotRecs, "\n") != 4000 {
				t.Errorf("%d records, want 4000", strings.Count(gotRecs, "\n"))
			}
		})
	}
}

// TestDeterminism: the same seed gives the same bytes twice with an
// external strategy that draws random numbers (p2c); another seed gives
// other bytes.
func TestDeterminism(t *testing.T) {
	py := python(t)
	script, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples", "p2c.py"))
	sc, err := scenario.LoadEmbedded("speeds")
	if err != nil {
		t.Fatal(err)
	}
	sc.Stop = scenario.Limit{Tasks: 2000}
	spec, _, err := scenario.ParseExternal("external:" + py + " " + script)
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, seed := range []uint64{5, 5, 6} {
		sc.Seed = seed
		res, recs, err := runAll(t, sc, spec)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, res+recs)
	}
	if outs[0] != outs[1] {
		t.Error("two runs with seed 5 differ")
	}
	if outs[0] == outs[2] {
		t.Error("seeds 5 and 6 gave the same bytes")
	}
}

// TestPythonUnittest runs the Python package's own tests (python/tests)
// with the standard library's unittest, so go test covers them; the gym
// environment's tests drive a fleetsim binary built here.
func TestPythonUnittest(t *testing.T) {
	py := python(t)
	dir, _ := filepath.Abs(filepath.Join("..", "..", "python"))
	bin := filepath.Join(t.TempDir(), "fleetsim")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/fleetsim/fleetsim/cmd/fleetsim").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(py, "-m", "unittest", "-v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FLEETSIM="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest in %s: %v\n%s", dir, err, out)
	}
	if !bytes.Contains(out, []byte("OK")) || bytes.Contains(out, []byte("skipped")) {
		t.Errorf("unexpected output (a test failed or was skipped):\n%s", out)
	}
}

// TestQueueKey: under central queueing a strategy that keys task i at -i
// runs the newest waiting task first. Hand-worked: one node with one GPU,
// a 1 s task needing it every 0.25 s from 0.25 s; task 0 runs 0.25-1.25
// s while tasks 1, 2 and 3 queue, then 3 (key -3) runs 1.25-2.25, 2 runs
// 2.25-3.25 and 1 runs 3.25-4.25.
func TestQueueKey(t *testing.T) {
	exe, _ := os.Executable()
	t.Setenv("FLEETSIM_EXT_HELPER", "keyed")
	sc := load(t, fmt.Sprintf(`name: lifo
seed: 1
stop: {tasks: 4}
cluster:
  queueing: central
  nodes:
    - {group: g, count: 1, cpu: 8, memory: 32Gi, gpus: 1}
workload:
  arrivals: {process: deterministic, rate: 4}
  service: {dist: deterministic, mean: 1s}
  shapes:
    - {cpu: 1, gpus: 1, weight: 1}
strategies:
  - external: {command: [%q, -test.run=^$], name: lifo}
`, exe))
	_, recs, err := runAll(t, sc, sc.Strategies[0])
	if err != nil {
		t.Fatal(err)
	}
	// (Central queueing leaves a record's attempts at 0.)
	want := "0 250000000 0 250000000 1250000000 0 false 0\n" +
		"3 1000000000 0 1250000000 2250000000 0 false 0\n" +
		"2 750000000 0 2250000000 3250000000 0 false 0\n" +
		"1 500000000 0 3250000000 4250000000 0 false 0\n"
	if recs != want {
		t.Errorf("records:\n%s\nwant (hand-worked):\n%s", recs, want)
	}
}

// TestPythonScorer: the Python best-fit scorer (score op, central
// queueing, alloc view) places the embedded batch scenario's jobs as the
// built-in best-fit does: on its CPU-only nodes both leave the least CPU
// free, lowest index on ties.
func TestPythonScorer(t *testing.T) {
	py := python(t)
	script, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples", "best_fit.py"))
	sc, err := scenario.LoadEmbedded("batch")
	if err != nil {
		t.Fatal(err)
	}
	sc.Stop = scenario.Limit{Tasks: 2000}
	sc.Warmup = scenario.Limit{}
	want, wantRecs, err := runAll(t, sc, scenario.StrategySpec{Name: "best-fit"})
	if err != nil {
		t.Fatal(err)
	}
	spec, _, _ := scenario.ParseExternal("external:" + py + " " + script)
	got, gotRecs, err := runAll(t, sc, spec)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || gotRecs != wantRecs {
		t.Errorf("the Python scorer's run differs from best-fit's:\n got %s\nwant %s", got, want)
	}
}

// TestTicks: a strategy that asks for a tick every second gets one at 1 s,
// 2 s and 3 s of the small scenario, whose last task ends at 4 s (hand-
// worked in TestGoldenTranscript), each carrying the View's changes, and
// asking for ticks changes no result.
func TestTicks(t *testing.T) {
	exe, _ := os.Executable()
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv("FLEETSIM_EXT_HELPER", "ticks")
	t.Setenv("FLEETSIM_EXT_LOG", log)
	sc := load(t, fmt.Sprintf(small, 4, exe, patient))
	_, recs, err := runAll(t, sc, sc.Strategies[0])
	if err != nil {
		t.Fatal(err)
	}
	want := "0 500000000 0 500000000 1250000000 0 false 1\n" +
		"2 1500000000 0 1500000000 2250000000 0 false 1\n" +
		"1 1000000000 1 1000000000 2500000000 0 false 1\n" +
		"3 2000000000 1 2500000000 4000000000 0 false 1\n"
	if recs != want {
		t.Errorf("records with ticks:\n%s\nwant those without:\n%s", recs, want)
	}
	b, _ := os.ReadFile(log)
	var ticks []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, `> {"type":"tick"`) {
			ticks = append(ticks, line)
		}
	}
	// Each tick runs before the arrival at the same instant (it was
	// scheduled first) and carries the nodes changed since the previous
	// message: at 1 s node 0 serves task 0; at 2 s node 0 serves task 2;
	// at 3 s node 0 is idle, and node 1 serves task 3 as it served task 1
	// at the previous message, so it is not sent.
	wantTicks := []string{
		`> {"type":"tick","now":1000000000,"view":{"load":[[0,1,0]]}}`,
		`> {"type":"tick","now":2000000000,"view":{"load":[[0,1,0]]}}`,
		`> {"type":"tick","now":3000000000,"view":{"load":[[0,0,0]]}}`,
	}
	if strings.Join(ticks, "\n") != strings.Join(wantTicks, "\n") {
		t.Errorf("ticks:\n%s\nwant:\n%s", strings.Join(ticks, "\n"), strings.Join(wantTicks, "\n"))
	}
}

// TestComposite: the one value real execution takes implements the
// extension points the strategy's hello named and no others: a keyed
// placer is a sim.Placer and a sim.QueueSorter whose order is the keys'
// (the helper keys task i at -i: newest first); a ticking balancer is a
// sim.Ticker with its period; neither is the other.
func TestComposite(t *testing.T) {
	exe, _ := os.Executable()
	nodes := []sim.NodeSpec{{Name: "n-0", Slots: 1, Speed: 1, CPU: 4000, Memory: 1 << 30}}

	t.Setenv("FLEETSIM_EXT_HELPER", "keyed")
	_, x, err := external.Start(external.Config{Command: []string{exe, "-test.run=^$"}, Name: "keyed"}, external.Spec{Nodes: nodes, Central: true, Seed: 1, Stream: "strategy/keyed"})
	if err != nil {
		t.Fatal(err)
	}
	c := x.Composite()
	q, ok := c.(sim.QueueSorter)
	if _, placer := c.(sim.Placer); !ok || !placer {
		t.Fatalf("keyed placer: QueueSorter %v, Placer %v", ok, placer)
	}
	if _, ok := c.(sim.Ticker); ok {
		t.Error("keyed placer without ticks is a sim.Ticker")
	}
	a, b := &sim.Task{ID: 1}, &sim.Task{ID: 2}
	if !q.Less(b, a) || q.Less(a, b) {
		t.Errorf("Less: task 2 (key -2) should precede task 1 (key -1)")
	}
	if err := x.Err(); err != nil {
		t.Fatal(err)
	}
	x.Close()

	t.Setenv("FLEETSIM_EXT_HELPER", "ticks")
	_, x, err = external.Start(external.Config{Command: []string{exe, "-test.run=^$"}, Name: "ticks"}, external.Spec{Nodes: nodes, Seed: 1, Stream: "strategy/ticks"})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c = x.Composite()
	tk, ok := c.(sim.Ticker)
	if !ok || tk.Every() != sim.Second {
		t.Fatalf("ticking balancer: Ticker %v", ok)
	}
	if _, ok := c.(sim.QueueSorter); ok {
		t.Error("a balancer without keys is a sim.QueueSorter")
	}
	if _, ok := c.(sim.Picker); !ok {
		t.Error("a balancer is not a sim.Picker")
	}
}
