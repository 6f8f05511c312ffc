// Package sim is fleetsim's core: the vocabulary (Task, NodeSpec, View,
// Record, the strategy extension points) and a deterministic discrete-event
// engine that runs a stream of tasks through one strategy on one modeled
// cluster.
//
// # A state machine with no I/O
//
// Like etcd's raft, the engine reads no clock, opens no file and starts no
// goroutine. Time is an integer count of nanoseconds (Time) that moves only
// when the engine pops its next event; results leave as values (Result) and,
// when asked, as one Record per task through Config.OnRecord. The caller
// drives it:
//
//	e, err := sim.NewEngine(cfg, source, strategy)
//	for done := false; !done && err == nil; {
//		done, err = e.Step(1 << 16) // between steps: Ctrl-C, progress bars
//	}
//	res := e.Result()
//
// # Determinism
//
// The same configuration, source and strategy give the same events in the
// same order, on any machine and with any GOMAXPROCS:
//
//   - events are ordered by time, and events at the same time by the order
//     in which they were scheduled (a sequence number), never by anything
//     else (see the golden schedules in testdata/golden, which pin this);
//   - every random stream is a Rand derived from (seed, stream name) by
//     NewRand, so adding a strategy or a node never shifts another stream;
//   - one run is single-threaded; parallelism goes across runs.
//
// # The model (node queueing)
//
// Each node serves up to Slots tasks at once; a node of speed s serves a
// task of work w in w/s. Further tasks wait in the node's FIFO queue. The
// strategy is asked where each task goes when it arrives (Picker), or, for
// strategies built from scores, every node passing Filter is scored and the
// highest score wins (ties: the lowest index). A strategy sees only a View:
// node specifications, active and queued counts, health as reported. It
// never sees the work of queued tasks.
//
// Start-up: with Config.Startup set, each service begins with a delay
// drawn from it (a container starting) before the work; the delay holds
// the slot, is not scaled by speed, and counts in the task's service, not
// its wait. Under central queueing the same holds, and backfilling adds
// the delay's mean to each estimate.
//
// Stop and warm-up: arrivals stop after Config.StopTasks tasks or at
// Config.StopTime; work in flight then drains. Tasks arriving during warm-up
// run normally but are left out of every statistic; the measurement window
// runs from the end of warm-up to the end of the last task.
//
// # Statistics
//
// Latency is a task's sojourn, finish minus arrival; wait is start minus
// arrival. Means are exact; quantiles come from metrics.Histogram, within
// metrics.RelativeError (< 0.4 %) of the exact sample quantile. Utilization
// is the time-weighted busy share of each node's slots over the window,
// averaged over nodes; imbalance is the coefficient of variation of the work
// each node served; MeanInSystem is the time-average number of measured
// tasks present, so Little's law L = λW holds on every run.
//
// # Memory
//
// Tasks in flight live in a recycled slab and node queues are linked
// through it, so memory follows the work in flight, not the length of the
// trace, and the steady state allocates nothing per task. A run under
// node queueing without dynamics, start-up delays, records or series (and
// without an Observer strategy unless the source is a PlainSource) takes a
// fast path instead (fast.go): a service record per busy slot (on
// single-slot clusters in the node's View entry, beside the load the
// strategy reads; otherwise in its completion's calendar entry), small
// FIFO entries per node and its own calendar of events (a radix heap of
// them on large clusters), with the same events in the same order, so the
// same results. A Ticker strategy's ticks are events of the fast path too.
// On large clusters the fast path prefetches the records of the events it
// will handle next, and strategies may prefetch the nodes of their next
// decision (View.Prefetch).
package sim
