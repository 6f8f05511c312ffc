package sim

// Status is how a task's life ended.
type Status uint8

// Task outcomes.
const (
	Completed Status = iota // served to the end
	Failed                  // lost (node failure, retries exhausted)
	Dropped                 // refused by the strategy or the cluster
)

var statusNames = [...]string{Completed: "completed", Failed: "failed", Dropped: "dropped"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Record is what happened to one task, as streamed to a records file. The
// simulator and the real executor write the same records.
type Record struct {
	Task   *Task // valid only during the callback
	Node   int   // node index, -1 when never placed
	Start  Time  // when service began (equal to Finish when never started)
	Finish Time  // when it completed, failed or was dropped
	Status Status
	Warmup bool // arrived during warm-up: excluded from statistics
	// Attempts is how many times the task was sent (1 without retries).
	Attempts int
	// GPUs are the indexes of the node's GPUs the task held (central
	// queueing); valid only during the callback.
	GPUs []int
}

// Wait is the time spent queued before service started.
func (r *Record) Wait() Time { return r.Start - r.Task.Arrival }

// Latency is the sojourn: finish minus arrival.
func (r *Record) Latency() Time { return r.Finish - r.Task.Arrival }
