package sim

import (
	"fmt"
	"io"

	"github.com/fleetsim/fleetsim/sim/metrics"
	"github.com/fleetsim/fleetsim/sim/queue"
)

// core is what both queueing models share: the clock and event queue, the
// reading of the workload, and the statistics every Result carries. Engine
// and Scheduler embed it.
type core struct {
	cfg   Config
	src   Source
	plain PlainSource // src, when the reader keeps the task's other fields zero
	// firstRes, if set, is called once, when read reads the first task
	// with cpu or memory (the fast path's useRes).
	firstRes func()

	q queue.Calendar // fastest on the hold model up to about 10^4 pending events (docs/performance.md)
	// rq replaces q when radix is set (Engine, large clusters): the
	// radix heap is faster from about 10^5 pending events. Both pop in
	// (time, sequence) order, so the choice changes no result. The radix
	// heap takes no event before the last it popped: should one come
	// (no event is scheduled before now, but dynamics are many), every
	// event moves to the calendar, in the same order, and the run goes on
	// there (toCalendar).
	rq    queue.RadixHeap
	radix bool
	seq   uint64
	now   Time

	lastArrival Time
	srcDone     bool

	arrivedAll int64 // every arrival, warm-up included
	warm       bool  // the measurement window has started
	winStart   Time
	lastFinish Time
	firstArr   Time

	inSys   int64   // measured tasks in the system
	areaT   Time    // last change of inSys
	area    float64 // integral of inSys over time, task-ns
	events  uint64
	arrived int64 // measured arrivals
	done    [3]int64

	latency metrics.Histogram
	wait    metrics.Histogram
	work    []int64 // per node: work (ns at speed 1) of measured tasks completed
	served  []int64 // per node: measured tasks completed

	finished bool
	err      error
	rec      Record

	smp *sampler // nil unless Config.Series asks for a time series

	su delays // Config.Startup's draws (stream (Seed, "startup"))
}

// sampleTo takes the series' samples due before an event at time at (the
// state is constant between events). Small enough to inline into the
// event loop: one nil check per event when no series is asked for.
func (c *core) sampleTo(at Time) {
	if c.smp != nil {
		c.smp.to(at)
	}
}

// drain steps a run until it is done.
func drain(step func(max int) (done bool, err error)) error {
	for {
		done, err := step(1 << 20)
		if done || err != nil {
			return err
		}
	}
}

func (c *core) push(at Time, kind uint32, node int32, ref int64) {
	ev := queue.Event{At: int64(at), Seq: c.seq, Kind: kind, Node: node, Ref: ref}
	c.seq++
	if c.radix {
		if c.rq.CanPush(ev.At) {
			c.rq.Push(ev)
			return
		}
		c.toCalendar()
	}
	c.q.Push(ev)
}

// toCalendar moves the radix heap's events to the calendar, which the run
// uses from then on.
func (c *core) toCalendar() {
	for c.rq.Len() > 0 {
		c.q.Push(c.rq.Pop())
	}
	c.radix = false
}

// more reports whether another task may arrive (the source has not ended
// and the stop count is not reached).
func (c *core) more() bool {
	return !c.srcDone && (c.cfg.StopTasks == 0 || c.arrivedAll < c.cfg.StopTasks)
}

// read reads the next task into t and reports whether it is to arrive:
// false at the end of the source, at the stop time, or on an error (c.err).
func (c *core) read(t *Task) bool {
	var err error
	if c.plain != nil {
		err = c.plain.NextPlain(t)
	} else if err = c.src.Next(t); c.firstRes != nil && err == nil && t.CPU|t.Memory != 0 {
		c.firstRes()
		c.firstRes = nil
	}
	if err != nil {
		if err == io.EOF {
			c.srcDone = true
		} else {
			c.err = err
		}
		return false
	}
	switch {
	case c.cfg.StopTime > 0 && t.Arrival >= c.cfg.StopTime:
		c.srcDone = true
	case t.Arrival < c.now || (c.arrivedAll > 0 && t.Arrival < c.lastArrival):
		c.err = fmt.Errorf("%stask %d arrives at %v, before the previous task (%v): the workload is not in arrival order (sort it by arrival)", c.where(), t.ID, t.Arrival, c.lastArrival)
	case t.Arrival < 0 || t.Work < 0 || t.Estimate < 0:
		c.err = fmt.Errorf("%stask %d has a negative arrival, duration or estimate", c.where(), t.ID)
	default:
		return true
	}
	return false
}

// openWindow starts the measurement window now; it reports false when it
// had started already.
func (c *core) openWindow() bool {
	if c.warm {
		return false
	}
	c.warm = true
	c.winStart = c.now
	c.areaT = c.now
	return true
}

