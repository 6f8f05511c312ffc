// Command ziggen writes sim/ziggurat_tables.go, the layer tables of the
// exponential ziggurat behind sim.Rand.ExpFloat64 (Marsaglia and Tsang, "The
// Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8),
// 2000), 256 layers. Run it through go generate in sim/:
//
//	go generate ./sim/
//
// The tables are derived, not copied: the base r is the root of the
// ziggurat's closing condition (the 255 rectangles above the base, each of
// area v = (r+1)·e^(-r), end exactly at the peak f(0) = 1), found by
// bisection and then the secant method, and every boundary x_i, ratio and
// density value is computed in 256-bit math/big arithmetic (exp by halving
// and squaring a Taylor series, log by Newton's method on exp) and rounded
// once, to nearest, when written. So the file is the correctly rounded table
// of the mathematical ziggurat, the same on every machine: the host's math
// library only picks Newton's starting point. A test in this package
// re-runs the computation and fails when the committed file differs.
package main
