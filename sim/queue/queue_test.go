package queue

import (
	"fmt"
	"math"
	"math/rand"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
)

// eventQueue is the API every implementation shares. The engine uses the
// concrete types; the interface exists only so one suite covers them all.
type eventQueue interface {
	Len() int
	Reset()
	Peek() Event
	Push(Event)
	Pop() Event
}

var impls = []struct {
	name string
	new  func() eventQueue
	// monotone: events must not be pushed earlier than the last popped
	// (RadixHeap), so the scenarios that do are skipped.
	monotone bool
}{
	{"binary", func() eventQueue { return new(BinaryHeap) }, false},
	{"quad", func() eventQueue { return new(QuadHeap) }, false},
	{"calendar", func() eventQueue { return new(Calendar) }, false},
	{"radix", func() eventQueue { return new(RadixHeap) }, true},
}

// refQueue is the dumb reference: a slice kept sorted by Before with linear
// insertion.
type refQueue struct{ ev []Event }

func (r *refQueue) Len() int    { return len(r.ev) }
func (r *refQueue) Reset()      { r.ev = r.ev[:0] }
func (r *refQueue) Peek() Event { return r.ev[0] }
func (r *refQueue) Push(e Event) {
	i := 0
	for i < len(r.ev) && !e.Before(&r.ev[i]) {
		i++
	}
	r.ev = slices.Insert(r.ev, i, e)
}
func (r *refQueue) Pop() Event {
	e := r.ev[0]
	r.ev = slices.Delete(r.ev, 0, 1)
	return e
}

const (
	second = int64(1e9)
	hour   = 3600 * second
)

// scenario draws the At of the next push, given the At of the last pop.
type scenario struct {
	name string
	at   func(r *mrand.Rand, now int64) int64
}

var scenarios = []scenario{
	{"all-equal", func(r *mrand.Rand, now int64) int64 { return 42 }},
	{"ties", func(r *mrand.Rand, now int64) int64 { return now + r.Int64N(3) }},
	{"ns", func(r *mrand.Rand, now int64) int64 { return now + r.Int64N(10) }},
	{"hours", func(r *mrand.Rand, now int64) int64 { return now + r.Int64N(10*hour) }},
	{"ns-and-hours", func(r *mrand.Rand, now int64) int64 {
		if r.IntN(2) == 0 {
			return now + r.Int64N(5)
		}
		return now + r.Int64N(10*hour)
	}},
	{"exponential", func(r *mrand.Rand, now int64) int64 { return now + int64(r.ExpFloat64()*1e9) }},
	{"earlier-than-popped", func(r *mrand.Rand, now int64) int64 {
		if r.IntN(4) == 0 {
			return now - r.Int64N(3*second) // in the past, possibly negative
		}
		return now + r.Int64N(second)
	}},
	{"extremes", func(r *mrand.Rand, now int64) int64 {
		switch r.IntN(8) {
		case 0:
			return math.MaxInt64
		case 1:
			return math.MinInt64
		case 2:
			return math.MaxInt64 - r.Int64N(1000)
		case 3:
			return math.MinInt64 + r.Int64N(1000)
		}
		return r.Int64N(hour) - hour/2
	}},
}

// nonMonotone names the scenarios that push events earlier than the last
// popped.
var nonMonotone = map[string]bool{"earlier-than-popped": true, "extremes": true}

// drift changes time scale every 5000 pushes: ns, hours, ms, all-equal, ...
func driftAt(r *mrand.Rand, now int64, pushes int) int64 {
	switch pushes / 5000 % 4 {
	case 0:
		return now + r.Int64N(8)
	case 1:
		return now + r.Int64N(hour)
	case 2:
		return now + r.Int64N(1e6)
	}
	return now
}

func randomEvent(r *mrand.Rand, at int64, seq uint64) Event {
	return Event{At: at, Seq: seq, Kind: r.Uint32(), Node: r.Int32(), Ref: r.Int64()}
}

