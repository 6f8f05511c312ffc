package sim

import (
	"errors"
	"fmt"
	"testing"
)

// TestFastRadixOrder: fradix pops in (time, key) order, checked against
// the least pending event found by a scan, with pushes at or after the
// last popped time only (as the fast path's), many of them at equal times
// and at the last popped time itself (the run), some pushed between first
// and pop (an arrival handled before the first event), through phases
// whose time scales differ by 10^9.
func TestFastRadixOrder(t *testing.T) {
	r := NewRand(7, "fradix")
	var q fradix
	var ref []fev
	var now int64
	var seq uint64
	runs := 0
	for phase, scale := range []int64{1e9, 1, 1e3, 3600e9, 1, 1e6} {
		for range 30000 {
			if len(ref) < 2000 && (len(ref) == 0 || r.IntN(2) == 0) {
				at := now + int64(r.IntN(4))*scale // ties: whole multiples of scale
				if r.IntN(2) == 0 {
					at = now + int64(r.Float64()*float64(scale)*1000)
				}
				if at == now {
					runs++
				}
				x := fev{at: at, key: seq<<fastRefBits | uint64(r.IntN(fastRefMask))}
				seq++
				q.push(x)
				ref = append(ref, x)
				continue
			}
			m := leastFev(ref)
			got, ok := q.first()
			if !ok || got != ref[m] {
				t.Fatalf("phase %d: first = %+v, %v; want %+v", phase, got, ok, ref[m])
			}
			if r.IntN(4) == 0 {
				// Something decided before the first event: it may take
				// events between now and the first's time, first's
				// time itself included, which come before it.
				x := fev{at: now + (got.at-now)/2, key: seq<<fastRefBits | 1}
				if r.IntN(2) == 0 {
					x.at = got.at
				}
				seq++
				q.push(x)
				ref = append(ref, x)
				continue
			}
			q.pop()
			now = got.at
			ref[m] = ref[len(ref)-1]
			ref = ref[:len(ref)-1]
		}
	}
	if runs < 1000 {
		t.Errorf("%d events pushed at the last popped time, want many", runs)
	}
	if q.size != len(ref) {
		t.Errorf("%d events pending, the queue says %d", len(ref), q.size)
	}
	for len(ref) > 0 {
		m := leastFev(ref)
		if got, ok := q.first(); !ok || got != ref[m] {
			t.Fatalf("draining: first = %+v, %v; want %+v", got, ok, ref[m])
		}
		q.pop()
		ref[m] = ref[len(ref)-1]
		ref = ref[:len(ref)-1]
	}
	if _, ok := q.first(); ok {
		t.Error("an event left after draining")
	}
}

// TestFastPathSameResultLarge: TestFastPathSameResult's random runs with
// the fast path's large-cluster queue (fradix) forced on small clusters
// (fastRadixMinSlots 1), a third of them on single-slot nodes (per-node
// records, and without them), against the general path with its calendar
// (even cases) or its radix heap (odd cases, radixMinSlots 1), byte for
// byte, ties included.
func TestFastPathSameResultLarge(t *testing.T) {
	defer func(f, g int64) { fastRadixMinSlots, radixMinSlots = f, g }(fastRadixMinSlots, radixMinSlots)
	fastRadixMinSlots = 1
	r := NewRand(23, "fast-path-large-test")
	runs := 300
	if testing.Short() {
		runs = 60
	}
	for k := range runs {
		c := randomFastCase(r, k)
		radixMinSlots = 32768
		if k%2 == 1 {
			radixMinSlots = 1
		}
		samePaths(t, c, fmt.Sprintf(" (general path's radix heap %v)", k%2 == 1))
	}
}

