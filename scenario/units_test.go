package scenario

import (
	"errors"
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sim.Time
		err  error
	}{
		{"250ms", 250 * sim.Millisecond, nil},
		{"1h30m", 90 * sim.Minute, nil},
		{"2h", 2 * sim.Hour, nil},
		{"1.5s", 1500 * sim.Millisecond, nil},
		{"1us", sim.Microsecond, nil},
		{"1µs", sim.Microsecond, nil},
		{"-2s", -2 * sim.Second, nil}, // the sign is the caller's to check
		{"0", 0, nil},
		{"0.5", 500 * sim.Millisecond, nil}, // plain numbers are seconds
		{"90", 90 * sim.Second, nil},
		{"1e3", 1000 * sim.Second, nil},
		{".25", 250 * sim.Millisecond, nil},
		{"0.1", 100 * sim.Millisecond, nil}, // rounded to the nanosecond
		{"1e-10", 0, nil},
		{"2562047h47m16.854775807s", sim.MaxTime, nil},
		{"2562047h47m16.854775808s", 0, ErrRange}, // one nanosecond more
		{"9223372036.854775807", 0, ErrRange},     // MaxTime in seconds rounds up to 2^63 ns
		{"9223372036", 9223372036 * sim.Second, nil},
		{"1e300", 0, ErrRange},
		{"1e999", 0, ErrRange},
		{"3000000h", 0, ErrRange},
		{"", 0, ErrSyntax},
		{"10 sec", 0, ErrSyntax},
		{"1d", 0, ErrSyntax},
		{"s", 0, ErrSyntax},
		{"1h30", 0, ErrSyntax},
		{"inf", 0, ErrSyntax},
		{"NaN", 0, ErrSyntax},
		{"0x10", 0, ErrSyntax},
		{"1_000", 0, ErrSyntax},
	} {
		got, err := ParseDuration(tc.in)
		switch {
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("ParseDuration(%q) = %v, %v; want error %v", tc.in, got, err, tc.err)
		case tc.err == nil && (err != nil || got != tc.want):
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"1048576", 1 << 20, nil},
		{"64Gi", 64 << 30, nil},
		{"1.5Gi", 3 << 29, nil},
		{"1Ki", 1024, nil},
		{"2Mi", 2 << 20, nil},
		{"3Ti", 3 << 40, nil},
		{"1Pi", 1 << 50, nil},
		{"500M", 500e6, nil},
		{"1K", 1000, nil},
		{"2G", 2e9, nil},
		{"1.5T", 1.5e12, nil},
		{"0.1Gi", 107374182, nil}, // 107374182.4, rounded
		{"0.5", 1, nil},           // half a byte rounds away from zero
		{"1e3", 1000, nil},
		{"1e3Ki", 1024000, nil},
		{"-1Gi", -(1 << 30), nil}, // the sign is the caller's to check
		{"9223372036854775807", math.MaxInt64, nil},
		{"9223372036854775808", 0, ErrRange},
		{"8Ei", 0, ErrSyntax}, // no exbibytes
		{"8192Pi", 0, ErrRange},
		{"1e300", 0, ErrRange},
		{"12Qi", 0, ErrSyntax},
		{"1gi", 0, ErrSyntax}, // suffixes are case-sensitive
		{"1GiB", 0, ErrSyntax},
		{"1 Gi", 0, ErrSyntax},
		{"Gi", 0, ErrSyntax},
		{"", 0, ErrSyntax},
		{"1/2", 0, ErrSyntax},
		{"1e9999", 0, ErrSyntax}, // exponents have at most three digits
		{"0x10", 0, ErrSyntax},
	} {
		got, err := ParseSize(tc.in)
		switch {
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("ParseSize(%q) = %v, %v; want error %v", tc.in, got, err, tc.err)
		case tc.err == nil && (err != nil || got != tc.want):
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseCPU(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"16", 16000, true},
		{"0.5", 500, true},
		{"250m", 250, true},
		{"1.0005", 1001, true}, // 1000.5 milli-cores, rounded
		{"2 cores", 0, false},
		{"1M", 0, false},
	} {
		got, err := parseCPU(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseCPU(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestValueForms checks the YAML forms of each value type through Parse:
// integers written as floats, numbers for sizes and durations.
func TestValueForms(t *testing.T) {
	doc := lines(
		"seed: 18446744073709551615",
		"stop: {tasks: 1e6}",
		"warmup: {time: 0.5}",
		"cluster:",
		"  nodes:",
		"    - {group: a, count: 0x10, cpu: 0.25, memory: 1073741824, slots: 1_000}",
		"    - {group: b, memory: 1.5e3, cpu: '8', speed: 2}",
		okWorkload, okStrats)
	s, err := Parse("t.yaml", []byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != math.MaxUint64 || s.Stop.Tasks != 1e6 || s.Warmup.Time != 500*sim.Millisecond {
		t.Errorf("seed %d stop %v warmup %v", s.Seed, s.Stop, s.Warmup)
	}
	a, b := s.Cluster.Groups[0], s.Cluster.Groups[1]
	if a.Count != 16 || a.CPU != 250 || a.Memory != 1<<30 || a.Slots != 1000 {
		t.Errorf("group a: %+v", a)
	}
	if b.Memory != 1500 || b.CPU != 8000 || b.Speed != 2 {
		t.Errorf("group b: %+v", b)
	}
}