// checkSame fails unless q and ref agree on Len and, if not empty, on Peek.
func checkSame(t *testing.T, step int, q, ref eventQueue) {
	t.Helper()
	if q.Len() != ref.Len() {
		t.Fatalf("step %d: Len = %d, want %d", step, q.Len(), ref.Len())
	}
	if ref.Len() > 0 {
		if got, want := q.Peek(), ref.Peek(); got != want {
			t.Fatalf("step %d: Peek = %+v, want %+v", step, got, want)
		}
	}
}

// TestConformance runs random interleavings of Push, Pop, Peek and Reset on
// every implementation and compares each result with the reference.
func TestConformance(t *testing.T) {
	all := append([]scenario(nil), scenarios...)
	pushes := 0
	all = append(all, scenario{"drift", func(r *mrand.Rand, now int64) int64 { pushes++; return driftAt(r, now, pushes) }})
	for _, im := range impls {
		for _, sc := range all {
			if im.monotone && nonMonotone[sc.name] {
				continue
			}
			t.Run("impl="+im.name+"/"+sc.name, func(t *testing.T) {
				pushes = 0
				r := mrand.New(mrand.NewPCG(1, uint64(len(sc.name))))
				q, ref := im.new(), new(refQueue)
				checkSame(t, -1, q, ref)
				var now int64
				var seq uint64
				const steps = 30000
				for step := range steps {
					// Phases of 5000 steps: grow by ~1000, shrink to
					// empty, grow again, ...; a Reset every ~10000 steps.
					pPush := 6000
					if step/5000%2 == 1 {
						pPush = 3500
					}
					switch x := r.IntN(10000); {
					case x == 0:
						q.Reset()
						ref.Reset()
					case x < pPush || ref.Len() == 0:
						seq++
						e := randomEvent(r, sc.at(r, now), seq)
						q.Push(e)
						ref.Push(e)
					default:
						peek := q.Peek()
						got, want := q.Pop(), ref.Pop()
						if got != want || peek != got {
							t.Fatalf("step %d: Peek = %+v, Pop = %+v, want %+v", step, peek, got, want)
						}
						now = got.At
					}
					checkSame(t, step, q, ref)
				}
				for ref.Len() > 0 {
					if got, want := q.Pop(), ref.Pop(); got != want {
						t.Fatalf("drain: Pop = %+v, want %+v", got, want)
					}
				}
				checkSame(t, steps, q, ref)
			})
		}
	}
}

// script is a random sequence of queue operations for testing/quick.
type script []op

type op struct {
	Pop bool
	At  int64
	Seq uint64
}

// GoString keeps testing/quick's failure message short.
func (s script) GoString() string { return fmt.Sprintf("script of %d operations", len(s)) }

// Generate makes scripts with up to about a thousand operations, times on
// several scales and many ties, and unique Seqs in random order.
func (script) Generate(r *rand.Rand, size int) reflect.Value {
	n := r.Intn(1000)
	seqs := r.Perm(n)
	s := make(script, n)
	for i := range s {
		s[i].Seq = uint64(seqs[i])
		s[i].Pop = r.Intn(3) == 0
		switch r.Intn(4) {
		case 0:
			s[i].At = int64(r.Intn(4))
		case 1:
			s[i].At = r.Int63n(1000)
		case 2:
			s[i].At = r.Int63n(hour) - hour/2
		default:
			s[i].At = r.Int63()
		}
	}
	return reflect.ValueOf(s)
}

