package realexec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Config is one real run: the cluster as the strategy sees it, the live
// nodes that play it, and the scenario's limits and faults.
type Config struct {
	// Nodes are the cluster's node specifications (the View's), Real the
	// daemons that play them, one for one.
	Nodes []sim.NodeSpec
	Real  []NodeConfig
	// Snapshotter for every node ("": overlayfs, else native).
	Snapshotter string
	// Image is the workload image (BuildImage).
	Image *Image
	// Central selects job placement: a central pending queue in the
	// strategy's order (QueueSorter), placed head first with the
	// strategy's Placer, or Filter and Scorer, and View.PickGPUs; the head
	// waits until it fits (no backfilling). Otherwise each node queues its
	// own work and serves Slots tasks at once (load balancing).
	Central bool
	// Limits, as in sim.Config.
	StopTasks, WarmupTasks int64
	StopTime, WarmupTime   sim.Time
	// Faults are scheduled node failures: at At the node's containers are
	// killed for real and it refuses work for For. Drain faults take the
	// node out of the pool instead and let its work finish. Health, when
	// set, makes the View report a failed node down Interval × Threshold
	// after it fails and up Interval × Rise after it recovers.
	Faults []sim.Fault
	Health *sim.Health
	// Touch is how many bytes a task's workload touches given its memory
	// limit (nil: the task's MemoryUse where the workload models it,
	// written at its MemoryRate as the work goes on; else half the limit
	// for a task that requests memory, none for one that does not: the
	// simulator gives touching memory no time, and a default use would
	// add a machine-dependent cost to every task that calibration could
	// only fold into the start-up). A task that touches more than its
	// limit is killed by the kernel's OOM killer; containerd's OOM event
	// marks its record (Reason sim.ReasonOOM).
	Touch func(t *sim.Task, limit int64) int64
	// Scrape is how often cgroup metrics (and GPU telemetry) are read
	// (0: 250 ms).
	Scrape time.Duration
	// OnRecord receives every task's record when it ends (on the run's
	// goroutine); OnGPU every GPU sample (on the scraper's goroutine).
	OnRecord func(*Record)
	OnGPU    func(GPUSample)
	// Log receives a line per notable event (nil: none).
	Log io.Writer
	// Run labels the containers ("": a new label from the clock).
	Run string
}

// Record is a task's record in a real run: the simulator's record (same
// fields, same meaning: Start is when a slot was taken, Finish the exit)
// and the container's own timeline and usage.
type Record struct {
	sim.Record
	Task     sim.Task // a copy (Record.Task points to it)
	Decided  sim.Time // when the strategy placed it
	Prepared sim.Time // container and snapshot created (0: never)
	Created  sim.Time // task created: shim started, runc create done (0: never)
	Started  sim.Time // process started (0: never)
	Exited   sim.Time // exit seen (0: never)
	// Main and End are when the workload's main function began and when
	// it wrote its report, by its own reading of the same wall clock (0:
	// no report).
	Main, End sim.Time
	// ExitCode is the workload's exit status (137: killed, by the memory
	// limit or a fault); -1 when it never ran.
	ExitCode int
	// CPUSeconds and MemoryMax are the highest cgroup CPU time and memory
	// seen by the scraper (0 for a task shorter than one scrape).
	CPUSeconds float64
	MemoryMax  int64
	// Throttled is the number of CFS periods in which the container used
	// up its CPU quota and was held back, as the scraper last read it.
	Throttled uint64
	// Inside is the time the workload itself measured for its memory,
	// work and sleep (from its report; 0 when it printed none).
	Inside sim.Time
	// WorkTime is the part of Inside spent on the CPU work (its work_s):
	// the task's Work divided by the speed the container really got.
	WorkTime sim.Time
	// Devices are the GPU device nodes the workload saw in its /dev and
	// Visible its NVIDIA_VISIBLE_DEVICES, as it reported them.
	Devices []string
	Visible string
	// Err says why a task failed or was refused without an exit code.
	Err string
}

// Overhead is the time the container machinery added to the task's
// service: from taking the slot to the exit, less the time spent inside.
func (r *Record) Overhead() sim.Time {
	if r.Exited == 0 || r.Inside == 0 {
		return 0
	}
	return r.Exited - r.Start - r.Inside
}

