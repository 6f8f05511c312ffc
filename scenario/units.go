package scenario

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Errors wrapped by ParseDuration and ParseSize, to tell a malformed value
// from one that is well formed but does not fit in an int64.
var (
	ErrSyntax = errors.New("invalid syntax")
	ErrRange  = errors.New("value out of range")
)

var (
	// A plain decimal number, as YAML writes one (no hex, no inf/nan, no
	// underscores); the exponent is short so that no value can make
	// math/big build an enormous power of ten.
	plainNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$`)
	// The grammar time.ParseDuration accepts, used to tell its syntax
	// errors from its overflow errors.
	goDuration = regexp.MustCompile(`^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`)
	// A number and an optional unit suffix.
	quantity = regexp.MustCompile(`^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?)([A-Za-z]*)$`)
)

// SizeUnits are the suffixes a size may carry, with their multipliers:
// binary (Ki = 1024) and decimal (K = 1000). A size without a suffix is in
// bytes.
var SizeUnits = map[string]int64{
	"":   1,
	"K":  1e3,
	"M":  1e6,
	"G":  1e9,
	"T":  1e12,
	"P":  1e15,
	"Ki": 1 << 10,
	"Mi": 1 << 20,
	"Gi": 1 << 30,
	"Ti": 1 << 40,
	"Pi": 1 << 50,
}

// sizeSuffixes lists SizeUnits for messages, in a fixed order.
const sizeSuffixes = "K, M, G, T, P (powers of 1000) or Ki, Mi, Gi, Ti, Pi (powers of 1024)"

// cpuUnits: a plain number counts cores, "m" milli-cores (as Kubernetes
// writes them: 250m is a quarter of a core).
var cpuUnits = map[string]int64{"": 1000, "m": 1}

// ParseDuration parses a Go duration ("250ms", "1h30m", "-2s") or a plain
// number of seconds ("0.5", "90", "1e3") into simulated time. Values that do
// not fit in a sim.Time (about ±292 years) are errors wrapping ErrRange;
// malformed ones wrap ErrSyntax. The sign is not checked here.
func ParseDuration(s string) (sim.Time, error) {
	s = strings.TrimSpace(s)
	if plainNumber.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(f)*float64(sim.Second) >= math.MaxInt64 {
			return 0, fmt.Errorf("duration %q: %w (at most %s)", s, ErrRange, time.Duration(math.MaxInt64))
		}
		return sim.FromSeconds(f), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if goDuration.MatchString(s) {
			return 0, fmt.Errorf("duration %q: %w (at most %s)", s, ErrRange, time.Duration(math.MaxInt64))
		}
		return 0, fmt.Errorf("duration %q: %w: want a Go duration like 250ms or 1h30m, or a number of seconds", s, ErrSyntax)
	}
	return sim.Time(d), nil
}

// ParseSize parses a size in bytes: a plain number ("1048576"), or a number
// with one of the SizeUnits suffixes ("64Gi", "1.5Gi", "500M"). A fractional
// result is rounded to the nearest byte. Values beyond int64 are errors
// wrapping ErrRange; malformed ones wrap ErrSyntax. The sign is not checked
// here.
func ParseSize(s string) (int64, error) {
	v, err := parseQuantity(s, SizeUnits)
	switch {
	case errors.Is(err, ErrSyntax):
		return 0, fmt.Errorf("size %q: %w: want bytes, or a number with a suffix %s", s, ErrSyntax, sizeSuffixes)
	case err != nil:
		return 0, fmt.Errorf("size %q: %w (at most %d bytes)", s, ErrRange, int64(math.MaxInt64))
	}
	return v, nil
}

// parseCPU parses cores ("16", "0.5") or milli-cores ("250m") into
// milli-cores.
func parseCPU(s string) (int64, error) {
	return parseQuantity(s, cpuUnits)
}

// parseQuantity parses a decimal number with a unit suffix from units into
// an integer count of the smallest unit, rounding half away from zero. It
// returns ErrSyntax or ErrRange.
func parseQuantity(s string, units map[string]int64) (int64, error) {
	m := quantity.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, ErrSyntax
	}
	mult, ok := units[m[2]]
	if !ok {
		return 0, ErrSyntax
	}
	if m[2] == "" {
		// The common case, exactly and cheaply.
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			if n > math.MaxInt64/mult || n < math.MinInt64/mult {
				return 0, ErrRange
			}
			return n * mult, nil
		}
	}
	r, ok := new(big.Rat).SetString(m[1])
	if !ok {
		return 0, ErrSyntax
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	// Round half away from zero: (2·num + sign·den) / (2·den), truncated.
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	if r.Sign() < 0 {
		num.Sub(num, r.Denom())
	} else {
		num.Add(num, r.Denom())
	}
	n := num.Quo(num, den)
	if !n.IsInt64() {
		return 0, ErrRange
	}
	return n.Int64(), nil
}