// TestFastPathLargeCluster: clusters of 40,000 slots (over the 16-bit
// event references of the first fast path) take the fast path with
// fradix, with per-node records when every node has one slot; 100 take it
// with the calendar (and per-node records). Every task completes.
func TestFastPathLargeCluster(t *testing.T) {
	for _, c := range []struct {
		n, slots     int
		big, perNode bool
	}{{100, 1, false, true}, {40000, 1, true, true}, {20000, 2, true, false}} {
		nodes := make([]NodeSpec, c.n)
		for i := range nodes {
			nodes[i] = NodeSpec{Name: fmt.Sprintf("n%d", i), Slots: c.slots, Speed: 1}
		}
		var ts []Task
		for id := range 3 * c.n {
			ts = append(ts, Task{ID: int64(id), Arrival: Time(id) * Millisecond / 100, Work: Time(id%7) * Second})
		}
		e, err := NewEngine(Config{Nodes: nodes}, &plainTasks{ts: ts}, shortest{})
		if err != nil {
			t.Fatal(err)
		}
		if !e.f.on || (e.f.big != nil) != c.big || e.f.pn != c.perNode {
			t.Fatalf("%d nodes of %d slots: fast path %v, fradix %v, per node %v; want true, %v, %v",
				c.n, c.slots, e.f.on, e.f.big != nil, e.f.pn, c.big, c.perNode)
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		if got := e.Result().Tasks.Completed; got != int64(len(ts)) {
			t.Errorf("%d nodes: %d tasks completed, want %d", c.n, got, len(ts))
		}
	}
}

// TestFastPathSeqLimit: the fast path stops with errFastSeq, not a wrong
// order, when the sequence numbers would overflow their 64-fastRefBits
// bits (2^40: over 10^12 events).
func TestFastPathSeqLimit(t *testing.T) {
	ts := []Task{{ID: 0, Work: Second}, {ID: 1, Arrival: Second, Work: Second}, {ID: 2, Arrival: 2 * Second, Work: Second}}
	e, err := NewEngine(Config{Nodes: []NodeSpec{{Name: "a", Slots: 1, Speed: 1}}}, &plainTasks{ts: ts}, shortest{})
	if err != nil {
		t.Fatal(err)
	}
	if !e.f.on {
		t.Fatal("fast path not taken")
	}
	e.seq = fastMaxSeq - 1
	if err := e.Run(); !errors.Is(err, errFastSeq) {
		t.Errorf("Run = %v, want %v", err, errFastSeq)
	}
}

// TestFastRadixAllocatesNothingPerRequest: on the fast path with fradix
// (forced on 300 single-slot nodes and on 150 of two slots), a run of
// 40,000 requests allocates at most 20 more times than one of 20,000:
// fradix's chunks come back to its free list and its run reaches its peak
// early (testing.AllocsPerRun).
func TestFastRadixAllocatesNothingPerRequest(t *testing.T) {
	defer func(v int64) { fastRadixMinSlots = v }(fastRadixMinSlots)
	fastRadixMinSlots = 1
	for _, slots := range []int{1, 2} {
		nodes := make([]NodeSpec, 300/slots)
		for i := range nodes {
			nodes[i] = NodeSpec{Name: fmt.Sprintf("n%d", i), Slots: slots, Speed: 1}
		}
		ts := make([]Task, 40000)
		r := NewRand(3, "allocs")
		var at Time
		for id := range ts {
			at += Time(r.ExpFloat64() * float64(Second) / 270) // 90 % load
			ts[id] = Task{ID: int64(id), Arrival: at, Work: Time(r.ExpFloat64() * float64(Second))}
		}
		run := func(n int) float64 {
			return testing.AllocsPerRun(2, func() {
				e, err := NewEngine(Config{Nodes: nodes, StopTasks: int64(n)}, &plainTasks{ts: ts[:n]}, shortest{})
				if err != nil {
					t.Fatal(err)
				}
				if e.f.big == nil {
					t.Fatal("fradix not taken")
				}
				if err := e.Run(); err != nil {
					t.Fatal(err)
				}
			})
		}
		short, long := run(20000), run(40000)
		if long-short > 20 {
			t.Errorf("%d-slot nodes: %.0f allocations for 20,000 requests, %.0f for 40,000; want no more per request", slots, short, long)
		}
	}
}
