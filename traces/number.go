package traces

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// Numbers in traces are parsed exactly: a decimal such as "0.1" seconds is
// 100000000 ns, not the nearest float64 times 1e9. A value is read as sign,
// integer digits, fraction digits and an optional decimal exponent
// ("1.5e-3"), then scaled to the integer unit (nanoseconds, milli-cores,
// bytes) with integer arithmetic. Digits below the unit are rounded half to
// even.

// numErr says why a number was rejected; the caller turns it into a message
// in the column's own words.
type numErr uint8

const (
	numOK        numErr = iota
	numSyntax           // not a number at all
	numNotFinite        // NaN or an infinity
	numNegative         // below zero where only non-negative values make sense
	numRange            // too large for the unit's integer type
	numFraction         // not a whole number of the unit (bytes, GPUs, ...)
)

// decimal is a parsed number: sign, integer digits ip, fraction digits fp
// (both substrings of the input) and a decimal exponent.
type decimal struct {
	neg    bool
	ip, fp string
	exp    int
}

// maxExp bounds the exponent we track: a larger one saturates, which still
// makes any value out of range or zero (mantissas are far shorter than 2^40
// digits) while keeping index arithmetic far from overflow.
const maxExp = 1 << 40

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseDecimal parses [+-]digits[.digits][(e|E)[+-]digits], where at least
// one mantissa digit must be present on either side of the point.
func parseDecimal(s string) (d decimal, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	d.ip = s[start:i]
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		d.fp = s[fs:i]
	}
	if len(d.ip)+len(d.fp) == 0 {
		return d, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		e := 0
		for i < len(s) && isDigit(s[i]) {
			if e < maxExp {
				e = e*10 + int(s[i]-'0')
			}
			i++
		}
		if i == es {
			return d, false
		}
		if eneg {
			e = -e
		}
		d.exp = e
	}
	return d, i == len(s)
}

func (d *decimal) n() int { return len(d.ip) + len(d.fp) }

// digit returns mantissa digit i (0 beyond the last one).
func (d *decimal) digit(i int) uint64 {
	if i < len(d.ip) {
		return uint64(d.ip[i] - '0')
	}
	i -= len(d.ip)
	if i < len(d.fp) {
		return uint64(d.fp[i] - '0')
	}
	return 0
}

// firstNonZero returns the index of the first non-zero mantissa digit, or
// n() when the value is zero.
func (d *decimal) firstNonZero() int {
	n := d.n()
	i := 0
	for i < n && d.digit(i) == 0 {
		i++
	}
	return i
}

func (d *decimal) isZero() bool { return d.firstNonZero() == d.n() }

// scaled returns |d| × 10^scale rounded half to even, whether that was
// exact (no non-zero digit was rounded away), and ok false when the result
// exceeds math.MaxInt64.
func (d *decimal) scaled(scale int) (v uint64, exact, ok bool) {
	n := d.n()
	first := d.firstNonZero()
	if first == n {
		return 0, true, true
	}
	// Mantissa digits [0, cut) form the integer part of the scaled value.
	cut := len(d.ip) + d.exp + scale
	for i := first; i < cut; i++ {
		dg := d.digit(i)
		if v > (math.MaxInt64-dg)/10 {
			return 0, false, false
		}
		v = v*10 + dg
	}
	if cut >= n {
		return v, true, true
	}
	// Rounding: r0 is the first digit dropped, rest whether any later one
	// is non-zero. Digits before index 0 (cut < 0) are zeros.
	var r0 uint64
	restStart := cut + 1
	if cut >= 0 {
		r0 = d.digit(cut)
	} else {
		restStart = 0
	}
	rest := false
	for i := max(restStart, first); i < n; i++ {
		if d.digit(i) != 0 {
			rest = true
			break
		}
	}
	exact = r0 == 0 && !rest
	if r0 > 5 || r0 == 5 && (rest || v&1 == 1) {
		if v == math.MaxInt64 {
			return 0, false, false
		}
		v++
	}
	return v, exact, true
}

