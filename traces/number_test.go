package traces

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestParseSecondsExact checks that decimal seconds become nanoseconds by
// integer arithmetic: 0.1 s is exactly 100000000 ns, where float64 0.1·1e9
// would not always round that way. Beyond 9 decimals, digits are rounded
// half to even.
func TestParseSecondsExact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"-0", 0},
		{"+1", 1e9},
		{"12", 12e9},
		{"1.5", 1_500_000_000},
		{".5", 500_000_000},
		{"5.", 5e9},
		{"0.1", 100_000_000},
		{"0.000000001", 1},
		{"000012.340", 12_340_000_000},
		{"9223372036.854775807", math.MaxInt64},
		{"1e-3", 1_000_000},
		{"1.5E2", 150e9},
		{"15e-1", 1_500_000_000},
		{"0.000000000000e99999999999999", 0},
		{"1e-999999999999999", 0},
		// Half to even at the tenth decimal.
		{"0.0000000005", 0},
		{"0.0000000015", 2},
		{"0.0000000025", 2},
		{"0.00000000250001", 3},
		{"0.0000000024999", 2},
		{"0.0000000026", 3},
		{"2.5e-9", 2},
		{"3.5e-9", 4},
		{"9223372036.8547758074", math.MaxInt64},
	} {
		got, e := parseFixed(tc.in, 9)
		if e != numOK || got != tc.want {
			t.Errorf("parseFixed(%q, 9) = %d, %d; want %d", tc.in, got, e, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want numErr
	}{
		{"", numSyntax}, {".", numSyntax}, {"e5", numSyntax}, {"1e", numSyntax}, {"1e+", numSyntax},
		{"1.2.3", numSyntax}, {"0x10", numSyntax}, {"1_000", numSyntax}, {"--1", numSyntax}, {"1 s", numSyntax},
		{"NaN", numNotFinite}, {"-inf", numNotFinite}, {"Infinity", numNotFinite},
		{"-1", numNegative}, {"-1e-30", numNegative},
		{"9223372036.8547758075", numRange}, {"9223372037", numRange}, {"1e99999999999999999999", numRange},
	} {
		if _, e := parseFixed(tc.in, 9); e != tc.want {
			t.Errorf("parseFixed(%q, 9) error %d, want %d", tc.in, e, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"512", 512}, {"1K", 1000}, {"1Ki", 1024}, {"1.5Gi", 1536 << 20},
		{"2G", 2e9}, {"1Ti", 1 << 40}, {"0.5Ki", 512}, {"1e9", 1e9}, {"1 Mi", 1 << 20},
		{"0.0009765625Ki", 1}, {"8388607Ti", 8388607 << 40}, {"9223372036854775807", math.MaxInt64},
	} {
		got, e := parseSize(tc.in)
		if e != numOK || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %d; want %d", tc.in, got, e, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want numErr
	}{
		{"1k", numSyntax}, {"1GB", numSyntax}, {"Gi", numSyntax}, {"-1Gi", numNegative},
		{"1.3Ki", numFraction}, {"0.5", numFraction}, {"1e-1000000Ki", numFraction},
		{"1.00000000000000000000001Ki", numFraction},
		{"8388608Ti", numRange}, {"9223372036854775808", numRange}, {"1e40", numRange},
	} {
		if _, e := parseSize(tc.in); e != tc.want {
			t.Errorf("parseSize(%q) error %d, want %d", tc.in, e, tc.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in     string
		lo, hi int64
		want   int64
		err    numErr
	}{
		{"7", 0, 10, 7, numOK},
		{"2.0", 0, 10, 2, numOK},
		{"1e3", 0, 1000, 1000, numOK},
		{"-0", 0, 10, 0, numOK},
		{"-9223372036854775808", math.MinInt64, math.MaxInt64, math.MinInt64, numOK},
		{"-5", -10, 10, -5, numOK},
		{"-5.0", -10, 10, -5, numOK},
		{"11", 0, 10, 0, numRange},
		{"-1", 0, 10, 0, numNegative},
		{"-1.5", 0, 10, 0, numNegative},
		{"1.5", 0, 10, 0, numFraction},
		{"1e30", 0, 10, 0, numRange},
		{"x", 0, 10, 0, numSyntax},
		{"nan", 0, 10, 0, numNotFinite},
	} {
		got, e := parseInt(tc.in, tc.lo, tc.hi)
		if e != tc.err || got != tc.want {
			t.Errorf("parseInt(%q, %d, %d) = %d, %d; want %d, %d", tc.in, tc.lo, tc.hi, got, e, tc.want, tc.err)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for _, tc := range []struct {
		in   sim.Time
		want string
	}{
		{0, "0"}, {1, "0.000000001"}, {1_500_000_000, "1.5"}, {12 * sim.Second, "12"},
		{sim.MaxTime, "9223372036.854775807"}, {-1_500_000_000, "-1.5"}, {math.MinInt64, "-9223372036.854775808"},
	} {
		if got := FormatSeconds(tc.in); got != tc.want {
			t.Errorf("FormatSeconds(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSecondsRoundTrip checks parse(format(t)) == t over random times of
// every magnitude, and that formatting agrees with strconv's shortest
// float formatting wherever float64 holds t/1e9 exactly enough to compare.
func TestSecondsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100_000; i++ {
		v := sim.Time(rng.Int64() >> rng.IntN(64))
		s := FormatSeconds(v)
		got, e := parseFixed(s, 9)
		if e != numOK || sim.Time(got) != v {
			t.Fatalf("parse(format(%d)) = parse(%q) = %d, %d", v, s, got, e)
		}
		if v < 1<<50 { // below 2^53 ns every value and its decimal are exact in float64
			if f, _ := strconv.ParseFloat(s, 64); math.Abs(f*1e9-float64(v)) > 0.5 {
				t.Fatalf("format(%d) = %q, float %v", v, s, f)
			}
		}
	}
}

// TestNumberFastPaths: parseFixed, parseInt and parseSize give the same
// value and error with their fast path as without it (the general decimal
// reader, the oracle), on hand-picked edges (18 and 19 digits, a point
// with nothing after it, more fraction digits than the scale, signs) and
// on 200,000 random strings over digits, points, signs, exponents, units
// and blanks.
func TestNumberFastPaths(t *testing.T) {
	cases := []string{"0", "7", "007", "1.5", "1.", ".5", "1.123456789", "1.1234567891", "999999999", "9999999999",
		"1.12345678", "0.99999999", "0.9999999/", "0.9999999:", "0.999999990", "1.00000000", "1.1234567/9",
		"123456789012345678", "1234567890123456789", "99999999999999999999", "+1", "-1", "1e3", "1.0", "5 ", " 5", "", ".", "1..2", "2Gi", "12K"}
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789012345678901234567890123456789..+-eEKMGTi \t/:"
	for range 200_000 {
		b := make([]byte, rng.IntN(22))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		for _, scale := range []int{0, 3, 9} {
			v, e := parseFixed(s, scale)
			w, f := parseFixedSlow(s, scale)
			if v != w || e != f {
				t.Fatalf("parseFixed(%q, %d) = %d, %v; without the fast path %d, %v", s, scale, v, e, w, f)
			}
		}
		for _, r := range [][2]int64{{0, 1000}, {0, math.MaxInt32}, {math.MinInt64, math.MaxInt64}} {
			v, e := parseInt(s, r[0], r[1])
			w, f := parseIntSlow(s, r[0], r[1])
			if v != w || e != f {
				t.Fatalf("parseInt(%q, %d, %d) = %d, %v; without the fast path %d, %v", s, r[0], r[1], v, e, w, f)
			}
		}
		v, e := parseSize(s)
		w, f := parseSizeSlow(s)
		if v != w || e != f {
			t.Fatalf("parseSize(%q) = %d, %v; without the fast path %d, %v", s, v, e, w, f)
		}
	}
}
