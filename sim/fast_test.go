package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// plainTasks is a PlainSource over a list of tasks, for the fast path's
// tests: it sets only ID, Arrival and Work, as the generator does.
type plainTasks struct {
	ts []Task
	i  int
}

func (s *plainTasks) Next(t *Task) error {
	*t = Task{}
	return s.NextPlain(t)
}

func (s *plainTasks) NextPlain(t *Task) error {
	if s.i == len(s.ts) {
		return io.EOF
	}
	t.ID, t.Arrival, t.Work = s.ts[s.i].ID, s.ts[s.i].Arrival, s.ts[s.i].Work
	s.i++
	return nil
}

// fullTasks is a Source that is not a PlainSource: its tasks carry cpu
// and memory, which the View accounts while they are served.
type fullTasks struct {
	ts []Task
	i  int
}

func (s *fullTasks) Next(t *Task) error {
	if s.i == len(s.ts) {
		return io.EOF
	}
	*t = s.ts[s.i]
	s.i++
	return nil
}

// leastCPU is a Picker that reads the View's cpu accounting: the node
// with the least cpu in use, ties to the fewest tasks in the system, then
// the lowest index. A task's cpu left counted after it ends, or counted
// late, changes its choices.
type leastCPU struct{}

func (leastCPU) Name() string { return "least-cpu" }
func (leastCPU) Pick(v *View, _ *Task) int {
	best := 0
	for j := 1; j < v.Len(); j++ {
		if c, b := v.CPUUsed(j), v.CPUUsed(best); c < b || c == b && v.InSystem(j) < v.InSystem(best) {
			best = j
		}
	}
	return best
}

// learner is a Picker and an Observer: it keeps each node's last
// observed latency and takes the lower of two drawn nodes, so that a
// callback made late, early, with another task or another latency
// changes its choices; its digest folds every callback it was given.
type learner struct {
	r      *Rand
	last   []Time
	digest *uint64
}

func newLearner(seed uint64) *learner {
	return &learner{r: NewRand(seed, "learner"), digest: new(uint64)}
}

func (*learner) Name() string { return "learner" }
func (l *learner) Pick(v *View, _ *Task) int {
	if l.last == nil {
		l.last = make([]Time, v.Len())
	}
	i, j := l.r.IntN(v.Len()), l.r.IntN(v.Len())
	if l.last[j] < l.last[i] {
		i = j
	}
	return i
}
func (l *learner) fold(xs ...int64) {
	for _, x := range xs {
		*l.digest = (*l.digest ^ uint64(x)) * 1099511628211
	}
}
func (l *learner) Started(v *View, t *Task, i int) {
	l.fold(1, t.ID, int64(t.Arrival), int64(t.Work), t.CPU, t.Memory, int64(i), int64(v.Now()))
}
func (l *learner) Finished(v *View, t *Task, i int, latency Time) {
	l.last[i] = latency
	l.fold(2, t.ID, int64(t.Arrival), int64(t.Work), t.CPU, t.Memory, int64(i), int64(latency), int64(v.Now()))
}
func (l *learner) Failed(*View, *Task, int) {}

// leastOrDrop is a Picker that reads the View, so that the order of
// events at equal times shows in its choices: with probability drop it
// drops the task, else it takes the node with the fewest tasks in the
// system among three drawn (the lowest drawn first among ties).
type leastOrDrop struct {
	r    *Rand
	drop float64
}

func (leastOrDrop) Name() string { return "least-or-drop" }
func (p leastOrDrop) Pick(v *View, _ *Task) int {
	if p.r.Float64() < p.drop {
		return Drop
	}
	best := p.r.IntN(v.Len())
	for range 2 {
		if j := p.r.IntN(v.Len()); v.InSystem(j) < v.InSystem(best) {
			best = j
		}
	}
	return best
}

// fewestQueued is a Scorer: a node's score falls with its queue.
type fewestQueued struct{}

func (fewestQueued) Name() string { return "fewest-queued" }
func (fewestQueued) Score(v *View, _ *Task, i int) int64 {
	return max(MaxScore-int64(v.Load(i).Queued)-int64(v.Load(i).Active), MinScore)
}

// fastCase is one random run of TestFastPathSameResult.
type fastCase struct {
	nodes    []NodeSpec
	tasks    []Task
	cfg      Config
	strategy func() Strategy
	what     string
	full     bool // the tasks come from fullTasks, with cpu and memory
}

