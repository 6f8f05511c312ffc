package strategies

import (
	"fmt"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
)

// Geo is geographic routing with spill-over: a task goes to the nearest
// region (by the configured round-trip time from its origin region) whose
// healthy nodes are below a load threshold, and within that region to the
// healthy node with the fewest outstanding tasks, ties in turn as
// least-connections.
//
// A region is above threshold when its healthy nodes' outstanding tasks
// (served plus queued) reach threshold × their slots. A task whose nearest
// region is above threshold spills to the next-nearest, and so on; when
// every region is above threshold it goes to the nearest region that has a
// healthy node at all. This is the spill-over of Google Cloud's global load
// balancers, whose default WATERFALL_BY_REGION policy fills the region
// closest to the client up to its backends' capacity and then overflows to
// the next-closest (service load-balancing policy documentation), and of
// latency-based DNS with health checks (Route 53 latency routing) when the
// threshold is above any reachable load.
//
// A task with no origin (sim.View.Origin is -1) or a run with no network
// model is routed as least-connections over the healthy nodes; so is one
// whose regions have no healthy node at all (nodes with no region are
// reached only that way).
//
// Init groups the node indexes by region and sorts, for every origin
// region, the regions by RTT (ties by region index). Each region keeps its
// healthy nodes' outstanding tasks and slots as running sums and its
// healthy nodes bucketed by outstanding tasks (sim.CountIndex), all
// updated as loads and health change (sim.View.Watch), O(1) per change, so
// a pick costs a bitset search per region it visits (usually one); the
// fallback is least-connections on its load index. With scan: true it scans the nodes of every region it visits
// instead, the O(n) original kept as the oracle; both make the same
// choices.
type Geo struct {
	threshold float64
	name      string
	scan      bool

	// The index (nil with scan).
	view   *sim.View
	nodes  []geoNode         // by node index
	tree   []*sim.CountIndex // per region, healthy nodes (by position) by outstanding tasks
	rOut   []int64           // per region, healthy nodes' outstanding tasks
	rSlots []int64           // per region, healthy nodes' slots

	n        int     // nodes the tables were built for
	regions  int     // regions the tables were built for
	byRegion [][]int // node indexes of each region
	order    [][]int // order[o]: regions with nodes, nearest to o first
	last     []int   // per region, position in byRegion of the last choice
	lc       LeastConnections
}

// geoNode is what the index keeps of a node, in 16 bytes so that a change
// costs one cache line of it: its position in its region's list (-1:
// none), its region, and its contributions to the region's sums (0 when
// unhealthy).
type geoNode struct {
	pos, region int32
	inOut, inSl int32
}

var (
	_ sim.Picker      = (*Geo)(nil)
	_ sim.Initializer = (*Geo)(nil)
)

func newGeo(a Args, _ *sim.Rand) (sim.Strategy, error) {
	th, err := a.Float("geo", "threshold", 0.8, 0, 1e6)
	if err != nil {
		return nil, err
	}
	scan, err := a.Bool("geo", "scan", false)
	if err != nil {
		return nil, err
	}
	name := "geo"
	if th != 0.8 {
		name = fmt.Sprintf("geo(threshold=%g)", th)
	}
	return &Geo{threshold: th, name: name, scan: scan, lc: LeastConnections{last: -1, scan: scan}}, nil
}

// Name implements sim.Strategy.
func (g *Geo) Name() string { return g.name }

// Init implements sim.Initializer: it groups nodes by region and orders
// the regions by RTT from every origin.
func (g *Geo) Init(v *sim.View) error {
	g.n, g.regions = v.Len(), len(v.Regions())
	g.byRegion, g.order, g.last = nil, nil, nil
	if g.regions == 0 {
		if !g.scan {
			return g.lc.Init(v)
		}
		return nil
	}
	g.byRegion = make([][]int, g.regions)
	for i := 0; i < g.n; i++ {
		if r := v.NodeRegion(i); r >= 0 && r < g.regions {
			g.byRegion[r] = append(g.byRegion[r], i)
		}
	}
	g.last = make([]int, g.regions)
	for r := range g.last {
		g.last[r] = -1
	}
	g.order = make([][]int, g.regions)
	for o := range g.order {
		var rs []int
		for r := 0; r < g.regions; r++ {
			if len(g.byRegion[r]) > 0 {
				rs = append(rs, r)
			}
		}
		slices.SortStableFunc(rs, func(a, b int) int {
			ra, rb := v.RTT(o, a), v.RTT(o, b)
			switch {
			case ra < rb:
				return -1
			case ra > rb:
				return 1
			}
			return 0
		})
		g.order[o] = rs
	}
	if !g.scan && g.view != v {
		g.index(v)
	}
	return nil
}

