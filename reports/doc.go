// Package reports turns results into what people read: comparison tables
// (terminal, Markdown, CSV, JSON), per-task record streams, and output
// files written atomically (a temporary name renamed into place), so an
// interrupted run never leaves a half-written result.
//
// Records file columns: id, arrival, start, finish, node, wait, latency,
// status, warmup. Times are seconds, exact to the nanosecond.
package reports