// randomFastCase draws a cluster (1-4 slots, speeds, background load), a
// workload (integer-second arrivals with many ties, or nanosecond ones;
// zero-work tasks among them), warm-up and stop limits and a strategy.
func randomFastCase(r *Rand, k int) fastCase {
	var c fastCase
	n := 1 + r.IntN(12)
	speeds := []float64{0.5, 1, 1, 1.5, 2, 3}
	for i := range n {
		sp := NodeSpec{Name: fmt.Sprintf("n%d", i), Slots: 1 + r.IntN(4), Speed: speeds[r.IntN(len(speeds))]}
		if r.IntN(4) == 0 {
			sp.Background = 0.25
		}
		c.nodes = append(c.nodes, sp)
	}
	ties := r.IntN(2) == 0
	m := 200 + r.IntN(2000)
	var at Time
	for id := range m {
		var w Time
		if ties {
			// Whole seconds: arrivals in bursts at the same second, work
			// of 0 to 4 s, so that completions and arrivals coincide.
			if r.IntN(3) == 0 {
				at += Time(r.IntN(2)) * Second
			}
			w = Time(r.IntN(5)) * Second
		} else {
			at += Time(r.IntN(int(Second) / n))
			w = Time(r.IntN(int(3 * Second)))
			if r.IntN(10) == 0 {
				w = 0
			}
		}
		c.tasks = append(c.tasks, Task{ID: int64(id), Arrival: at, Work: w})
	}
	switch r.IntN(3) {
	case 1:
		c.cfg.WarmupTasks = int64(r.IntN(m / 2))
	case 2:
		c.cfg.WarmupTime = Time(r.IntN(int(at/Second)+1)) * Second / 2
	}
	switch r.IntN(3) {
	case 1:
		c.cfg.StopTasks = int64(1 + r.IntN(m))
	case 2:
		c.cfg.StopTime = Time(1+r.IntN(int(at/Second)+1)) * Second
	}
	seed := uint64(k)
	switch r.IntN(3) {
	case 0:
		drop := []float64{0, 0, 0.1}[r.IntN(3)]
		c.strategy = func() Strategy { return leastOrDrop{NewRand(seed, "pick"), drop} }
		c.what = fmt.Sprintf("least-of-3 (drop %v)", drop)
	case 1:
		c.strategy = func() Strategy { return fewestQueued{} }
		c.what = "scorer"
	default:
		c.strategy = func() Strategy { return shortest{} }
		c.what = "shortest"
	}
	// One case in three reads a Source that is not a PlainSource, its
	// tasks with cpu and memory (some none), and half of those place by
	// the View's cpu accounting (leastCPU). Drawn from a stream of their
	// own, so the other cases are as they were.
	if rr := NewRand(seed, "full"); rr.IntN(3) == 0 {
		c.full = true
		for j := range c.tasks {
			if rr.IntN(4) > 0 {
				c.tasks[j].CPU = int64(1 + rr.IntN(4000))
				c.tasks[j].Memory = int64(1+rr.IntN(1<<10)) << 20
			}
			c.tasks[j].Priority = int32(rr.IntN(3)) // not read under node queueing
		}
		// Half of them start with tasks that have none, so the fast path
		// starts accounting them (useRes) with tasks served and queued.
		if rr.IntN(2) == 0 {
			for j := range c.tasks[:rr.IntN(len(c.tasks)+1)] {
				c.tasks[j].CPU, c.tasks[j].Memory = 0, 0
			}
		}
		if rr.IntN(2) == 0 {
			c.strategy = func() Strategy { return leastCPU{} }
			c.what = "least-cpu"
		}
		c.what += ", cpu and memory"
	} else if rr.IntN(3) == 0 {
		// An Observer, on a PlainSource: the fast path tells it what the
		// general path does.
		c.strategy = func() Strategy { return newLearner(seed) }
		c.what = "learner (an Observer)"
	}
	// One case in four of the others ticks (a Ticker, whose ticks the
	// fast path keeps itself where the general path counts them as
	// dynamics).
	if rr := NewRand(seed, "tick"); !c.full && c.what != "learner (an Observer)" && rr.IntN(4) == 0 {
		every := Time(1+rr.IntN(2000)) * Millisecond
		c.strategy = func() Strategy { return &staleLeast{every: every} }
		c.what = fmt.Sprintf("stale-least (a Ticker, every %v)", every)
	}
	// One case in three has single-slot nodes (the fast path's per-node
	// records), one in four a power model (the busy time's integral read
	// at the end), each from a stream of its own.
	if rr := NewRand(seed, "single"); rr.IntN(3) == 0 {
		for i := range c.nodes {
			c.nodes[i].Slots = 1
		}
		c.what += ", single-slot nodes"
	}
	if rr := NewRand(seed, "power"); rr.IntN(4) == 0 {
		for i := range c.nodes {
			c.nodes[i].PowerIdle, c.nodes[i].PowerPeak = 100, 100+float64(rr.IntN(300))
		}
		c.what += ", power"
	}
	c.what = fmt.Sprintf("case %d: %d nodes, %d tasks, ties %v, %s, warm-up %d tasks / %v, stop %d tasks / %v",
		k, n, m, ties, c.what, c.cfg.WarmupTasks, c.cfg.WarmupTime, c.cfg.StopTasks, c.cfg.StopTime)
	return c
}

