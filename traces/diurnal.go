package traces

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// Burst multiplies an arrival rate by Factor during [At, At+For).
type Burst struct {
	At, For sim.Time
	Factor  float64
}

// Diurnal is a non-homogeneous Poisson process whose rate follows a day:
//
//	λ(t) = Rate · (1 + Amplitude · cos(2π (t − Peak) / Period)) · f(t)
//
// where f(t) is the Factor of the bursts covering t (multiplied when they
// overlap, 1 outside them). The rate peaks at Peak (mod Period) and is
// lowest half a period later. Arrivals are drawn by thinning (Lewis and
// Shedler, "Simulation of nonhomogeneous Poisson processes by thinning",
// 1979): candidates at the largest rate λmax, each kept with probability
// λ(t)/λmax, which is exact for any bounded rate.
//
// A Diurnal carries its clock; give each generator its own.
type Diurnal struct {
	Rate      float64  // mean rate per second, outside bursts
	Amplitude float64  // in [0, 1]
	Period    sim.Time // > 0, e.g. 24h
	Peak      sim.Time // time of the daily peak
	Bursts    []Burst

	now  float64 // ns since the first candidate
	last float64 // ns of the last arrival
}

var _ Arrivals = (*Diurnal)(nil)

// Validate checks the parameters.
func (d *Diurnal) Validate() error {
	if err := checkRate("diurnal", "rate", d.Rate); err != nil {
		return err
	}
	if !(d.Amplitude >= 0 && d.Amplitude <= 1) {
		return &ParamError{Kind: "diurnal", Param: "amplitude", Msg: fmt.Sprintf("expected a number in [0, 1], got %v", d.Amplitude)}
	}
	if d.Period <= 0 {
		return &ParamError{Kind: "diurnal", Param: "period", Msg: "expected a positive duration"}
	}
	for i, b := range d.Bursts {
		if b.At < 0 || b.For <= 0 || !positive(b.Factor) {
			return &ParamError{Kind: "diurnal", Param: "bursts", Msg: fmt.Sprintf("burst %d: expected at >= 0, for > 0 and a positive, finite factor", i)}
		}
	}
	return nil
}

// MeanRate is Rate: the cosine averages out over whole periods (bursts are
// not counted).
func (d *Diurnal) MeanRate() float64 { return d.Rate }

// RateAt is λ(t) in arrivals per second.
func (d *Diurnal) RateAt(t sim.Time) float64 {
	phase := 2 * math.Pi * float64(t-d.Peak) / float64(d.Period)
	r := d.Rate * (1 + float64(d.Amplitude*math.Cos(phase)))
	for _, b := range d.Bursts {
		if t >= b.At && t-b.At < b.For {
			r *= b.Factor
		}
	}
	return r
}

func (d *Diurnal) maxRate() float64 {
	m := d.Rate * (1 + d.Amplitude)
	for _, b := range d.Bursts {
		if b.Factor > 1 {
			m *= b.Factor
		}
	}
	return m
}

// Gap draws the time to the next arrival.
func (d *Diurnal) Gap(r *sim.Rand) sim.Time {
	lmax := d.maxRate()
	if !positive(lmax) || d.Period <= 0 {
		return sim.MaxTime // (Validate says why)
	}
	for {
		d.now += r.ExpFloat64() * 1e9 / lmax
		if d.now >= maxNs {
			return sim.MaxTime
		}
		if r.Float64()*lmax < d.RateAt(sim.Time(d.now)) {
			gap := nsToTime(d.now) - nsToTime(d.last)
			d.last = d.now
			return gap
		}
	}
}
