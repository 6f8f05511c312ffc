// Package metrics holds the streaming statistics of a run: a log-linear
// Histogram whose quantiles are within RelativeError (under 0.4 %, so inside
// the design's 1 % bound) of the exact nearest-rank quantile, with exact
// count, sum, mean, min and max, in fixed memory.
//
// The bound: a value v >= 128 falls in a bucket [lo, lo+w) with
// w = 2^(floor(log2 v) - 7) <= lo/128. The reported value is the bucket's
// midpoint, so it differs from any value of the bucket by at most
// w/2 <= lo/256 <= v/256. Values below 128 are kept exactly.
package metrics
