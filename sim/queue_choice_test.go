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

// regionSource is expSource with each task's origin region: r0 or r1 by
// its id.
type regionSource struct{ expSource }

func (s *regionSource) Next(t *Task) error {
	err := s.expSource.Next(t)
	t.Region = [2]string{"r0", "r1"}[t.ID%2]
	return err
}

// TestRadixQueueSameResult: the engine's two event queues (the calendar,
// and the radix heap it uses from radixMinSlots slots on) pop in the same
// (time, sequence) order, so a run gives the same Result with either, with
// and without a warm-up by time, start-up delays and several slots per
// node, and under dynamics: random faults with health checks and client
// retries, a network of two regions with a spike, an autoscaler.
func TestRadixQueueSameResult(t *testing.T) {
	defer func(v int64) { radixMinSlots = v }(radixMinSlots)
	all := make([]int, 40)
	for i := range all {
		all[i] = i
	}
	for _, c := range []struct {
		name string
		cfg  func() Config
	}{
		{"plain", func() Config { return Config{StopTasks: 60_000, WarmupTasks: 6_000} }},
		{"warm-up by time, start-up", func() Config {
			return Config{StopTasks: 60_000, WarmupTime: 30 * Second, Startup: Delay{Mean: 10 * Millisecond, CV: 0.5}, Seed: 3}
		}},
		{"faults, health checks, retries", func() Config {
			return Config{StopTasks: 60_000, WarmupTasks: 6_000, Seed: 4,
				RandomFaults: []RandomFaults{{Nodes: all, MTBF: 5 * Minute, MTTR: 20 * Second}},
				Health:       &Health{Interval: 2 * Second, Threshold: 2, Rise: 1},
				Client:       Client{Retries: 2, Timeout: 5 * Second, Backoff: 100 * Millisecond, Multiplier: 2}}
		}},
		{"network with a spike", func() Config {
			return Config{StopTasks: 60_000, WarmupTasks: 6_000, Network: &Network{Regions: []string{"r0", "r1"},
				RTT:    []Time{2 * Millisecond, 40 * Millisecond, 40 * Millisecond, 3 * Millisecond},
				Spikes: []Spike{{Region: 1, At: 100 * Second, For: 50 * Second, Add: 200 * Millisecond}}}}
		}},
		{"autoscaler", func() Config {
			return Config{StopTasks: 60_000, WarmupTasks: 6_000, Autoscale: []Autoscaler{{Group: "g", Nodes: all,
				Initial: 30, Min: 10, Max: 40, Target: 0.7, Interval: 15 * Second, Cooldown: 30 * Second, Provision: 5 * Second}}}
		}},
	} {
		var res [2]Result
		for k, min := range []int64{1 << 40, 0} {
			radixMinSlots = min
			cfg := c.cfg()
			for i := range 40 {
				cfg.Nodes = append(cfg.Nodes, NodeSpec{Name: "n", Group: "g", Region: []string{"r0", "r1"}[i%2], Slots: 1 + i%3, Speed: 0.5 + float64(i%4)/2})
			}
			src := &regionSource{expSource{rate: 70}}
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

// TestRadixToCalendar: an event scheduled before the radix heap's last
// popped one (none is, but should one be) moves every event to the
// calendar, and the events still leave in (time, sequence) order: the
// early one first, then the others as they were.
func TestRadixToCalendar(t *testing.T) {
	var c core
	c.radix = true
	for _, at := range []Time{5, 9, 7, 9, 12} {
		c.push(at*Second, evComplete, 0, int64(at))
	}
	ev := c.rq.Pop() // time 5
	c.now = Time(ev.At)
	c.push(3*Second, evComplete, 0, 3)
	if c.radix || c.rq.Len() != 0 || c.q.Len() != 5 {
		t.Fatalf("after an early push: radix %v, %d events in the radix heap and %d in the calendar; want false, 0, 5", c.radix, c.rq.Len(), c.q.Len())
	}
	var got []int64
	for c.q.Len() > 0 {
		got = append(got, c.q.Pop().Ref)
	}
	if want := []int64{3, 7, 9, 9, 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("events left as %v, want %v", got, want)
	}
	c.push(20*Second, evComplete, 0, 20) // the calendar from now on
	if c.q.Len() != 1 || c.rq.Len() != 0 {
		t.Error("a later push went to the radix heap")
	}
}
