package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// A run is stepped in chunks of events sized by the wall time they take,
// so that Ctrl-C and SIGTERM are seen within about stepTarget however
// costly an event is (an O(n) balancer at 10^6 nodes takes milliseconds
// per event, an O(1) one tens of nanoseconds), and progress is drawn as
// often. A chunk starts at stepFirst events and at most doubles from one
// chunk to the next while a chunk takes under half of stepTarget; one that
// takes longer than stepTarget shrinks the next in proportion. The cost:
// one clock read per chunk (tens of nanoseconds per ~10 ms).
const (
	stepTarget = 10 * time.Millisecond
	stepFirst  = 16
	stepMax    = 1 << 20
)

// stepper steps a run in chunks of about stepTarget of wall time.
type stepper struct {
	n     int              // events in the next chunk
	clock func() time.Time // time.Now, or a test's clock
}

func newStepper() *stepper { return &stepper{n: stepFirst, clock: time.Now} }

// step runs one chunk of r.
func (s *stepper) step(r sim.Runner) (done bool, err error) {
	t0 := s.clock()
	done, err = r.Step(s.n)
	el := s.clock().Sub(t0)
	switch {
	case el > stepTarget:
		s.n = max(1, int(float64(s.n)*float64(stepTarget)/float64(el)))
	case el < stepTarget/2 && s.n < stepMax:
		s.n *= 2
	}
	return done, err
}

// job is one run: a scenario, one of its strategies and a seed.
type job struct {
	sc   *scenario.Scenario
	spec scenario.StrategySpec
	seed uint64
	// opt adds a record stream or a time series to the run.
	opt scenario.RunOptions
	// cdf asks for the latency distribution (Result.LatencyCDF).
	cdf bool
	// done, when set, is called with the result as soon as the run ends
	// (from the run's goroutine).
	done func(res *sim.Result) error
}

// cdfPoints is how many evenly spaced levels sample a latency CDF for
// plots (plus the tail levels sim.CDF adds).
const cdfPoints = 200

// progress is shared by concurrent runs: units are arrived tasks (or
// simulated nanoseconds when the scenario stops on time).
type progress struct {
	done  atomic.Int64
	total int64
}

// runJob runs j to the end, or until ctx is cancelled. On cancellation it
// returns errInterrupted with the engine's partial state described in what.
func runJob(ctx context.Context, j job, p *progress) (res sim.Result, what string, err error) {
	e, closer, err := j.sc.Start(j.spec, j.seed, j.opt)
	if err != nil {
		return res, "", err
	}
	defer closer.Close()
	start := time.Now()
	var last int64
	st := newStepper()
	for {
		done, err := st.step(e)
		if p != nil {
			cur := e.Arrived()
			if j.sc.Stop.Tasks == 0 && j.sc.Stop.Time > 0 {
				cur = int64(min(e.Now(), j.sc.Stop.Time))
			}
			p.done.Add(cur - last)
			last = cur
		}
		if err != nil {
			return res, "", fmt.Errorf("%s: strategy %s: %w", j.sc.File, j.spec, err)
		}
		if done {
			break
		}
		if ctx.Err() != nil {
			return res, fmt.Sprintf("%s stopped at simulated time %v after %d tasks arrived", j.spec, e.Now(), e.Arrived()), errInterrupted
		}
	}
	res = e.Result()
	wall := time.Since(start).Seconds()
	res.Scenario = j.sc.Name
	res.Seed = j.seed
	res.Engine.WallS = wall
	if wall > 0 {
		res.Engine.EventsPerS = float64(res.Engine.Events) / wall
	}
	if j.cdf {
		res.LatencyCDF = sim.CDF(e.Latency(), cdfPoints)
	} else {
		res.RequestCDFs = nil
	}
	if j.done != nil {
		if err := j.done(&res); err != nil {
			return res, "", err
		}
	}
	return res, "", nil
}

// progressTotal is the expected final progress count of one run (0: unknown).
func progressTotal(sc *scenario.Scenario) int64 {
	if sc.Stop.Tasks > 0 {
		return sc.Stop.Tasks
	}
	return int64(sc.Stop.Time)
}

// runJobs runs jobs in parallel, one per core at most, and returns results
// in job order. Parallelism is across runs only, so results do not depend
// on GOMAXPROCS. A progress bar is drawn on stderr when it is a terminal and
// the runs last over a second.
func runJobs(ctx context.Context, jobs []job, stderr io.Writer) ([]sim.Result, error) {
	results, done, whats, err := runJobsPartial(ctx, jobs, stderr)
	if err != errInterrupted {
		return results, err
	}
	finished := 0
	for _, d := range done {
		if d {
			finished++
		}
	}
	if len(jobs) > maxListedRuns {
		fmt.Fprintf(stderr, "fleetsim: interrupted after %d of %d runs finished; no results written\n", finished, len(jobs))
		return nil, errInterrupted
	}
	fmt.Fprintln(stderr, "fleetsim: interrupted; no results written. Where each run stood:")
	for i := range jobs {
		if done[i] {
			fmt.Fprintf(stderr, "  %s finished\n", jobs[i].spec)
		} else {
			fmt.Fprintf(stderr, "  %s\n", whats[i])
		}
	}
	return nil, errInterrupted
}

// maxListedRuns is the most runs an interruption lists one by one; more
// (a sweep's) get one summary line.
const maxListedRuns = 12

// runJobsPartial is runJobs keeping what an interruption leaves: on
// errInterrupted, done marks the runs that finished (their results are
// whole) and whats says where each other run stood. Nothing is printed
// about the interruption.
func runJobsPartial(ctx context.Context, jobs []job, stderr io.Writer) (results []sim.Result, done []bool, whats []string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &progress{}
	for _, j := range jobs {
		p.total += progressTotal(j.sc)
	}
	stopBar := startBar(p, stderr)
	results = make([]sim.Result, len(jobs))
	errs := make([]error, len(jobs))
	whats = make([]string, len(jobs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = errInterrupted
				whats[i] = fmt.Sprintf("%s not started", jobs[i].spec)
				return
			}
			results[i], whats[i], errs[i] = runJob(ctx, jobs[i], p)
			if errs[i] != nil && errs[i] != errInterrupted {
				cancel() // one failure stops the others
			}
		}(i)
	}
	wg.Wait()
	stopBar()
	for _, err := range errs {
		if err != nil && err != errInterrupted {
			return nil, nil, nil, err
		}
	}
	done = make([]bool, len(jobs))
	interrupted := false
	for i, err := range errs {
		done[i] = err == nil
		interrupted = interrupted || err == errInterrupted
	}
	if !interrupted {
		return results, done, whats, nil
	}
	return results, done, whats, errInterrupted
}

// startBar draws progress on stderr after the first second, when stderr is
// a terminal. The returned function stops and clears it.
func startBar(p *progress, stderr io.Writer) (stop func()) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-quit:
			return
		case <-time.After(time.Second):
		}
		max := p.total
		if max <= 0 {
			max = -1 // spinner
		}
		bar := progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("simulating"),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				bar.Finish()
				return
			case <-t.C:
				bar.Set64(p.done.Load())
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}
