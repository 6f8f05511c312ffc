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
// Compared with adaptive (Finagle's peak EWMA): least-request finds the
// exact minimum over every healthy node (an index, below) where adaptive compares
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
//
// A decision costs O(log n + f), f the nodes whose failure penalty may
// still exceed their estimate: the healthy sampled nodes sit in a
// tournament tree keyed by (cost, outstanding) (costtree.go: the keys sit
// in the tree), updated when a node's load or health changes
// (sim.View.Watch) or a sample arrives; the healthy unsampled ones, whose
// cost (outstanding + 1) × mean moves with every sample but whose order is
// that of their outstanding counts, bucketed by outstanding
// (sim.CountIndex, O(1) per change); the penalised ones in a list whose costs are
// computed at the pick, as the scan would, until the penalty has decayed
// below the node's estimate (or, unsampled, to exactly 0) and the node
// rejoins a tree. The best of the trees' first candidates after the last
// choice and of the list is the scan's choice. With scan: true it scans
// every node instead, the O(n) original kept as the oracle; both make the
// same choices.
type LeastRequest struct {
	penalty sim.Time
	name    string
	lat     latencies
	penAt   []sim.Time // time of each node's last failure
	failed  []bool
	last    int // last choice; the scan for the next one starts after it
	scan    bool

	// The index (nil with scan, or before Init).
	view     *sim.View
	cost     []float64       // (outstanding + 1) × EWMA of sampled nodes
	out      []int32         // outstanding tasks as of the last update
	sampledT *costTree       // healthy, sampled, not penalised: by (cost, out)
	freshT   *sim.CountIndex // healthy, unsampled, not penalised: by out
	pen      []bool          // in penList
	penList  []int32         // failed nodes whose penalty may exceed their estimate

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
	scan, err := a.Bool("least-request", "scan", false)
	if err != nil {
		return nil, err
	}
	name := "least-request"
	if decay != defaultDecay || pen != defaultPenalty {
		name = fmt.Sprintf("least-request(decay=%v,penalty=%v)", decay, pen)
	}
	return &LeastRequest{penalty: pen, name: name, last: -1, scan: scan, lat: latencies{tau: float64(decay)}}, nil
}

// Name implements sim.Strategy.
func (l *LeastRequest) Name() string { return l.name }

// Init implements sim.Initializer.
func (l *LeastRequest) Init(v *sim.View) error {
	n := v.Len()
	l.size(n)
	l.view = nil
	if l.scan {
		return nil
	}
	l.view = v
	l.cost = make([]float64, n)
	l.out = make([]int32, n)
	l.pen = make([]bool, n)
	l.penList = l.penList[:0]
	l.sampledT = newCostTree(n)
	l.freshT = sim.NewCountIndex(n)
	for i := 0; i < n; i++ {
		l.out[i] = int32(v.InSystem(i))
		l.cost[i] = float64(l.out[i]+1) * l.lat.s[i].ewma
		if l.lat.s[i].sampled {
			l.sampledT.leaf(i, v.Healthy(i), l.cost[i], l.out[i])
		} else {
			l.freshT.Set(i, int(l.out[i]), v.Healthy(i))
		}
	}
	l.sampledT.rebuild()
	for i := 0; i < n; i++ {
		l.penalise(i, v.Now())
	}
	v.Watch(l.update)
	return nil
}

// update puts node i where it belongs in the index after its load,
// health, estimate or penalty changed.
func (l *LeastRequest) update(i int) {
	v := l.view
	l.out[i] = int32(v.InSystem(i))
	in := v.Healthy(i) && !l.pen[i]
	if l.lat.s[i].sampled {
		l.cost[i] = float64(l.out[i]+1) * l.lat.s[i].ewma
		l.sampledT.mark(i, in, l.cost[i], l.out[i])
		l.freshT.Set(i, 0, false)
	} else {
		l.freshT.Set(i, int(l.out[i]), in)
	}
}

