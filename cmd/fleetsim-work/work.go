package main

import "time"

// Units is the number of kernel iterations that make one second of work at
// speed 1: a round reference rate. One core of the 2-vCPU Xeon VM fleetsim
// was developed on runs about 600 M per second (speed 1.2). A node's speed in
// a scenario is its rate over this one; `fleetsim real calibrate` measures it.
const Units = 500_000_000

// UnitsFor is the number of kernel iterations of work d at speed 1.
func UnitsFor(d time.Duration) uint64 {
	return uint64(float64(d.Seconds()*Units) + 0.5)
}

// Spin runs n iterations of a xorshift64 kernel: a dependent chain of
// shifts and xors that no compiler can vectorise or skip, whose rate
// depends only on the core's integer speed and the share of it the
// container gets. The result must be used.
func Spin(n uint64) uint64 {
	x := uint64(88172645463325252)
	for i := uint64(0); i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