// Result is what a real run reports besides its records.
type Result struct {
	Tasks                      int64
	Completed, Failed, Dropped int64
	// OOMKilled counts the failed tasks that containerd reported
	// OOM-killed.
	OOMKilled   int64
	Wall        time.Duration
	Snapshotter string
	Versions    []string // each node's containerd version
	Interrupted bool
	GPUs        []GPU
	GPUError    string // why GPUs are unavailable, when they are
}

// ErrInterrupted is returned when the context was cancelled (Ctrl-C): the
// containers were killed and deleted and the records written so far kept.
var ErrInterrupted = errors.New("real run interrupted: containers killed and removed")

// job is one task in flight.
type job struct {
	rec      Record
	node     int
	gpus     []int
	run      *Running
	tl       Timeline
	err      error
	exitSeen bool
	// nodeFailed: killed because its node failed.
	nodeFailed bool
	// oom receives containerd's OOM event for the container; oomKilled
	// is set (before evDone) when one came for its exit.
	oom       chan struct{}
	oomKilled bool
}

type evKind int

const (
	evStarted evKind = iota // container started (or failed to)
	evExited                // process exited
	evDone                  // deleted: the record is complete
)

type event struct {
	kind evKind
	j    *job
}

type runner struct {
	cfg   Config
	nodes []*Node
	view  *sim.View
	strat sim.Strategy
	pick  sim.Picker
	obs   sim.Observer
	errer interface{ Err() error } // a strategy that can fail on its own (an external process)
	t0    time.Time
	ctx   context.Context // cancelled on Ctrl-C
	bg    context.Context // never cancelled: for clean-up
	ev    chan event
	wg    sync.WaitGroup

	queue   [][]*job // per node (node queueing)
	pending []*job   // central queue
	active  []int32
	down    []bool // really failed
	out     []bool // drained
	reportD []bool // health checks say down
	live    map[*job]struct{}
	liveMu  sync.Mutex
	touch   func(t *sim.Task, limit int64) int64
	ooms    map[string]chan struct{} // container ID -> its job's oom
	oomMu   sync.Mutex
	refused bool
	// stopping: interrupted; nothing more is dispatched.
	stopping bool
	res      Result
}

func (r *runner) now() sim.Time { return sim.Time(time.Since(r.t0)) }

func (r *runner) logf(format string, a ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, "%8.3fs  "+format+"\n", append([]any{time.Since(r.t0).Seconds()}, a...)...)
	}
}