// fracDigits returns how many decimal places |d| needs to be written
// exactly (0 for whole numbers).
func (d *decimal) fracDigits() int {
	last := d.n() - 1
	for last >= 0 && d.digit(last) == 0 {
		last--
	}
	if last < 0 {
		return 0
	}
	return max(0, last+1-(len(d.ip)+d.exp))
}

func trimSpace(s string) string {
	if s == "" || s[0] != ' ' && s[0] != '\t' && s[len(s)-1] != ' ' && s[len(s)-1] != '\t' {
		return s // the common case, without strings.Trim's general cut set
	}
	return strings.Trim(s, " \t")
}

// pow10 are the powers of ten an int64 holds.
var pow10 = [...]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// plainFixed is parseFixed's fast path for what traces mostly hold: digits,
// optionally a point and at most scale more, at most 18 digits in all with
// the scale (so nothing can overflow). ok is false for anything else, which
// the general path then reads, with the same result where both apply.
func plainFixed(s string, scale int) (v int64, ok bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		v = v*10 + int64(s[i]-'0')
		i++
	}
	if i == 0 || i+scale > 18 {
		return 0, false
	}
	if i == len(s) {
		return v * pow10[scale], true
	}
	if s[i] != '.' || len(s)-i-1 > scale || i+1 == len(s) {
		return 0, false
	}
	f := 0
	j := i + 1
	if len(s)-j >= 8 { // (nine decimals of nanoseconds are common)
		d, ok := eightDigits(s[j:])
		if !ok {
			return 0, false
		}
		v = v*1e8 + int64(d)
		j += 8
		f += 8
	}
	for ; j < len(s); j++ {
		if !isDigit(s[j]) {
			return 0, false
		}
		v = v*10 + int64(s[j]-'0')
		f++
	}
	return v * pow10[scale-f], true
}

// eightDigits is the value of the first eight bytes of s (len(s) ≥ 8) if
// they are all ASCII digits, computed at once (Lemire, "Fast number parsing
// without fallback", SPE 2023; fast_float's parse_eight_digits_unrolled).
func eightDigits(s string) (uint64, bool) {
	return digitWord(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
}

// digitWord is eightDigits of the eight bytes of x, little-endian (the
// first in the low byte).
func digitWord(x uint64) (uint64, bool) {
	// A byte is a digit when its high nibble is 3 and stays 3 once 6 is
	// added (0x3a..0x3f become 0x40..0x45). Only a byte of 0xfa or more
	// carries into the next, and its own high nibble already fails.
	if (x&0xf0f0f0f0f0f0f0f0)|(((x+0x0606060606060606)&0xf0f0f0f0f0f0f0f0)>>4) != 0x3333333333333333 {
		return 0, false
	}
	x = (x & 0x0f0f0f0f0f0f0f0f) * 2561 >> 8
	x = (x & 0x00ff00ff00ff00ff) * 6553601 >> 16
	return (x & 0x0000ffff0000ffff) * 42949672960001 >> 32, true
}

// notFinite reports whether s spells NaN or an infinity the way
// strconv.ParseFloat would accept it.
func notFinite(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return strings.EqualFold(s, "nan") || strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity")
}

// parseFixed parses a non-negative decimal scaled by 10^scale, rounded
// half to even: parseFixed("1.5", 9) is 1500000000.
func parseFixed(s string, scale int) (int64, numErr) {
	if v, ok := plainFixed(s, scale); ok {
		return v, numOK
	}
	return parseFixedSlow(s, scale)
}

// parseFixedSlow is parseFixed without its fast path.
func parseFixedSlow(s string, scale int) (int64, numErr) {
	d, e := readDecimal(s)
	if e != numOK {
		return 0, e
	}
	return d.fixed(scale)
}

// readDecimal parses s as a decimal, or says why it is not one.
func readDecimal(s string) (decimal, numErr) {
	d, ok := parseDecimal(s)
	switch {
	case ok:
		return d, numOK
	case notFinite(s):
		return d, numNotFinite
	}
	return d, numSyntax
}

// fixed is d, which must not be negative, scaled by 10^scale and rounded
// half to even.
func (d *decimal) fixed(scale int) (int64, numErr) {
	if d.neg && !d.isZero() {
		return 0, numNegative
	}
	v, _, ok := d.scaled(scale)
	if !ok {
		return 0, numRange
	}
	return int64(v), numOK
}

// parseInt parses an integer in [lo, hi]. Besides plain integers it takes
// decimals that are whole ("2.0", "1e3"), as JSON writers often produce.
func parseInt(s string, lo, hi int64) (int64, numErr) {
	if v, ok := plainFixed(s, 0); ok && v >= lo && v <= hi {
		return v, numOK
	}
	return parseIntSlow(s, lo, hi)
}

// parseIntSlow is parseInt without its fast path.
func parseIntSlow(s string, lo, hi int64) (int64, numErr) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		if v < lo || v > hi {
			if v < 0 && lo == 0 {
				return 0, numNegative
			}
			return 0, numRange
		}
		return v, numOK
	}
	d, e := readDecimal(s)
	if e != numOK {
		return 0, e
	}
	if d.isZero() {
		return 0, numOK
	}
	if d.neg && lo == 0 {
		return 0, numNegative
	}
	u, exact, ok := d.scaled(0)
	if !ok {
		return 0, numRange
	}
	if !exact {
		return 0, numFraction
	}
	v := int64(u)
	if d.neg {
		v = -v
	}
	if v < lo || v > hi {
		return 0, numRange
	}
	return v, numOK
}

