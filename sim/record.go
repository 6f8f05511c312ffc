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
	// Reason says why a task failed when the model knows: ReasonOOM for
	// a task killed over its memory limit; "" otherwise.
	Reason string
	// GPUs are the indexes of the node's GPUs the task held (central
	// queueing); valid only during the callback.
	GPUs []int
}

// ReasonOOM is Record.Reason of a task killed because its memory use
// crossed its memory limit.
const ReasonOOM = "oom"

// OOMKill is when task t, whose service of length d (at its node's speed,
// start-up excluded) begins at 0, is killed for its memory: the instant
// its use, growing with its work as Task.MemoryUse says, first exceeds its
// limit Memory; ok is false when it never does (no limit, a use within
// it, or work that ends before the use reaches the limit). With a rate,
// the use reaches the limit after Memory / MemoryRate seconds of work at
// speed 1, which on the node is that share of d:
//
//	kill = d · (Memory / MemoryRate) / Work,  if Memory / MemoryRate < Work
//
// Without a rate the whole use is taken at once: kill = 0.
func OOMKill(t *Task, d Time) (kill Time, ok bool) {
	if t.Memory <= 0 || t.MemoryUse <= t.Memory {
		return 0, false
	}
	if t.MemoryRate <= 0 {
		return 0, true
	}
	w := float64(t.Memory) / float64(t.MemoryRate) * float64(Second)
	if !(w < float64(t.Work)) {
		return 0, false
	}
	return Time(float64(d)*w/float64(t.Work) + 0.5), true
}

// Wait is the time spent queued before service started.
func (r *Record) Wait() Time { return r.Start - r.Task.Arrival }

// Latency is the sojourn: finish minus arrival.
func (r *Record) Latency() Time { return r.Finish - r.Task.Arrival }
