package sim

// The strategy extension points follow the Kubernetes scheduling framework:
// small interfaces, each embedding Strategy, and a strategy implements the
// ones it needs. The engine asserts them once when a run starts, never per
// event.
//
//   - Picker: per-arrival choice of a node (load balancers).
//   - QueueSorter: order of the central pending queue (job placement).
//   - Filter and Scorer: feasible nodes and their rank (job placement, and
//     load balancers built from scores).
//   - Observer: outcome hooks so adaptive strategies can learn.

// Strategy is implemented by every strategy.
type Strategy interface {
	// Name is the registry name (with parameters where they matter), as
	// printed in results.
	Name() string
}

// Picker chooses the node an arriving task is sent to. It returns a node
// index in [0, v.Len()), or Drop to refuse the task (counted as dropped).
// An index out of range stops the run with an error naming the strategy.
type Picker interface {
	Strategy
	Pick(v *View, t *Task) int
}

// Drop is what a Picker returns to refuse a task.
const Drop = -1

// QueueSorter orders a central pending queue: Less reports whether a should
// be tried before b.
type QueueSorter interface {
	Strategy
	Less(a, b *Task) bool
}

// Filter reports whether node i can take task t at all.
type Filter interface {
	Strategy
	Filter(v *View, t *Task, i int) bool
}

// Scores rank feasible nodes: higher is better, on the scale
// [MinScore, MaxScore]. The engine rejects a score outside it.
const (
	MinScore int64 = 0
	MaxScore int64 = 100
)

// Scorer ranks a feasible node i for task t.
type Scorer interface {
	Strategy
	Score(v *View, t *Task, i int) int64
}

// Observer receives the outcome of tasks the strategy placed.
type Observer interface {
	Strategy
	// Started is called when task t starts being served on node i.
	Started(v *View, t *Task, i int)
	// Finished is called when t completes on node i; latency is its
	// sojourn (finish minus arrival), what a balancer observes.
	Finished(v *View, t *Task, i int, latency Time)
	// Failed is called when t is lost on node i (the node failed).
	Failed(v *View, t *Task, i int)
}

// Reorderer is a QueueSorter whose order changes as tasks start and end
// (dominant resource fairness, for one): the engine re-sorts the pending
// queue before every scheduling cycle instead of keeping it sorted on
// insertion.
type Reorderer interface {
	QueueSorter
	Reorders()
}
