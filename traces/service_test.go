package traces

import (
	"fmt"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// serviceSamples is the sample size of the distribution tests. Tolerances
// are derived from it: 5 standard errors of each sample moment, computed
// from the distribution's own higher moments, so a correct sampler fails
// with probability below 1e-6 per check.
const serviceSamples = 400_000

// sigmas is how many standard errors a sample moment may stray.
const sigmas = 5

// serviceCase pairs a distribution with its raw moments E[X^k] in seconds^k,
// k = 1..4, written out from the textbook formula independently of the
// implementation.
type serviceCase struct {
	name    string
	svc     Service
	moments func(k int) float64
}

func factorial(k int) float64 {
	f := 1.0
	for i := 2; i <= k; i++ {
		f *= float64(i)
	}
	return f
}

func exponentialCase(mean float64) serviceCase {
	// E[X^k] = k!·mean^k.
	return serviceCase{fmt.Sprintf("exponential(%g)", mean), Exponential{Mean: sim.FromSeconds(mean)},
		func(k int) float64 { return factorial(k) * math.Pow(mean, float64(k)) }}
}

func lognormalCase(mean, cv float64) serviceCase {
	// X = exp(μ + σZ): E[X^k] = exp(kμ + k²σ²/2), σ² = ln(1+CV²), μ = ln(mean) − σ²/2.
	s2 := math.Log(1 + cv*cv)
	mu := math.Log(mean) - s2/2
	return serviceCase{fmt.Sprintf("lognormal(%g,cv=%g)", mean, cv), Lognormal{Mean: sim.FromSeconds(mean), CV: cv},
		func(k int) float64 { return math.Exp(float64(k)*mu + float64(k*k)*s2/2) }}
}

func paretoCase(alpha, lo, hi float64) serviceCase {
	// Density α·L^α·x^(−α−1) / (1 − (L/H)^α) on [L, H]:
	// E[X^k] = α·L^α/(1 − (L/H)^α) · (H^(k−α) − L^(k−α))/(k−α), or
	// α·L^α·ln(H/L)/(1 − (L/H)^α) when k = α.
	return serviceCase{fmt.Sprintf("bounded-pareto(α=%g,%g..%g)", alpha, lo, hi),
		BoundedPareto{Alpha: alpha, Min: sim.FromSeconds(lo), Max: sim.FromSeconds(hi)},
		func(k int) float64 {
			c := alpha * math.Pow(lo, alpha) / (1 - math.Pow(lo/hi, alpha))
			if d := float64(k) - alpha; d != 0 {
				return c * (math.Pow(hi, d) - math.Pow(lo, d)) / d
			}
			return c * math.Log(hi/lo)
		}}
}

func hyperCase(mean, cv float64) serviceCase {
	// Two exponential phases, p₁ = (1 + √((CV²−1)/(CV²+1)))/2, λ_i = 2p_i/mean:
	// E[X^k] = k!·Σ p_i/λ_i^k.
	p1 := (1 + math.Sqrt((cv*cv-1)/(cv*cv+1))) / 2
	p2 := 1 - p1
	l1, l2 := 2*p1/mean, 2*p2/mean
	return serviceCase{fmt.Sprintf("hyperexponential(%g,cv=%g)", mean, cv), HyperExponential{Mean: sim.FromSeconds(mean), CV: cv},
		func(k int) float64 {
			return factorial(k) * (p1/math.Pow(l1, float64(k)) + p2/math.Pow(l2, float64(k)))
		}}
}

func empiricalCase(qs ...float64) serviceCase {
	// The quantile function at a uniform probability: per segment [a, b]
	// (weight 1/k), E[X^k] = (b^k − a^k) / (k·ln(b/a)) when geometric
	// (0 < a < b), (b^(k+1) − a^(k+1)) / ((k+1)(b − a)) when linear from
	// a = 0, and a^k when flat.
	var ts []sim.Time
	for _, q := range qs {
		ts = append(ts, sim.FromSeconds(q))
	}
	return serviceCase{fmt.Sprintf("empirical%v", qs), Empirical{Quantiles: ts},
		func(k int) float64 {
			kf, sum := float64(k), 0.0
			for i := 0; i+1 < len(qs); i++ {
				a, b := qs[i], qs[i+1]
				switch {
				case a == b:
					sum += math.Pow(a, kf)
				case a == 0:
					sum += math.Pow(b, kf+1) / ((kf + 1) * b)
				default:
					sum += (math.Pow(b, kf) - math.Pow(a, kf)) / (kf * math.Log(b/a))
				}
			}
			return sum / float64(len(qs)-1)
		}}
}

var serviceCases = []serviceCase{
	empiricalCase(0, 1, 1, 4, 100),
	empiricalCase(10, 14, 22, 63, 221, 847, 2674, 7038, 12487, 28690, 226709),
	exponentialCase(1),
	exponentialCase(0.004),
	{"constant(0.25)", Constant{Value: 250 * sim.Millisecond}, func(k int) float64 { return math.Pow(0.25, float64(k)) }},
	lognormalCase(1, 0.5),
	lognormalCase(0.1, 1.5),
	lognormalCase(1, 0),
	paretoCase(1.5, 0.001, 10),
	paretoCase(1, 0.001, 1),   // α = 1: the mean's closed form has its log case
	paretoCase(2, 0.01, 100),  // α = 2: the second moment's log case
	paretoCase(0.5, 0.001, 1), // α < 1
	hyperCase(1, 2),
	hyperCase(0.5, 1), // CV = 1 is the exponential
	hyperCase(1, 5),
}

// TestServiceClosedForms checks MeanSeconds and SCV against the moments:
// SCV = E[X²]/E[X]² − 1.
func TestServiceClosedForms(t *testing.T) {
	const rel = 1e-9
	for _, tc := range serviceCases {
		m1, m2 := tc.moments(1), tc.moments(2)
		if got := tc.svc.MeanSeconds(); math.Abs(got-m1) > rel*m1 {
			t.Errorf("%s: MeanSeconds() = %v, closed form %v", tc.name, got, m1)
		}
		scv := m2/(m1*m1) - 1
		if got := tc.svc.SCV(); math.Abs(got-scv) > rel*math.Max(scv, 1) {
			t.Errorf("%s: SCV() = %v, closed form %v", tc.name, got, scv)
		}
	}
}

// TestServiceSamples checks the sample mean and second moment of each
// distribution against the closed forms. The standard error of the sample
// mean of n draws of Y is √(Var Y / n); for Y = X, Var X = E[X²] − E[X]²,
// and for Y = X², Var X² = E[X⁴] − E[X²]². The sample SCV m₂/m₁² − 1 is
// then checked against the interval those two tolerances allow.
func TestServiceSamples(t *testing.T) {
	for _, tc := range serviceCases {
		t.Run(tc.name, func(t *testing.T) {
			r := sim.NewRand(42, "service-test")
			var s1, s2 float64
			for range serviceSamples {
				x := tc.svc.Sample(r)
				if x < 1 {
					t.Fatalf("sample %d ns, want at least 1", x)
				}
				xs := x.Seconds()
				s1 += xs
				s2 += xs * xs
			}
			n := float64(serviceSamples)
			m1, m2 := s1/n, s2/n
			e1, e2, e4 := tc.moments(1), tc.moments(2), tc.moments(4)
			tol1 := sigmas*math.Sqrt(math.Max(e2-e1*e1, 0)/n) + 1e-9*e1 // + ns rounding
			tol2 := sigmas*math.Sqrt(math.Max(e4-e2*e2, 0)/n) + 1e-9*e2
			t.Logf("mean %.6g (formula %.6g ± %.2g), E[X²] %.6g (formula %.6g ± %.2g)", m1, e1, tol1, m2, e2, tol2)
			if math.Abs(m1-e1) > tol1 {
				t.Errorf("sample mean %.6g, closed form %.6g ± %.3g", m1, e1, tol1)
			}
			if math.Abs(m2-e2) > tol2 {
				t.Errorf("sample E[X²] %.6g, closed form %.6g ± %.3g", m2, e2, tol2)
			}
			scv := m2/(m1*m1) - 1
			lo := (e2-tol2)/((e1+tol1)*(e1+tol1)) - 1
			hi := (e2+tol2)/((e1-tol1)*(e1-tol1)) - 1
			if want := tc.svc.SCV(); scv < lo-1e-9 || scv > hi+1e-9 || want < lo || want > hi {
				t.Errorf("sample SCV %.6g, closed form %.6g, allowed [%.6g, %.6g]", scv, want, lo, hi)
			}
		})
	}
}

// TestBoundedParetoRange checks every draw lies in [Min, Max].
func TestBoundedParetoRange(t *testing.T) {
	p := BoundedPareto{Alpha: 0.8, Min: sim.Millisecond, Max: sim.Second}
	r := sim.NewRand(1, "range")
	for range 100_000 {
		if x := p.Sample(r); x < p.Min || x > p.Max {
			t.Fatalf("draw %v outside [%v, %v]", x, p.Min, p.Max)
		}
	}
}

func TestServiceValidate(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ Validate() error }
		want string
	}{
		{Exponential{Mean: 0}, "exponential: parameter mean: expected a positive duration, got 0s"},
		{Constant{Value: -sim.Second}, "deterministic: parameter mean: expected a positive duration, got -1s"},
		{Lognormal{Mean: sim.Second, CV: -1}, "lognormal: parameter cv: expected a non-negative, finite coefficient of variation, got -1"},
		{Lognormal{Mean: sim.Second, CV: math.NaN()}, "lognormal: parameter cv: expected a non-negative, finite coefficient of variation, got NaN"},
		{Lognormal{CV: 1}, "lognormal: parameter mean: expected a positive duration, got 0s"},
		{BoundedPareto{Alpha: 0, Min: 1, Max: 2}, "bounded-pareto: parameter alpha: expected a positive, finite shape, got 0"},
		{BoundedPareto{Alpha: math.Inf(1), Min: 1, Max: 2}, "bounded-pareto: parameter alpha: expected a positive, finite shape, got +Inf"},
		{BoundedPareto{Alpha: 1, Min: 0, Max: 2}, "bounded-pareto: parameter min: expected a positive duration, got 0s"},
		{BoundedPareto{Alpha: 1, Min: sim.Second, Max: sim.Second}, "bounded-pareto: parameter max: expected more than min (1s), got 1s"},
		{HyperExponential{Mean: sim.Second, CV: 0.5}, "hyperexponential: parameter cv: expected a finite coefficient of variation of at least 1 (below 1, use lognormal), got 0.5"},
		{HyperExponential{Mean: -1, CV: 2}, "hyperexponential: parameter mean: expected a positive duration, got -0.000000001s"},
		{Empirical{Quantiles: []sim.Time{sim.Second}}, "empirical: parameter quantiles: expected at least two quantiles (at probabilities 0 and 1), got 1"},
		{Empirical{Quantiles: []sim.Time{-1, sim.Second}}, "empirical: parameter quantiles: quantile 0: expected a duration >= 0, got -0.000000001s"},
		{Empirical{Quantiles: []sim.Time{2 * sim.Second, sim.Second}}, "empirical: parameter quantiles: quantile 1: expected quantiles in increasing order, got 1s after 2s"},
		{Empirical{Quantiles: []sim.Time{0, 0}}, "empirical: parameter quantiles: expected the last quantile > 0"},
		{Poisson{Rate: 0}, "poisson: parameter rate: expected a positive, finite number of arrivals per second, got 0"},
		{Poisson{Rate: math.Inf(1)}, "poisson: parameter rate: expected a positive, finite number of arrivals per second, got +Inf"},
		{Deterministic{Rate: -2}, "deterministic: parameter rate: expected a positive, finite number of arrivals per second, got -2"},
		{NewBursty([2]float64{-1, 1}, [2]sim.Time{1, 1}), "bursty: parameter rates: expected non-negative, finite rates per second, got -1 for state 0"},
		{NewBursty([2]float64{0, 0}, [2]sim.Time{1, 1}), "bursty: parameter rates: expected at least one positive rate, got two zeros"},
		{NewBursty([2]float64{1, 1}, [2]sim.Time{1, 0}), "bursty: parameter hold: expected positive mean holding times, got 0s for state 1"},
	} {
		err := tc.v.Validate()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%T%+v.Validate() = %v\nwant %s", tc.v, tc.v, err, tc.want)
		}
	}
	for _, v := range []interface{ Validate() error }{
		Exponential{Mean: 1}, Constant{Value: 1}, Lognormal{Mean: 1}, BoundedPareto{Alpha: 1, Min: 1, Max: 2},
		HyperExponential{Mean: 1, CV: 1}, Poisson{Rate: 1e-9}, Deterministic{Rate: 1e12},
		NewBursty([2]float64{0, 1}, [2]sim.Time{1, 1}),
	} {
		if err := v.Validate(); err != nil {
			t.Errorf("%T%+v: %v", v, v, err)
		}
	}
}
