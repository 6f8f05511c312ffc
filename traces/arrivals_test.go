package traces

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestPoissonGaps checks the gaps of a Poisson process against the
// exponential distribution of rate λ: E[G] = 1/λ, E[G²] = 2/λ², E[G⁴] =
// 24/λ⁴. Tolerance: 5 standard errors, √(Var G/n) = 1/(λ√n) for the mean
// and √((E[G⁴] − E[G²]²)/n) = √20/(λ²√n) for the second moment.
func TestPoissonGaps(t *testing.T) {
	const n = 400_000
	const lambda = 250.0
	p := Poisson{Rate: lambda}
	if p.MeanRate() != lambda {
		t.Fatalf("MeanRate() = %v", p.MeanRate())
	}
	r := sim.NewRand(5, "arrivals")
	var s1, s2 float64
	for range n {
		g := p.Gap(r).Seconds()
		s1 += g
		s2 += g * g
	}
	m1, m2 := s1/n, s2/n
	tol1 := sigmas / (lambda * math.Sqrt(n))
	tol2 := sigmas * math.Sqrt(20) / (lambda * lambda * math.Sqrt(n))
	if math.Abs(m1-1/lambda) > tol1 {
		t.Errorf("mean gap %.6g, want 1/λ = %.6g ± %.2g", m1, 1/lambda, tol1)
	}
	if math.Abs(m2-2/(lambda*lambda)) > tol2 {
		t.Errorf("E[G²] %.6g, want 2/λ² = %.6g ± %.2g", m2, 2/(lambda*lambda), tol2)
	}
}

func TestDeterministicGaps(t *testing.T) {
	d := Deterministic{Rate: 3}
	r := sim.NewRand(1, "arrivals")
	for range 10 {
		if g := d.Gap(r); g != 333_333_333 {
			t.Fatalf("gap %d, want 333333333 (1/3 s rounded)", g)
		}
	}
}

// mmppVariance returns the asymptotic variance per unit time of the count
// of a stationary MMPP-2, lim Var N(T)/T (Fischer and Meier-Hellstern, "The
// Markov-modulated Poisson process (MMPP) cookbook", 1993, eq. for the
// index of dispersion): with r₀ = 1/hold₀, r₁ = 1/hold₁ the switching rates,
//
//	λ̄ + 2(λ₀ − λ₁)²·r₀·r₁ / (r₀ + r₁)³
//
// For finite T the variance is smaller (the correction term only reduces
// it), so a tolerance from it is conservative.
func mmppVariance(rates [2]float64, hold [2]float64) float64 {
	r0, r1 := 1/hold[0], 1/hold[1]
	mean := (rates[0]*hold[0] + rates[1]*hold[1]) / (hold[0] + hold[1])
	d := rates[0] - rates[1]
	return mean + 2*d*d*r0*r1/math.Pow(r0+r1, 3)
}

// TestBurstyRate checks the long-run rate of the MMPP-2 against the
// stationary formula λ̄ = (λ₀h₀ + λ₁h₁)/(h₀ + h₁): the count N(T) of
// arrivals in [0, T] has mean λ̄T (the process starts stationary) and
// variance at most mmppVariance·T, so N(T)/T must lie within
// 5·√(mmppVariance/T) of λ̄.
func TestBurstyRate(t *testing.T) {
	for _, tc := range []struct {
		rates [2]float64
		hold  [2]float64 // seconds
		T     float64
	}{
		{[2]float64{20, 2}, [2]float64{1, 4}, 200_000},
		{[2]float64{50, 0}, [2]float64{0.1, 0.9}, 200_000},    // on/off
		{[2]float64{1000, 10}, [2]float64{0.01, 0.01}, 1_000}, // switches within most gaps
	} {
		b := NewBursty(tc.rates, [2]sim.Time{sim.FromSeconds(tc.hold[0]), sim.FromSeconds(tc.hold[1])})
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
		want := (tc.rates[0]*tc.hold[0] + tc.rates[1]*tc.hold[1]) / (tc.hold[0] + tc.hold[1])
		if got := b.MeanRate(); math.Abs(got-want) > 1e-12*want {
			t.Errorf("%v: MeanRate() = %v, want %v", tc, got, want)
		}
		r := sim.NewRand(9, "arrivals")
		end := sim.FromSeconds(tc.T)
		var now sim.Time
		var count float64
		for {
			now += b.Gap(r)
			if now > end {
				break
			}
			count++
		}
		rate := count / tc.T
		tol := sigmas * math.Sqrt(mmppVariance(tc.rates, tc.hold)/tc.T)
		t.Logf("rates %v hold %v: rate %.5g, formula %.5g ± %.2g", tc.rates, tc.hold, rate, want, tol)
		if math.Abs(rate-want) > tol {
			t.Errorf("%v: rate %.5g over %gs, want λ̄ = %.5g ± %.2g", tc, rate, tc.T, want, tol)
		}
	}
}

// TestBurstyIsBursty checks the MMPP's counts are overdispersed as the
// cookbook says. For a window of length w the count variance is
//
//	Var N(w) = V·w − 2(λ₀−λ₁)²·r₀·r₁/(r₀+r₁)⁴ · (1 − e^(−(r₀+r₁)w))
//
// with V = mmppVariance, far above Poisson's λ̄·w. Windows of 100 s are much
// longer than the holding times, so neighbouring windows are nearly
// independent, and the counts nearly normal: the sample variance of k
// windows has relative standard error √(2/k).
func TestBurstyIsBursty(t *testing.T) {
	rates, hold := [2]float64{20, 2}, [2]float64{1, 4}
	const w, k = 100.0, 4000
	b := NewBursty(rates, [2]sim.Time{sim.Second, 4 * sim.Second})
	r := sim.NewRand(11, "arrivals")
	var now sim.Time
	counts := make([]float64, k)
	window := sim.FromSeconds(w)
	for {
		now += b.Gap(r)
		i := int(now / window)
		if i >= k {
			break
		}
		counts[i]++
	}
	var s1, s2 float64
	for _, c := range counts {
		s1 += c
		s2 += c * c
	}
	mean := s1 / k
	variance := s2/k - mean*mean
	r0, r1, d := 1/hold[0], 1/hold[1], rates[0]-rates[1]
	want := mmppVariance(rates, hold)*w - 2*d*d*r0*r1/math.Pow(r0+r1, 4)*(1-math.Exp(-(r0+r1)*w))
	t.Logf("count variance %.5g per %gs window, formula %.5g, Poisson would be %.4g", variance, w, want, mean)
	if tol := sigmas * math.Sqrt(2.0/k) * want; math.Abs(variance-want) > tol {
		t.Errorf("count variance %.4g per %gs window, want %.4g ± %.2g", variance, w, want, tol)
	}
	if poisson := mean; variance < 5*poisson {
		t.Errorf("count variance %.4g is not far above the Poisson variance %.4g", variance, poisson)
	}
}
