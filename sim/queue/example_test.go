package queue_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim/queue"
)

// Events at the same time come out in the order they were scheduled (Seq),
// whichever implementation holds them.
func Example() {
	var q queue.Calendar // or queue.QuadHeap, queue.BinaryHeap: same output
	var seq uint64
	schedule := func(at int64, node int32) {
		seq++
		q.Push(queue.Event{At: at, Seq: seq, Node: node})
	}
	schedule(30, 1)
	schedule(10, 2)
	schedule(30, 3)
	schedule(10, 4)
	schedule(20, 5)
	schedule(10, 6)

	fmt.Println("next:", q.Peek().Node)
	for q.Len() > 0 {
		e := q.Pop()
		fmt.Printf("At=%d Seq=%d Node=%d\n", e.At, e.Seq, e.Node)
	}
	// Output:
	// next: 2
	// At=10 Seq=2 Node=2
	// At=10 Seq=4 Node=4
	// At=10 Seq=6 Node=6
	// At=20 Seq=5 Node=5
	// At=30 Seq=1 Node=1
	// At=30 Seq=3 Node=3
}

// A RadixHeap tells its caller which events will leave soon: as it
// empties a bucket of one chunk, Ahead sees each event in it (again at
// each level it moves down), in time to prefetch what they refer to.
func ExampleRadixHeap_Ahead() {
	var q queue.RadixHeap
	q.Ahead = func(e *queue.Event) { fmt.Printf("soon: event %d at %d ns\n", e.Ref, e.At) }
	for i, at := range []int64{3_000_000, 1_000_000, 1_000_500, 2_000_000} {
		q.Push(queue.Event{At: at, Seq: uint64(i), Ref: int64(i)})
	}
	for q.Len() > 0 {
		e := q.Pop()
		fmt.Printf("popped event %d at %d ns\n", e.Ref, e.At)
	}
	// Output:
	// soon: event 0 at 3000000 ns
	// soon: event 1 at 1000000 ns
	// soon: event 2 at 1000500 ns
	// soon: event 3 at 2000000 ns
	// popped event 1 at 1000000 ns
	// soon: event 2 at 1000500 ns
	// popped event 2 at 1000500 ns
	// soon: event 3 at 2000000 ns
	// popped event 3 at 2000000 ns
	// soon: event 0 at 3000000 ns
	// popped event 0 at 3000000 ns
}
