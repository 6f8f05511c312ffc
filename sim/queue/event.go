package queue

// Event is one scheduled happening of a simulation. It is a value type: the
// queues store Events inline, so pushing and popping allocates nothing once a
// queue has grown to its working size.
type Event struct {
	At   int64  // firing time in nanoseconds
	Seq  uint64 // scheduling order; among equal At the smaller Seq fires first
	Kind uint32 // what happens; meaning is the caller's
	Node int32  // payload: a node index, by convention
	Ref  int64  // payload: a task slot, by convention
}

// Before reports whether e fires before f: earlier time, or the same time and
// scheduled earlier. This total order makes every queue deterministic.
func (e *Event) Before(f *Event) bool {
	return e.At < f.At || (e.At == f.At && e.Seq < f.Seq)
}
