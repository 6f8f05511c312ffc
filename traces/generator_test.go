package traces

import (
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func firstTasks(t *testing.T, g *Generator, n int) []sim.Task {
	t.Helper()
	tasks := make([]sim.Task, n)
	for i := range tasks {
		if err := g.Next(&tasks[i]); err != nil {
			t.Fatal(err)
		}
	}
	return tasks
}

// TestGeneratorStreams checks the stream contract: IDs 0, 1, 2, …; task i
// arrives at the sum of the first i+1 gaps of the stream (seed,
// "arrivals"), its work is draw i of (seed, "service"); the same seed gives
// the same tasks.
func TestGeneratorStreams(t *testing.T) {
	const seed = 17
	arr, svc := Poisson{Rate: 100}, Lognormal{Mean: sim.Second, CV: 2}
	tasks := firstTasks(t, NewGenerator(arr, svc, seed), 1000)
	ar, sr := sim.NewRand(seed, "arrivals"), sim.NewRand(seed, "service")
	var now sim.Time
	for i, task := range tasks {
		now += arr.Gap(ar)
		want := sim.Task{ID: int64(i), Arrival: now, Work: svc.Sample(sr)}
		if task != want {
			t.Fatalf("task %d = %+v, want %+v", i, task, want)
		}
	}
	if again := firstTasks(t, NewGenerator(arr, svc, seed), 1000); !reflect.DeepEqual(again, tasks) {
		t.Errorf("same seed, different tasks")
	}
	if other := firstTasks(t, NewGenerator(arr, svc, seed+1), 1000); reflect.DeepEqual(other, tasks) {
		t.Errorf("different seeds, same tasks")
	}
}

// TestGeneratorIndependentStreams checks that changing the service
// distribution moves no arrival, and changing the arrival process changes
// no work.
func TestGeneratorIndependentStreams(t *testing.T) {
	a := firstTasks(t, NewGenerator(Poisson{Rate: 10}, Exponential{Mean: sim.Second}, 3), 500)
	b := firstTasks(t, NewGenerator(Poisson{Rate: 10}, HyperExponential{Mean: sim.Second, CV: 3}, 3), 500)
	c := firstTasks(t, NewGenerator(NewBursty([2]float64{1, 30}, [2]sim.Time{sim.Second, sim.Second}), Exponential{Mean: sim.Second}, 3), 500)
	for i := range a {
		if a[i].Arrival != b[i].Arrival {
			t.Fatalf("task %d: arrival %v with exponential work, %v with hyperexponential", i, a[i].Arrival, b[i].Arrival)
		}
		if a[i].Work != c[i].Work {
			t.Fatalf("task %d: work %v with Poisson arrivals, %v with bursty", i, a[i].Work, c[i].Work)
		}
	}
}

func TestGeneratorInvalid(t *testing.T) {
	for _, g := range []*Generator{
		NewGenerator(Poisson{Rate: -1}, Exponential{Mean: sim.Second}, 1),
		NewGenerator(Poisson{Rate: 1}, Lognormal{Mean: sim.Second, CV: -1}, 1),
	} {
		var task sim.Task
		err := g.Next(&task)
		var pe *ParamError
		if !errors.As(err, &pe) || g.Next(&task) != err {
			t.Errorf("Next() = %v, want a *ParamError, every time", err)
		}
	}
}

// TestGeneratorEnds checks the stream ends with io.EOF rather than letting
// the clock wrap: gaps of 10^18 ns fit 9 times below sim.MaxTime ≈ 9.2e18.
func TestGeneratorEnds(t *testing.T) {
	g := NewGenerator(Deterministic{Rate: 1e-9}, Constant{Value: 1}, 1)
	var task sim.Task
	n := 0
	for g.Next(&task) == nil {
		n++
	}
	if n != 9 || g.Next(&task) != io.EOF {
		t.Errorf("%d tasks, then %v; want 9, then EOF", n, g.Next(&task))
	}
}

// TestGeneratorAllocs checks Next allocates nothing, for every process and
// distribution.
func TestGeneratorAllocs(t *testing.T) {
	for _, g := range []*Generator{
		NewGenerator(Poisson{Rate: 1000}, Exponential{Mean: sim.Millisecond}, 1),
		NewGenerator(Deterministic{Rate: 1000}, Constant{Value: sim.Millisecond}, 1),
		NewGenerator(NewBursty([2]float64{10, 1000}, [2]sim.Time{sim.Second, sim.Second}), Lognormal{Mean: sim.Millisecond, CV: 2}, 1),
		NewGenerator(Poisson{Rate: 1000}, BoundedPareto{Alpha: 1.1, Min: sim.Microsecond, Max: sim.Second}, 1),
		NewGenerator(Poisson{Rate: 1000}, HyperExponential{Mean: sim.Millisecond, CV: 4}, 1),
	} {
		var task sim.Task
		if n := testing.AllocsPerRun(1000, func() { g.Next(&task) }); n != 0 {
			t.Errorf("%T/%T: %v allocations per Next", g.arr, g.svc, n)
		}
	}
}

// BenchmarkGenerator measures Next for Poisson arrivals and exponential
// work, the engine's common case (target: tens of ns, no allocation).
func BenchmarkGenerator(b *testing.B) {
	g := NewGenerator(Poisson{Rate: 1000}, Exponential{Mean: sim.Millisecond}, 1)
	var task sim.Task
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Next(&task); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGeneratorBursty is the MMPP-2 with lognormal work, the most
// expensive combination.
func BenchmarkGeneratorBursty(b *testing.B) {
	g := NewGenerator(NewBursty([2]float64{100, 2000}, [2]sim.Time{sim.Second, sim.Second}), Lognormal{Mean: sim.Millisecond, CV: 2}, 1)
	var task sim.Task
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Next(&task); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGeneratorNextPlain: NextPlain gives the tasks Next gives (the same
// IDs, arrivals and work, the rest zero), for the process and distribution
// it calls directly (Poisson, Exponential) and for others (through the
// interfaces), and the same end of stream.
func TestGeneratorNextPlain(t *testing.T) {
	for _, c := range []struct {
		arr Arrivals
		svc Service
	}{
		{Poisson{Rate: 900}, Exponential{Mean: sim.Second}},
		{Deterministic{Rate: 10}, Lognormal{Mean: sim.Second, CV: 2}},
		{Poisson{Rate: 5}, Constant{Value: sim.Millisecond}},
	} {
		want := firstTasks(t, NewGenerator(c.arr, c.svc, 3), 5000)
		g := NewGenerator(c.arr, c.svc, 3)
		var got sim.Task
		for i := range want {
			if err := g.NextPlain(&got); err != nil {
				t.Fatal(err)
			}
			if got != want[i] {
				t.Fatalf("%T/%T: task %d is %+v by NextPlain, %+v by Next", c.arr, c.svc, i, got, want[i])
			}
		}
	}
	g := NewGenerator(Deterministic{Rate: 1e-9}, Constant{Value: 1}, 1)
	var tk sim.Task
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = g.NextPlain(&tk)
	}
	if err != io.EOF {
		t.Errorf("a stream past sim.MaxTime ends with %v, want io.EOF", err)
	}
}
