package queue

import "math"

// Calendar is a calendar queue: R. Brown, "Calendar queues: a fast O(1)
// priority queue implementation for the simulation event set problem",
// Communications of the ACM 31(10):1220-1227, 1988.
//
// # Structure
//
// Time is cut into days of equal width, and the days are dealt round-robin
// to a power-of-two number of buckets, like the days of a year to the pages
// of a desk calendar: an event at time t lives in bucket (t/width) mod
// nbuckets. Each bucket is a list sorted by Before, so events with equal At
// come out in Seq order. Pop starts at the bucket of the current day and
// walks forward day by day until a bucket's first event falls in the day
// being looked at; that event is the minimum. If a whole year goes by without
// one (the pending events are sparse compared with the year), Pop falls back
// to Brown's direct search: the smallest of the buckets' first events.
//
// With a good width about one event is looked at per Push and one bucket per
// Pop, so both take O(1) expected time for the event-time distributions met
// in simulations. The worst case is O(n) per operation: many events with
// different times in one bucket, inserted out of order, or every Pop a
// direct search. Events with equal At and increasing Seq (the engine's ties)
// are appended in O(1).
//
// An event pushed earlier than the current day (earlier than an event already
// popped, which a simulation should not do) moves the current day back to
// its own, so it still comes out in Before order.
//
// # Resizing
//
// As in Brown's paper, the number of buckets doubles when Len exceeds twice
// the bucket count (on Push) and halves when Len falls below half the bucket
// count minus two (on Pop). At every resize the day width is re-estimated as
// Brown describes: take the first few events in order (Len if Len <= 5, else
// 5 + Len/10, at most 25), average their separations, average again only the
// separations no larger than twice that average, and use three times the
// result. Two departures from the paper:
//
//   - The width is rounded to the nearest power of two nanoseconds (within a
//     factor of sqrt(2) of Brown's estimate), so that the bucket of a time is a
//     shift and a mask instead of a 64-bit division. If all sampled
//     separations are zero the width is left as it was.
//
//   - Brown re-estimates the width only when the bucket count changes, so a
//     queue whose size stays constant while its time distribution drifts
//     (the HOLD model, or a simulation whose tempo changes) keeps a stale
//     width for ever. Following the idea of the dynamic calendar queue
//     (S.-H. Oh and J.-S. Ahn, "Dynamic calendar queue", Proc. 32nd Annual
//     Simulation Symposium, 1999), the queue counts the work beyond the
//     expected: for Pop the empty days walked (2n for a year walked in vain
//     and the direct search after it), for Push the events walked past in
//     the bucket. If that exceeds four per bucket within a window of two
//     operations per bucket, it re-estimates the width without changing the
//     bucket count. A re-estimate costs about as much as 2n steps of wasted
//     work and is only made after that much has been wasted, so it at most
//     about doubles the cost of a bad width. Brown's sample sees only the front of the queue; if a Push in
//     the window walked past more than eight events of one bucket, the
//     first events of that bucket are sampled too (as the dynamic calendar
//     queue samples around its most crowded bucket) and the narrower of the
//     two widths is used.
//
// A resize relinks the events into the new buckets and merge-sorts only the
// buckets that received events out of order, so it takes O(n) time for
// typical distributions and O(n log n) at worst.
//
// # Memory
//
// Events live in one pool of list nodes (40 bytes each, with a free list),
// and the buckets hold only the first and last node index (8 bytes each).
// Nothing in the queue is a pointer, so the garbage collector never scans it.
// The pool grows only when Len exceeds its previous maximum, so Push and Pop
// allocate nothing once the queue has reached its working size; a resize
// allocates only to grow the bucket array or its scratch list beyond their
// previous maximum. A Calendar holds at most 2^31-1 events.
//
// The zero value is an empty queue ready to use.
type Calendar struct {
	buckets []calBucket // power-of-two length
	nodes   []calNode   // pool; free nodes are chained from free
	free    int32       // first free node, or -1 (the zero value is 0: see Push)
	mask    uint64      // len(buckets)-1
	shift   uint        // day width is 1<<shift nanoseconds
	size    int
	cur     int   // bucket of curDay
	curDay  int64 // no pending event has At>>shift < curDay
	top     int   // grow when size > top
	bot     int   // shrink when size < bot

	waste    int // work beyond the expected within the current window
	wasteMax int // re-estimate the width when waste exceeds this
	left     int // operations left in the current window
	crowd    int // bucket of the longest walk of a Push in the window
	crowdLen int // length of that walk

	unsorted []int // scratch for resizing: buckets filled out of order
}

