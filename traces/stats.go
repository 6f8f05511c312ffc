package traces

import (
	"io"
	"math"
	"math/bits"

	"github.com/fleetsim/fleetsim/sim"
)

// Stats summarizes a workload, as `fleetsim trace stats` prints it. Times
// are in seconds.
type Stats struct {
	Count       int64    // tasks read
	First, Last sim.Time // arrival of the first and the last task

	// Rate is arrivals per second over the span: (Count−1)/(Last−First),
	// the reciprocal of InterarrivalMean; 0 with fewer than two tasks or
	// no span.
	Rate float64
	// InterarrivalMean is (Last−First)/(Count−1), exact; InterarrivalCV is
	// the gaps' standard deviation over their mean (population form).
	InterarrivalMean, InterarrivalCV float64

	// DurationMean is the mean work at speed 1, from an exact integer sum;
	// DurationCV its coefficient of variation (population form).
	DurationMean, DurationCV float64
	DurationTotal            float64 // total work, seconds

	// Totals of the resource requests, saturating at math.MaxInt64.
	CPUTotal      int64 // milli-cores
	MemoryTotal   int64 // bytes
	GPUsTotal     int64 // whole GPUs
	GPUMilliTotal int64 // thousandths of a GPU
}

// welford accumulates a variance by Welford's update, which stays accurate
// where the sum of squares would cancel.
type welford struct {
	n        float64
	mean, m2 float64
}

func (w *welford) add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / w.n
	w.m2 += d * (x - w.mean)
}

// cv returns the population standard deviation over the given mean.
func (w *welford) cv(mean float64) float64 {
	if w.n == 0 || mean == 0 {
		return 0
	}
	return math.Sqrt(w.m2/w.n) / mean
}

func addSat(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// ComputeStats reads src to the end, or to limit tasks when limit > 0 (a
// Generator never ends), and summarizes it. On an error it returns the
// statistics of the tasks read before it, with the error.
func ComputeStats(src sim.Source, limit int64) (Stats, error) {
	var (
		s        Stats
		t        sim.Task
		gaps     welford
		durs     welford
		sumHi    uint64 // 128-bit sum of the work, in ns
		sumLo    uint64
		prev     sim.Time
		firstErr error
	)
	for limit <= 0 || s.Count < limit {
		if err := src.Next(&t); err != nil {
			if err != io.EOF {
				firstErr = err
			}
			break
		}
		if s.Count == 0 {
			s.First = t.Arrival
		} else {
			gaps.add(float64(t.Arrival - prev))
		}
		prev = t.Arrival
		s.Count++
		durs.add(float64(t.Work))
		var carry uint64
		sumLo, carry = bits.Add64(sumLo, uint64(t.Work), 0)
		sumHi += carry
		s.CPUTotal = addSat(s.CPUTotal, t.CPU)
		s.MemoryTotal = addSat(s.MemoryTotal, t.Memory)
		s.GPUsTotal = addSat(s.GPUsTotal, int64(t.GPUs))
		s.GPUMilliTotal = addSat(s.GPUMilliTotal, int64(t.GPUMilli))
	}
	if s.Count == 0 {
		return s, firstErr
	}
	s.Last = prev
	if s.Count > 1 {
		span := float64(s.Last - s.First)
		s.InterarrivalMean = span / float64(s.Count-1) / float64(sim.Second)
		if span > 0 {
			s.Rate = float64(s.Count-1) / (span / float64(sim.Second))
		}
		s.InterarrivalCV = gaps.cv(s.InterarrivalMean * float64(sim.Second))
	}
	total := (float64(sumHi)*(1<<64) + float64(sumLo)) / float64(sim.Second)
	s.DurationTotal = total
	s.DurationMean = total / float64(s.Count)
	s.DurationCV = durs.cv(s.DurationMean * float64(sim.Second))
	return s, firstErr
}