// penalty is node i's decaying failure penalty at now (0 when it never
// failed), as latency reads it.
func (l *LeastRequest) penaltyAt(i int, now sim.Time) float64 {
	return float64(l.penalty) * math.Exp(-float64(max(now-l.penAt[i], 0))/l.lat.tau)
}

// penalise moves node i to the penalty list when its penalty may exceed
// its estimate.
func (l *LeastRequest) penalise(i int, now sim.Time) {
	if l.pen[i] || !l.failed[i] {
		return
	}
	if l.lat.s[i].sampled && l.penaltyAt(i, now) <= l.lat.s[i].ewma {
		return // max(estimate, penalty) is the estimate until it changes
	}
	l.pen[i] = true
	l.penList = append(l.penList, int32(i))
	l.update(i)
}

func (l *LeastRequest) size(n int) {
	if len(l.lat.s) == n {
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
	if l.lat.s[i].sampled {
		e = l.lat.s[i].ewma
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
	if l.view == v && l.sampledT != nil && l.sampledT.n == n {
		return l.pickIndexed(n, now, mean)
	}
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

// pickIndexed is Pick on the index: the scan's choice, the first node
// after the last choice of the least (cost, outstanding).
func (l *LeastRequest) pickIndexed(n int, now sim.Time, mean float64) int {
	from := l.last + 1
	if from >= n {
		from = 0
	}
	best, bestOut := -1, int32(0)
	var bestCost float64
	// consider offers node i of cost c and outstanding o: better when
	// its (c, o) is less, or equal and i comes first after the last
	// choice.
	consider := func(i int, c float64, o int32) {
		switch {
		case best < 0 || c < bestCost || (c == bestCost && o < bestOut):
		case c == bestCost && o == bestOut && (i-from+n)%n < (best-from+n)%n:
		default:
			return
		}
		best, bestCost, bestOut = i, c, o
	}
	if i := l.sampledT.bestFrom(from); i >= 0 {
		consider(i, l.cost[i], l.out[i])
	}
	if i := l.freshT.Best(from); i >= 0 {
		consider(i, float64(l.out[i]+1)*mean, l.out[i])
	}
	k := 0
	for _, x := range l.penList {
		i := int(x)
		p := l.penaltyAt(i, now)
		if l.lat.s[i].sampled && p <= l.lat.s[i].ewma || !l.lat.s[i].sampled && p == 0 {
			// The penalty no longer counts (until a lower estimate).
			l.pen[i] = false
			l.update(i)
			if l.view.Healthy(i) {
				if l.lat.s[i].sampled {
					consider(i, l.cost[i], l.out[i])
				} else {
					consider(i, float64(l.out[i]+1)*mean, l.out[i])
				}
			}
			continue
		}
		l.penList[k] = x
		k++
		if l.view.Healthy(i) {
			o := int32(l.view.InSystem(i))
			consider(i, float64(o+1)*l.latency(i, now, mean), o)
		}
	}
	l.penList = l.penList[:k]
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
	was := l.lat.s[i].sampled
	old, e := l.lat.observe(i, v.Now(), latency)
	if !was {
		l.count++
		old = 0
	}
	l.sum += e - old
	if l.updates++; l.updates >= max(len(l.lat.s), 64) {
		l.updates, l.sum = 0, 0
		for _, e := range l.lat.s {
			if e.sampled {
				l.sum += e.ewma
			}
		}
	}
	if l.sampledT != nil && l.view == v {
		l.update(i)
		l.penalise(i, v.Now())
	}
}

// Failed implements sim.Observer: node i is charged the penalty from now.
func (l *LeastRequest) Failed(v *sim.View, _ *sim.Task, i int) {
	if l.penalty <= 0 {
		return
	}
	l.size(v.Len())
	l.failed[i], l.penAt[i] = true, v.Now()
	if l.sampledT != nil && l.view == v {
		l.penalise(i, v.Now())
	}
}