// calBucket is a list of nodes sorted by Before; -1 marks an empty list.
type calBucket struct {
	head, tail int32
}

type calNode struct {
	ev   Event
	next int32 // next node in the bucket or in the free list, or -1
}

const (
	calMinBuckets = 4
	calMaxShift   = 62
	calCrowd      = 8 // a Push walk longer than this marks a crowded bucket
)

// Len is the number of pending events.
func (q *Calendar) Len() int { return q.size }

// Reset empties the queue, keeping its storage, bucket count and day width.
func (q *Calendar) Reset() {
	for i := range q.buckets {
		q.buckets[i] = calBucket{-1, -1}
	}
	q.nodes = q.nodes[:0]
	q.free = -1
	q.size = 0
	q.waste = 0
	q.left = 2 * len(q.buckets)
	q.crowdLen = 0
}

// Peek returns the next event without removing it. The queue must not be empty.
func (q *Calendar) Peek() Event {
	return q.nodes[q.buckets[q.find()].head].ev
}

// Push adds e.
func (q *Calendar) Push(e Event) {
	if q.buckets == nil {
		q.free = -1
		q.setGeometry(calMinBuckets, 20)
	}
	if day := e.At >> q.shift; day < q.curDay || q.size == 0 {
		q.curDay = day
		q.cur = int(uint64(day) & q.mask)
	}
	var n int32
	if q.free >= 0 {
		n = q.free
		q.free = q.nodes[n].next
	} else {
		if len(q.nodes) == math.MaxInt32 {
			panic("queue: Calendar holds 2^31-1 events")
		}
		n = int32(len(q.nodes))
		q.nodes = append(q.nodes, calNode{})
	}
	q.nodes[n].ev = e
	q.waste += q.link(n)
	q.size++
	if q.size > q.top {
		q.resize(2 * len(q.buckets))
		return
	}
	q.left--
	if q.left <= 0 || q.waste > q.wasteMax {
		q.endWindow()
	}
}

// Pop removes and returns the next event. The queue must not be empty.
func (q *Calendar) Pop() Event { return q.popFrom(q.find()) }

// PopBefore removes and returns the next event if it fires before an event
// at time at with sequence number seq would (Event.Before), and reports
// whether it did; otherwise it leaves the queue as it is. It lets a caller
// keep one event outside the queue (a simulation's next arrival) in its
// place in the order, with one search instead of a Peek and a Pop. The
// queue must not be empty.
func (q *Calendar) PopBefore(at int64, seq uint64) (Event, bool) {
	i := q.find()
	if e := &q.nodes[q.buckets[i].head].ev; at < e.At || (at == e.At && seq < e.Seq) {
		return Event{}, false
	}
	return q.popFrom(i), true
}

// popFrom removes and returns the first event of bucket i.
func (q *Calendar) popFrom(i int) Event {
	b := &q.buckets[i]
	n := b.head
	nd := &q.nodes[n]
	e := nd.ev
	b.head = nd.next
	if b.head < 0 {
		b.tail = -1
	}
	nd.next = q.free
	q.free = n
	q.size--
	if q.size < q.bot {
		q.resize(len(q.buckets) / 2)
		return e
	}
	q.left--
	if q.left <= 0 || q.waste > q.wasteMax {
		q.endWindow()
	}
	return e
}

