package traces

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// Overestimate is a model of users' runtime estimates (requested times)
// for synthetic tasks, fitted to a log: the factor requested time / run
// time has the quantile function Factors, given at the equally spaced
// probabilities 0, 1/k, …, 1 (k = len(Factors) − 1) and interpolated
// geometrically between them. A task of work w (at speed 1) is given the
// estimate max(w, min(f·w, Max)) for a factor f drawn from it: never
// below its work, and no more than Max (0: no limit) unless its work is.
type Overestimate struct {
	Factors []float64
	Max     sim.Time
}

// Check reports what is wrong with the model: fewer than two factors, a
// factor below 1, not finite, or smaller than the one before it, or a
// negative Max.
func (o Overestimate) Check() error {
	if len(o.Factors) < 2 {
		return fmt.Errorf("expected at least two factors (the quantiles at 0 and 1), got %d", len(o.Factors))
	}
	for i, f := range o.Factors {
		switch {
		case !(f >= 1) || math.IsInf(f, 0):
			return fmt.Errorf("factor %d: expected a finite number >= 1, got %v", i, f)
		case i > 0 && f < o.Factors[i-1]:
			return fmt.Errorf("factor %d: expected quantiles in increasing order, got %v after %v", i, f, o.Factors[i-1])
		}
	}
	if o.Max < 0 {
		return fmt.Errorf("expected max >= 0, got %v", o.Max)
	}
	return nil
}

// Factor is the factor at probability u in [0, 1]: the quantile function,
// geometric between the given quantiles.
func (o Overestimate) Factor(u float64) float64 {
	k := len(o.Factors) - 1
	x := float64(u * float64(k))
	i := min(int(x), k-1)
	a, b := o.Factors[i], o.Factors[i+1]
	return float64(a * math.Pow(b/a, x-float64(i)))
}

// Estimate is the estimate of work w for probability u.
func (o Overestimate) Estimate(w sim.Time, u float64) sim.Time {
	e := float64(w) * o.Factor(u)
	if o.Max > 0 {
		e = min(e, float64(o.Max))
	}
	if e >= float64(sim.MaxTime/4) {
		return max(w, sim.MaxTime/4)
	}
	return max(w, sim.Time(math.Round(e)))
}

// WithEstimates gives every task of a source an estimate from an
// Overestimate model, replacing any it had.
type WithEstimates struct {
	src sim.Source
	o   Overestimate
	rng *sim.Rand
}

// NewWithEstimates wraps src; rng draws one probability per task.
func NewWithEstimates(src sim.Source, o Overestimate, rng *sim.Rand) (*WithEstimates, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	return &WithEstimates{src: src, o: o, rng: rng}, nil
}

// Next implements sim.Source.
func (w *WithEstimates) Next(t *sim.Task) error {
	if err := w.src.Next(t); err != nil {
		return err
	}
	t.Estimate = w.o.Estimate(t.Work, w.rng.Float64())
	return nil
}
