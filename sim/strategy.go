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
//   - Ticker: a periodic hook (metrics scrapes).

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

// ToBroker is what a Picker returns to leave a task on the engine's broker
// queue instead of pushing it to a node: nodes pull the oldest brokered
// task whenever one of their slots frees (competing consumers of a message
// queue). With n single-slot nodes this is the M/M/n system that
// join-the-shortest-queue approaches.
const ToBroker = -2

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
	// Failed is called when an attempt of t on node i is lost: the node
	// failed under it or refused it, or the client's timeout expired.
	Failed(v *View, t *Task, i int)
}

// Ticker is implemented by strategies that act on a clock of their own,
// such as a periodic metrics scrape. Every is read once when the run
// starts; when it is > 0, Tick is called at Every, 2·Every, 3·Every, ...
// while tasks remain, so what the strategy saw at its last tick is up to
// one interval stale, as a scraped metric is.
type Ticker interface {
	Strategy
	Every() Time
	Tick(v *View)
}

// Reorderer is a QueueSorter whose order changes as tasks start and end
// (dominant resource fairness, for one): the engine re-sorts the pending
// queue before every scheduling cycle instead of keeping it sorted on
// insertion.
type Reorderer interface {
	QueueSorter
	Reorders()
}