// TestQuick checks, as etcd raft's quorum/quick_test.go does, that the fast
// code pops what the dumb code pops.
func TestQuick(t *testing.T) {
	for _, im := range impls {
		t.Run("impl="+im.name, func(t *testing.T) {
			if im.monotone {
				t.Skip("pushes earlier than the last popped, which a monotone queue refuses")
			}
			prop := func(s script) bool {
				q, ref := im.new(), new(refQueue)
				for _, o := range s {
					if o.Pop && ref.Len() > 0 {
						if q.Pop() != ref.Pop() {
							return false
						}
					} else {
						e := Event{At: o.At, Seq: o.Seq}
						q.Push(e)
						ref.Push(e)
					}
					if q.Len() != ref.Len() || (ref.Len() > 0 && q.Peek() != ref.Peek()) {
						return false
					}
				}
				for ref.Len() > 0 {
					if q.Pop() != ref.Pop() {
						return false
					}
				}
				return q.Len() == 0
			}
			cfg := &quick.Config{MaxCount: 200, Rand: rand.New(rand.NewSource(7))}
			if err := quick.Check(prop, cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, im := range impls {
		t.Run("impl="+im.name, func(t *testing.T) {
			q := im.new()
			if q.Len() != 0 {
				t.Fatalf("new queue: Len = %d", q.Len())
			}
			q.Reset()
			if q.Len() != 0 {
				t.Fatalf("after Reset: Len = %d", q.Len())
			}
			q.Push(Event{At: 5, Seq: 1})
			if q.Len() != 1 {
				t.Fatalf("after Push: Len = %d", q.Len())
			}
			if e := q.Pop(); e.At != 5 || q.Len() != 0 {
				t.Fatalf("Pop = %+v, Len = %d", e, q.Len())
			}
			mustPanic(t, "Peek", func() { q.Peek() })
			mustPanic(t, "Pop", func() { q.Pop() })
		})
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s on an empty queue did not panic", what)
		}
	}()
	f()
}

func TestReset(t *testing.T) {
	for _, im := range impls {
		t.Run("impl="+im.name, func(t *testing.T) {
			q := im.new()
			for i := range 1000 {
				q.Push(Event{At: int64(i * 7919 % 1000), Seq: uint64(i)})
			}
			q.Reset()
			if q.Len() != 0 {
				t.Fatalf("after Reset: Len = %d", q.Len())
			}
			// Reuse after Reset, with times far from the old ones.
			for i := range 100 {
				q.Push(Event{At: 5*hour - int64(i), Seq: uint64(i)})
			}
			for i := range 100 {
				if e := q.Pop(); e.Seq != uint64(99-i) {
					t.Fatalf("pop %d after Reset: %+v", i, e)
				}
			}
		})
	}
}

// TestEarlierThanPopped pushes events before the time of the last Pop.
func TestEarlierThanPopped(t *testing.T) {
	for _, im := range impls {
		t.Run("impl="+im.name, func(t *testing.T) {
			if im.monotone {
				t.Skip("pushes earlier than the last popped, which a monotone queue refuses")
			}
			q, ref := im.new(), new(refQueue)
			var seq uint64
			push := func(at int64) {
				seq++
				q.Push(Event{At: at, Seq: seq})
				ref.Push(Event{At: at, Seq: seq})
			}
			for i := range 500 {
				push(hour + int64(i)*second)
			}
			for range 250 {
				if q.Pop() != ref.Pop() {
					t.Fatal("mismatch before going back in time")
				}
			}
			for _, at := range []int64{0, hour, hour + 100*second, -hour, math.MinInt64, 5, hour + 100*second} {
				push(at)
			}
			for ref.Len() > 0 {
				if got, want := q.Pop(), ref.Pop(); got != want {
					t.Fatalf("Pop = %+v, want %+v", got, want)
				}
			}
		})
	}
}

// TestLarge pushes and pops 1e5 events in several patterns and checks that
// all implementations pop the same sequence, which is sorted by Before.
func TestLarge(t *testing.T) {
	const n = 100000
	r := mrand.New(mrand.NewPCG(3, 4))
	var evs []Event
	for i := range n {
		var at int64
		switch i % 3 {
		case 0:
			at = int64(r.ExpFloat64() * 1e9)
		case 1:
			at = r.Int64N(100) // many ties
		default:
			at = r.Int64N(48 * hour)
		}
		evs = append(evs, Event{At: at, Seq: uint64(i)})
	}
	sorted := slices.Clone(evs)
	slices.SortFunc(sorted, func(a, b Event) int {
		if a.Before(&b) {
			return -1
		}
		return 1
	})
	for _, im := range impls {
		t.Run("impl="+im.name, func(t *testing.T) {
			q := im.new()
			for _, e := range evs {
				q.Push(e)
			}
			if q.Len() != n {
				t.Fatalf("Len = %d", q.Len())
			}
			if c, ok := q.(*Calendar); ok && len(c.buckets) < n/2 {
				t.Errorf("calendar did not grow: %d buckets for %d events", len(c.buckets), n)
			}
			for i, want := range sorted {
				if got := q.Pop(); got != want {
					t.Fatalf("pop %d = %+v, want %+v", i, got, want)
				}
			}
			if c, ok := q.(*Calendar); ok && len(c.buckets) > 16 {
				t.Errorf("calendar did not shrink: %d buckets when empty", len(c.buckets))
			}
		})
	}

	// Hold with 1e5 pending events and changing tempo: the implementations
	// must agree event for event.
	t.Run("hold", func(t *testing.T) {
		qs := make([]eventQueue, len(impls))
		for i, im := range impls {
			qs[i] = im.new()
		}
		r := mrand.New(mrand.NewPCG(5, 6))
		seq := uint64(0)
		for range n {
			seq++
			e := Event{At: int64(r.ExpFloat64() * 1e9), Seq: seq}
			for _, q := range qs {
				q.Push(e)
			}
		}
		for step := range 3 * n {
			var first Event
			for i, q := range qs {
				e := q.Pop()
				if i == 0 {
					first = e
				} else if e != first {
					t.Fatalf("step %d: %s popped %+v, %s popped %+v", step, impls[0].name, first, impls[i].name, e)
				}
			}
			mean := 1e9
			if step/n == 1 {
				mean = 1e3 // tempo change: the calendar must re-estimate its width
			}
			seq++
			e := Event{At: first.At + int64(r.ExpFloat64()*mean), Seq: seq}
			if step%7 == 0 {
				e.At = first.At // a tie with the event just popped
			}
			for _, q := range qs {
				q.Push(e)
			}
		}
	})
}

// TestCalendarResize checks that the bucket count follows the size up and
// down and that the width follows the event spacing.
func TestCalendarResize(t *testing.T) {
	var q Calendar
	for i := range 10000 {
		q.Push(Event{At: int64(i) * 1000, Seq: uint64(i)})
	}
	if nb := len(q.buckets); nb < 2500 || nb > 10000 {
		t.Errorf("%d buckets for 10000 events", nb)
	}
	// Spacing 1000 ns: Brown's width is 3000 ns, 2^12 = 4096 is nearest.
	if q.shift != 12 {
		t.Errorf("shift = %d, want 12", q.shift)
	}
	for range 9990 {
		q.Pop()
	}
	if nb := len(q.buckets); nb > 64 {
		t.Errorf("%d buckets for 10 events", nb)
	}
}

// TestNoAllocs checks that a hold loop allocates nothing once warmed up.
// AllocsPerRun rounds the average down, so the second check counts every
// allocation of 100000 steps exactly.
func TestNoAllocs(t *testing.T) {
	for _, im := range impls {
		for _, dist := range []string{"exp", "bimodal"} {
			t.Run(fmt.Sprintf("impl=%s/%s", im.name, dist), func(t *testing.T) {
				inc := makeIncrements(dist, 1<<12, 2)
				q := im.new()
				h := newHold(q, 1000, dist, inc)
				for range 100000 {
					h.step()
				}
				if a := testing.AllocsPerRun(1000, h.step); a != 0 {
					t.Errorf("%v allocations per hold step", a)
				}
				long := func() {
					for range 100000 {
						h.step()
					}
				}
				// The counter is process-wide, so a runtime or testing
				// goroutine allocating meanwhile (seen once under the load
				// of go test ./...) would count too: take the fewest of
				// three runs. An allocation of the queue's own recurs in
				// every run and still fails.
				fewest := math.Inf(1)
				for range 3 {
					fewest = min(fewest, testing.AllocsPerRun(1, long))
				}
				if fewest != 0 {
					t.Errorf("%v allocations in 100000 hold steps (fewest of 3 runs)", fewest)
				}
			})
		}
	}
}

// TestCalendarRetune checks that a calendar of constant size re-estimates its
// width when the spacing of its events changes, which Brown's resizing alone
// never does.
func TestCalendarRetune(t *testing.T) {
	var q Calendar
	var seq uint64
	for i := range 4000 {
		seq++
		q.Push(Event{At: int64(i) * 1000, Seq: seq}) // 1 µs apart
	}
	before := q.shift
	// Hold, replacing the events by ones 1 s apart.
	for i := range 8000 {
		q.Pop()
		seq++
		q.Push(Event{At: hour + int64(i)*second, Seq: seq})
	}
	if q.shift < before+15 {
		t.Errorf("shift went from %d to %d; want the width about 1e6 times larger", before, q.shift)
	}
}

// TestBefore01 checks the branch-free comparison against Before.
func TestBefore01(t *testing.T) {
	vals := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}
	seqs := []uint64{0, 1, 1 << 63, math.MaxUint64}
	var evs []Event
	for _, at := range vals {
		for _, s := range seqs {
			evs = append(evs, Event{At: at, Seq: s})
		}
	}
	r := mrand.New(mrand.NewPCG(8, 9))
	for range 1000 {
		evs = append(evs, Event{At: int64(r.Uint64()), Seq: r.Uint64() % 4})
	}
	for i := range evs {
		for j := range evs {
			a, b := &evs[i], &evs[j]
			if got, want := before01(a, b) == 1, a.Before(b); got != want {
				t.Fatalf("before01(%+v, %+v) = %v, want %v", *a, *b, got, want)
			}
		}
	}
}

// TestCalendarCrowded puts a few events hours apart at the front and a dense
// cluster behind them. Brown's sample sees only the front and picks a width
// of hours, which would put the whole cluster into one bucket and make every
// Push walk it; the crowded-bucket sample must narrow the width.
func TestCalendarCrowded(t *testing.T) {
	var q Calendar
	ref := new(BinaryHeap)
	r := mrand.New(mrand.NewPCG(1, 2))
	seq := uint64(0)
	push := func(at int64) {
		seq++
		q.Push(Event{At: at, Seq: seq})
		ref.Push(Event{At: at, Seq: seq})
	}
	for i := range 30 {
		push(int64(i) * hour)
	}
	for range 40000 {
		push(40*hour + r.Int64N(1e6)) // 25 ns apart on average, in random order
	}
	if q.shift > 20 {
		t.Errorf("day width 2^%d ns for a cluster with 25 ns spacing", q.shift)
	}
	for ref.Len() > 0 {
		if got, want := q.Pop(), ref.Pop(); got != want {
			t.Fatalf("Pop = %+v, want %+v", got, want)
		}
	}
}

// TestCalendarPopBefore: PopBefore(at, seq) of the calendar queue and of
// the radix heap pops exactly when the queue's
// first event fires before (at, seq) by Before, and then pops that event,
// against the sorted-slice reference. As in the engine, which keeps its
// next arrival outside the queue: the probe event has its own sequence
// number, taken when it is scheduled, and is replaced by a new one when it
// comes first (PopBefore declines); times are drawn from a few values so
// that ties on At are common and Seq decides.
func TestCalendarPopBefore(t *testing.T) {
	type popBeforeQueue interface {
		eventQueue
		PopBefore(at int64, seq uint64) (Event, bool)
	}
	for _, q := range []popBeforeQueue{new(Calendar), new(RadixHeap)} {
		testPopBefore(t, q)
	}
}

func testPopBefore(t *testing.T, q interface {
	eventQueue
	PopBefore(at int64, seq uint64) (Event, bool)
}) {
	r := mrand.New(mrand.NewPCG(7, 7))
	ref := new(refQueue)
	var seq uint64
	now := int64(0)
	newProbe := func() Event {
		seq++
		return Event{At: now + int64(r.IntN(4))*second, Seq: seq}
	}
	probe := newProbe()
	hits, misses := 0, 0
	for step := range 200_000 {
		switch op := r.IntN(3); {
		case op == 0 || ref.Len() == 0:
			seq++
			e := Event{At: now + int64(r.IntN(4))*second, Seq: seq, Ref: int64(step)}
			q.Push(e)
			ref.Push(e)
		case op == 1 && probe.At > ref.Peek().At:
			got, want := q.Pop(), ref.Pop()
			if got != want {
				t.Fatalf("step %d: Pop = %+v, want %+v", step, got, want)
			}
			now = got.At
		default:
			first := ref.Peek()
			got, ok := q.PopBefore(probe.At, probe.Seq)
			if want := first.Before(&probe); ok != want {
				t.Fatalf("step %d: PopBefore(%d, %d) = %v with %+v first, want %v", step, probe.At, probe.Seq, ok, first, want)
			}
			if ok {
				if want := ref.Pop(); got != want {
					t.Fatalf("step %d: PopBefore popped %+v, want %+v", step, got, want)
				}
				now = got.At
				hits++
			} else {
				now = probe.At
				probe = newProbe()
				misses++
			}
		}
		if q.Len() != ref.Len() {
			t.Fatalf("step %d: Len %d, want %d", step, q.Len(), ref.Len())
		}
	}
	if hits < 1000 || misses < 1000 {
		t.Errorf("PopBefore popped %d times and declined %d: the probes test too little of one case", hits, misses)
	}
}

// TestRadixChunks checks the radix heap's memory bound: its chunks are
// shared by all buckets, so in a hold model of n events it never holds
// more than one partly filled chunk per bucket beyond the n/radixChunk
// the events fill (the one-level heap's buckets kept their high-water
// capacities, up to several times n); and Reset returns every chunk to
// the free list.
func TestRadixChunks(t *testing.T) {
	for _, dist := range []string{"exp", "bimodal"} {
		const n = 50000
		q := new(RadixHeap)
		inc := makeIncrements(dist, 1<<12, 3)
		h := newHold(q, n, dist, inc)
		bound := n/radixChunk + radixLevels*radixDigits
		for step := range 20 * n {
			h.step()
			if step%1000 == 0 && len(q.chunks) > bound {
				t.Fatalf("%s: step %d: %d chunks for %d events, bound %d", dist, step, len(q.chunks), n, bound)
			}
		}
		used := 0
		for l := range q.b {
			for d := range q.b[l] {
				for c := q.b[l][d].head; c != 0; c = q.next[c-1] {
					used++
				}
			}
		}
		if used < n/radixChunk {
			t.Errorf("%s: %d chunks in buckets for %d events of %d per chunk", dist, used, n, radixChunk)
		}
		q.Reset()
		free := 0
		for c := q.free; c != 0; c = q.next[c-1] {
			free++
		}
		if free != len(q.chunks) || q.Len() != 0 {
			t.Errorf("%s: after Reset %d of %d chunks free, Len %d", dist, free, len(q.chunks), q.Len())
		}
	}
}

// TestRadixAhead: the radix heap's Ahead is called only with pending
// events (pushed and not yet popped), with most of them before they are
// popped, and never leaves more than a chunk's worth (radixChunk) of them
// pending; setting it changes no pop. A hold model of 20,000
// events with exponential increments, against the same heap without
// Ahead.
func TestRadixAhead(t *testing.T) {
	var with, without RadixHeap
	pending := map[uint64]bool{}
	var aheadCalls int
	var waiting []uint64 // given to Ahead, not yet popped
	with.Ahead = func(e *Event) {
		if !pending[e.Seq] {
			t.Fatalf("Ahead called with event %d, which is not pending", e.Seq)
		}
		aheadCalls++
		waiting = append(waiting, e.Seq)
	}
	r := rand.New(rand.NewSource(1))
	var seq uint64
	push := func(at int64) {
		e := Event{At: at, Seq: seq}
		seq++
		pending[e.Seq] = true
		with.Push(e)
		without.Push(e)
	}
	for range 20000 {
		push(int64(r.ExpFloat64() * 1e9))
	}
	for k := 0; k < 200000; k++ {
		a, b := with.Pop(), without.Pop()
		if a != b {
			t.Fatalf("pop %d: %+v with Ahead, %+v without", k, a, b)
		}
		delete(pending, a.Seq)
		if len(waiting) > radixChunk {
			t.Fatalf("pop %d: %d events given to Ahead are still pending, more than a chunk's %d", k, len(waiting), radixChunk)
		}
		waiting = slices.DeleteFunc(waiting, func(s uint64) bool { return s == a.Seq })
		push(a.At + int64(r.ExpFloat64()*1e9))
	}
	if aheadCalls < 100000 {
		t.Errorf("Ahead called %d times in 200,000 pops, want most events", aheadCalls)
	}
}
