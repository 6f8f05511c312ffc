package main

import (
	"io"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSweep100 is the sweep's scaling yardstick: a 100-point sweep
// (arrival rate 800..899 per second) of the embedded bench scenario cut to
// 1,000,000 tasks a run, p2c on 1,000 nodes. Runs spread over GOMAXPROCS
// cores, so `-cpu 1,2` measures the speed-up (make bench-sweep).
func BenchmarkSweep100(b *testing.B) {
	vals := make([]string, 100)
	for i := range vals {
		vals[i] = strconv.Itoa(800 + i)
	}
	args := []string{"sweep", "bench", "--set", "workload.arrivals.rate=" + strings.Join(vals, ","),
		"--strategies", "p2c", "--tasks", "1000000", "--no-plots", "-o", b.TempDir()}
	for b.Loop() {
		if code := run(args, io.Discard, io.Discard); code != 0 {
			b.Fatalf("sweep: exit %d", code)
		}
	}
	b.ReportMetric(float64(len(vals))*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	b.ReportMetric(float64(len(vals))*1e6*float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}