// Size suffixes accepted for memory.
var sizeUnits = [...]struct {
	suffix string
	mult   uint64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// parseSize parses a byte count with an optional suffix: "512", "1.5Gi",
// "2G", "1e9". The result must be a whole number of bytes.
func parseSize(s string) (int64, numErr) {
	if v, ok := plainFixed(s, 0); ok {
		return v, numOK // a plain number of bytes
	}
	return parseSizeSlow(s)
}

// parseSizeSlow is parseSize without its fast path.
func parseSizeSlow(s string) (int64, numErr) {
	mult := uint64(1)
	num := s
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			mult = u.mult
			num = trimSpace(s[:len(s)-len(u.suffix)])
			break
		}
	}
	d, e := readDecimal(num)
	if e != numOK {
		return 0, e
	}
	if d.isZero() {
		return 0, numOK
	}
	if d.neg {
		return 0, numNegative
	}
	// bytes = m × mult / 10^f, with m the mantissa scaled to an integer.
	f := d.fracDigits()
	m, _, ok := d.scaled(f)
	if !ok {
		whole, _, ok := d.scaled(0)
		if ok && whole != 0 {
			if hi, _ := bits.Mul64(whole, mult); hi == 0 {
				return 0, numFraction
			}
		}
		return 0, numRange
	}
	hi, lo := bits.Mul64(m, mult)
	for range f {
		var r uint64
		hi, r = hi/10, hi%10
		lo, r = bits.Div64(r, lo, 10)
		if r != 0 {
			return 0, numFraction
		}
	}
	if hi != 0 || lo > math.MaxInt64 {
		return 0, numRange
	}
	return int64(lo), numOK
}

// appendFixed appends v / 10^scale as a decimal without trailing zeros:
// appendFixed(b, 1500000000, 9) appends "1.5". v must be non-negative.
func appendFixed(b []byte, v int64, scale int) []byte {
	var pow int64 = 1
	for range scale {
		pow *= 10
	}
	b = strconv.AppendInt(b, v/pow, 10)
	frac := v % pow
	if frac == 0 {
		return b
	}
	b = append(b, '.')
	var digits [18]byte
	for i := scale - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := scale
	for digits[end-1] == '0' {
		end--
	}
	return append(b, digits[:end]...)
}

// FormatSeconds writes t as decimal seconds, exactly and without trailing
// zeros: 1.5, 0.000000001, 12. Reading the result back gives t again.
func FormatSeconds(t sim.Time) string { return string(sim.AppendSeconds(nil, t)) }

func appendInt(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }
