package sim

import (
	"reflect"
	"testing"
)

// expSource is a small Poisson workload with exponential work (ziggurat
// draws from its own streams), for tests inside the package.
type expSource struct {
	ar, sr Rand
	now    Time
	id     int64
	rate   float64
}

func (s *expSource) Next(t *Task) error {
	s.now += Time(s.ar.ExpFloat64()*1e9/s.rate + 0.5)
	*t = Task{ID: s.id, Arrival: s.now, Work: max(Time(s.sr.ExpFloat64()*1e9+0.5), 1)}
	s.id++
	return nil
}

// shortest is a Picker: the node with the fewest tasks, the lowest index
// among ties (deterministic, no draws).
type shortest struct{}

func (shortest) Name() string { return "shortest" }
func (shortest) Pick(v *View, _ *Task) int {
	best := 0
	for i := 1; i < v.Len(); i++ {
		if v.InSystem(i) < v.InSystem(best) {
			best = i
		}
	}
	return best
}

// TestRadixQueueSameResult: the engine's two event queues (the calendar,
// and the radix heap it uses from radixMinSlots slots on) pop in the same
// (time, sequence) order, so a run gives the same Result with either, with
// and without a warm-up by time, start-up delays and several slots per
// node.
func TestRadixQueueSameResult(t *testing.T) {
	defer func(v int64) { radixMinSlots = v }(radixMinSlots)
	for _, c := range []struct {
		name string
		cfg  func() Config
	}{
		{"plain", func() Config { return Config{StopTasks: 60_000, WarmupTasks: 6_000} }},
		{"warm-up by time, start-up", func() Config {
			return Config{StopTasks: 60_000, WarmupTime: 30 * Second, Startup: Delay{Mean: 10 * Millisecond, CV: 0.5}, Seed: 3}
		}},
	} {
		var res [2]Result
		for k, min := range []int64{1 << 40, 0} {
			radixMinSlots = min
			cfg := c.cfg()
			for i := range 40 {
				cfg.Nodes = append(cfg.Nodes, NodeSpec{Name: "n", Slots: 1 + i%3, Speed: 0.5 + float64(i%4)/2})
			}
			src := &expSource{rate: 70}
			src.ar.Seed(1, "arrivals")
			src.sr.Seed(1, "service")
			e, err := NewEngine(cfg, src, shortest{})
			if err != nil {
				t.Fatal(err)
			}
			if e.radix != (min == 0) {
				t.Fatalf("%s: radix %v with radixMinSlots %d", c.name, e.radix, min)
			}
			if err := e.Run(); err != nil {
				t.Fatal(err)
			}
			res[k] = e.Result()
		}
		if !reflect.DeepEqual(res[0], res[1]) {
			t.Errorf("%s: the calendar and the radix heap give different results:\n%+v\n%+v", c.name, res[0], res[1])
		}
	}
}
