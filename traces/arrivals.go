package traces

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// Arrivals draws successive interarrival gaps.
//
// The long-run rate is MeanRate rather than Rate because the processes'
// own parameter fields are called Rate (Poisson{Rate: 45}, as in a
// scenario file), and Go does not allow a field and a method of one name.
type Arrivals interface {
	// Gap returns the time from the previous arrival to the next one.
	Gap(r *sim.Rand) sim.Time
	// MeanRate is the long-run number of arrivals per second.
	MeanRate() float64
}

var (
	_ Arrivals = Poisson{}
	_ Arrivals = Deterministic{}
	_ Arrivals = (*Bursty)(nil)
)

// maxNs is the largest float64 number of nanoseconds converted as is; at
// and above it a time saturates at sim.MaxTime (float64(math.MaxInt64)
// rounds up to 2^63, which does not fit).
const maxNs = float64(math.MaxInt64 - 1023)

// nsToTime rounds a non-negative number of nanoseconds to a Time, half up.
// NaN and negative values give 0, +Inf and huge values sim.MaxTime.
func nsToTime(ns float64) sim.Time {
	if ns < maxNs {
		if ns > 0 {
			return sim.Time(float64(ns) + 0.5) // (float64: a product passed in is rounded, not fused)
		}
		return 0
	}
	if ns != ns {
		return 0
	}
	return sim.MaxTime
}

// positive reports whether x is a positive finite number.
func positive(x float64) bool { return x > 0 && x <= math.MaxFloat64 }

// Poisson arrivals: independent exponential gaps of mean 1/Rate, rounded to
// the nanosecond.
type Poisson struct {
	Rate float64 // arrivals per second, > 0
}

// Gap draws an exponential gap: E/Rate, E from sim.Rand.ExpFloat64.
func (p Poisson) Gap(r *sim.Rand) sim.Time {
	if !(p.Rate > 0) {
		return sim.MaxTime
	}
	return nsToTime(r.ExpFloat64() * (1e9 / p.Rate))
}

// MeanRate returns Rate.
func (p Poisson) MeanRate() float64 { return p.Rate }

// Validate checks that Rate is positive and finite.
func (p Poisson) Validate() error { return checkRate("poisson", "rate", p.Rate) }

func checkRate(kind, param string, rate float64) error {
	if !positive(rate) {
		return &ParamError{Kind: kind, Param: param, Msg: fmt.Sprintf("expected a positive, finite number of arrivals per second, got %v", rate)}
	}
	return nil
}

// Deterministic arrivals: every gap is 1/Rate, rounded to the nanosecond
// (so the realized rate can differ from Rate by that rounding).
type Deterministic struct {
	Rate float64 // arrivals per second, > 0
}

// Gap returns 1/Rate.
func (d Deterministic) Gap(*sim.Rand) sim.Time {
	if !(d.Rate > 0) {
		return sim.MaxTime
	}
	return nsToTime(1e9 / d.Rate)
}

// MeanRate returns Rate.
func (d Deterministic) MeanRate() float64 { return d.Rate }

// Validate checks that Rate is positive and finite.
func (d Deterministic) Validate() error { return checkRate("deterministic", "rate", d.Rate) }

// Bursty is a two-state Markov-modulated Poisson process (MMPP-2): while
// in state i arrivals are Poisson at rates[i], and the process stays in
// state i for an exponential time of mean hold[i] before switching to the
// other state. A rate may be 0 (an on/off source).
//
// The long-run rate weights each state's rate by the share of time spent
// in it:
//
//	λ = (rates[0]·hold[0] + rates[1]·hold[1]) / (hold[0] + hold[1])
//
// The first state is drawn from that stationary distribution, so the
// process is stationary from time 0. A gap may straddle state switches: by
// memorylessness, at a switch the pending exponential draw is discarded and
// redrawn at the new state's rate.
//
// A Bursty carries state; give each generator its own.
type Bursty struct {
	rates   [2]float64
	hold    [2]sim.Time
	err     error
	started bool
	state   int
	left    float64 // ns left in the current state
}

// NewBursty returns an MMPP-2 with the given per-state rates (per second)
// and mean holding times. Bad parameters are reported by Validate, and
// make a Generator's Next fail.
func NewBursty(rates [2]float64, hold [2]sim.Time) *Bursty {
	b := &Bursty{rates: rates, hold: hold}
	b.err = b.validate()
	return b
}

func (b *Bursty) validate() error {
	for i, r := range b.rates {
		if !(r >= 0 && r <= math.MaxFloat64) {
			return &ParamError{Kind: "bursty", Param: "rates", Msg: fmt.Sprintf("expected non-negative, finite rates per second, got %v for state %d", r, i)}
		}
	}
	if b.rates[0] == 0 && b.rates[1] == 0 {
		return &ParamError{Kind: "bursty", Param: "rates", Msg: "expected at least one positive rate, got two zeros"}
	}
	for i, h := range b.hold {
		if h <= 0 {
			return &ParamError{Kind: "bursty", Param: "hold", Msg: fmt.Sprintf("expected positive mean holding times, got %ss for state %d", FormatSeconds(h), i)}
		}
	}
	return nil
}

// Validate reports bad parameters: negative or non-finite rates, two zero
// rates, non-positive holding times.
func (b *Bursty) Validate() error { return b.err }

// MeanRate returns the stationary rate (see Bursty).
func (b *Bursty) MeanRate() float64 {
	h0, h1 := float64(b.hold[0]), float64(b.hold[1])
	return (float64(b.rates[0]*h0) + float64(b.rates[1]*h1)) / (h0 + h1)
}

// Gap draws the time to the next arrival, switching states on the way as
// often as the holding times run out.
func (b *Bursty) Gap(r *sim.Rand) sim.Time {
	if b.err != nil {
		return sim.MaxTime
	}
	if !b.started {
		b.started = true
		h0, h1 := float64(b.hold[0]), float64(b.hold[1])
		if r.Float64()*(h0+h1) >= h0 {
			b.state = 1
		}
		b.left = r.ExpFloat64() * float64(b.hold[b.state])
	}
	gap := 0.0
	for {
		x := math.Inf(1)
		if rate := b.rates[b.state]; rate > 0 {
			x = r.ExpFloat64() * (1e9 / rate)
		}
		if x < b.left {
			b.left -= x
			return nsToTime(gap + x)
		}
		gap += b.left
		b.state ^= 1
		b.left = r.ExpFloat64() * float64(b.hold[b.state])
	}
}
