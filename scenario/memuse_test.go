package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

var errEnough = errors.New("enough tasks")

// memUseYAML is a central scenario with memory limits and memory use
// (lines 1-9), the memory_use line last.
func memUseYAML(queueing, memUse string) string {
	return lines("stop: {tasks: 400}", "cluster:", "  queueing: "+queueing,
		"  nodes: [{group: n, count: 2, cpu: 1, memory: 1Gi}]",
		"workload:", "  arrivals: {process: poisson, rate: 4}", "  service: {dist: lognormal, mean: 250ms, cv: 0.5}",
		"  shapes: [{cpu: 250m, memory: 64Mi, weight: 1}]",
		"  memory_use: "+memUse, "strategies: [first-fit]")
}

// TestMemoryUseErrors: each field of workload.memory_use out of range, and
// memory_use where the simulator cannot kill, give one line naming the
// file, line, field and what was expected.
func TestMemoryUseErrors(t *testing.T) {
	for _, tc := range []struct{ queueing, mu, want string }{
		{"central", "{over: 1.5}", "t.yaml:9:22: workload.memory_use.over: expected a share in [0, 1], got 1.5"},
		{"central", "{over: 0.2, factor: 1}", "t.yaml:9:35: workload.memory_use.factor: expected a number > 1 (a use above the limit), got 1"},
		{"central", "{over: 0.2, under: 2}", "t.yaml:9:34: workload.memory_use.under: expected a number in (0, 1] (a use within the limit), got 2"},
		{"central", "{factor: 2}", "t.yaml:9:15: workload.memory_use.over: required field missing"},
		{"central", "{over: 0.2, rate: fast}", "t.yaml:9:33: workload.memory_use.rate: expected a size per second of work >= 0"},
		{"central", "{over: 0.2, speed: 1}", "t.yaml:9:27: workload.memory_use.speed: unknown field (allowed: over, factor, under, rate)"},
		{"node", "{over: 0.2}", "t.yaml:6:3: workload.memory_use: expected cluster.queueing: central with memory_use"},
	} {
		text := memUseYAML(tc.queueing, tc.mu)
		if tc.queueing == "node" {
			text = strings.Replace(text, "first-fit", "round-robin", 1)
		}
		_, err := Parse("t.yaml", []byte(text), ".")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.mu, err, tc.want)
		}
	}
}

// TestMemoryUseKills runs a central scenario with memory use and checks
// the kills against the task stream, task by task: a task is OOM-killed
// exactly when it was drawn over its limit (use = factor × limit) and its
// work outlasts limit / rate (64 Mi at 512 Mi per second: 125 ms), as
// sim.OOMKill says; the others use under × limit. With over 0 nothing is
// killed, and the draws of the other streams are untouched: arrivals and
// work are the same task by task.
func TestMemoryUseKills(t *testing.T) {
	const mi = 1 << 20
	for _, over := range []string{"0", "0.2", "1"} {
		sc, err := Parse("t.yaml", []byte(memUseYAML("central", "{over: "+over+", rate: 512Mi}")), ".")
		if err != nil {
			t.Fatal(err)
		}
		src, c, err := sc.WorkloadSource(sc.Seed)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]bool{}
		var n, drawnOver int
		err = traces.ForEach(src, func(tk *sim.Task) error {
			if n++; n > 400 {
				return errEnough
			}
			switch tk.MemoryUse {
			case 128 * mi:
				drawnOver++
				if tk.Work > sim.Second/8 {
					want[tk.ID] = true
				}
			case 32 * mi:
			default:
				t.Fatalf("over %s: task %d uses %d bytes; want 32Mi or 128Mi", over, tk.ID, tk.MemoryUse)
			}
			if tk.Memory != 64*mi || tk.MemoryRate != 512*mi {
				t.Fatalf("over %s: task %d memory %d rate %d", over, tk.ID, tk.Memory, tk.MemoryRate)
			}
			return nil
		})
		c.Close()
		if err != errEnough {
			t.Fatal(err)
		}
		switch {
		case over == "0" && drawnOver != 0, over == "1" && drawnOver != 400, over == "0.2" && (drawnOver < 40 || drawnOver > 120):
			t.Fatalf("over %s: %d of 400 tasks drawn over their limit", over, drawnOver)
		}
		got := map[int64]bool{}
		run, closer, err := sc.Start(sc.Strategies[0], sc.Seed, RunOptions{OnRecord: func(r *sim.Record) {
			if r.Reason == sim.ReasonOOM {
				if r.Status != sim.Failed {
					t.Errorf("task %d: reason oom with status %v", r.Task.ID, r.Status)
				}
				got[r.Task.ID] = true
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		for {
			done, err := run.Step(1 << 16)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
		}
		closer.Close()
		res := run.Result()
		if len(got) != len(want) || res.Tasks.OOMKilled != int64(len(want)) || res.Tasks.Failed != int64(len(want)) {
			t.Fatalf("over %s: %d killed (result: %d oom-killed, %d failed); the stream says %d", over, len(got), res.Tasks.OOMKilled, res.Tasks.Failed, len(want))
		}
		for id := range want {
			if !got[id] {
				t.Fatalf("over %s: task %d should have been OOM-killed", over, id)
			}
		}
		if over == "1" && len(want) == 0 {
			t.Fatalf("over 1: no task killed")
		}
	}
}