// staleLeast is a Ticker: it sends each task to the node with the fewest
// tasks in its last scrape (every every; before the first, node 0),
// counting what it has sent there since, as a resource-based balancer
// does with scraped metrics.
type staleLeast struct {
	every  Time
	scrape []int
}

func (*staleLeast) Name() string  { return "stale-least" }
func (s *staleLeast) Every() Time { return s.every }
func (s *staleLeast) Tick(v *View) {
	s.scrape = s.scrape[:0]
	for i := range v.Len() {
		s.scrape = append(s.scrape, v.InSystem(i))
	}
}
func (s *staleLeast) Pick(v *View, _ *Task) int {
	if len(s.scrape) == 0 {
		return 0
	}
	best := 0
	for i := range s.scrape {
		if s.scrape[i] < s.scrape[best] {
			best = i
		}
	}
	s.scrape[best]++
	return best
}

// samePaths checks that c's result is the general path's on the fast
// path, and on single-slot nodes also with the fast path's per-node
// records off (the calendar's or fradix's records instead).
func samePaths(t *testing.T, c fastCase, what string) {
	t.Helper()
	general, fast := runPath(t, c, false), runPath(t, c, true)
	if general != fast {
		t.Fatalf("%s%s: the fast path's result differs from the general path's:\ngeneral: %s\nfast:    %s", c.what, what, general, fast)
	}
	if !slices.ContainsFunc(c.nodes, func(n NodeSpec) bool { return n.Slots != 1 }) {
		defer func(v bool) { fastPerNode = v }(fastPerNode)
		fastPerNode = false
		if other := runPath(t, c, true); other != general {
			t.Fatalf("%s%s: without per-node records, the fast path's result differs from the general path's:\ngeneral: %s\nfast:    %s", c.what, what, general, other)
		}
	}
}

// runPath runs c on the fast path or the general one and returns the
// Result as JSON, with the events processed and both histograms.
func runPath(t *testing.T, c fastCase, fast bool) string {
	t.Helper()
	defer func(v bool) { fastPath = v }(fastPath)
	fastPath = fast
	cfg := c.cfg
	cfg.Nodes = c.nodes
	var src Source = &plainTasks{ts: c.tasks}
	if c.full {
		src = &fullTasks{ts: c.tasks}
	}
	st := c.strategy()
	e, err := NewEngine(cfg, src, st)
	if err != nil {
		t.Fatal(err)
	}
	if e.f.on != fast {
		t.Fatalf("%s: fast path on = %v, want %v", c.what, e.f.on, fast)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e.Result())
	if err != nil {
		t.Fatal(err)
	}
	// What the View still accounts at the end: nothing, on both paths.
	var cpu, mem int64
	for i := range e.View().Len() {
		cpu += e.View().CPUUsed(i)
		mem += e.View().MemoryUsed(i)
	}
	var seen uint64
	if l, ok := st.(*learner); ok {
		seen = *l.digest
	}
	return fmt.Sprintf("%s\nevents %d now %v\nlatency %+v\nwait %+v\ncpu %d memory %d in use at the end\nobserved %x", b, e.Events(), e.Now(), *e.Latency(), *e.Wait(), cpu, mem, seen)
}

// TestFastPathSameResult: the fast path (fast.go) gives the general
// path's Result byte for byte (every figure, every node's), its event
// count and its histograms, on random clusters and workloads whose
// arrivals and completions often fall at the same time, so that the order
// of simultaneous events decides what the strategy sees.
func TestFastPathSameResult(t *testing.T) {
	r := NewRand(22, "fast-path-test")
	runs := 300
	if testing.Short() {
		runs = 60
	}
	for k := range runs {
		samePaths(t, randomFastCase(r, k), "")
	}
}

