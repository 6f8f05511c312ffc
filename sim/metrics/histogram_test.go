package metrics

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// nearestRank is the exact q-quantile of sorted xs by the nearest-rank rule.
func nearestRank(xs []int64, q float64) int64 {
	k := int(math.Ceil(q * float64(len(xs))))
	if k < 1 {
		k = 1
	}
	return xs[k-1]
}

// TestQuantileBound checks the documented bound: every reported quantile is
// within RelativeError (1/256) of the exact nearest-rank sample quantile, for
// distributions spanning nanoseconds to hours.
func TestQuantileBound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func() int64{
		"exponential 1s":    func() int64 { return int64(r.ExpFloat64() * 1e9) },
		"lognormal sigma 3": func() int64 { return int64(math.Exp(r.NormFloat64()*3) * 1e6) },
		"uniform small":     func() int64 { return r.Int64N(1000) },
		"pareto":            func() int64 { return int64(1e3 / math.Pow(1-r.Float64(), 1/1.2)) },
		"constant":          func() int64 { return 123456789 },
	}
	qs := []float64{0, 0.001, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1}
	for name, gen := range gens {
		var h Histogram
		xs := make([]int64, 200_000)
		for i := range xs {
			xs[i] = gen()
			h.Record(xs[i])
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
		for _, q := range qs {
			want := nearestRank(xs, q)
			got := h.Quantile(q)
			if d := math.Abs(float64(got - want)); d > RelativeError*float64(want) {
				t.Errorf("%s: q=%v: got %d, exact %d, error %.5f > %.5f", name, q, got, want, d/float64(want), RelativeError)
			}
		}
	}
}

// TestExactMoments checks that count, min, max and mean are exact, including
// a sum that overflows 64 bits.
func TestExactMoments(t *testing.T) {
	var h Histogram
	for _, v := range []int64{5, 1, 9} {
		h.Record(v)
	}
	if h.Count() != 3 || h.Min() != 1 || h.Max() != 9 || h.Mean() != 5 {
		t.Fatalf("count %d min %d max %d mean %v, want 3 1 9 5", h.Count(), h.Min(), h.Max(), h.Mean())
	}
	var big Histogram
	const v = math.MaxInt64 - 1
	for i := 0; i < 4; i++ {
		big.Record(v) // the sum is 4*(2^63-2), past 2^64
	}
	if got := big.Mean(); got != float64(v) {
		t.Fatalf("mean of four %d = %v, want %v", int64(v), got, float64(v))
	}
}

// TestSmallValuesExact checks values below 128 land in exact buckets.
func TestSmallValuesExact(t *testing.T) {
	for v := int64(0); v < 600; v++ {
		lo, w := bounds(bucket(v))
		if v < lo || v >= lo+w {
			t.Fatalf("value %d outside its bucket [%d, %d)", v, lo, lo+w)
		}
		if v < subCount && w != 1 {
			t.Fatalf("value %d: bucket width %d, want 1", v, w)
		}
	}
	for _, v := range []int64{1 << 20, 1<<40 + 12345, math.MaxInt64} {
		lo, w := bounds(bucket(v))
		if v < lo || v-lo >= w || float64(w) > float64(lo)/subCount {
			t.Fatalf("value %d: bucket [%d, +%d) violates the width bound", v, lo, w)
		}
	}
}

func TestEmptyAndMerge(t *testing.T) {
	var a, b Histogram
	if a.Quantile(0.5) != 0 || a.Mean() != 0 {
		t.Fatal("empty histogram must report 0")
	}
	a.Record(10)
	b.Record(20)
	b.Record(-3) // recorded as 0
	a.Merge(&b)
	if a.Count() != 3 || a.Min() != 0 || a.Max() != 20 || a.Mean() != 10 {
		t.Fatalf("merged: count %d min %d max %d mean %v", a.Count(), a.Min(), a.Max(), a.Mean())
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(1000, func() { h.Record(123456) }); n != 0 {
		t.Fatalf("Record allocates %v times", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	r := rand.New(rand.NewPCG(1, 1))
	vals := make([]int64, 4096)
	for i := range vals {
		vals[i] = int64(r.ExpFloat64() * 1e9)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(vals[i&4095])
	}
}
