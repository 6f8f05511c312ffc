package traces

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// Service draws task work (at speed 1).
//
// The mean is MeanSeconds rather than Mean because the distributions' own
// parameter fields are called Mean (Exponential{Mean: sim.Second}), and Go
// does not allow a field and a method of one name.
type Service interface {
	// Sample draws one task's work, at least 1 ns.
	Sample(r *sim.Rand) sim.Time
	// MeanSeconds is the distribution's mean, in seconds.
	MeanSeconds() float64
	// SCV is the squared coefficient of variation, variance / mean².
	SCV() float64
}

var (
	_ Service = Exponential{}
	_ Service = Constant{}
	_ Service = Lognormal{}
	_ Service = BoundedPareto{}
	_ Service = HyperExponential{}
)

// work rounds a sampled number of nanoseconds to a Time of at least 1 ns.
func work(ns float64) sim.Time {
	if t := nsToTime(ns); t > 0 {
		return t
	}
	return 1
}

func checkTime(kind, param string, v sim.Time) error {
	if v <= 0 {
		return &ParamError{Kind: kind, Param: param, Msg: fmt.Sprintf("expected a positive duration, got %ss", FormatSeconds(v))}
	}
	return nil
}

// Exponential work of the given mean: SCV 1.
type Exponential struct {
	Mean sim.Time // > 0
}

// Sample draws E·Mean, E from sim.Rand.ExpFloat64.
func (e Exponential) Sample(r *sim.Rand) sim.Time {
	return work(r.ExpFloat64() * float64(e.Mean))
}

// MeanSeconds returns Mean in seconds.
func (e Exponential) MeanSeconds() float64 { return e.Mean.Seconds() }

// SCV returns 1.
func (e Exponential) SCV() float64 { return 1 }

// Validate checks that Mean is positive.
func (e Exponential) Validate() error { return checkTime("exponential", "mean", e.Mean) }

// Constant work: every task needs Value. SCV 0.
type Constant struct {
	Value sim.Time // > 0
}

// Sample returns Value (at least 1 ns).
func (c Constant) Sample(*sim.Rand) sim.Time { return max(c.Value, 1) }

// MeanSeconds returns Value in seconds.
func (c Constant) MeanSeconds() float64 { return c.Value.Seconds() }

// SCV returns 0.
func (c Constant) SCV() float64 { return 0 }

// Validate checks that Value is positive.
// The parameter is named "mean", as in a scenario file's deterministic
// distribution.
func (c Constant) Validate() error { return checkTime("deterministic", "mean", c.Value) }

// Lognormal work given by its mean and coefficient of variation: the work
// is exp(μ + σZ), Z standard normal, with
//
//	σ² = ln(1 + CV²),  μ = ln(Mean) − σ²/2
//
// so that E[X] = exp(μ + σ²/2) = Mean and Var[X]/Mean² = exp(σ²) − 1 = CV².
type Lognormal struct {
	Mean sim.Time // > 0
	CV   float64  // >= 0; 0 is constant work
}

func (l Lognormal) params() (mu, sigma float64) {
	s2 := math.Log1p(l.CV * l.CV)
	return math.Log(float64(l.Mean)) - float64(s2/2), math.Sqrt(s2)
}

// Sample draws exp(μ + σZ).
func (l Lognormal) Sample(r *sim.Rand) sim.Time {
	mu, sigma := l.params()
	return work(math.Exp(mu + float64(sigma*r.NormFloat64())))
}

// MeanSeconds returns Mean in seconds.
func (l Lognormal) MeanSeconds() float64 { return l.Mean.Seconds() }

// SCV returns CV².
func (l Lognormal) SCV() float64 { return l.CV * l.CV }

// Validate checks that Mean is positive and CV non-negative and finite.
func (l Lognormal) Validate() error {
	if err := checkTime("lognormal", "mean", l.Mean); err != nil {
		return err
	}
	if !(l.CV >= 0 && l.CV <= math.MaxFloat64) {
		return &ParamError{Kind: "lognormal", Param: "cv", Msg: fmt.Sprintf("expected a non-negative, finite coefficient of variation, got %v", l.CV)}
	}
	return nil
}

// BoundedPareto work: a Pareto distribution of shape Alpha truncated to
// [Min, Max] (Harchol-Balter's heavy-tailed job sizes). With L = Min,
// H = Max, c = L/H, its CDF is
//
//	F(x) = (1 − (L/x)^α) / (1 − c^α),  L ≤ x ≤ H
//
// sampled by inversion: x = L·(1 − U·(1 − c^α))^(−1/α). Its moments are
//
//	E[X^k] = L^k · α/(α−k) · (1 − c^(α−k)) / (1 − c^α)     (α ≠ k)
//	E[X^k] = L^k · α·ln(1/c) / (1 − c^α)                 (α = k)
type BoundedPareto struct {
	Alpha    float64  // shape, > 0
	Min, Max sim.Time // 0 < Min < Max
}

// Sample draws by inversion of the CDF.
func (p BoundedPareto) Sample(r *sim.Rand) sim.Time {
	lo := float64(p.Min)
	ca := math.Pow(lo/float64(p.Max), p.Alpha)
	x := lo * math.Pow(1-float64(r.Float64()*(1-ca)), -1/p.Alpha)
	return work(min(x, float64(p.Max)))
}

// moment returns E[X^k] in units of Min^k, by the formulas above written
// with expm1 so that α near k loses no precision.
func (p BoundedPareto) moment(k float64) float64 {
	lnc := math.Log(float64(p.Min) / float64(p.Max))
	a := p.Alpha
	// (1 − c^(α−k))/(α−k), whose limit at α = k is −ln c.
	g := -lnc
	if d := a - k; d != 0 {
		g = -math.Expm1(d*lnc) / d
	}
	return a * g / -math.Expm1(a*lnc)
}

// MeanSeconds returns E[X] in seconds (see BoundedPareto).
func (p BoundedPareto) MeanSeconds() float64 { return p.Min.Seconds() * p.moment(1) }

// SCV returns E[X²]/E[X]² − 1.
func (p BoundedPareto) SCV() float64 {
	m1 := p.moment(1)
	return p.moment(2)/(m1*m1) - 1
}

// Validate checks 0 < Alpha < ∞ and 0 < Min < Max.
func (p BoundedPareto) Validate() error {
	if !positive(p.Alpha) {
		return &ParamError{Kind: "bounded-pareto", Param: "alpha", Msg: fmt.Sprintf("expected a positive, finite shape, got %v", p.Alpha)}
	}
	if err := checkTime("bounded-pareto", "min", p.Min); err != nil {
		return err
	}
	if p.Max <= p.Min {
		return &ParamError{Kind: "bounded-pareto", Param: "max", Msg: fmt.Sprintf("expected more than min (%ss), got %ss", FormatSeconds(p.Min), FormatSeconds(p.Max))}
	}
	return nil
}

// HyperExponential work: a two-phase hyperexponential with balanced means
// (each phase contributes half the mean), for CV ≥ 1. Phase i is chosen
// with probability p_i and is exponential with rate λ_i:
//
//	p₁ = (1 + √((CV²−1)/(CV²+1)))/2,  p₂ = 1 − p₁,  λ_i = 2p_i/Mean
//
// Then E[X] = Σ p_i/λ_i = Mean and E[X²] = Σ 2p_i/λ_i² = Mean²/(2p₁p₂),
// so SCV = 1/(2p₁p₂) − 1 = CV². CV = 1 is the exponential.
type HyperExponential struct {
	Mean sim.Time // > 0
	CV   float64  // >= 1
}

// phases returns p₁ and p₂. p₂ is computed as 1/((CV²+1)(1+s)), s the
// square root above, which equals (1−s)/2 without its cancellation.
func (h HyperExponential) phases() (p1, p2 float64) {
	c2 := float64(h.CV * h.CV)
	s := math.Sqrt((c2 - 1) / (c2 + 1))
	return (1 + s) / 2, 1 / ((c2 + 1) * (1 + s))
}

// Sample picks a phase, then draws its exponential of mean Mean/(2p_i).
func (h HyperExponential) Sample(r *sim.Rand) sim.Time {
	p1, p2 := h.phases()
	p := p1
	if r.Float64() >= p1 {
		p = p2
	}
	return work(r.ExpFloat64() * float64(h.Mean) / (2 * p))
}

// MeanSeconds returns Mean in seconds.
func (h HyperExponential) MeanSeconds() float64 { return h.Mean.Seconds() }

