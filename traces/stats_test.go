package traces

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// TestStatsByHand checks ComputeStats on a trace small enough to work out:
// arrivals 0, 1, 3 s (gaps 1 and 2: mean 1.5, population sd 0.5, CV 1/3),
// durations 1, 2, 6 s (mean 3, population variance (4+1+9)/3 = 14/3).
func TestStatsByHand(t *testing.T) {
	in := "arrival,duration,cpu,memory,gpus,gpu_milli\n0,1,1,1Ki,1,0\n1,2,0.5,1Ki,0,250\n3,6,,,2,500\n"
	r, err := NewCSVReader(strings.NewReader(in), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Count: 3, First: 0, Last: 3 * sim.Second,
		Rate: 2.0 / 3, InterarrivalMean: 1.5, InterarrivalCV: 1.0 / 3,
		DurationMean: 3, DurationCV: math.Sqrt(14.0/3) / 3, DurationTotal: 9,
		CPUTotal: 1500, MemoryTotal: 2048, GPUsTotal: 3, GPUMilliTotal: 750,
		// (gpus 2, gpu_milli 500) is two whole GPUs (sim.Task.GPUDemand).
		GPUTasks: 3, WholeGPUTasks: 2, ShareTasks: 1, GPURequestMilli: 1000 + 250 + 2000,
		Shapes: 3,
	}
	if !statsClose(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func statsClose(a, b Stats) bool {
	close := func(x, y float64) bool { return math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(y)) }
	return a.Count == b.Count && a.First == b.First && a.Last == b.Last &&
		close(a.Rate, b.Rate) && close(a.InterarrivalMean, b.InterarrivalMean) && close(a.InterarrivalCV, b.InterarrivalCV) &&
		close(a.DurationMean, b.DurationMean) && close(a.DurationCV, b.DurationCV) && close(a.DurationTotal, b.DurationTotal) &&
		a.CPUTotal == b.CPUTotal && a.MemoryTotal == b.MemoryTotal && a.GPUsTotal == b.GPUsTotal && a.GPUMilliTotal == b.GPUMilliTotal &&
		a.GPUTasks == b.GPUTasks && a.WholeGPUTasks == b.WholeGPUTasks && a.ShareTasks == b.ShareTasks &&
		a.GPURequestMilli == b.GPURequestMilli && a.Shapes == b.Shapes && a.ShapesCapped == b.ShapesCapped &&
		a.OutOfOrder == b.OutOfOrder
}

// TestStatsGPUFormsAndShapes counts GPU requests by form and distinct
// shapes (CPU, GPU demand and allowed models; memory plays no part) on an
// openb pod list, whose arrivals need not be in order.
func TestStatsGPUFormsAndShapes(t *testing.T) {
	in := "cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,creation_time,deletion_time\n" +
		"1000,1,1,500,,5,6\n" + // a share
		"1000,2,1,500,,3,6\n" + // the same shape (memory differs), arriving earlier
		"1000,1,1,500,T4,4,6\n" + // another shape: a model constraint
		"2000,1,8,1000,,4,6\n" + // eight whole GPUs
		"2000,1,0,0,,9,9\n" // no GPU
	r, err := NewOpenbReader(strings.NewReader(in), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.GPUTasks != 4 || s.WholeGPUTasks != 1 || s.ShareTasks != 3 || s.GPURequestMilli != 3*500+8000 ||
		s.Shapes != 4 || s.ShapesCapped || s.OutOfOrder != 1 || s.CPUTotal != 7000 {
		t.Errorf("got %+v", s)
	}
}

// TestStatsShapesCapped checks that distinct shapes are counted up to
// MaxStatsShapes, so memory stays bounded on a trace of endless variety.
func TestStatsShapesCapped(t *testing.T) {
	g := &cpuRamp{n: MaxStatsShapes + 10}
	s, err := ComputeStats(g, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != MaxStatsShapes+10 || s.Shapes != MaxStatsShapes || !s.ShapesCapped {
		t.Errorf("count %d, shapes %d, capped %v", s.Count, s.Shapes, s.ShapesCapped)
	}
}

// cpuRamp yields n tasks, each asking for one more milli-core than the last.
type cpuRamp struct{ i, n int64 }

func (c *cpuRamp) Next(t *sim.Task) error {
	if c.i == c.n {
		return io.EOF
	}
	c.i++
	*t = sim.Task{ID: c.i, CPU: c.i}
	return nil
}

// TestStatsGenerator checks the statistics of a generator against its
// parameters: n = 200000 exponential gaps of mean 10 ms and exponential
// work of mean 1 s. For an exponential of mean 1 the sample mean m has
// standard error 1/√n, and so (to first order) has the rate 1/m, relative.
// The sample CV S/m, by the delta method around S² = m = 1, moves as
// (S²−1)/2 − (m−1); with Var S² = (μ₄−σ⁴)/n = 8/n, Var m = 1/n and
// Cov(S², m) = μ₃/n = 2/n, its variance is 2/n + 1/n − 2/n = 1/n. Each
// check allows 5 standard errors.
func TestStatsGenerator(t *testing.T) {
	const n = 200_000
	g := NewGenerator(Poisson{Rate: 100}, Exponential{Mean: sim.Second}, 8)
	s, err := ComputeStats(g, n)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != n {
		t.Fatalf("count %d, want %d (the limit)", s.Count, n)
	}
	se := 1 / math.Sqrt(n)
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"interarrival mean", s.InterarrivalMean, 0.01, sigmas * 0.01 * se},
		{"rate", s.Rate, 100, sigmas * 100 * se},
		{"duration mean", s.DurationMean, 1, sigmas * se},
		{"interarrival CV", s.InterarrivalCV, 1, sigmas * se},
		{"duration CV", s.DurationCV, 1, sigmas * se},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s %.6g, want %.6g ± %.2g", c.name, c.got, c.want, c.tol)
		}
	}
}

