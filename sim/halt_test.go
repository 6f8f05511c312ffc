package sim_test

import (
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// halter is a first-fit Waker that halts task 1 at haltAt (its machine
// died) and ends it at endAt, requeued or not; a failed task is recorded.
type halter struct {
	haltAt, endAt sim.Time
	requeue       bool
	failed        []string
}

func (h *halter) Name() string { return "halter" }

func (h *halter) Place(v *sim.View, t *sim.Task, p *sim.Placement) bool {
	for i := 0; i < v.Len(); i++ {
		if v.Fits(i, t) {
			p.Node = i
			return true
		}
	}
	return false
}

func (h *halter) SetAlarm(alarm func(at sim.Time, ref int64)) {
	alarm(h.haltAt, 1)
	alarm(h.endAt, 2)
}

func (h *halter) Wake(v *sim.View, ref int64) []sim.Eviction {
	if ref == 1 {
		return []sim.Eviction{{ID: 1, Halt: true}}
	}
	return []sim.Eviction{{ID: 1, Requeue: h.requeue}}
}

func (h *halter) Started(*sim.View, *sim.Task, int)            {}
func (h *halter) Finished(*sim.View, *sim.Task, int, sim.Time) {}
func (h *halter) Failed(v *sim.View, t *sim.Task, i int) {
	h.failed = append(h.failed, v.Now().String())
}

// TestEvictionHalt works a halted task out by hand. One node of 2 CPUs;
// task 1 (1 CPU, 100 s) and task 2 (2 CPUs, 10 s) arrive at 0: 1 starts,
// 2 waits for the whole node. Task 1 is halted at 30 s: it does not
// complete at 100 s and keeps its CPU, so task 2 still waits; at 150 s
// it ends. Requeued, it arrives anew at 150 s; task 2, ahead of it in the
// queue (first come), starts at 150 s and ends at 160 s, then task 1
// runs 160–260 s (one record: start 160, finish 260). Not requeued, it
// ends failed at 150 s and task 2 runs 150–160 s.
func TestEvictionHalt(t *testing.T) {
	node := []sim.NodeSpec{{Name: "n0", Slots: 2, Speed: 1, CPU: 2000, Memory: 1 << 30}}
	tasks := jobs(job{0, 1, 100, 100}, job{0, 2, 10, 10})
	for _, c := range []struct {
		requeue bool
		want    string
	}{
		{true, "1:160-260 2:150-160"},
		{false, "1:150-150 2:150-160"},
	} {
		h := &halter{haltAt: 30 * sim.Second, endAt: 150 * sim.Second, requeue: c.requeue}
		if got := schedule(t, sim.Config{Nodes: node}, tasks, h); got != c.want {
			t.Errorf("requeue %v: %s, want %s", c.requeue, got, c.want)
		}
		if len(h.failed) != 1 {
			t.Errorf("requeue %v: Failed called at %v, want once at 150 s", c.requeue, h.failed)
		}
	}
}