// SCV returns CV².
func (h HyperExponential) SCV() float64 { return h.CV * h.CV }

// Validate checks that Mean is positive and CV at least 1 and finite.
func (h HyperExponential) Validate() error {
	if err := checkTime("hyperexponential", "mean", h.Mean); err != nil {
		return err
	}
	if !(h.CV >= 1 && h.CV <= math.MaxFloat64) {
		return &ParamError{Kind: "hyperexponential", Param: "cv", Msg: fmt.Sprintf("expected a finite coefficient of variation of at least 1 (below 1, use lognormal), got %v", h.CV)}
	}
	return nil
}

// Empirical work with the quantile function Quantiles, given at the
// equally spaced probabilities 0, 1/k, …, 1 (k = len(Quantiles) − 1), as
// fitted to a log: between neighbouring quantiles a and b it is
// interpolated geometrically, a·(b/a)^x, where both are > 0, else
// linearly, so a draw is the quantile function at a uniform probability.
// Its moments are exact: per segment, with L = ln(b/a),
//
//	E[X] = (b − a) / L,  E[X²] = (b² − a²) / (2L)    (geometric, a ≠ b)
//	E[X] = (a + b) / 2,  E[X²] = (a² + ab + b²) / 3   (linear)
//
// averaged over the k segments.
type Empirical struct {
	Quantiles []sim.Time // at least 2, non-decreasing, >= 0, the last > 0
}

var _ Service = Empirical{}

// at is the quantile function at probability u in [0, 1], in ns.
func (e Empirical) at(u float64) float64 {
	k := len(e.Quantiles) - 1
	x := float64(u * float64(k))
	i := min(int(x), k-1)
	a, b := float64(e.Quantiles[i]), float64(e.Quantiles[i+1])
	x -= float64(i)
	if a > 0 && b > a {
		return a * math.Pow(b/a, x)
	}
	return a + float64((b-a)*x)
}

// Sample draws the quantile function at a uniform probability.
func (e Empirical) Sample(r *sim.Rand) sim.Time { return work(e.at(r.Float64())) }

// moments are E[X] and E[X²] in seconds.
func (e Empirical) moments() (m1, m2 float64) {
	k := len(e.Quantiles) - 1
	for i := 0; i < k; i++ {
		a, b := e.Quantiles[i].Seconds(), e.Quantiles[i+1].Seconds()
		if a > 0 && b > a {
			l := math.Log(b / a)
			m1 += (b - a) / l
			m2 += (float64(b*b) - float64(a*a)) / (2 * l)
		} else {
			m1 += float64((a + b) / 2)
			m2 += (float64(a*a) + float64(a*b) + float64(b*b)) / 3
		}
	}
	return m1 / float64(k), m2 / float64(k)
}

// MeanSeconds is the exact mean.
func (e Empirical) MeanSeconds() float64 {
	m1, _ := e.moments()
	return m1
}

// SCV is the exact squared coefficient of variation.
func (e Empirical) SCV() float64 {
	m1, m2 := e.moments()
	return max(0, m2-float64(m1*m1)) / (m1 * m1)
}

// Validate checks that there are at least two quantiles, non-negative and
// non-decreasing, the last one positive.
func (e Empirical) Validate() error {
	q := e.Quantiles
	if len(q) < 2 {
		return &ParamError{Kind: "empirical", Param: "quantiles", Msg: fmt.Sprintf("expected at least two quantiles (at probabilities 0 and 1), got %d", len(q))}
	}
	for i, v := range q {
		switch {
		case v < 0:
			return &ParamError{Kind: "empirical", Param: "quantiles", Msg: fmt.Sprintf("quantile %d: expected a duration >= 0, got %ss", i, FormatSeconds(v))}
		case i > 0 && v < q[i-1]:
			return &ParamError{Kind: "empirical", Param: "quantiles", Msg: fmt.Sprintf("quantile %d: expected quantiles in increasing order, got %ss after %ss", i, FormatSeconds(v), FormatSeconds(q[i-1]))}
		}
	}
	if q[len(q)-1] <= 0 {
		return &ParamError{Kind: "empirical", Param: "quantiles", Msg: "expected the last quantile > 0"}
	}
	return nil
}
