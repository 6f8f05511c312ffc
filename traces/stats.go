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

	// TokenTasks counts the LLM requests: tasks with PromptTokens or
	// OutputTokens above 0. PromptTokens and OutputTokens summarize those
	// tasks' token counts (tasks without tokens take no part); all three
	// are zero when no task has tokens.
	TokenTasks                 int64
	PromptTokens, OutputTokens TokenSummary
}

// TokenSummary summarizes a token count over the tasks that have tokens.
// Mean comes from an exact integer sum; P50 and P99 are nearest-rank
// percentiles (the smallest count with at least 50% or 99% of the tasks
// at or below it), exact up to MaxExactTokens and rounded down by less
// than 1/8192 of the value above it; Max is exact.
type TokenSummary struct {
	Mean          float64
	P50, P99, Max int32
}

// MaxExactTokens is the largest token count whose percentiles
// ComputeStats reports exactly; it bounds the memory they take.
const MaxExactTokens = 2*tokenSub - 1

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
	w.m2 += float64(d * (x - w.mean))
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
		prompt   tokenHist
		output   tokenHist
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
		if t.PromptTokens > 0 || t.OutputTokens > 0 {
			s.TokenTasks++
			prompt.add(t.PromptTokens)
			output.add(t.OutputTokens)
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
	s.PromptTokens = prompt.summary()
	s.OutputTokens = output.summary()
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
	total := (float64(float64(sumHi)*(1<<64)) + float64(sumLo)) / float64(sim.Second)
	s.DurationTotal = total
	s.DurationMean = total / float64(s.Count)
	s.DurationCV = durs.cv(s.DurationMean * float64(sim.Second))
	return s, firstErr
}

// tokenSub is the number of buckets per power of two in a tokenHist:
// counts below 2·tokenSub have a bucket each; above, a bucket is 2^k
// counts wide for counts in [tokenSub·2^k, tokenSub·2^(k+1)).
const tokenSub = 1 << 13

// tokenHist counts token counts in log-linear buckets (as an HDR
// histogram does), allocated tokenSub at a time when first used: a few
// tens of KiB for real traces, about 1.2 MiB per histogram at most.
type tokenHist struct {
	chunks       [(31 - 13) + 1][]int64 // chunk i holds buckets [i·tokenSub, (i+1)·tokenSub)
	n            int64
	sumHi, sumLo uint64 // 128-bit sum of the counts
	max          int32
}

// tokenBucket returns the bucket of v ≥ 0.
func tokenBucket(v int32) int {
	if v < 2*tokenSub {
		return int(v)
	}
	k := bits.Len32(uint32(v)) - 14 // v in [tokenSub·2^k, tokenSub·2^(k+1))
	return tokenSub*k + int(v>>k)
}

// tokenLow returns the smallest count of bucket b.
func tokenLow(b int) int32 {
	if b < 2*tokenSub {
		return int32(b)
	}
	k := b/tokenSub - 1
	return int32((b - tokenSub*k) << k)
}

func (h *tokenHist) add(v int32) {
	v = max(v, 0)
	b := tokenBucket(v)
	c := &h.chunks[b/tokenSub]
	if *c == nil {
		*c = make([]int64, tokenSub)
	}
	(*c)[b%tokenSub]++
	h.n++
	var carry uint64
	h.sumLo, carry = bits.Add64(h.sumLo, uint64(v), 0)
	h.sumHi += carry
	h.max = max(h.max, v)
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100): the
// low end of the bucket holding the ⌈p·n/100⌉-th smallest count.
func (h *tokenHist) percentile(p int64) int32 {
	rank := h.n/100*p + (h.n%100*p+99)/100 // ⌈p·n/100⌉ without overflow
	var seen int64
	for i, c := range h.chunks {
		for j, k := range c {
			if seen += k; seen >= rank && k > 0 {
				return tokenLow(i*tokenSub + j)
			}
		}
	}
	return h.max
}

func (h *tokenHist) summary() TokenSummary {
	if h.n == 0 {
		return TokenSummary{}
	}
	return TokenSummary{
		Mean: (float64(float64(h.sumHi)*(1<<64)) + float64(h.sumLo)) / float64(h.n),
		P50:  h.percentile(50),
		P99:  h.percentile(99),
		Max:  h.max,
	}
}