// TestFastPathTaken: the fast path is taken exactly where a run allows it.
func TestFastPathTaken(t *testing.T) {
	nodes := []NodeSpec{{Name: "a", Slots: 2, Speed: 1}}
	src := func() Source { return &plainTasks{ts: []Task{{ID: 1, Arrival: 0, Work: Second}}} }
	for _, c := range []struct {
		what string
		cfg  Config
		src  Source
		want bool
	}{
		{"plain", Config{Nodes: nodes}, src(), true},
		{"records", Config{Nodes: nodes, OnRecord: func(*Record) {}}, src(), false},
		{"series", Config{Nodes: nodes, Series: Sampling{Every: Second}}, src(), false},
		{"start-up", Config{Nodes: nodes, Startup: Delay{Mean: Second}}, src(), false},
		{"client retries", Config{Nodes: nodes, Client: Client{Retries: 1, Timeout: Second}}, src(), false},
		{"not a PlainSource (cpu and memory accounted)", Config{Nodes: nodes}, &expSource{ar: *NewRand(1, "a"), sr: *NewRand(1, "s"), rate: 1}, true},
		{"an Observer on a PlainSource", Config{Nodes: nodes}, src(), true},
		{"an Observer on another source (it would see the whole task)", Config{Nodes: nodes}, &expSource{ar: *NewRand(1, "a"), sr: *NewRand(1, "s"), rate: 1}, false},
		{"a Ticker", Config{Nodes: nodes}, src(), true},
		{"a Ticker with a health check (dynamics)", Config{Nodes: nodes, Health: &Health{Interval: Second, Threshold: 1, Rise: 1}}, src(), false},
		{"a Ticker with series", Config{Nodes: nodes, Series: Sampling{Every: Second}}, src(), false},
	} {
		var st Strategy = shortest{}
		switch {
		case c.what[:2] == "an":
			st = newLearner(1)
		case strings.HasPrefix(c.what, "a Ticker"):
			st = &staleLeast{every: Second}
		}
		e, err := NewEngine(c.cfg, c.src, st)
		if err != nil {
			t.Fatal(c.what, err)
		}
		if e.f.on != c.want {
			t.Errorf("%s: fast path %v, want %v", c.what, e.f.on, c.want)
		}
	}
}

// BenchmarkFastQueueHold is the hold model (sim/queue/BENCHMARKS.md) on
// the fast path's calendar queue at about the pending events of 10^2 to
// 10^4 single-slot nodes (one completion per busy slot): each step takes
// the first event and schedules one an exponential time later (mean 1 s),
// as a completion followed by the start of a queued task does.
func BenchmarkFastQueueHold(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := NewRand(1, "hold")
			inc := make([]int64, 1<<16)
			for k := range inc {
				inc[k] = int64(r.ExpFloat64() * 1e9)
			}
			var q fcal
			q.init(n)
			var seq uint64
			for k := range n {
				q.push(fev{at: inc[k], key: seq << fastRefBits})
				seq++
			}
			for k := range 10 * n { // to the width and steady state
				top, _ := q.first()
				q.pop()
				q.push(fev{at: top.at + inc[k&(len(inc)-1)], key: seq << fastRefBits})
				seq++
			}
			for k := 0; b.Loop(); k++ {
				top, _ := q.first()
				q.pop()
				q.push(fev{at: top.at + inc[k&(len(inc)-1)], key: seq << fastRefBits})
				seq++
			}
			b.ReportMetric(float64(q.shift), "shift")
		})
	}
}

// TestFastQueueOrder: the fast path's calendar queue pops in (time, key)
// order, checked against the least pending event found by a scan, through
// phases whose time scales differ by 10^9 (the width adapts both ways and
// pops jump over years of empty buckets) and with many equal times.
func TestFastQueueOrder(t *testing.T) {
	r := NewRand(7, "fcal")
	const max = 500
	var q fcal
	q.init(max)
	var ref []fev
	var now int64
	var seq uint64
	widths := map[uint]bool{}
	for phase, scale := range []int64{1e9, 1, 1e3, 3600e9, 1, 1e6} {
		for range 20000 {
			if len(ref) < max && (len(ref) == 0 || r.IntN(2) == 0) {
				at := now + int64(r.IntN(4))*scale // ties: whole multiples of scale
				if r.IntN(2) == 0 {
					at = now + int64(r.Float64()*float64(scale)*float64(max))
				}
				x := fev{at: at, key: seq<<fastRefBits | uint64(r.IntN(fastRefMask))}
				seq++
				q.push(x)
				ref = append(ref, x)
				continue
			}
			m := leastFev(ref)
			got, ok := q.first()
			if !ok || got != ref[m] {
				t.Fatalf("phase %d: first = %+v, %v; want %+v", phase, got, ok, ref[m])
			}
			q.pop()
			now = got.at
			ref[m] = ref[len(ref)-1]
			ref = ref[:len(ref)-1]
			widths[q.shift] = true
		}
	}
	if len(widths) < 3 {
		t.Errorf("the width took %d values, want it to adapt to the phases' scales", len(widths))
	}
	if _, ok := q.first(); ok != (len(ref) > 0) || q.n != len(ref) {
		t.Errorf("%d events pending, the queue says %d", len(ref), q.n)
	}
}