// Run connects to every node, removes what an earlier run left in the
// namespace, imports the workload image where it is missing, then feeds
// src's tasks to strat at their arrival times (wall clock from the first
// decision) and runs each as a container of the workload on the node the
// strategy chose, with the task's CPU quota and memory limit within the
// node's share. Every container is deleted before Run returns, also when
// ctx is cancelled (then ErrInterrupted) or a node fails.
func Run(ctx context.Context, cfg Config, src sim.Source, strat sim.Strategy) (*Result, error) {
	if len(cfg.Nodes) == 0 || len(cfg.Nodes) != len(cfg.Real) {
		return nil, fmt.Errorf("real run: %d cluster nodes but %d real nodes; expected one real node per cluster node", len(cfg.Nodes), len(cfg.Real))
	}
	if cfg.Image == nil {
		return nil, errors.New("real run: no workload image")
	}
	r := &runner{cfg: cfg, strat: strat, ctx: ctx, bg: context.WithoutCancel(ctx),
		ev: make(chan event, 256), live: map[*job]struct{}{}, touch: cfg.Touch, ooms: map[string]chan struct{}{}}
	if r.touch == nil {
		r.touch = func(t *sim.Task, limit int64) int64 {
			if t.MemoryUse > 0 {
				return t.MemoryUse
			}
			if t.Memory <= 0 {
				return 0
			}
			return limit / 2
		}
	}
	if cfg.Run == "" {
		r.cfg.Run = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if !cfg.Central {
		p, ok := strat.(sim.Picker)
		if !ok {
			return nil, fmt.Errorf("real run: strategy %s does not pick nodes (not a load balancer); use queueing: central", strat.Name())
		}
		r.pick = p
	}
	r.obs, _ = strat.(sim.Observer)
	r.errer, _ = strat.(interface{ Err() error })
	defer func() {
		for _, n := range r.nodes {
			n.Close()
		}
	}()
	for i, rc := range cfg.Real {
		if rc.Name == "" {
			rc.Name = cfg.Nodes[i].Name
		}
		if len(rc.GPUs) != cfg.Nodes[i].GPUs && cfg.Nodes[i].GPUs > 0 {
			if r.res.GPUError == "" {
				_, err := GPUs()
				r.res.GPUError = fmt.Sprintf("node %s has %d GPUs in the scenario but %d on the machine", rc.Name, cfg.Nodes[i].GPUs, len(rc.GPUs))
				if err != nil {
					r.res.GPUError = err.Error()
				}
			}
		}
		lk, err := lockNode(rc)
		if err != nil {
			return nil, err
		}
		defer lk.unlock()
		n, err := Connect(ctx, rc, cfg.Snapshotter)
		if err != nil {
			return nil, err
		}
		r.nodes = append(r.nodes, n)
		if err := n.Clean(ctx); err != nil {
			return nil, fmt.Errorf("node %s: removing what an earlier run left: %w", rc.Name, err)
		}
		if err := n.EnsureImage(ctx, cfg.Image); err != nil {
			return nil, err
		}
		v, _ := n.Version(ctx)
		r.res.Versions = append(r.res.Versions, v)
		r.res.Snapshotter = n.Snapshotter()
		r.res.GPUs = append(r.res.GPUs, rc.GPUs...)
	}
	oomCtx, stopOOM := context.WithCancel(r.bg)
	defer stopOOM()
	for _, nd := range r.nodes {
		nd.WatchOOM(oomCtx, r.oomEvent)
	}
	n := len(cfg.Nodes)
	r.view = sim.NewView(cfg.Nodes)
	r.queue = make([][]*job, n)
	r.active = make([]int32, n)
	r.down, r.out, r.reportD = make([]bool, n), make([]bool, n), make([]bool, n)
	if in, ok := strat.(sim.Initializer); ok {
		if err := in.Init(r.view); err != nil {
			return nil, fmt.Errorf("real run: strategy %s: %w", strat.Name(), err)
		}
	}
	r.t0 = time.Now()
	scrapeCtx, stopScrape := context.WithCancel(r.bg)
	usage := make(chan []Usage, 1)
	var scrapeWG sync.WaitGroup
	scrapeWG.Add(1)
	go func() { defer scrapeWG.Done(); r.scrape(scrapeCtx, usage) }()
	err := r.loop(src, usage)
	stopScrape()
	scrapeWG.Wait()
	r.wg.Wait()
	for _, nd := range r.nodes {
		if cerr := nd.Clean(r.bg); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	r.res.Wall = time.Since(r.t0)
	return &r.res, err
}

// timed is something due at a wall-clock offset: a fault edge, a health
// report or a strategy tick.
type timed struct {
	at sim.Time
	do func()
}

// timers are kept in due order; equal times run in the order added.
type timers []timed

func (ts *timers) add(at sim.Time, do func()) {
	k := sort.Search(len(*ts), func(i int) bool { return (*ts)[i].at > at })
	*ts = append(*ts, timed{})
	copy((*ts)[k+1:], (*ts)[k:])
	(*ts)[k] = timed{at, do}
}

// never is a due time later than any run.
const never = sim.Time(1<<63 - 1)

func (ts timers) next() sim.Time {
	if len(ts) == 0 {
		return never
	}
	return ts[0].at
}

// loop plays the run on the wall clock: at each wake-up it does, in time
// order, every timer and arrival that is due, then sleeps until the next
// one or until a container reports. It returns when the source is spent
// and no task is in flight.
func (r *runner) loop(src sim.Source, usage <-chan []Usage) error {
	var ts timers
	for _, f := range r.cfg.Faults {
		f := f
		if f.Node < 0 || f.Node >= len(r.nodes) {
			return fmt.Errorf("real run: fault on node %d of %d", f.Node, len(r.nodes))
		}
		name := r.cfg.Nodes[f.Node].Name
		if f.Drain {
			ts.add(f.At, func() { r.out[f.Node] = true; r.logf("node %s drained", name); r.setLoad(f.Node) })
			ts.add(f.At+f.For, func() { r.out[f.Node] = false; r.setLoad(f.Node); r.dispatch() })
			continue
		}
		ts.add(f.At, func() { r.fail(f.Node) })
		ts.add(f.At+f.For, func() { r.down[f.Node] = false; r.logf("node %s back", name); r.dispatch() })
		if h := r.cfg.Health; h != nil && h.Interval > 0 {
			ts.add(f.At+h.Interval*sim.Time(max(h.Threshold, 1)), func() { r.reportD[f.Node] = true; r.setLoad(f.Node) })
			ts.add(f.At+f.For+h.Interval*sim.Time(max(h.Rise, 1)), func() { r.reportD[f.Node] = false; r.setLoad(f.Node) })
		}
	}
	if tk, ok := r.strat.(sim.Ticker); ok && tk.Every() > 0 {
		every := tk.Every()
		var tick func()
		next := every
		tick = func() {
			r.view.SetNow(r.now())
			tk.Tick(r.view)
			next += every
			ts.add(next, tick)
		}
		ts.add(next, tick)
	}

	var t sim.Task
	arrival := never // of t; never once the source is spent
	arrived := int64(0)
	readNext := func() error {
		arrival = never
		if r.cfg.StopTasks > 0 && arrived >= r.cfg.StopTasks {
			return nil
		}
		if err := src.Next(&t); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if r.cfg.StopTime > 0 && t.Arrival >= r.cfg.StopTime {
			return nil
		}
		arrival = t.Arrival
		return nil
	}
	if err := readNext(); err != nil {
		return err
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if r.ctx.Err() != nil {
			r.interrupt()
			return ErrInterrupted
		}
		// Everything due, timers before arrivals at the same instant.
		for now := r.now(); ; {
			if ta := ts.next(); ta <= now && ta <= arrival {
				d := ts[0].do
				ts = ts[1:]
				d()
				if err := r.stratErr(); err != nil {
					return err
				}
				continue
			}
			if arrival > now {
				break
			}
			j := &job{rec: Record{Task: t, ExitCode: -1}, node: -1}
			j.rec.Record.Task = &j.rec.Task
			j.rec.Attempts = 1
			j.rec.Warmup = arrived < r.cfg.WarmupTasks || t.Arrival < r.cfg.WarmupTime
			arrived++
			r.res.Tasks++
			r.arrive(j)
			if err := r.stratErr(); err != nil {
				return err
			}
			if err := readNext(); err != nil {
				return err
			}
		}
		if arrival == never && r.inFlight() == 0 {
			return nil
		}
		wait := time.Hour
		if due := min(ts.next(), arrival); due != never {
			wait = max(time.Duration(due-r.now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-r.ctx.Done():
		case e := <-r.ev:
			r.handle(e)
			if err := r.stratErr(); err != nil {
				return err
			}
		case u := <-usage:
			if !r.cfg.Central {
				for i, x := range u {
					r.view.SetUsed(i, int64(x.CPUNs), int64(x.Memory))
				}
			}
		case <-timer.C:
		}
	}
}

// stratErr is the strategy's own failure (an external strategy's process
// crashed, hung or answered nonsense), after which it answers nothing
// useful: the run stops as when interrupted (containers killed and
// removed, what is queued failed) and Run returns the failure.
func (r *runner) stratErr() error {
	if r.errer == nil {
		return nil
	}
	err := r.errer.Err()
	if err == nil {
		return nil
	}
	r.interrupt()
	return fmt.Errorf("real run: %w", err) // it names the strategy
}

// inFlight counts the tasks not yet ended: queued, or with a container
// (every active task has one, so live covers active).
func (r *runner) inFlight() int {
	n := len(r.pending) + r.liveCount()
	for i := range r.queue {
		n += len(r.queue[i])
	}
	return n
}

func (r *runner) setLoad(i int) {
	r.view.SetLoad(i, sim.NodeLoad{Active: r.active[i], Queued: int32(len(r.queue[i])), Down: r.reportD[i], Out: r.out[i]})
}

// arrive asks the strategy where j goes (node queueing) or queues it
// (central).
func (r *runner) arrive(j *job) {
	now := r.now()
	r.view.SetNow(now)
	t := &j.rec.Task
	if needsGPU(t) && r.res.GPUError != "" {
		if !r.refused {
			r.logf("GPU tasks are refused: %s", r.res.GPUError)
			r.refused = true
		}
		r.end(j, sim.Dropped, now, "GPU task refused: "+r.res.GPUError)
		return
	}
	if r.cfg.Central {
		j.rec.Decided = now
		r.pending = append(r.pending, j)
		if qs, ok := r.strat.(sim.QueueSorter); ok {
			sort.SliceStable(r.pending, func(a, b int) bool { return qs.Less(&r.pending[a].rec.Task, &r.pending[b].rec.Task) })
		}
		r.dispatch()
		return
	}
	i := r.pick.Pick(r.view, t)
	j.rec.Decided = r.now()
	switch {
	case i == sim.Drop || i == sim.ToBroker:
		r.end(j, sim.Dropped, j.rec.Decided, "refused by the strategy")
		return
	case i < 0 || i >= len(r.nodes):
		r.end(j, sim.Dropped, j.rec.Decided, fmt.Sprintf("strategy %s picked node %d of %d", r.strat.Name(), i, len(r.nodes)))
		return
	}
	j.node = i
	j.rec.Node = i
	if r.down[i] {
		// Sent to a node that is really down: the attempt is lost.
		if r.obs != nil {
			r.obs.Failed(r.view, t, i)
		}
		r.end(j, sim.Failed, j.rec.Decided, "node down")
		return
	}
	r.queue[i] = append(r.queue[i], j)
	r.setLoad(i)
	r.dispatch()
}

func needsGPU(t *sim.Task) bool { return t.GPUs > 0 || t.GPUMilli > 0 }

// dispatch starts whatever can start: the heads of node queues with a free
// slot, or the central queue's head while it fits.
func (r *runner) dispatch() {
	if r.stopping {
		return
	}
	now := r.now()
	r.view.SetNow(now)
	if r.cfg.Central {
		for len(r.pending) > 0 {
			j := r.pending[0]
			i, gpus, ok := r.place(&j.rec.Task)
			if !ok {
				return
			}
			if err := r.view.Allocate(i, &j.rec.Task, gpus); err != nil {
				r.pending = r.pending[1:]
				r.end(j, sim.Dropped, now, err.Error())
				continue
			}
			r.pending = r.pending[1:]
			j.node, j.rec.Node, j.gpus = i, i, append([]int(nil), gpus...)
			r.launch(j)
		}
		return
	}
	for i := range r.queue {
		for len(r.queue[i]) > 0 && int(r.active[i]) < max(r.cfg.Nodes[i].Slots, 1) && !r.down[i] {
			j := r.queue[i][0]
			if needsGPU(&j.rec.Task) {
				g := r.view.PickGPUs(i, &j.rec.Task, nil)
				if g == nil || r.view.Allocate(i, &j.rec.Task, g) != nil {
					break
				}
				j.gpus = g
			}
			r.queue[i] = r.queue[i][1:]
			r.launch(j)
		}
		r.setLoad(i)
	}
}

// place is the central scheduler's choice for t: the strategy's Placer,
// else the best-scored node that passes its Filter and fits, with GPUs by
// View.PickGPUs.
func (r *runner) place(t *sim.Task) (int, []int, bool) {
	if p, ok := r.strat.(sim.Placer); ok {
		pl := sim.Placement{Node: -1}
		if !p.Place(r.view, t, &pl) || pl.Node < 0 || pl.Node >= len(r.nodes) || r.down[pl.Node] {
			return 0, nil, false
		}
		return pl.Node, pl.GPUs, true
	}
	f, _ := r.strat.(sim.Filter)
	s, _ := r.strat.(sim.Scorer)
	best, bestScore := -1, int64(-1)
	for i := range r.nodes {
		if r.down[i] || r.out[i] || !r.view.Fits(i, t) || (f != nil && !f.Filter(r.view, t, i)) {
			continue
		}
		sc := int64(0)
		if s != nil {
			sc = s.Score(r.view, t, i)
		}
		if sc > bestScore {
			best, bestScore = i, sc
		}
	}
	if best < 0 {
		return 0, nil, false
	}
	var g []int
	if needsGPU(t) {
		if g = r.view.PickGPUs(best, t, nil); g == nil {
			return 0, nil, false
		}
	}
	return best, g, true
}

// limits are the CPU quota and memory limit of t on node i: the task's
// request, or the node's share divided by its slots when it has none,
// never more than the node's share.
func (r *runner) limits(i int, t *sim.Task) (cpu, mem int64) {
	rc := r.cfg.Real[i]
	slots := int64(max(r.cfg.Nodes[i].Slots, 1))
	share, memShare := rc.CPU, rc.Memory
	if share <= 0 {
		share = 1000 * slots
	}
	if memShare <= 0 {
		memShare = 256 << 20 * slots
	}
	cpu, mem = t.CPU, t.Memory
	if cpu <= 0 {
		cpu = share / slots
	}
	if mem <= 0 {
		mem = memShare / slots
	}
	return min(cpu, share), min(mem, memShare)
}

// launch takes a slot for j and runs its container in a goroutine.
func (r *runner) launch(j *job) {
	i := j.node
	r.active[i]++
	j.rec.Start = r.now()
	r.setLoad(i)
	if r.obs != nil {
		r.obs.Started(r.view, &j.rec.Task, i)
	}
	t := &j.rec.Task
	cpu, mem := r.limits(i, t)
	use := max(r.touch(t, mem), 0)
	args := []string{"-work", time.Duration(t.Work).String(), "-memory", strconv.FormatInt(use, 10)}
	if use > 0 && t.MemoryRate > 0 {
		args = append(args, "-memory-rate", strconv.FormatInt(t.MemoryRate, 10))
	}
	var gpus []GPU
	for _, g := range j.gpus {
		if g < len(r.cfg.Real[i].GPUs) {
			gpus = append(gpus, r.cfg.Real[i].GPUs[g])
		}
	}
	spec := Spec{ID: fmt.Sprintf("fleetsim-%s-%d", r.cfg.Run, t.ID), Run: r.cfg.Run, Args: args, CPU: cpu, Memory: mem, GPUs: gpus}
	r.liveMu.Lock()
	r.live[j] = struct{}{}
	r.liveMu.Unlock()
	j.oom = make(chan struct{}, 1)
	r.oomMu.Lock()
	r.ooms[spec.ID] = j.oom
	r.oomMu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		clock := func() time.Duration { return time.Since(r.t0) }
		run, err := r.nodes[i].Start(r.ctx, spec, clock, &j.tl)
		r.liveMu.Lock()
		j.run, j.err = run, err
		r.liveMu.Unlock()
		if err == nil && r.ctx.Err() != nil {
			_ = run.Kill(r.bg)
		}
		r.ev <- event{evStarted, j}
		if err != nil {
			r.ev <- event{evDone, j}
			return
		}
		run.Wait(clock, &j.tl)
		r.ev <- event{evExited, j}
		out, derr := run.Delete(r.bg)
		if j.tl.ExitCode == 137 && !j.tl.Killed {
			// Killed, not by fleetsim: by the OOM killer if containerd
			// says so. Its event and the exit come by separate paths;
			// the event is published before the process dies, so it is
			// normally here by now.
			select {
			case <-j.oom:
				j.oomKilled = true
			case <-time.After(2 * time.Second):
			}
		}
		r.oomMu.Lock()
		delete(r.ooms, spec.ID)
		r.oomMu.Unlock()
		var rep struct {
			WorkS   float64  `json:"work_s"`
			MemoryS float64  `json:"memory_s"`
			SleepS  float64  `json:"sleep_s"`
			GPUs    []string `json:"gpus"`
			Visible string   `json:"nv_visible"`
			MainNs  int64    `json:"main_ns"`
			EndNs   int64    `json:"end_ns"`
		}
		if line, _, _ := bytes.Cut(out, []byte{'\n'}); json.Unmarshal(line, &rep) == nil {
			j.rec.Inside = sim.FromSeconds(rep.WorkS + rep.MemoryS + rep.SleepS)
			j.rec.WorkTime = sim.FromSeconds(rep.WorkS)
			j.rec.Devices, j.rec.Visible = rep.GPUs, rep.Visible
			if rep.MainNs > 0 && rep.EndNs >= rep.MainNs {
				base := r.t0.UnixNano()
				j.rec.Main, j.rec.End = sim.Time(rep.MainNs-base), sim.Time(rep.EndNs-base)
			}
		}
		if derr != nil {
			r.liveMu.Lock()
			j.err = derr
			r.liveMu.Unlock()
		}
		r.ev <- event{evDone, j}
	}()
}

// handle updates the run from a container goroutine's event.
func (r *runner) handle(e event) {
	j := e.j
	switch e.kind {
	case evStarted:
		if j.err == nil {
			j.rec.Prepared, j.rec.Created, j.rec.Started = sim.Time(j.tl.Prepared), sim.Time(j.tl.Created), sim.Time(j.tl.Started)
			if r.down[j.node] {
				// The node failed while the container was being made.
				j.nodeFailed = true
				_ = j.run.Kill(r.bg)
			}
		}
	case evExited:
		j.exitSeen = true
		j.rec.Exited = sim.Time(j.tl.Exited)
		j.rec.ExitCode = j.tl.ExitCode
		r.free(j)
		if j.tl.ExitCode == 0 && !j.tl.Killed {
			if r.obs != nil {
				r.obs.Finished(r.view, &j.rec.Task, j.node, j.rec.Exited-j.rec.Task.Arrival)
			}
		} else if r.obs != nil {
			r.obs.Failed(r.view, &j.rec.Task, j.node)
		}
		r.dispatch()
	case evDone:
		r.liveMu.Lock()
		delete(r.live, j)
		r.liveMu.Unlock()
		if j.run != nil {
			p := j.run.Peak()
			j.rec.CPUSeconds = float64(p.CPUNs) / 1e9
			j.rec.MemoryMax = int64(p.Memory)
			j.rec.Throttled = p.ThrottledPeriods
		}
		switch {
		case !j.exitSeen:
			// Never started: free the slot now.
			r.free(j)
			if r.obs != nil {
				r.obs.Failed(r.view, &j.rec.Task, j.node)
			}
			msg := "interrupted"
			if j.err != nil {
				msg = j.err.Error()
			}
			r.logf("task %d on %s: %s", j.rec.Task.ID, r.cfg.Nodes[j.node].Name, msg)
			r.end(j, sim.Failed, r.now(), msg)
			r.dispatch()
		case j.rec.ExitCode == 0 && !j.tl.Killed:
			r.end(j, sim.Completed, j.rec.Exited, "")
		default:
			msg := "exit code " + strconv.Itoa(j.rec.ExitCode)
			switch {
			case j.nodeFailed:
				msg = "killed: node failed"
			case j.tl.Killed:
				msg = "killed: run interrupted"
			case j.oomKilled:
				msg = "OOM-killed (exit 137): over its memory limit"
				j.rec.Reason = sim.ReasonOOM
				r.res.OOMKilled++
			case j.rec.ExitCode == 137:
				msg = "killed (exit 137), with no OOM event from containerd"
			}
			r.end(j, sim.Failed, j.rec.Exited, msg)
		}
	}
}

// oomEvent is a node's OOM event for container id (on the watcher's
// goroutine): the job running it hears of it.
func (r *runner) oomEvent(id string) {
	r.oomMu.Lock()
	ch := r.ooms[id]
	r.oomMu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// free gives j's slot and resources back.
func (r *runner) free(j *job) {
	i := j.node
	r.active[i]--
	if r.cfg.Central || j.gpus != nil {
		r.view.Release(i, &j.rec.Task, j.gpus)
	}
	r.setLoad(i)
}

// end finishes j's record and hands it on.
func (r *runner) end(j *job, st sim.Status, at sim.Time, msg string) {
	j.rec.Status, j.rec.Finish, j.rec.Err = st, at, msg
	if j.rec.Start == 0 {
		j.rec.Start = at // never took a slot
	}
	j.rec.GPUs = j.gpus
	switch st {
	case sim.Completed:
		r.res.Completed++
	case sim.Failed:
		r.res.Failed++
	default:
		r.res.Dropped++
	}
	if r.cfg.OnRecord != nil {
		r.cfg.OnRecord(&j.rec)
	}
}

// fail makes node i fail for real: its containers are killed now, the
// tasks queued on it are lost, and it refuses work until it comes back.
func (r *runner) fail(i int) {
	r.down[i] = true
	r.logf("node %s fails: killing its containers", r.cfg.Nodes[i].Name)
	now := r.now()
	for _, j := range r.queue[i] {
		if r.obs != nil {
			r.obs.Failed(r.view, &j.rec.Task, i)
		}
		r.end(j, sim.Failed, now, "node failed")
	}
	r.queue[i] = nil
	r.setLoad(i)
	r.liveMu.Lock()
	var kill []*Running
	for j := range r.live {
		if j.node == i && j.run != nil {
			j.nodeFailed = true
			kill = append(kill, j.run)
		}
	}
	r.liveMu.Unlock()
	for _, k := range kill {
		if err := k.Kill(r.bg); err != nil {
			r.logf("node %s: kill: %v", r.cfg.Nodes[i].Name, err)
		}
	}
}

// interrupt kills every container and fails what is queued; the
// goroutines then delete them, and their events are handled (nothing new
// is dispatched) until none is left.
func (r *runner) interrupt() {
	r.res.Interrupted = true
	r.stopping = true
	now := r.now()
	for i := range r.queue {
		for _, j := range r.queue[i] {
			r.end(j, sim.Failed, now, "interrupted")
		}
		r.queue[i] = nil
	}
	for _, j := range r.pending {
		r.end(j, sim.Failed, now, "interrupted")
	}
	r.pending = nil
	r.liveMu.Lock()
	for j := range r.live {
		if j.run != nil {
			_ = j.run.Kill(r.bg)
		}
	}
	r.liveMu.Unlock()
	for r.liveCount() > 0 {
		e := <-r.ev
		if e.kind == evStarted && e.j.run != nil {
			_ = e.j.run.Kill(r.bg)
		}
		r.handle(e)
	}
}

func (r *runner) liveCount() int {
	r.liveMu.Lock()
	defer r.liveMu.Unlock()
	return len(r.live)
}

// scrape reads every running container's cgroup metrics each interval and
// sends each node's CPU rate (milli-cores) and memory; and GPU telemetry.
func (r *runner) scrape(ctx context.Context, out chan<- []Usage) {
	every := r.cfg.Scrape
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	tk := time.NewTicker(every)
	defer tk.Stop()
	prev := map[*Running]uint64{}
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		r.liveMu.Lock()
		type item struct {
			node int
			run  *Running
		}
		var items []item
		for j := range r.live {
			if j.run != nil {
				items = append(items, item{j.node, j.run})
			}
		}
		r.liveMu.Unlock()
		dt := time.Since(last)
		last = time.Now()
		u := make([]Usage, len(r.nodes))
		seen := map[*Running]uint64{}
		for _, it := range items {
			s, err := it.run.Sample(ctx)
			if err != nil {
				continue
			}
			if p, ok := prev[it.run]; ok && s.CPUNs >= p {
				// milli-cores over the interval
				u[it.node].CPUNs += uint64(float64(s.CPUNs-p) / float64(dt.Nanoseconds()) * 1000)
			}
			u[it.node].Memory += s.Memory
			seen[it.run] = s.CPUNs
		}
		prev = seen
		select {
		case out <- u:
		default:
		}
		if r.cfg.OnGPU != nil && len(r.res.GPUs) > 0 {
			for _, s := range SampleGPUs(time.Since(r.t0), r.res.GPUs) {
				r.cfg.OnGPU(s)
			}
		}
	}
}