// link inserts node n into its bucket, keeping the bucket sorted, and returns
// the number of nodes walked past.
func (q *Calendar) link(n int32) int {
	nodes := q.nodes
	nd := &nodes[n]
	i := int(uint64(nd.ev.At>>q.shift) & q.mask)
	b := &q.buckets[i]
	if b.head < 0 {
		nd.next = -1
		b.head, b.tail = n, n
		return 0
	}
	if t := &nodes[b.tail]; !nd.ev.Before(&t.ev) {
		// The usual case: after everything in the bucket.
		nd.next = -1
		t.next = n
		b.tail = n
		return 0
	}
	p := b.head
	if nd.ev.Before(&nodes[p].ev) {
		nd.next = p
		b.head = n
		return 0
	}
	// Somewhere in the middle: before the tail, so the walk ends in time.
	steps := 1
	for {
		nx := nodes[p].next
		if nd.ev.Before(&nodes[nx].ev) {
			nd.next = nx
			nodes[p].next = n
			if steps > q.crowdLen {
				q.crowd, q.crowdLen = i, steps
			}
			return steps
		}
		p = nx
		steps++
	}
}

// find returns the bucket whose first event is the minimum, and makes its day
// the current day. It panics if the queue is empty.
func (q *Calendar) find() int {
	i, day, shift := q.cur, q.curDay, q.shift
	mask := int(q.mask)
	for n := 0; n < len(q.buckets); n++ {
		if h := q.buckets[i].head; h >= 0 && q.nodes[h].ev.At>>shift == day {
			q.waste += n
			q.cur, q.curDay = i, day
			return i
		}
		i = (i + 1) & mask
		day++
	}
	return q.search()
}

// search is Brown's direct search: a whole year had no event, so take the
// smallest of the buckets' first events.
func (q *Calendar) search() int {
	best := -1
	var min *Event
	for i := range q.buckets {
		if h := q.buckets[i].head; h >= 0 {
			if e := &q.nodes[h].ev; min == nil || e.Before(min) {
				best, min = i, e
			}
		}
	}
	if best < 0 {
		panic("queue: Peek or Pop on an empty Calendar")
	}
	q.waste += 2 * len(q.buckets)
	q.cur, q.curDay = best, min.At>>q.shift
	return best
}

// endWindow closes a window of operations: if too much work was wasted in it
// the day width is re-estimated, otherwise a new window starts.
func (q *Calendar) endWindow() {
	if q.waste > q.wasteMax {
		q.resize(len(q.buckets))
		return
	}
	q.waste = 0
	q.left = 2 * len(q.buckets)
	q.crowdLen = 0
}

// setGeometry empties the buckets, sets their count and the day width, and
// resets the thresholds and the waste window.
func (q *Calendar) setGeometry(nb int, shift uint) {
	if nb <= cap(q.buckets) {
		q.buckets = q.buckets[:nb]
	} else {
		q.buckets = make([]calBucket, nb)
	}
	for i := range q.buckets {
		q.buckets[i] = calBucket{-1, -1}
	}
	q.mask = uint64(nb - 1)
	q.shift = shift
	q.top = 2 * nb
	q.bot = nb/2 - 2
	q.cur = int(uint64(q.curDay) & q.mask)
	q.waste = 0
	q.wasteMax = 4 * nb
	q.left = 2 * nb
	q.crowdLen = 0
}

