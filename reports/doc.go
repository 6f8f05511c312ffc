// Package reports turns results into what people read and what machines
// compare: comparison tables (terminal, Markdown, CSV, JSON), mean ± 95 %
// Student-t confidence intervals over seeds (Aggregates, Stat), the files
// of an output folder (summary.json, series.csv, records.csv), plots
// (gonum/plot; SVG and PNG), a self-contained HTML report, and the
// regression check (Check, with direction-aware per-metric tolerances, and
// WriteBench for benchstat).
//
// Every output file is written atomically (a temporary name renamed into
// place), so an interrupted run never leaves a half-written result.
//
// Records file columns: id, arrival, start, finish, node, wait, latency,
// status, warmup, gpus. Times are seconds, exact to the nanosecond.
// Metrics are named by their JSON path in a Result ("latency_s.p99"), as
// Flatten lists them.
package reports
