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

	// GPU requests by form (sim.Task.GPUDemand): GPUTasks ask for any GPU,
	// WholeGPUTasks for whole GPUs, ShareTasks for a share of one GPU
	// (GPUTasks = WholeGPUTasks + ShareTasks). GPURequestMilli is the
	// total GPU request in thousandths of a GPU: k whole GPUs count
	// 1000·k, a share its thousandths (saturating at math.MaxInt64).
	GPUTasks, WholeGPUTasks, ShareTasks int64
	GPURequestMilli                     int64

	// Shapes is the number of distinct task shapes (sim.ShapeOf: CPU,
	// GPU demand, allowed GPU models), counted up to MaxStatsShapes;
	// ShapesCapped reports that the count stopped there.
	Shapes       int64
	ShapesCapped bool

	// OutOfOrder counts tasks that arrive before the task read just before
	// them (an openb pod list need not be sorted). When it is not 0 the
	// rate and interarrival figures, which assume order, mean little.
	OutOfOrder int64
}

// MaxStatsShapes bounds the distinct shapes ComputeStats tells apart, so
// that its memory stays bounded on any trace.
const MaxStatsShapes = 1 << 16

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

// mulSat is a·b for non-negative a and b, saturating at math.MaxInt64.
func mulSat(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
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
		shapes   = map[sim.TaskShape]struct{}{}
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
			if t.Arrival < prev {
				s.OutOfOrder++
			}
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
		if k, milli := t.GPUDemand(); k > 0 {
			s.GPUTasks++
			if milli < sim.GPUMilliPerGPU {
				s.ShareTasks++
			} else {
				s.WholeGPUTasks++
			}
			s.GPURequestMilli = addSat(s.GPURequestMilli, mulSat(int64(k), int64(milli)))
		}
		if !s.ShapesCapped {
			sh := sim.ShapeOf(&t)
			if _, seen := shapes[sh]; !seen {
				if len(shapes) == MaxStatsShapes {
					s.ShapesCapped = true
				} else {
					shapes[sh] = struct{}{}
				}
			}
		}
	}
	s.Shapes = int64(len(shapes))
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
