package sim

import "strconv"

// Sampling configures the time series of a run (Config.Series): every node's
// utilization, active and queued tasks, and the cluster's, sampled on a
// fixed simulated interval.
type Sampling struct {
	// Every is the sampling interval; 0 takes no series.
	Every Time
	// Max, when > 0, bounds memory whatever the run's length: once 2*Max
	// samples are kept, the interval doubles and only the samples at its
	// multiples stay. The series then holds about Max to 2*Max samples
	// on a fixed interval of Every times a power of two.
	Max int
}

// Series is the state of the cluster sampled at every multiple of Every
// after the run's first event, up to its last: T[k] = T[0] + k·Every.
//
// Each sample holds Nodes+1 entries: the cluster first, then each node in
// configuration order. Busy is the busy time so far, in seconds at full
// capacity: of a node's slots under node queueing, of its most allocated
// resource (CPU, memory or GPU) under central queueing; the cluster's is
// over all slots, or its most allocated resource. At derives utilization
// over each interval from it. Active and Queued are the counts at T[k]
// once every event of that instant has run: tasks running, and tasks
// waiting (in the node's queue, or the central pending queue for the
// cluster entry; a node's Queued is 0 under central queueing). State is
// each node's NodeState at T[k] (the cluster entry's is NodeUp).
type Series struct {
	Every  Time
	Nodes  int
	T      []Time
	Busy   []float64
	Active []int32
	Queued []int32
	State  []NodeState
}

// NodeState is a node's state in a Series sample.
type NodeState uint8

// A node is up, or one of: down (failed, by a scheduled or random fault,
// whatever health checks report), off (not in the pool because an
// autoscaler has not provisioned it, is still provisioning it, or removed
// it), drained (out of the pool for maintenance, or removed by an
// autoscaler and finishing its tasks). A failed node is down whatever else
// holds; an off node is off even while a maintenance window covers it.
const (
	NodeUp NodeState = iota
	NodeDown
	NodeOff
	NodeDrained
)

// String returns the state's name as series.csv writes it.
func (s NodeState) String() string {
	switch s {
	case NodeUp:
		return "up"
	case NodeDown:
		return "down"
	case NodeOff:
		return "off"
	case NodeDrained:
		return "drained"
	}
	return "NodeState(" + strconv.Itoa(int(s)) + ")"
}

// Len is the number of samples.
func (s *Series) Len() int { return len(s.T) }

// At returns sample k of node i, or of the cluster when i is -1: its
// utilization over the interval (T[k]-Every, T[k]], and its active and
// queued tasks at T[k].
func (s *Series) At(k, i int) (utilization float64, active, queued int) {
	w := s.Nodes + 1
	j := k*w + i + 1
	b := s.Busy[j]
	if k > 0 {
		b -= s.Busy[j-w]
	}
	return b / s.Every.Seconds(), int(s.Active[j]), int(s.Queued[j])
}

// StateAt returns node i's state at T[k] (NodeUp for the cluster, i = -1).
func (s *Series) StateAt(k, i int) NodeState { return s.State[k*(s.Nodes+1)+i+1] }

// snapshotFunc fills, at time t, each entry's busy time so far (seconds
// at full utilization; index 0 the cluster, 1+i node i) and its active and
// queued counts, and each node's state (entry 0 stays NodeUp).
type snapshotFunc func(t Time, busy []float64, active, queued []int32, state []NodeState)

// sampler takes a Series for a core.
type sampler struct {
	cfg     Sampling
	every   Time
	next    Time
	started bool
	busy    []float64
	act     []int32
	que     []int32
	state   []NodeState
	snap    snapshotFunc
	s       Series
}

func newSampler(cfg Sampling, nodes int, snap snapshotFunc) *sampler {
	if cfg.Every <= 0 {
		return nil
	}
	return &sampler{
		cfg: cfg, every: cfg.Every, snap: snap,
		busy: make([]float64, nodes+1),
		act:  make([]int32, nodes+1), que: make([]int32, nodes+1),
		state: make([]NodeState, nodes+1),
		s:     Series{Every: cfg.Every, Nodes: nodes},
	}
}

// to takes every sample due before an event at time at: the state is
// constant between events, so a sample at t taken when the first event
// after t pops sees every event of instant t. Nothing is busy before the
// first event, so the first interval's utilization is exact too.
func (p *sampler) to(at Time) {
	if !p.started {
		p.started = true
		p.next = (at/p.every + 1) * p.every
		return
	}
	for p.next < at {
		p.take(p.next)
	}
}

// take records the sample at t and schedules the next.
func (p *sampler) take(t Time) {
	p.snap(t, p.busy, p.act, p.que, p.state)
	s := &p.s
	s.T = append(s.T, t)
	s.Busy = append(s.Busy, p.busy...)
	s.Active = append(s.Active, p.act...)
	s.Queued = append(s.Queued, p.que...)
	s.State = append(s.State, p.state...)
	if p.cfg.Max > 0 && len(s.T) >= 2*p.cfg.Max {
		p.halve()
	}
	p.next = (t/p.every + 1) * p.every
}

// halve doubles the interval and keeps the samples at its multiples. The
// first kept sample is the first multiple after the first event, so
// nothing was busy one interval before it and At stays exact.
func (p *sampler) halve() {
	s := &p.s
	w := s.Nodes + 1
	p.every *= 2
	s.Every = p.every
	n := 0
	for k, t := range s.T {
		if t%p.every != 0 {
			continue
		}
		s.T[n] = t
		copy(s.Busy[n*w:(n+1)*w], s.Busy[k*w:(k+1)*w])
		copy(s.Active[n*w:(n+1)*w], s.Active[k*w:(k+1)*w])
		copy(s.Queued[n*w:(n+1)*w], s.Queued[k*w:(k+1)*w])
		copy(s.State[n*w:(n+1)*w], s.State[k*w:(k+1)*w])
		n++
	}
	s.T = s.T[:n]
	s.Busy = s.Busy[:n*w]
	s.Active = s.Active[:n*w]
	s.Queued = s.Queued[:n*w]
	s.State = s.State[:n*w]
}

// series returns the samples taken so far (nil when not sampling).
func (p *sampler) series() *Series {
	if p == nil {
		return nil
	}
	s := p.s
	return &s
}
