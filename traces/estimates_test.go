package traces

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestOverestimate checks the estimate model against its definition: the
// quantile function passes through the given factors and is geometric
// between them ([1, 4, 16]: 2 at probability 1/4, 8 at 3/4); estimates
// are clamped to [work, max(max, work)]; and drawn factors follow the
// quantiles: over n = 200,000 tasks the share of factors at most the j-th
// quantile is j/k within 5 binomial standard deviations (sqrt(p(1-p)/n)
// <= 0.0011).
func TestOverestimate(t *testing.T) {
	o := Overestimate{Factors: []float64{1, 4, 16}}
	for _, c := range []struct{ u, want float64 }{{0, 1}, {0.25, 2}, {0.5, 4}, {0.75, 8}, {1, 16}} {
		if got := o.Factor(c.u); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Factor(%v) = %v, want %v", c.u, got, c.want)
		}
	}
	o.Max = 30 * sim.Second
	for _, c := range []struct {
		w    sim.Time
		u    float64
		want sim.Time
	}{
		{10 * sim.Second, 0.25, 20 * sim.Second}, // 2 × 10 s
		{10 * sim.Second, 1, 30 * sim.Second},    // 16 × 10 s, capped at max
		{40 * sim.Second, 0.5, 40 * sim.Second},  // work above max: the work
		{10 * sim.Second, 0, 10 * sim.Second},    // factor 1
	} {
		if got := o.Estimate(c.w, c.u); got != c.want {
			t.Errorf("Estimate(%v, %v) = %v, want %v", c.w, c.u, got, c.want)
		}
	}

	q := Overestimate{Factors: []float64{1, 1, 1.08, 1.6, 2.4, 7.9, 60, 5000}}
	const n = 200_000
	src, err := NewWithEstimates(&repeatSource{n: n, work: sim.Second}, q, sim.NewRand(1, "test/estimates"))
	if err != nil {
		t.Fatal(err)
	}
	k := len(q.Factors) - 1
	below := make([]int, k+1)
	for {
		var task sim.Task
		if err := src.Next(&task); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		f := float64(task.Estimate) / float64(sim.Second)
		for j, qj := range q.Factors {
			if f <= qj*(1+1e-9) {
				below[j]++
			}
		}
	}
	for j := 1; j < k; j++ {
		p := float64(j) / float64(k)
		got := float64(below[j]) / n
		if q.Factors[j] == q.Factors[j+1] {
			continue // flat from here: the share counts the next part too
		}
		if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(got-p) > tol {
			t.Errorf("share of factors <= %v: %.4f, want %.4f ± %.4f", q.Factors[j], got, p, tol)
		}
	}

	for _, bad := range []struct {
		o    Overestimate
		want string
	}{
		{Overestimate{Factors: []float64{2}}, "at least two factors"},
		{Overestimate{Factors: []float64{0.5, 2}}, "factor 0: expected a finite number >= 1"},
		{Overestimate{Factors: []float64{1, math.Inf(1)}}, "factor 1: expected a finite number >= 1"},
		{Overestimate{Factors: []float64{3, 2}}, "factor 1: expected quantiles in increasing order"},
		{Overestimate{Factors: []float64{1, 2}, Max: -1}, "expected max >= 0"},
	} {
		if err := bad.o.Check(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: error %v, want one with %q", bad.o, err, bad.want)
		}
	}
}

// repeatSource is n tasks of the same work.
type repeatSource struct {
	n, i int
	work sim.Time
}

func (r *repeatSource) Next(t *sim.Task) error {
	if r.i >= r.n {
		return io.EOF
	}
	r.i++
	*t = sim.Task{ID: int64(r.i), Work: r.work}
	return nil
}
