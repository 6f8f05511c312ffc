package external_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/strategies/external"
)

// benchPick times one pick decision through the protocol: the View
// changes by one node's load per decision (as an arrival changes it), so
// each message carries one load change, one task and one answer.
func benchPick(b *testing.B, n int, command []string) {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	st, x, err := external.Start(external.Config{Command: command, Name: "bench"}, external.Spec{Nodes: nodes, Seed: 1, Stream: "strategy/bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	p := st.(sim.Picker)
	v := sim.NewView(nodes)
	var t sim.Task
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(x.Pid())
	defer cpu.report(b)
	for k := 0; k < b.N; k++ {
		t.ID, t.Arrival = int64(k), sim.Time(k)
		v.SetNow(t.Arrival)
		i := p.Pick(v, &t)
		if i < 0 {
			b.Fatal(x.Err())
		}
		l := v.Load(i)
		l.Active = (l.Active + 1) % 4
		v.SetLoad(i, l)
	}
	b.StopTimer()
	if err := x.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDecision: the cost of one decision through the protocol,
// against the same decision made in-process by the built-in. go helper is
// this test binary answering round robin (the protocol's own cost: two
// pipe transfers, encoding and decoding); the Python rows add the Python
// package's loop and the strategy's work.
func BenchmarkDecision(b *testing.B) {
	exe, _ := os.Executable()
	examples, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples"))
	py, pyErr := exec.LookPath("python3")
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("builtin-least-connections/nodes=%d", n), func(b *testing.B) {
			nodes := make([]sim.NodeSpec, n)
			s, _ := strategies.New("least-connections", nil, nil)
			p := s.(sim.Picker)
			v := sim.NewView(nodes)
			var t sim.Task
			b.ReportAllocs()
			for k := 0; k < b.N; k++ {
				i := p.Pick(v, &t)
				l := v.Load(i)
				l.Active = (l.Active + 1) % 4
				v.SetLoad(i, l)
			}
		})
		b.Run(fmt.Sprintf("go-helper/nodes=%d", n), func(b *testing.B) {
			b.Setenv("FLEETSIM_EXT_HELPER", "rr")
			benchPick(b, n, []string{exe, "-test.run=^$"})
		})
		for _, script := range []string{"round_robin.py", "least_loaded.py"} {
			b.Run(fmt.Sprintf("python-%s/nodes=%d", script, n), func(b *testing.B) {
				if pyErr != nil {
					b.Skip("python3 is not installed")
				}
				benchPick(b, n, []string{py, filepath.Join(examples, script)})
			})
		}
	}
}

// bursts is a source of tasks arriving burst at a time, every microsecond.
type bursts struct {
	k, burst int64
}

func (s *bursts) Next(t *sim.Task) error {
	*t = sim.Task{ID: s.k, Arrival: sim.Time(s.k / s.burst * 1000)}
	s.k++
	return nil
}

// benchBatched times picks of tasks arriving burst at a time, decided in
// batches: each decision's effect is applied as the engine applies it (one
// more task on the chosen node), so every batched answer is used.
func benchBatched(b *testing.B, n, burst int, command []string) {
	nodes := make([]sim.NodeSpec, n)
	for i := range nodes {
		nodes[i] = sim.NodeSpec{Name: fmt.Sprintf("n-%d", i), Slots: 1, Speed: 1}
	}
	st, x, err := external.Start(external.Config{Command: command, Name: "bench"}, external.Spec{Nodes: nodes, Seed: 1, Stream: "strategy/bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	look := external.NewLookahead(&bursts{burst: int64(burst)}, min(burst, x.Batch()))
	x.UseLookahead(look)
	p := st.(sim.Picker)
	v := sim.NewView(nodes)
	var t sim.Task
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(x.Pid())
	for k := 0; k < b.N; k++ {
		look.Next(&t)
		v.SetNow(t.Arrival)
		i := p.Pick(v, &t)
		if i < 0 {
			b.Fatal(x.Err())
		}
		l := v.Load(i)
		if l.Active < 1 {
			l.Active++
		} else {
			l.Queued++
		}
		v.SetLoad(i, l)
	}
	b.StopTimer()
	cpu.report(b)
	if err := x.Err(); err != nil {
		b.Fatal(err)
	}
	s := x.Stats()
	b.ReportMetric(float64(s.Decisions)/float64(max(s.Messages, 1)), "decisions/msg")
}

// BenchmarkBatched: decisions through the protocol when tasks arrive 100
// or 1000 at the same instant (a trace with one-second timestamps), the
// Python least-loaded balancer on 1,000 nodes; the go helper does not
// batch, for comparison.
func BenchmarkBatched(b *testing.B) {
	examples, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples"))
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("python3 is not installed")
	}
	for _, burst := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("python-least_loaded.py/nodes=1000/burst=%d", burst), func(b *testing.B) {
			benchBatched(b, 1000, burst, []string{py, filepath.Join(examples, "least_loaded.py")})
		})
	}
}

// cpuClock reads the CPU time (user plus system) of this process and of
// the strategy's, so that a benchmark reports what a decision costs in
// CPU on each side besides the wall time, which a loaded machine inflates
// by the time both processes wait for a core.
type cpuClock struct {
	pid       int
	self, ext float64 // seconds at the start
}

func startCPU(pid int) *cpuClock {
	return &cpuClock{pid: pid, self: selfCPU(), ext: procCPU(pid)}
}

// report adds go-cpu-µs/op, ext-cpu-µs/op and their sum cpu-µs/op, and
// decisions/cpu-s, the rate one core would sustain running both sides in
// turn (the protocol is lock step, so they never run at once).
func (c *cpuClock) report(b *testing.B) {
	if c.pid == 0 || b.N == 0 {
		return
	}
	g := (selfCPU() - c.self) / float64(b.N) * 1e6
	e := (procCPU(c.pid) - c.ext) / float64(b.N) * 1e6
	c.pid = 0
	if e < 0 { // the process is gone: no figure
		return
	}
	b.ReportMetric(g, "go-cpu-µs/op")
	b.ReportMetric(e, "ext-cpu-µs/op")
	b.ReportMetric(g+e, "cpu-µs/op")
	if g+e > 0 {
		b.ReportMetric(1e6/(g+e), "decisions/cpu-s")
	}
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// procCPU is the utime+stime of process pid from /proc (in clock ticks
// of 1/100 s on Linux), or -1 when it cannot be read.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}
