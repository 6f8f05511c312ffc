package sim

import (
	"math"
	"strconv"
)

// Time is simulated time in integer nanoseconds since the start of a run.
// Durations use the same type: the difference of two Times is a Time.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
)

// MaxTime is the largest representable instant (about 292 years).
const MaxTime Time = math.MaxInt64

// Seconds returns t in seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// String formats t as seconds with nanosecond precision, without trailing zeros.
func (t Time) String() string {
	return strconv.FormatFloat(t.Seconds(), 'f', -1, 64) + "s"
}

// FromSeconds converts seconds to Time, rounding to the nearest nanosecond.
// It saturates at MaxTime and at -MaxTime; NaN converts to 0.
func FromSeconds(s float64) Time {
	ns := s * float64(Second)
	switch {
	case ns != ns:
		return 0
	case ns >= float64(MaxTime):
		return MaxTime
	case ns <= -float64(MaxTime):
		return -MaxTime
	}
	return Time(math.Round(ns))
}

// AppendSeconds appends t as decimal seconds, exact to the nanosecond and
// without trailing zeros (1.5, 0.000000001, 12, -3.25): the form every
// fleetsim file writes times in, so reading a written time gives it back bit
// for bit.
func AppendSeconds(b []byte, t Time) []byte {
	u := uint64(t) // two's complement: -MinInt64 is representable as uint64
	if t < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/uint64(Second), 10)
	frac := u % uint64(Second)
	if frac == 0 {
		return b
	}
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 9
	for digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}
