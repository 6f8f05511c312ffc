package sim

import (
	"math"
	"testing"
)

func TestAppendSeconds(t *testing.T) {
	for _, c := range []struct {
		t    Time
		want string
	}{
		{0, "0"}, {1, "0.000000001"}, {1500 * Millisecond, "1.5"}, {12 * Second, "12"},
		{-3250 * Millisecond, "-3.25"}, {math.MaxInt64, "9223372036.854775807"},
		{math.MinInt64, "-9223372036.854775808"},
	} {
		if got := string(AppendSeconds(nil, c.t)); got != c.want {
			t.Errorf("AppendSeconds(%d) = %q, want %q", int64(c.t), got, c.want)
		}
	}
}