func (c *core) changeInSys(d int64) {
	c.area += float64(float64(c.inSys) * float64(c.now-c.areaT))
	c.areaT = c.now
	c.inSys += d
}

// count adds a task's end to the statistics: it arrived at arrival, started
// at start (when it did) and ends now with status st.
//
// finish may be later than now (a response still on its way back): the
// task leaves the system at finish, which the time integral of tasks in
// the system counts at once.
func (c *core) count(arrival, start, finish Time, st Status, measured bool) {
	if finish > c.lastFinish {
		c.lastFinish = finish
	}
	if measured {
		c.done[st]++
		if st == Completed {
			c.latency.Record(int64(finish - arrival))
			c.wait.Record(int64(start - arrival))
		}
		c.changeInSys(-1)
		c.area += float64(finish - c.now)
	}
}

// scaled is how long work w takes on node i, of inverse speed inv, started
// now; it sets c.err when the task would end past representable time. It
// takes the node's index, not its name: the name is read only for the
// error (at 10^6 nodes reading it was a cache miss per service).
func (c *core) scaled(w Time, inv float64, id int64, i int32) Time {
	if inv != 1 {
		// Checked in float64 before converting: an out-of-range float to
		// int64 conversion is implementation-defined in Go.
		f := float64(float64(w)*inv) + 0.5
		if f >= float64(MaxTime-c.now) {
			c.err = fmt.Errorf("sim: task %d would finish after the end of representable time on node %s", id, c.cfg.Nodes[i].Name)
			return 0
		}
		w = Time(f)
	}
	if w > MaxTime-c.now {
		c.err = fmt.Errorf("sim: task %d would finish after the end of representable time", id)
		return 0
	}
	return w
}

// window is the measurement window up to now, or to the last finish when
// a response is still on its way (0 before it starts).
func (c *core) window() Time {
	if !c.warm {
		return 0
	}
	return max(c.now, c.lastFinish) - c.winStart
}

// result fills the figures both models compute the same way: counts,
// latency and wait, makespan, throughput, L, and each node's tasks and work
// with their imbalance.
func (c *core) result(strategy string) Result {
	win := c.window()
	r := Result{
		Strategy: strategy,
		Tasks: TaskCounts{
			Arrived:   c.arrived,
			Completed: c.done[Completed],
			Failed:    c.done[Failed],
			Dropped:   c.done[Dropped],
			Warmup:    c.arrivedAll - c.arrived,
		},
		Latency: Summarize(&c.latency),
		Wait: WaitStats{
			Mean: c.wait.Mean() / float64(Second),
			P50:  ns(c.wait.Quantile(0.5)),
			P99:  ns(c.wait.Quantile(0.99)),
		},
		Engine:  EngineStats{Events: c.events},
		WindowS: win.Seconds(),
		Series:  c.smp.series(),
	}
	if c.arrivedAll > 0 {
		r.MakespanS = (c.lastFinish - c.firstArr).Seconds()
	}
	if win > 0 {
		r.ThroughputPerS = float64(c.done[Completed]) / win.Seconds()
		r.MeanInSystem = (c.area + float64(float64(c.inSys)*float64(c.now-c.areaT))) / float64(win)
	}
	n := len(c.cfg.Nodes)
	r.Nodes = make([]NodeResult, n)
	var sumW, sumW2 float64
	for i := 0; i < n; i++ {
		w := ns(c.work[i])
		r.Nodes[i] = NodeResult{Name: c.cfg.Nodes[i].Name, Tasks: c.served[i], WorkS: w}
		sumW += w
		sumW2 += float64(w * w)
	}
	r.ImbalanceCoV = cov(sumW, sumW2, n)
	return r
}

// Now is the current simulated time.
func (c *core) Now() Time { return c.now }

// Arrived is the number of tasks that have arrived so far, warm-up included.
func (c *core) Arrived() int64 { return c.arrivedAll }

// Events is the number of events processed so far.
func (c *core) Events() uint64 { return c.events }

// Latency is the histogram of measured sojourn times (ns).
func (c *core) Latency() *metrics.Histogram { return &c.latency }

// Wait is the histogram of measured queueing delays (ns).
func (c *core) Wait() *metrics.Histogram { return &c.wait }

// where is the prefix of an error about the task last read: "file:line: "
// when the source can say where that task is (every trace reader can),
// else "sim: ".
func (c *core) where() string {
	if p, ok := c.src.(interface{ Position() (string, int) }); ok {
		if file, line := p.Position(); file != "" && line > 0 {
			return fmt.Sprintf("%s:%d: ", file, line)
		}
	}
	return "sim: "
}
