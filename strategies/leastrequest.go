package strategies

import (
	"fmt"
	"math"

	"github.com/fleetsim/fleetsim/sim"
)

// LeastRequest sends a task to the healthy node with the least expected
// latency, (outstanding + 1) × EWMA(latency), found by a full scan; ties go
// to fewer outstanding tasks, then in turn from the node after the last
// choice, as least-connections.
//
// Sources. Envoy's LEAST_REQUEST load balancer (LeastRequestLoadBalancer)
// ranks hosts by their active requests; NGINX Plus's least_time method
// passes a request to the server with the least average response time and
// the fewest active connections. This strategy combines the two: Envoy's
// active-request term times each node's latency as a plain time-decayed
// moving average (ewma.go, peak unset: every sample is blended in with
// weight 1 − exp(−Δt/τ), Δt the time since the node's previous sample).
// Envoy itself compares choice_count random hosts (2 by default) when
// weights are equal; the full scan here is its all-hosts limit.
//
// Compared with adaptive (Finagle's peak EWMA): least-request scans every
// healthy node (O(n) per pick, the exact minimum) where adaptive compares
// two random ones (O(1), robust to herding on stale costs); its average
// treats a slow response like any other sample where adaptive's jumps to
// every new peak; and its estimate does not decay on read, so a node keeps
// its measured latency until it is sampled again.
//
// A node with no sample yet is charged the mean estimate of the nodes that
// have one (0 while none has), so a new node is neither flooded nor
// starved. A failed task (sim.Observer.Failed) charges the node penalty for
// a while: its latency reads as at least penalty × exp(−Δt/τ), Δt the time
// since the failure, so a failed node is avoided at once and tried again
// after a few τ (as outlier detection ejects a host for a while) without
// its measured average being overwritten.
type LeastRequest struct {
	penalty sim.Time
	name    string
	lat     latencies
	penAt   []sim.Time // time of each node's last failure
	failed  []bool
	last    int // last choice; the scan for the next one starts after it

	// Running sum of the estimates of sampled nodes, for their mean,
	// recomputed exactly every len(ewma) updates against rounding drift.
	sum     float64
	count   int
	updates int
}

var (
	_ sim.Picker      = (*LeastRequest)(nil)
	_ sim.Observer    = (*LeastRequest)(nil)
	_ sim.Initializer = (*LeastRequest)(nil)
)

func newLeastRequest(a Args, _ *sim.Rand) (sim.Strategy, error) {
	decay, err := a.Duration("least-request", "decay", defaultDecay, sim.Microsecond, maxParamTime)
	if err != nil {
		return nil, err
	}
	pen, err := a.Duration("least-request", "penalty", defaultPenalty, 0, maxParamTime)
	if err != nil {
		return nil, err
	}
	name := "least-request"
	if decay != defaultDecay || pen != defaultPenalty {
		name = fmt.Sprintf("least-request(decay=%v,penalty=%v)", decay, pen)
	}
	return &LeastRequest{penalty: pen, name: name, last: -1, lat: latencies{tau: float64(decay)}}, nil
}

// Name implements sim.Strategy.
func (l *LeastRequest) Name() string { return l.name }

// Init implements sim.Initializer.
func (l *LeastRequest) Init(v *sim.View) error {
	l.size(v.Len())
	return nil
}

func (l *LeastRequest) size(n int) {
	if len(l.lat.ewma) == n {
		return
	}
	l.lat.size(n)
	l.penAt = make([]sim.Time, n)
	l.failed = make([]bool, n)
	l.sum, l.count, l.updates, l.last = 0, 0, 0, -1
}

// Latency is node i's latency estimate at the current time, nanoseconds:
// its EWMA (the mean of the sampled nodes' when it has no sample), raised
// to its decaying failure penalty.
func (l *LeastRequest) Latency(v *sim.View, i int) float64 {
	l.size(v.Len())
	return l.latency(i, v.Now(), l.mean())
}

func (l *LeastRequest) mean() float64 {
	if l.count == 0 {
		return 0
	}
	return l.sum / float64(l.count)
}

func (l *LeastRequest) latency(i int, now sim.Time, mean float64) float64 {
	e := mean
	if l.lat.sampled[i] {
		e = l.lat.ewma[i]
	}
	if l.failed[i] {
		p := float64(l.penalty) * math.Exp(-float64(max(now-l.penAt[i], 0))/l.lat.tau)
		e = max(e, p)
	}
	return e
}

// Pick implements sim.Picker.
func (l *LeastRequest) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	l.size(n)
	now, mean := v.Now(), l.mean()
	best, bestOut := -1, 0
	var bestCost float64
	for k := 1; k <= n; k++ {
		i := l.last + k
		if i >= n {
			i -= n
		}
		if !v.Healthy(i) {
			continue
		}
		out := v.InSystem(i)
		c := float64(out+1) * l.latency(i, now, mean)
		if best < 0 || c < bestCost || (c == bestCost && out < bestOut) {
			best, bestCost, bestOut = i, c, out
		}
	}
	if best < 0 {
		return sim.Drop
	}
	l.last = best
	return best
}

// Started implements sim.Observer; outstanding tasks are read from the View.
func (*LeastRequest) Started(*sim.View, *sim.Task, int) {}

// Finished implements sim.Observer: a latency sample of node i.
func (l *LeastRequest) Finished(v *sim.View, _ *sim.Task, i int, latency sim.Time) {
	l.size(v.Len())
	was := l.lat.sampled[i]
	old, e := l.lat.observe(i, v.Now(), latency)
	if !was {
		l.count++
		old = 0
	}
	l.sum += e - old
	if l.updates++; l.updates >= max(len(l.lat.ewma), 64) {
		l.updates, l.sum = 0, 0
		for j, s := range l.lat.sampled {
			if s {
				l.sum += l.lat.ewma[j]
			}
		}
	}
}

// Failed implements sim.Observer: node i is charged the penalty from now.
func (l *LeastRequest) Failed(v *sim.View, _ *sim.Task, i int) {
	if l.penalty <= 0 {
		return
	}
	l.size(v.Len())
	l.failed[i], l.penAt[i] = true, v.Now()
}
