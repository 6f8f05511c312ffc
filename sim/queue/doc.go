// Package queue holds the simulator's pending events: the event set (or
// future event list) of a discrete-event simulation. The engine pushes every
// event it schedules and repeatedly pops the earliest one to execute it; the
// clock jumps from one popped event to the next.
//
// # Ordering
//
// Events are ordered by Event.Before: earlier At first and, among equal At,
// smaller Seq first. The engine stamps Seq from a counter as it schedules, so
// simultaneous events fire in the order they were scheduled. Because Seq is
// unique this is a strict total order, so there is exactly one correct pop
// sequence for any history of pushes, and every implementation here produces
// that same sequence: which queue the engine uses can change its speed but
// never its results, and a run with a given seed is reproducible to the
// event. (A heap ordered by At alone would pop simultaneous events in an
// order that depends on its internal layout.)
//
// An event pushed with At earlier than the last popped time does not corrupt
// any of the queues; it simply comes out next, in Before order. Whether that
// makes sense is the engine's business.
//
// # Implementations
//
// All three have the same methods (Len, Reset, Peek, Push, Pop), store
// Events by value, are ready to use as zero values, and allocate nothing
// once they have grown to their working size. Peek and Pop on an empty
// queue panic.
//
//   - BinaryHeap: an implicit binary heap in one slice. O(log n) Push and Pop
//     in the worst case, no tuning, no surprises; the smallest code.
//
//   - QuadHeap: an implicit 4-ary heap in one slice: half the depth of the
//     binary heap. O(log n) worst case. Of the two heaps it is the one to
//     use: with random event times it is 5-13% faster than BinaryHeap from
//     10^4 events up, and level with it otherwise.
//
//   - Calendar: Brown's calendar queue (1988), with the bucket count resized
//     and the day width re-estimated as in the paper, plus a re-estimate
//     when the work per operation shows the width has gone stale (see the
//     type's documentation). O(1) expected time per operation for the usual
//     simulation time distributions, O(n) worst case for adversarial ones;
//     it adapts to those it can, at a cost bounded by the work they waste.
//
// On the HOLD benchmark (pop the minimum, push it back a random increment
// later; BENCHMARKS.md has the numbers, the command and the caveats) the
// calendar queue was the fastest at every size from 10^3 to 10^6 pending
// events, with exponential and with bimodal increments. At 10^3-10^4 events,
// the engine's usual pending set, a Pop+Push pair took 46-49 ns against
// 60-85 ns for QuadHeap with exponential increments (1.3-1.7x), and 29-30 ns
// against 56-78 ns with bimodal ones (1.9-2.7x). At 10^6, where everything
// misses the cache, it was still 1.4-1.5x ahead. The heaps have no bad cases
// and nothing to tune, which makes them the safe choice when the
// distribution of event times is unknown or adversarial: the calendar's bad
// cases are many events with different times inside one day width, pushed
// out of order, or a distribution that changes faster than its width
// estimate can follow.
//
// # Complexity
//
//	              Push, avg   Push, worst   Pop, avg   Pop, worst   memory per event
//	BinaryHeap    O(1)        O(log n)      O(log n)   O(log n)     32 B
//	QuadHeap      O(1)        O(log n)      O(log n)   O(log n)     32 B
//	Calendar      O(1)        O(n)          O(1)       O(n)         40 B + 4-16 B of buckets
//
// The averages assume the event times of a simulation. The heaps' Push is
// O(1) on average because new events land at random depths, mostly near the
// leaves. The calendar's averages hold for a day width that fits the
// distribution, which the resizing maintains. Peek is O(1) for the heaps; for
// the calendar it does the search a Pop would do, and the Pop after it then
// finds its event at once. Reset is O(1) for the heaps and O(buckets) for the
// calendar.
package queue
