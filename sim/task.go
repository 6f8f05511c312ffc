package sim

// Task is one unit of work: a request for a load balancer, a container or
// job for a scheduler. Readers and generators in package traces produce
// Tasks in non-decreasing order of Arrival.
type Task struct {
	ID      int64 // unique within a run; readers number tasks when a trace has no id
	Arrival Time  // when the task reaches the balancer or scheduler
	// Work is the service demand at speed 1: a node of speed s serves the
	// task in Work/s. Strategies must not read it unless they are oracles.
	Work Time

	CPU      int64 // milli-cores requested (0: not constrained)
	Memory   int64 // bytes requested, also the task's memory limit (0: not constrained)
	GPUs     int32 // whole GPUs requested
	GPUMilli int32 // share of one GPU in thousandths (0 < GPUMilli < 1000), GPU sharing
	Priority int32 // larger runs first under priority queue policies

	// GPUSpec restricts the GPU models the task may run on: empty for any,
	// else model names separated by '|', e.g. "V100M16|V100M32".
	GPUSpec string
	// Estimate is the user's runtime estimate at speed 1 (a batch job's
	// requested time), 0 when unknown. Backfilling reads it; it is not
	// the future, since the user declared it on submission.
	Estimate Time

	// PromptTokens and OutputTokens size an LLM inference request; on a
	// node with per-token times (NodeSpec.PrefillPerToken) they, not Work,
	// set the service time.
	PromptTokens int32
	OutputTokens int32

	// Workflow names the DAG the task belongs to ("" for an independent
	// task). A workflow arrives whole: its tasks share one arrival time
	// and come one after another in the stream, parents before children.
	// Deps.Parents are the tasks (by ID, in the same workflow) that must
	// finish, and whose output must reach the task's node, before it may
	// start (nil Deps: none; a pointer keeps Task comparable);
	// OutputBytes is the data the task hands each child unless the
	// child's Edge names its own amount (see dag.go).
	Workflow    string
	Deps        *Deps
	OutputBytes int64

	// Nodes, when > 1, makes the task a gang: it runs on that many
	// distinct nodes at once, each holding its CPU, Memory and GPUs, all
	// starting and ending together (gang.go). 0 or 1: one node.
	Nodes int32

	// MemoryUse is the memory the task really uses at its peak, in bytes
	// (0: not modelled, the task never runs out of memory). It grows
	// from nothing as the work goes on, MemoryRate bytes per second of
	// work at speed 1, until it reaches MemoryUse (MemoryRate 0: all of
	// it at once, as the work starts). Under central queueing a task
	// whose use crosses its limit (Memory > 0) is OOM-killed at that
	// instant: it ends failed with Record.Reason ReasonOOM and frees
	// its resources (OOMKill).
	MemoryUse  int64
	MemoryRate int64

	Tenant string // owner, for fairness policies
	Region string // origin region, for geographic routing
	Class  string // free-form class label, kept in records
}

// Source yields a workload as a stream of tasks in arrival order. Next
// overwrites every field of t with the next task (t may hold a previous
// task's values) and returns nil, io.EOF at the end of the stream, or
// another error that names where the input went wrong. A Source must not
// keep a reference to t.
type Source interface {
	Next(t *Task) error
}

// PlainSource is a Source whose tasks have no field set but ID, Arrival
// and Work (a synthetic generator's). NextPlain is Next that sets those
// three fields of t and leaves the others as they are; a caller that keeps
// them zero saves clearing the rest of a Task for every task. Engine uses
// it under node queueing.
type PlainSource interface {
	Source
	NextPlain(t *Task) error
}
