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
