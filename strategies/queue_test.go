package strategies_test

import (
	"io"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

type taskList struct {
	tasks []sim.Task
	i     int
}

func (s *taskList) Next(t *sim.Task) error {
	if s.i >= len(s.tasks) {
		return io.EOF
	}
	*t = s.tasks[s.i]
	s.i++
	return nil
}

// TestDRFPaperExample is the example of Ghodsi et al., "Dominant Resource
// Fairness", NSDI '11, Sec. 4: a system of 9 CPUs and 18 GB; user A runs
// tasks of <1 CPU, 4 GB>, user B tasks of <3 CPUs, 1 GB>. DRF gives A three
// tasks and B two (A: 3 CPUs, 12 GB; B: 6 CPUs, 2 GB), equalising the
// dominant shares at 2/3 (A's memory, B's CPU). Both users submit plenty
// of long tasks at time 0, B's first: first come, first served would give B
// all 9 CPUs (three tasks) and A none.
func TestDRFPaperExample(t *testing.T) {
	const gb = 1 << 30
	node := []sim.NodeSpec{{Name: "m", Slots: 1, Speed: 1, CPU: 9000, Memory: 18 * gb}}
	var tasks []sim.Task
	for k := 0; k < 20; k++ {
		if k < 10 {
			tasks = append(tasks, sim.Task{ID: int64(k), Tenant: "B", CPU: 3000, Memory: 1 * gb, Work: 100 * sim.Second})
		} else {
			tasks = append(tasks, sim.Task{ID: int64(k), Tenant: "A", CPU: 1000, Memory: 4 * gb, Work: 100 * sim.Second})
		}
	}
	q, err := strategies.New("drf", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One node: any placement that fits puts every task on it.
	place, err := strategies.New("first-fit", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := map[string]int{}
	cfg := sim.Config{Nodes: node, Central: sim.Central{Queue: q.(sim.QueueSorter)}}
	cfg.OnRecord = func(r *sim.Record) {
		if r.Status == sim.Completed && r.Start == 0 {
			started[r.Task.Tenant]++
		}
	}
	e, err := sim.NewScheduler(cfg, &taskList{tasks: tasks}, place)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if started["A"] != 3 || started["B"] != 2 {
		t.Errorf("tasks started at time 0: A %d, B %d; DRF allocates A 3 and B 2", started["A"], started["B"])
	}
}

// TestQueueOrders checks the static policies' order on a hand-made queue.
func TestQueueOrders(t *testing.T) {
	a := &sim.Task{ID: 1, Priority: 1, Work: 5}
	b := &sim.Task{ID: 2, Priority: 3, Work: 9}
	for _, tc := range []struct {
		name     string
		lessAB   bool
		lessBA   bool
		override string
	}{
		{"fifo", false, false, ""},
		{"priority", false, true, "higher priority first"},
		{"sjf-oracle", true, false, "shorter first"},
	} {
		s, err := strategies.New(tc.name, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		qs := s.(sim.QueueSorter)
		if qs.Less(a, b) != tc.lessAB || qs.Less(b, a) != tc.lessBA {
			t.Errorf("%s: Less(a,b)=%v Less(b,a)=%v, want %v %v (%s)", tc.name, qs.Less(a, b), qs.Less(b, a), tc.lessAB, tc.lessBA, tc.override)
		}
	}
}