// resize re-estimates the day width from the first events and redistributes
// the events over nb buckets.
func (q *Calendar) resize(nb int) {
	if nb < calMinBuckets {
		nb = calMinBuckets
	}
	// Brown's sample: the first few events, in order, unlinked.
	k := q.size
	if k > 5 {
		k = 5 + k/10
	}
	if k > 25 {
		k = 25
	}
	var sample [25]int32
	var times [25]int64
	for i := range k {
		b := &q.buckets[q.find()]
		n := b.head
		b.head = q.nodes[n].next
		if b.head < 0 {
			b.tail = -1
		}
		sample[i], times[i] = n, q.nodes[n].ev.At
	}
	shift := estimateShift(times[:k], q.shift)
	if q.crowdLen > calCrowd && q.crowd < len(q.buckets) {
		// Pushes walked a long way into one bucket: the first events are
		// not typical. Estimate from the first events of that bucket too and
		// take the narrower width.
		var crowd [25]int64
		m := 0
		for n := q.buckets[q.crowd].head; n >= 0 && m < len(crowd); n = q.nodes[n].next {
			crowd[m] = q.nodes[n].ev.At
			m++
		}
		shift = min(shift, estimateShift(crowd[:m], shift))
	}
	if k > 0 {
		q.curDay = times[0] >> shift // the sample starts with the minimum
	}

	if nb == len(q.buckets) && shift == q.shift {
		// Nothing changes: put the sample back, largest first, so that each
		// goes to the front of its bucket.
		for i := k - 1; i >= 0; i-- {
			q.link(sample[i])
		}
		q.cur = int(uint64(q.curDay) & q.mask)
		q.waste = 0
		q.left = 2 * nb
		q.crowdLen = 0
		return
	}

	// Chain all nodes, the sample first and then bucket by bucket.
	chain, last := int32(-1), int32(-1)
	add := func(head, tail int32) {
		if head < 0 {
			return
		}
		if chain < 0 {
			chain = head
		} else {
			q.nodes[last].next = head
		}
		last = tail
	}
	for i := range k {
		q.nodes[sample[i]].next = -1
		add(sample[i], sample[i])
	}
	for _, b := range q.buckets {
		add(b.head, b.tail)
	}

	// Append every node to its new bucket. Until the buckets are sorted
	// below, a bucket is empty when tail < 0, and head < -1 (^head) marks a
	// bucket that received a node out of order.
	q.setGeometry(nb, shift)
	nodes := q.nodes
	unsorted := q.unsorted[:0]
	for n := chain; n >= 0; {
		nd := &nodes[n]
		next := nd.next
		nd.next = -1
		i := int(uint64(nd.ev.At>>shift) & q.mask)
		b := &q.buckets[i]
		if b.tail < 0 {
			b.head = n
		} else {
			t := &nodes[b.tail]
			if nd.ev.Before(&t.ev) && b.head >= 0 {
				b.head = ^b.head
				unsorted = append(unsorted, i)
			}
			t.next = n
		}
		b.tail = n
		n = next
	}
	for _, i := range unsorted {
		b := &q.buckets[i]
		b.head, b.tail = q.sortList(^b.head)
	}
	q.unsorted = unsorted[:0]
}

// sortList merge-sorts the list starting at node h by Before and returns its
// new first and last node.
func (q *Calendar) sortList(h int32) (head, tail int32) {
	nodes := q.nodes
	// Bottom-up merge sort of a singly linked list: merge runs of width
	// 1, 2, 4, ... until one run is left.
	for width := 1; ; width *= 2 {
		var merged, mergedTail int32 = -1, -1
		runs := 0
		for p := h; p >= 0; runs++ {
			a := p
			for i := 1; i < width && p >= 0; i++ {
				p = nodes[p].next
			}
			var b int32 = -1
			if p >= 0 {
				b = nodes[p].next
				nodes[p].next = -1
				p = b
				for i := 1; i < width && p >= 0; i++ {
					p = nodes[p].next
				}
				if p >= 0 {
					next := nodes[p].next
					nodes[p].next = -1
					p = next
				}
			}
			// Merge the runs a and b onto the merged list.
			for a >= 0 || b >= 0 {
				var n int32
				if b < 0 || (a >= 0 && !nodes[b].ev.Before(&nodes[a].ev)) {
					n, a = a, nodes[a].next
				} else {
					n, b = b, nodes[b].next
				}
				if mergedTail < 0 {
					merged = n
				} else {
					nodes[mergedTail].next = n
				}
				mergedTail = n
			}
		}
		nodes[mergedTail].next = -1
		if runs <= 1 {
			return merged, mergedTail
		}
		h = merged
	}
}

// estimateShift returns the day width, as a shift, for the sorted sample
// times t by Brown's rule: three times the average separation, counting only
// the separations no larger than twice the average of them all. It returns
// cur if the sample has no positive separation.
func estimateShift(t []int64, cur uint) uint {
	if len(t) < 2 {
		return cur
	}
	// t is sorted, so the differences are exact as uint64.
	avg := float64(uint64(t[len(t)-1]-t[0])) / float64(len(t)-1)
	if avg == 0 {
		return cur
	}
	sum, n := 0.0, 0
	for i := 1; i < len(t); i++ {
		if g := float64(uint64(t[i] - t[i-1])); g <= 2*avg {
			sum += g
			n++
		}
	}
	// n > 0: not every separation can exceed twice their average.
	w := 3 * sum / float64(n)
	if w <= 1 {
		return 0
	}
	sh := math.Round(math.Log2(w))
	if sh > calMaxShift {
		return calMaxShift
	}
	return uint(sh)
}
