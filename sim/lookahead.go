package sim

// Lookahead is a Waker that runs events of its own between the engine's
// (a Kubernetes run's request streams): when the run starts the engine
// calls SetLookahead with a function giving the time of its next event
// (MaxTime when none), so that during a Wake the Waker may run its own
// events up to that time, exclusive, without one of the engine's falling
// in between, instead of asking for a wake-up per event. Events of the
// engine at that very time run first.
type Lookahead interface {
	Waker
	SetLookahead(next func() Time)
}

// lookahead is the Scheduler's next event time, for a Lookahead.
func (e *Scheduler) lookahead() Time {
	if e.q.Len() == 0 {
		return MaxTime
	}
	return Time(e.q.Peek().At)
}