// index builds the per-region sums and trees and asks the View to keep
// them current.
func (g *Geo) index(v *sim.View) {
	g.view = v
	g.nodes = make([]geoNode, g.n)
	g.rOut = make([]int64, g.regions)
	g.rSlots = make([]int64, g.regions)
	g.tree = make([]*sim.CountIndex, g.regions)
	for i := range g.nodes {
		g.nodes[i] = geoNode{pos: -1, region: -1}
	}
	for r, nodes := range g.byRegion {
		for p, i := range nodes {
			g.nodes[i].pos, g.nodes[i].region = int32(p), int32(r)
		}
		g.tree[r] = sim.NewCountIndex(len(nodes))
		for p, i := range nodes {
			g.account(i)
			g.tree[r].Set(p, v.InSystem(i), v.Healthy(i))
		}
	}
	v.Watch(g.update)
}

// account brings node i's share of its region's sums up to date (node i
// has a region). A healthy node's slots are its share while it is
// healthy: they are read from its spec only when it becomes healthy.
func (g *Geo) account(i int) {
	nd := &g.nodes[i]
	var out, sl int32
	if g.view.Healthy(i) {
		out, sl = int32(g.view.InSystem(i)), nd.inSl
		if sl == 0 { // (slots are at least 1)
			sl = int32(g.view.Spec(i).Slots)
		}
	}
	r := nd.region
	g.rOut[r] += int64(out - nd.inOut)
	g.rSlots[r] += int64(sl - nd.inSl)
	nd.inOut, nd.inSl = out, sl
}

// update is the View's change notification for node i.
func (g *Geo) update(i int) {
	nd := &g.nodes[i]
	if nd.pos < 0 {
		return
	}
	g.account(i)
	g.tree[nd.region].Set(int(nd.pos), g.view.InSystem(i), g.view.Healthy(i))
}

// Pick implements sim.Picker.
func (g *Geo) Pick(v *sim.View, t *sim.Task) int {
	if v.Len() == 0 {
		return sim.Drop
	}
	if g.n != v.Len() || g.regions != len(v.Regions()) {
		_ = g.Init(v) // Init never fails
	}
	o := v.Origin()
	if o < 0 || o >= len(g.order) {
		return g.fallback(v, t)
	}
	first, firstPos := -1, 0 // nearest region with a healthy node
	for _, r := range g.order[o] {
		pos, out, slots := g.least(v, r)
		if pos < 0 {
			continue
		}
		if float64(out) < g.threshold*float64(slots) {
			return g.choose(r, pos)
		}
		if first < 0 {
			first, firstPos = r, pos
		}
	}
	if first < 0 {
		return g.fallback(v, t)
	}
	return g.choose(first, firstPos)
}

// least scans region r's healthy nodes: the position in byRegion[r] of the
// one with the fewest outstanding tasks (ties: the first after the last
// choice), and the region's outstanding tasks and slots. pos is -1 when no
// node of r is healthy.
// fallback is least-connections over every node, for a task of no known
// origin or when no region has a healthy node; its load index is asked for
// (TrackLoad) at the first fallback, not in Init, so that runs that never
// fall back do not keep it current at every change.
func (g *Geo) fallback(v *sim.View, t *sim.Task) int {
	if !g.scan && g.lc.view != v {
		_ = g.lc.Init(v) // never fails
	}
	return g.lc.Pick(v, t)
}

func (g *Geo) least(v *sim.View, r int) (pos, out, slots int) {
	nodes := g.byRegion[r]
	if g.view == v && g.tree != nil {
		from := g.last[r] + 1
		if from >= len(nodes) {
			from = 0
		}
		return g.tree[r].Best(from), int(g.rOut[r]), int(g.rSlots[r])
	}
	pos, best := -1, 0
	for k := 1; k <= len(nodes); k++ {
		p := g.last[r] + k
		if p >= len(nodes) {
			p -= len(nodes)
		}
		i := nodes[p]
		if !v.Healthy(i) {
			continue
		}
		q := v.InSystem(i)
		out += q
		slots += v.Spec(i).Slots
		if pos < 0 || q < best {
			pos, best = p, q
		}
	}
	return pos, out, slots
}

func (g *Geo) choose(r, pos int) int {
	g.last[r] = pos
	return g.byRegion[r][pos]
}
