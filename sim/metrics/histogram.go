package metrics

import (
	"math"
	"math/bits"
)

// subBits is the number of mantissa bits a bucket keeps. With 7 bits every
// bucket [lo, lo+w) has w <= lo/128, and reporting its midpoint is off by at
// most w/2 <= lo/256 < 0.4 % of any value in it: the documented bound of 1 %
// with margin.
const subBits = 7

const (
	subCount   = 1 << subBits              // buckets per power of two
	numBuckets = (64 - subBits) * subCount // covers every non-negative int64
)

// RelativeError is the largest relative error of a quantile Histogram reports:
// |reported - true| <= RelativeError * true, where true is the nearest-rank
// sample quantile.
const RelativeError = 1.0 / (2 * subCount)

// Histogram records non-negative int64 samples (nanoseconds, by convention)
// in log-linear buckets, in the manner of HdrHistogram: values below 128 are
// kept exactly; above, each power of two is split into 128 equal buckets.
// Memory is fixed (about 57 KiB) whatever the number of samples; Record is a
// few shifts and an increment, with no allocation.
//
// Count, Sum, Mean, Min and Max are exact (Sum is kept in 128 bits, so it
// cannot overflow); Quantile is within RelativeError of the exact value.
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	sumHi    uint64
	sumLo    uint64
	min, max int64
}

// bucket maps v >= 0 to its bucket index.
func bucket(v int64) int {
	u := uint64(v)
	if u < subCount {
		return int(u)
	}
	e := bits.Len64(u) - subBits - 1 // u>>e is in [128, 256)
	return (e+1)*subCount + int(u>>uint(e)) - subCount
}

// bounds returns bucket i's range [lo, lo+width).
func bounds(i int) (lo, width int64) {
	if i < subCount {
		return int64(i), 1
	}
	e := i/subCount - 1
	j := i % subCount
	return int64(subCount+j) << uint(e), int64(1) << uint(e)
}

// Record adds one sample. Negative samples are recorded as 0.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[bucket(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	var c uint64
	h.sumLo, c = bits.Add64(h.sumLo, uint64(v), 0)
	h.sumHi += c
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Min is the smallest sample (0 when empty).
func (h *Histogram) Min() int64 { return h.min }

// Max is the largest sample (0 when empty).
func (h *Histogram) Max() int64 { return h.max }

// Sum returns the exact sum of the samples as a float64 (rounded once).
func (h *Histogram) Sum() float64 {
	return float64(float64(h.sumHi)*0x1p64) + float64(h.sumLo)
}

// Mean is the exact mean of the samples (rounded once to float64); 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	if h.sumHi == 0 {
		// Integer division first keeps full precision for huge sums.
		q, r := h.sumLo/h.n, h.sumLo%h.n
		return float64(q) + float64(r)/float64(h.n)
	}
	return h.Sum() / float64(h.n)
}

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank rule:
// the smallest sample x such that at least ceil(q*n) samples are <= x,
// approximated by the midpoint of x's bucket and clamped to [Min, Max].
// It returns 0 when the histogram is empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i]
		if cum >= rank {
			lo, w := bounds(i)
			v := lo + (w-1)/2
			if v < h.min {
				v = h.min
			}
			if v > h.max {
				v = h.max
			}
			return v
		}
	}
	return h.max
}

// Merge adds o's samples to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	var c uint64
	h.sumLo, c = bits.Add64(h.sumLo, o.sumLo, 0)
	h.sumHi += o.sumHi + c
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }
