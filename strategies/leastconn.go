package strategies

import "github.com/fleetsim/fleetsim/sim"

// LeastConnections sends a task to the node with the fewest outstanding
// tasks (served plus queued), the connection count a balancer keeps. Ties go
// to the first tied node at or after the last choice, so equal nodes share
// work in turn, as nginx's and HAProxy's leastconn do.
//
// With weighted: true it minimises outstanding/weight, the weight being the
// node's capacity (speed × slots): nginx's weighted least_conn.
//
// It considers only healthy nodes (sim.View.Healthy), as nginx skips peers
// marked down, and drops a task only when no node is healthy.
//
// A decision costs O(log n): Init asks the View for a load index
// (sim.View.TrackLoad), a segment tree the engine updates as loads change,
// and Pick finds the first least loaded node after the last choice in it.
// With scan: true it scans every node instead, the O(n) original kept as
// the oracle the index is tested against; both make the same choices.
type LeastConnections struct {
	weighted bool
	scan     bool
	last     int // last choice; the scan for the next one starts after it
	idx      *sim.LoadIndex
	view     *sim.View // the View idx tracks
}

var (
	_ sim.Picker      = (*LeastConnections)(nil)
	_ sim.Initializer = (*LeastConnections)(nil)
)

func newLeastConnections(a Args, _ *sim.Rand) (sim.Strategy, error) {
	w, err := a.Bool("least-connections", "weighted", false)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("least-connections", "scan", false)
	if err != nil {
		return nil, err
	}
	return &LeastConnections{weighted: w, scan: scan, last: -1}, nil
}

// Init implements sim.Initializer: it sets up the load index.
func (l *LeastConnections) Init(v *sim.View) error {
	l.idx, l.view, l.last = nil, nil, -1
	if l.scan {
		return nil
	}
	var weight func(i int) float64
	if l.weighted {
		weight = func(i int) float64 { s := v.Spec(i); return s.Speed * float64(s.Slots) }
	}
	l.idx, l.view = v.TrackLoad(weight), v
	return nil
}

// Name implements sim.Strategy.
func (l *LeastConnections) Name() string {
	if l.weighted {
		return "least-connections(weighted)"
	}
	return "least-connections"
}

// Pick implements sim.Picker.
func (l *LeastConnections) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	if l.idx != nil && v == l.view {
		best := l.idx.BestFrom(l.last + 1)
		if best >= 0 {
			l.last = best
		}
		return best
	}
	best := -1
	var bc, bw float64
	for k := 1; k <= n; k++ {
		i := l.last + k
		if i >= n {
			i -= n
		}
		if !v.Healthy(i) {
			continue
		}
		c := float64(v.InSystem(i))
		w := 1.0
		if l.weighted {
			s := v.Spec(i)
			w = s.Speed * float64(s.Slots)
		}
		// c/w < bc/bw without division.
		if best < 0 || c*bw < bc*w {
			best, bc, bw = i, c, w
		}
	}
	if best < 0 {
		return sim.Drop
	}
	l.last = best
	return best
}

// JSQ (join the shortest queue) sends a task to a node with the fewest tasks
// in the system, ties broken uniformly at random. With n single-slot nodes
// and exponential service its mean sojourn lies between the M/M/n bound
// (one shared queue) and M/M/1 (random routing); Winston (1977) proved it
// optimal among policies that see only queue lengths.
//
// It considers only healthy nodes (sim.View.Healthy) and drops a task only
// when no node is healthy.
//
// A decision costs O(log n): the View's load index (sim.View.TrackLoad)
// counts the k healthy nodes of the fewest tasks and, when k > 1, one draw
// r = IntN(k) picks the r-th of them in index order. With scan: true it
// scans every node instead and keeps the rule it had before the index (the
// oracle): reservoir sampling, one draw IntN(t) at every node that ties the
// best count seen so far (the t-th such), the node kept when the draw is
// 0. Both rules choose uniformly among the same tied nodes, but the scan
// draws once per tie it meets (also ties of a count a later node beats),
// so the two consume the random stream differently and runs with ties
// differ in their details, not in distribution; those draws are what made
// the old rule O(n).
type JSQ struct {
	rng  *sim.Rand
	scan bool
	idx  *sim.LoadIndex
	view *sim.View // the View idx tracks
}

var (
	_ sim.Picker      = (*JSQ)(nil)
	_ sim.Initializer = (*JSQ)(nil)
)

func newJSQ(a Args, rng *sim.Rand) (sim.Strategy, error) {
	scan, err := a.Bool("jsq", "scan", false)
	if err != nil {
		return nil, err
	}
	return &JSQ{rng: rng, scan: scan}, nil
}

// Name implements sim.Strategy.
func (*JSQ) Name() string { return "jsq" }

// Init implements sim.Initializer: it sets up the load index.
func (j *JSQ) Init(v *sim.View) error {
	j.idx, j.view = nil, nil
	if j.scan {
		return nil
	}
	j.idx, j.view = v.TrackLoad(nil), v
	j.idx.CountTies()
	return nil
}

// Pick implements sim.Picker.
func (j *JSQ) Pick(v *sim.View, _ *sim.Task) int {
	n := v.Len()
	if n == 0 {
		return sim.Drop
	}
	if j.idx != nil && v == j.view {
		k := j.idx.Ties()
		switch k {
		case 0:
			return sim.Drop
		case 1:
			return j.idx.Best()
		}
		return j.idx.NthBest(j.rng.IntN(k))
	}
	best, bestLen, ties := sim.Drop, 0, 0
	for i := 0; i < n; i++ {
		if !v.Healthy(i) {
			continue
		}
		q := v.InSystem(i)
		switch {
		case best < 0 || q < bestLen:
			best, bestLen, ties = i, q, 1
		case q == bestLen:
			// Reservoir sampling: each of the tied nodes is kept with
			// probability 1/ties, so the choice is uniform among them.
			ties++
			if j.rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}
