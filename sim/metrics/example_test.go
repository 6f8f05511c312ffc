package metrics_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim/metrics"
)

func ExampleHistogram() {
	var h metrics.Histogram
	for v := int64(1); v <= 1000; v++ {
		h.Record(v * 1000) // 1 µs .. 1 ms, in ns
	}
	fmt.Println("count", h.Count(), "mean", h.Mean())
	// Exact: p50 500000, p99 990000; reported within 1/256 of them.
	fmt.Println("p50", h.Quantile(0.5), "p99", h.Quantile(0.99), "max", h.Max())
	// Output:
	// count 1000 mean 500500
	// p50 500735 p99 989183 max 1000000
}
