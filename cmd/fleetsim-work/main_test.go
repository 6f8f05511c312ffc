package main

import (
	"testing"
	"time"
)

// TestSpinReference checks the kernel against xorshift64 with Marsaglia's
// (13, 7, 17) triple worked by hand for three steps from the seed.
func TestSpinReference(t *testing.T) {
	x := uint64(88172645463325252)
	for i := 0; i < 3; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	if got := Spin(3); got != x {
		t.Fatalf("Spin(3) = %d, want %d", got, x)
	}
	if Spin(0) != 88172645463325252 {
		t.Fatal("Spin(0) must return the seed")
	}
}

func TestUnitsFor(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want uint64
	}{{0, 0}, {time.Second, Units}, {250 * time.Millisecond, Units / 4}, {time.Nanosecond, 1}} {
		if got := UnitsFor(c.d); got != c.want {
			t.Errorf("UnitsFor(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "4096": 4096, "64Mi": 64 << 20, "2Ki": 2048, "1Gi": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "Mi", "12Ti", "1e3", "99999999Gi"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-work", "-1s"}, {"-exit", "300"}, {"-memory", "lots"}, {"-nope"}} {
		if code := run(args); code != 2 {
			t.Errorf("run(%v) = %d, want 2", args, code)
		}
	}
}

func TestTouchResident(t *testing.T) {
	b := touch(3*4096 + 1)
	if len(b) != 3*4096+1 || b[0] != 1 || b[4096] != 1 || b[3*4096] != 1 {
		t.Fatal("touch must write the first byte of every page")
	}
	if touch(0) != nil {
		t.Fatal("touch(0) allocates")
	}
}

// TestGrow checks the pace of -memory-rate by hand: 1 MiB at 1 MiB per
// second of work is four chunks of 256 KiB, due at 0, 0.25, 0.5 and 0.75 s
// of work. Half a second of work writes the first two (the use never
// reaches 512 KiB); a second writes all four.
func TestGrow(t *testing.T) {
	const mi = 1 << 20
	for _, tc := range []struct {
		work    time.Duration
		written []bool
	}{
		{500 * time.Millisecond, []bool{true, true, false, false}},
		{time.Second, []bool{true, true, true, true}},
	} {
		// The pace depends on the units relative to the rate: a thousandth
		// of the work at a thousand times the rate, not to spin for seconds.
		var r report
		b := grow(mi, mi*1000, UnitsFor(tc.work)/1000, &r)
		for k, want := range tc.written {
			for p := k * chunk; p < (k+1)*chunk; p += 4096 {
				if (b[p] == 1) != want {
					t.Fatalf("work %v: page at %d written %v, want %v", tc.work, p, b[p] == 1, want)
				}
			}
		}
	}
}
