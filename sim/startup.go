package sim

import (
	"fmt"
	"math"
)

// Delay is a random delay: lognormal with that mean and coefficient of
// variation,
//
//	σ² = ln(1+CV²), μ = ln(Mean) − σ²/2, delay = exp(μ + σ·Z), Z ~ N(0, 1),
//
// so that its mean is Mean and its standard deviation CV·Mean. CV 0 is the
// constant Mean; the zero Delay is none.
//
// Config.Startup is one: the start-up of a task's container, paid at the
// start of its service.
type Delay struct {
	Mean Time
	CV   float64
}

// IsZero reports whether d never delays: its mean is 0.
func (d Delay) IsZero() bool { return d.Mean == 0 }

// Validate checks that the mean is >= 0 and the coefficient of variation a
// finite number >= 0.
func (d Delay) Validate() error {
	if d.Mean < 0 {
		return fmt.Errorf("mean must be >= 0, got %v", d.Mean)
	}
	if !(d.CV >= 0) || math.IsInf(d.CV, 0) {
		return fmt.Errorf("coefficient of variation must be a finite number >= 0, got %v", d.CV)
	}
	return nil
}

// delays draws a Delay from its own stream. The zero delays (on false)
// draws nothing.
type delays struct {
	on        bool
	mean      Time
	mu, sigma float64 // of the underlying normal; sigma 0: constant mean
	rng       *Rand
}

// newDelays prepares the draws of d from the stream (seed, name).
func newDelays(d Delay, seed uint64, name string) delays {
	if d.IsZero() {
		return delays{}
	}
	s := delays{on: true, mean: d.Mean}
	if d.CV > 0 {
		s2 := math.Log1p(d.CV * d.CV)
		s.mu = math.Log(float64(d.Mean)) - float64(s2/2)
		s.sigma = math.Sqrt(s2)
		s.rng = NewRand(seed, name)
	}
	return s
}

// maxDraw bounds one drawn delay, in ns: far beyond any run (146 years),
// and far enough below MaxTime that the conversion to a Time cannot
// overflow.
const maxDraw = float64(MaxTime / 2)

// drawStartup draws task id's start-up delay (one draw from the stream
// per call); it sets c.err for a draw past any representable end (only a
// huge mean and CV can give one).
func (c *core) drawStartup(id int64) Time {
	s := &c.su
	if s.sigma == 0 {
		return s.mean
	}
	f := math.Exp(s.mu + float64(s.sigma*s.rng.NormFloat64()))
	if !(f < maxDraw) {
		c.err = fmt.Errorf("sim: task %d would finish after the end of representable time (start-up delay %.3g s)", id, f/float64(Second))
		return 0
	}
	return Time(f + 0.5)
}

// withStartup is service time d of task id, started now, after start-up
// delay su; it sets c.err when the task would end past representable time.
func (c *core) withStartup(d, su Time, id int64) Time {
	if c.err != nil {
		return 0
	}
	if su > MaxTime-c.now-d {
		c.err = fmt.Errorf("sim: task %d would finish after the end of representable time (start-up delay %v)", id, su)
		return 0
	}
	return d + su
}
