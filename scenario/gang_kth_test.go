package scenario

import (
	"bufio"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

const kthLog = "../../shared/traces/swf/KTH-SP2-1996-2.1-cln.swf"

// kthRecorded is the log's own mean wait and mean bounded slowdown
// (threshold 10 s) over the jobs with a run time, as recorded under the
// machine's EASY scheduler.
func kthRecorded(t *testing.T) (jobs int, wait, bsld float64) {
	f, err := os.Open(kthLog)
	if err != nil {
		t.Skipf("the KTH SP2 log is not here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 18 || strings.HasPrefix(fs[0], ";") {
			continue
		}
		w, _ := strconv.ParseFloat(fs[2], 64)
		r, _ := strconv.ParseFloat(fs[3], 64)
		if r < 0 || w < 0 {
			continue
		}
		jobs++
		wait += w
		bsld += max(1, (w+r)/max(r, 10))
	}
	return jobs, wait / float64(jobs), bsld / float64(jobs)
}

// kthRun replays the log under EASY backfilling on the users' requested
// times, first-fit, as gangs on 100 one-processor nodes or as one
// 100-processor pool, and returns its result.
func kthRun(t *testing.T, gangs bool) sim.Result {
	src, c, err := traces.Open(kthLog, "swf")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var nodes []sim.NodeSpec
	if gangs {
		src = traces.Gangs(src, 1)
		for i := 0; i < 100; i++ {
			nodes = append(nodes, sim.NodeSpec{Name: "sp2-" + strconv.Itoa(i), Slots: 1, Speed: 1, CPU: 1000, Memory: 1 << 40})
		}
	} else {
		nodes = []sim.NodeSpec{{Name: "sp2", Slots: 1, Speed: 1, CPU: 100_000, Memory: 1 << 40}}
	}
	s, err := strategies.New("first-fit", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sim.NewScheduler(sim.Config{Nodes: nodes, Central: sim.Central{Backfill: sim.EASY}}, src, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return e.Result()
}

// TestKTHGangs replays the KTH SP2 log (recorded under EASY on 100 nodes)
// as gangs under EASY with the users' requested times as estimates, beside
// the single-pool model, and logs both against the log's own mean wait and
// bounded slowdown (docs/workflows.md quotes them). It checks that every
// job completes in both models (no job asks for more than 100 nodes).
func TestKTHGangs(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 28,000 jobs")
	}
	n, wait, bsld := kthRecorded(t)
	t.Logf("log (EASY on the SP2):  %d jobs, mean wait %.0f s, mean bounded slowdown %.1f", n, wait, bsld)
	for _, gangs := range []bool{true, false} {
		r := kthRun(t, gangs)
		model := "gangs on 100 nodes"
		if !gangs {
			model = "one 100-cpu pool"
		}
		if r.Tasks.Completed != r.Tasks.Arrived || r.Tasks.Arrived == 0 {
			t.Errorf("%s: %+v", model, r.Tasks)
		}
		t.Logf("simulated, %s: %d jobs, mean wait %.0f s, mean bounded slowdown %.1f", model, r.Tasks.Completed, r.Wait.Mean, r.Placement.BoundedSlowdown.Mean)
	}
}

// kthFit is what the embedded scenario gangs takes from the KTH log: the
// arrival rate ((n−1) / span of submit times), the mean and coefficient of
// variation of run times, each size's share of jobs, and the quantiles of
// the over-estimation factor requested time / run time at probabilities
// 0, 1/20, …, 1 (nearest rank, over the jobs with both; a factor below 1,
// a job run past its request, counted as 1) with the longest request.
type kthFit struct {
	jobs           int
	rate, mean, cv float64
	sizes          map[int64]float64
	factors        []float64
	maxRequest     sim.Time
	runs           []sim.Time // run time quantiles at 0, 0.01, …, 1
	pow2           float64    // share of jobs asking for a power of two
	over           float64    // share of jobs (with both) run past their request
}

func kthFitLog(t *testing.T) kthFit {
	src, c, err := traces.Open(kthLog, "swf")
	if err != nil {
		t.Skipf("the KTH SP2 log is not here: %v", err)
	}
	st, err := traces.ComputeStats(src, 0)
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	if src, c, err = traces.Open(kthLog, "swf"); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := kthFit{sizes: map[int64]float64{}}
	var factors []float64
	var runs []sim.Time
	for {
		var task sim.Task
		if err := src.Next(&task); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		f.jobs++
		f.sizes[task.CPU/1000]++
		if p := task.CPU / 1000; p > 0 && p&(p-1) == 0 {
			f.pow2++
		}
		f.maxRequest = max(f.maxRequest, task.Estimate)
		runs = append(runs, task.Work)
		if task.Work > 0 && task.Estimate > 0 {
			factors = append(factors, max(1, float64(task.Estimate)/float64(task.Work)))
			if task.Work > task.Estimate {
				f.over++
			}
		}
	}
	f.rate, f.mean, f.cv = st.Rate, st.DurationMean, st.DurationCV
	for k := range f.sizes {
		f.sizes[k] /= float64(f.jobs)
	}
	f.pow2 /= float64(f.jobs)
	f.over /= float64(len(factors))
	sort.Float64s(factors)
	slices.Sort(runs)
	for i := 0; i <= 100; i++ {
		f.runs = append(f.runs, runs[int(math.Round(float64(i)/100*float64(len(runs)-1)))])
	}
	for i := 0; i <= 20; i++ {
		f.factors = append(f.factors, factors[int(math.Round(float64(i)/20*float64(len(factors)-1)))])
	}
	return f
}

// TestGangsScenarioFit reads the KTH SP2 log in place and checks that the
// embedded scenario gangs carries its figures (the scenario's comment
// cites them; go test -v prints them): the arrival rate to the 6
// significant digits written there, the run times' percentiles (whole
// seconds in the log) exactly, each listed job
// size's share among the listed sizes to 5 decimals, and the
// over-estimation quantiles to 3 significant digits.
func TestGangsScenarioFit(t *testing.T) {
	f := kthFitLog(t)
	t.Logf("%d jobs: rate %.6g/s, run time mean %.6g s, CV %.6g; %.1f %% ask a power of two; longest request %v; %.1f %% ran past their request", f.jobs, f.rate, f.mean, f.cv, 100*f.pow2, f.maxRequest, 100*f.over)
	var fs []string
	for _, x := range f.factors {
		fs = append(fs, strconv.FormatFloat(x, 'g', 3, 64))
	}
	t.Logf("over-estimation quantiles at 0, 0.05, …, 1: [%s]", strings.Join(fs, ", "))
	var rs []string
	for _, x := range f.runs {
		rs = append(rs, strconv.FormatFloat(x.Seconds(), 'g', -1, 64))
	}
	t.Logf("run time percentiles (s): [%s]", strings.Join(rs, ", "))
	s, err := LoadEmbedded("gangs")
	if err != nil {
		t.Fatal(err)
	}
	w := s.Workload
	near := func(a, b float64, digits int) bool {
		return strconv.FormatFloat(a, 'g', digits, 64) == strconv.FormatFloat(b, 'g', digits, 64)
	}
	if w.Arrivals == nil || !near(w.Arrivals.Rate, f.rate, 6) {
		t.Errorf("gangs: arrivals %+v; the log's rate is %.6g", w.Arrivals, f.rate)
	}
	if w.Service == nil || !slices.Equal(w.Service.Quantiles, f.runs) {
		t.Errorf("gangs: service %+v; the log's run time percentiles are %v", w.Service, f.runs)
	} else {
		t.Logf("the percentiles' distribution: mean %.6g s (the log's %.6g), CV %.4g (the log's %.4g)", w.Service.Mean.Seconds(), f.mean, w.Service.CV, f.cv)
	}
	covered := 0.0
	for _, sh := range w.Shapes {
		covered += f.sizes[sh.CPU/1000]
	}
	t.Logf("the scenario's %d sizes cover %.1f %% of the jobs", len(w.Shapes), 100*covered)
	for _, sh := range w.Shapes {
		if got, want := sh.Weight, f.sizes[sh.CPU/1000]/covered; math.Abs(got-want) > 0.000005 {
			t.Errorf("gangs: size %d has weight %v, its share among the listed sizes is %.5f", sh.CPU/1000, got, want)
		}
	}
	if w.Estimates == nil || len(w.Estimates.Factors) != len(f.factors) || w.Estimates.Max != f.maxRequest {
		t.Fatalf("gangs: estimates %+v, want 21 quantiles and max %v", w.Estimates, f.maxRequest)
	}
	for i, x := range w.Estimates.Factors {
		if !near(x, f.factors[i], 3) {
			t.Errorf("gangs: factor quantile %d is %v, the log's is %.3g", i, x, f.factors[i])
		}
	}
}

// TestGangsScenario checks what the embedded scenario gangs generates,
// without the log: every job a gang of one-processor nodes, sizes among
// the log's (1 to 80), estimates never below the work nor above the log's
// longest request (60 h) unless the work is, and the estimates' factor
// exactly 1 for the probabilities whose quantiles are 1 (0 to 0.10, so a
// share of 0.10, within 5 binomial standard deviations over 20,000 jobs,
// ±0.011; a job longer than 60 h also gets its work as estimate, and in
// the percentiles fewer than 1 in 1,000 are).
func TestGangsScenario(t *testing.T) {
	s, err := LoadEmbedded("gangs")
	if err != nil {
		t.Fatal(err)
	}
	src, c, err := s.WorkloadSource(1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 20_000
	exact := 0
	for i := 0; i < n; i++ {
		var task sim.Task
		if err := src.Next(&task); err != nil {
			t.Fatal(err)
		}
		if task.CPU != 1000 || task.Nodes > 80 { // Nodes 0: one node
			t.Fatalf("job %d: %d milli-cores on %d nodes, want 1 core on each of 1 to 80", task.ID, task.CPU, task.Nodes)
		}
		if task.Estimate < task.Work || task.Estimate > max(task.Work, 60*sim.Hour) {
			t.Fatalf("job %d: work %v, estimate %v", task.ID, task.Work, task.Estimate)
		}
		if task.Estimate == task.Work {
			exact++
		}
	}
	p := 0.10
	if got, tol := float64(exact)/n, 5*math.Sqrt(p*(1-p)/n); math.Abs(got-p) > tol {
		t.Errorf("share of exact estimates %.4f, want %.2f ± %.4f", got, p, tol)
	}
}
