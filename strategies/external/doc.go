// Package external runs a strategy as a separate process that answers
// fleetsim's decision protocol: newline-delimited JSON over the process's
// stdin and stdout, version Protocol. The protocol, its messages and the
// Python package that speaks it are documented in docs/external.md.
//
// Start launches the process, sends the hello (the cluster, the run's
// seed and stream name, the strategy's parameters) and returns a
// sim.Strategy: a sim.Picker under node queueing, a sim.Placer under
// central queueing, a sim.Observer whose outcome events ride on the next
// message, and a sim.Ticker when the strategy asked for ticks. QueueOrder
// returns its queue order (the key operation) as a sim.QueueSorter.
//
// The sim interfaces return no errors, so a protocol failure (a crash, a
// timeout, an answer out of range or infeasible, malformed JSON, another
// protocol version) is recorded, later calls answer at once with neutral
// values, and Err reports it; the caller stops the run when Err is set
// (package scenario does, after every Step) and Kill or Close ends the
// process group and reaps it.
//
// Same-instant picks can be batched (Lookahead, Strategy.UseLookahead):
// fleetsim checks each batched answer against what really happened
// before using it, so batching never changes results (batch.go).
package external
