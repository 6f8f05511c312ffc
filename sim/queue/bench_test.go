package queue

import (
	"fmt"
	mrand "math/rand/v2"
	"syscall"
	"testing"
)

// The HOLD model (J. G. Vaucher and P. Duval, "A comparison of simulation
// event list algorithms", CACM 18(4), 1975; D. W. Jones, "An empirical
// comparison of priority-queue and event-set implementations", CACM 29(4),
// 1986): the queue holds n events; each step pops the minimum and pushes a
// new event at the popped time plus a random increment, so the size stays n.
// Increments are drawn ahead of time into a cycled slice so that the RNG is
// not measured.

const incCount = 1 << 16 // pre-drawn increments, cycled

// makeIncrements draws count increments from dist:
//
//	exp:     exponential, mean 1 s
//	bimodal: exponential with mean 1 µs with probability 0.9, else with
//	         mean 10 s (overall mean about 1 s): chains of events ns to µs
//	         apart at the front of a queue whose other events are far apart,
//	         meant to mislead width estimates taken at the front (in the
//	         steady state it does not; see BENCHMARKS.md)
func makeIncrements(dist string, count int, seed uint64) []int64 {
	return draw(dist, count, seed, false)
}

// makeStart draws count initial event times for dist from the stationary
// distribution of the HOLD model: the residual-life distribution of the
// increments, density proportional to P(increment > x). For exp that is the
// same exponential; for bimodal it is the same mixture with the weights
// taken proportional to probability times mean, so that the queue starts in
// its steady state instead of a transient that lasts tens of n steps.
func makeStart(dist string, count int, seed uint64) []int64 {
	return draw(dist, count, seed, true)
}

func draw(dist string, count int, seed uint64, residual bool) []int64 {
	r := mrand.New(mrand.NewPCG(seed, 0x5eed))
	out := make([]int64, count)
	// P(tiny) for bimodal: 0.9, or 0.9*1e3/(0.9*1e3+0.1*1e10) for residuals.
	pTiny := 0.9
	if residual {
		pTiny = 0.9 * 1e3 / (0.9*1e3 + 0.1*1e10)
	}
	for i := range out {
		var mean float64
		switch dist {
		case "exp":
			mean = 1e9
		case "bimodal":
			mean = 1e10
			if r.Float64() < pTiny {
				mean = 1e3
			}
		default:
			panic("unknown distribution " + dist)
		}
		out[i] = int64(r.ExpFloat64() * mean)
	}
	return out
}

// hold runs the HOLD model through the eventQueue interface; the tests use
// it. The benchmarks use the concrete types so that calls can be inlined.
type hold struct {
	q   eventQueue
	inc []int64
	i   int
	seq uint64
}

// newHold fills q with n events whose times are drawn by makeStart(dist);
// inc must come from makeIncrements(dist).
func newHold(q eventQueue, n int, dist string, inc []int64) *hold {
	h := &hold{q: q, inc: inc}
	for _, at := range makeStart(dist, n, uint64(n)) {
		h.seq++
		q.Push(Event{At: at, Seq: h.seq})
	}
	return h
}

func (h *hold) step() {
	e := h.q.Pop()
	e.At += h.inc[h.i&(len(h.inc)-1)]
	h.i++
	h.seq++
	e.Seq = h.seq
	h.q.Push(e)
}

func holdBinary(q *BinaryHeap, inc []int64, seq uint64, iters int) {
	mask := len(inc) - 1
	for i := range iters {
		e := q.Pop()
		e.At += inc[i&mask]
		seq++
		e.Seq = seq
		q.Push(e)
	}
}

func holdQuad(q *QuadHeap, inc []int64, seq uint64, iters int) {
	mask := len(inc) - 1
	for i := range iters {
		e := q.Pop()
		e.At += inc[i&mask]
		seq++
		e.Seq = seq
		q.Push(e)
	}
}

func holdCalendar(q *Calendar, inc []int64, seq uint64, iters int) {
	mask := len(inc) - 1
	for i := range iters {
		e := q.Pop()
		e.At += inc[i&mask]
		seq++
		e.Seq = seq
		q.Push(e)
	}
}

func holdRadix(q *RadixHeap, inc []int64, seq uint64, iters int) {
	mask := len(inc) - 1
	for i := range iters {
		e := q.Pop()
		e.At += inc[i&mask]
		seq++
		e.Seq = seq
		q.Push(e)
	}
}

var benchSizes = []int{1e2, 1e3, 1e4, 1e5, 1e6, 1e7}

func benchHold(b *testing.B, dist string) {
	inc := makeIncrements(dist, incCount, 1)
	for _, impl := range []string{"binary", "quad", "calendar", "radix"} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("impl=%s/n=%d", impl, n), func(b *testing.B) {
				var q eventQueue
				switch impl {
				case "binary":
					q = new(BinaryHeap)
				case "quad":
					q = new(QuadHeap)
				case "calendar":
					q = new(Calendar)
				case "radix":
					q = new(RadixHeap)
				}
				h := newHold(q, n, dist, inc)
				// Run past the start-up transient: every initial event
				// replaced about once.
				for range n {
					h.step()
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuNanos()
				switch q := q.(type) {
				case *BinaryHeap:
					holdBinary(q, inc, h.seq, b.N)
				case *QuadHeap:
					holdQuad(q, inc, h.seq, b.N)
				case *Calendar:
					holdCalendar(q, inc, h.seq, b.N)
				case *RadixHeap:
					holdRadix(q, inc, h.seq, b.N)
				}
				b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuNanos is the process's user plus system CPU time so far: on a shared
// machine a steadier measure than wall time, which grows while the
// benchmark waits for a core.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkHold is the HOLD model with exponential increments, mean 1 s.
func BenchmarkHold(b *testing.B) { benchHold(b, "exp") }

// BenchmarkHoldBimodal is the HOLD model with 90% increments of about 1 µs
// and 10% of about 10 s.
func BenchmarkHoldBimodal(b *testing.B) { benchHold(b, "bimodal") }