func TestStatsEmptyAndErrors(t *testing.T) {
	r, _ := NewCSVReader(strings.NewReader("arrival,duration\n"), "e.csv")
	if s, err := ComputeStats(r, 0); err != nil || s != (Stats{}) {
		t.Errorf("empty trace: %+v, %v", s, err)
	}
	r, _ = NewCSVReader(strings.NewReader("arrival,duration\n5,1\nx,1\n"), "e.csv")
	s, err := ComputeStats(r, 0)
	var te *Error
	if !errors.As(err, &te) || s.Count != 1 || s.First != 5*sim.Second || s.Rate != 0 {
		t.Errorf("got %+v, %v; want the first task's stats and the error", s, err)
	}
}

// TestStatsTokens summarizes token counts by hand: prompts 10, 20, 30, 40
// (mean 25; nearest-rank median the 2nd of 4, 20; p99 the 4th, 40) and
// outputs 1, 0, 0, 5 (sorted 0, 0, 1, 5: mean 1.5, median 0, p99 5); the
// task without tokens takes no part.
func TestStatsTokens(t *testing.T) {
	in := "arrival,duration,prompt_tokens,output_tokens\n0,1,10,1\n1,1,,\n2,1,20,0\n3,1,30,\n4,1,40,5\n"
	r, err := NewCSVReader(strings.NewReader(in), "k.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != 5 || s.TokenTasks != 4 ||
		s.PromptTokens != (TokenSummary{Mean: 25, P50: 20, P99: 40, Max: 40}) ||
		s.OutputTokens != (TokenSummary{Mean: 1.5, P50: 0, P99: 5, Max: 5}) {
		t.Errorf("got %+v", s)
	}

	// No tokens: no summaries.
	r, _ = NewCSVReader(strings.NewReader("arrival,duration\n0,1\n"), "n.csv")
	if s, err := ComputeStats(r, 0); err != nil || s.TokenTasks != 0 || s.PromptTokens != (TokenSummary{}) || s.OutputTokens != (TokenSummary{}) {
		t.Errorf("no tokens: %+v, %v", s, err)
	}

	// Above MaxExactTokens percentiles round down, by less than 1/8192;
	// the maximum and the mean stay exact.
	src := &tokenList{prompts: []int32{MaxExactTokens + 2, math.MaxInt32, math.MaxInt32}}
	s, err = ComputeStats(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := TokenSummary{Mean: (MaxExactTokens + 2 + 2*float64(math.MaxInt32)) / 3, P50: math.MaxInt32 - (1<<17 - 1), P99: math.MaxInt32 - (1<<17 - 1), Max: math.MaxInt32}
	if s.PromptTokens != want || s.OutputTokens != (TokenSummary{}) {
		t.Errorf("large counts: %+v, want %+v", s.PromptTokens, want)
	}
	src = &tokenList{prompts: []int32{MaxExactTokens + 2, MaxExactTokens + 1, MaxExactTokens}}
	if s, _ = ComputeStats(src, 0); s.PromptTokens.P50 != MaxExactTokens+1 {
		t.Errorf("median of %v: %d, want %d", src.prompts, s.PromptTokens.P50, MaxExactTokens+1)
	}
}

// tokenList yields one task per prompt count, with no output tokens.
type tokenList struct {
	prompts []int32
	i       int
}

func (l *tokenList) Next(t *sim.Task) error {
	if l.i == len(l.prompts) {
		return io.EOF
	}
	*t = sim.Task{ID: int64(l.i), PromptTokens: l.prompts[l.i]}
	l.i++
	return nil
}

// TestTokenBuckets checks the histogram's buckets: every count up to
// MaxExactTokens has its own; above, a count's bucket starts at most
// count/8192 below it; buckets never decrease with the count, and all
// fit the histogram.
func TestTokenBuckets(t *testing.T) {
	var h tokenHist
	prev := -1
	check := func(v int32) {
		b := tokenBucket(v)
		low := tokenLow(b)
		switch {
		case b < prev:
			t.Fatalf("bucket of %d is %d, below the previous count's %d", v, b, prev)
		case low > v || v <= MaxExactTokens && low != v:
			t.Fatalf("count %d: bucket %d starts at %d", v, b, low)
		case v > MaxExactTokens && float64(v-low)*8192 >= float64(v):
			t.Fatalf("count %d: bucket %d starts at %d, more than 1/8192 below", v, b, low)
		case b/tokenSub >= len(h.chunks):
			t.Fatalf("count %d: bucket %d is beyond the histogram", v, b)
		}
		prev = b
	}
	for v := int32(0); v < 1<<20; v++ {
		check(v)
	}
	for v := int64(1 << 20); v <= math.MaxInt32; v += 997 {
		check(int32(v))
	}
	check(math.MaxInt32)
}