// wrongAt is a Picker that answers node 0 but, for task at, answer.
type wrongAt struct {
	at     int64
	answer int
}

func (wrongAt) Name() string { return "wrong" }
func (p wrongAt) Pick(_ *View, t *Task) int {
	if t.ID == p.at {
		return p.answer
	}
	return 0
}

// TestFastPathBadPick: a Picker's answer out of range stops the run with
// the general path's error, on the fast path too (which checks it inline).
func TestFastPathBadPick(t *testing.T) {
	for _, answer := range []int{2, ToBroker, -3} {
		var msg [2]string
		for k, fast := range []bool{false, true} {
			func() {
				defer func(v bool) { fastPath = v }(fastPath)
				fastPath = fast
				ts := []Task{{ID: 0, Work: Second}, {ID: 1, Arrival: Second, Work: Second}, {ID: 2, Arrival: 2 * Second}}
				e, err := NewEngine(Config{Nodes: []NodeSpec{{Name: "a", Slots: 1, Speed: 1}, {Name: "b", Slots: 1, Speed: 1}}}, &plainTasks{ts: ts}, wrongAt{1, answer})
				if err != nil {
					t.Fatal(err)
				}
				if e.f.on != fast {
					t.Fatalf("fast path %v, want %v", e.f.on, fast)
				}
				if err := e.Run(); err != nil {
					msg[k] = fmt.Sprintf("%v after %d events", err, e.Events())
				}
			}()
		}
		// Task 0 arrives at 0 and ends at 1 s, an event scheduled before
		// task 1's arrival at 1 s, which comes third and stops the run.
		want := fmt.Sprintf("sim: strategy wrong picked node %d for task 1; valid nodes are 0..1 after 3 events", answer)
		if msg[0] != want || msg[1] != want {
			t.Errorf("answer %d: general path %q, fast path %q; want %q from both", answer, msg[0], msg[1], want)
		}
	}
}

// TestFastQueueEqualTimes: events at one time (a trace's burst) are
// appended to their bucket, not inserted after a walk past the others, so
// that n of them cost O(n), not O(n²): no entry is walked past.
func TestFastQueueEqualTimes(t *testing.T) {
	var q fcal
	q.init(5000)
	for k := range 5000 {
		q.push(fev{at: 7 * int64(Second), key: uint64(k) << fastRefBits})
	}
	if q.walks != 0 {
		t.Errorf("%d entries walked past for 5,000 events at one time, want 0", q.walks)
	}
	for k := range 5000 {
		x, ok := q.first()
		if want := (fev{at: 7 * int64(Second), key: uint64(k) << fastRefBits}); !ok || x != want {
			t.Fatalf("pop %d: %+v, %v; want %+v", k, x, ok, want)
		}
		q.pop()
	}
}

// TestFastEntrySize: a calendar entry of the fast path (its event, link
// and service record) is one 64-byte cache line.
func TestFastEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(cent{}); n != 64 {
		t.Errorf("a calendar entry is %d bytes, want 64", n)
	}
}

// TestViewEntrySize: a View entry (a node's load and the fast path's
// per-node record) is one 64-byte cache line, and a large cluster's
// entries start on a line (the allocator gives a large object whole
// pages), so a node is one line.
func TestViewEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(vnode{}); n != 64 {
		t.Errorf("a View entry is %d bytes, want 64", n)
	}
	v := NewView(make([]NodeSpec, PrefetchMinNodes))
	if a := uintptr(unsafe.Pointer(&v.load[0])); a%64 != 0 {
		t.Errorf("the View's entries start at %#x, not on a 64-byte line", a)
	}
}

// leastFev is the index of the first of events in (time, key) order, by
// a scan: the order the fast path's queues are checked against.
func leastFev(events []fev) int {
	m := 0
	for k := range events {
		if events[k].before(events[m]) {
			m = k
		}
	}
	return m
}
