package sim

import (
	"math"

	"github.com/fleetsim/fleetsim/sim/metrics"
)

// CDFPoint is one point of an empirical distribution function: the
// fraction of samples at or below Value.
type CDFPoint struct {
	Value    float64 `json:"value"`
	Fraction float64 `json:"fraction"`
}

// CDF samples the distribution of h (nanoseconds) at n+1 levels spaced
// evenly on the fraction axis and, to resolve the tail, at the levels
// 1-10^-k (k = 2..6) that the sample can tell apart. Values are in seconds,
// within metrics.RelativeError of the exact quantile, nondecreasing.
// It returns nil for an empty histogram or n < 1.
func CDF(h *metrics.Histogram, n int) []CDFPoint {
	if h.Count() == 0 || n < 1 {
		return nil
	}
	levels := make([]float64, 0, n+6)
	for i := 0; i <= n; i++ {
		levels = append(levels, float64(i)/float64(n))
	}
	for k := 2; k <= 6; k++ {
		q := 1 - math.Pow(10, -float64(k))
		if float64(h.Count())*(1-q) < 1 {
			break // beyond the largest sample's resolution
		}
		levels = append(levels, q)
	}
	// Sort the tail levels into place (the even levels are sorted).
	for i := n + 1; i < len(levels); i++ {
		for j := i; j > 0 && levels[j] < levels[j-1]; j-- {
			levels[j], levels[j-1] = levels[j-1], levels[j]
		}
	}
	out := make([]CDFPoint, 0, len(levels))
	for _, q := range levels {
		if len(out) > 0 && out[len(out)-1].Fraction == q {
			continue
		}
		out = append(out, CDFPoint{Value: Time(h.Quantile(q)).Seconds(), Fraction: q})
	}
	return out
}
