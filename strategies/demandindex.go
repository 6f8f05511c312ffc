package strategies

import "github.com/fleetsim/fleetsim/sim"

// demandIndex finds a scoring placement strategy's choice without scoring
// every node, for strategies whose score of a node depends only on that
// node (its spec and allocation) and on the task's demand: worst-fit,
// dot-product and gpu-packing. Per demand (fitKey: everything of a task
// View.Fits reads) it keeps a tournament tree over the nodes with the
// leaves in tie order (the argmax's seeded node order, or node index with
// ties: index): a leaf holds its node and score when the demand fits there,
// an inner node the better of its children's (higher score; on equal
// scores the left one, first in tie order), so the root is what the scan
// (place) chooses. The View reports every changed node (View.Watch) into a
// log; when a demand comes again its tree catches up from the log (Fits,
// the score and the O(log n) path to the root of each node changed since),
// so a decision costs the changes since that demand was last placed, not
// the cluster size. A tree more than n changes behind, or a demand not seen
// before, is built in O(n). Trees are kept within demandIndexBytes; past it
// they start again. fgd keeps trees of its own (its scores are memoised
// per task shape).
type demandIndex struct {
	view    *sim.View
	n, size int
	leafPos []int32 // node i's leaf is size+leafPos[i]
	trees   map[fitKey]*demandTree
	log     []int32 // log[j] is change logBase+j
	logBase int
	stamp   []uint32 // dedups a catch-up's nodes
	now     uint32
	bytes   int
}

// demandTree is the tree of one demand: win[p] is the best node of tree
// node p's range the demand fits on (-1: none), score[i] node i's score
// when it fits; at is the change it is current with.
type demandTree struct {
	win   []int32
	score []float64
	at    int
}

// demandIndexBytes bounds the trees a demandIndex keeps (16 bytes per
// demand and leaf).
const demandIndexBytes = 256 << 20

// demandTreesFirst is how many demands get a tree when a strategy has
// another way to search (best-fit's branch and bound) for the rest: see
// covers.
const demandTreesFirst = 256

// covers reports whether t's demand has a tree, or would get one as one of
// the first demandTreesFirst.
func (d *demandIndex) covers(t *sim.Task) bool {
	if len(d.trees) < demandTreesFirst {
		return true
	}
	_, ok := d.trees[keyOf(t)]
	return ok
}

// forView returns the index of v with leaves in a's tie order (a.reset(v)
// must have drawn it), built anew for a View it does not follow.
func forView(x **demandIndex, v *sim.View, a *argmax) *demandIndex {
	if *x != nil && (*x).view == v && (*x).n == v.Len() {
		return *x
	}
	d := &demandIndex{view: v, n: v.Len(), size: 1, trees: map[fitKey]*demandTree{}}
	for d.size < d.n {
		d.size <<= 1
	}
	d.leafPos = make([]int32, d.n)
	for i := range d.leafPos {
		if a.rule == tieOrder {
			d.leafPos[i] = a.rank[i]
		} else {
			d.leafPos[i] = int32(i)
		}
	}
	d.stamp = make([]uint32, d.n)
	v.Watch(d.touched)
	*x = d
	return d
}

// touched is the View's change notification for node i.
func (d *demandIndex) touched(i int) {
	d.log = append(d.log, int32(i))
	if len(d.log) > 2*d.n+1024 {
		// Trees more than n changes behind are rebuilt instead.
		drop := len(d.log) - d.n
		d.log = append(d.log[:0], d.log[drop:]...)
		d.logBase += drop
	}
}

// best is the node the scan would choose for t with score(i) the score
// of node i (asked only of nodes t fits on), -1 when t fits nowhere.
func (d *demandIndex) best(t *sim.Task, score func(i int) float64) int {
	key := keyOf(t)
	tr := d.trees[key]
	if tr != nil && tr.at >= d.logBase {
		d.now++
		if d.now == 0 {
			clear(d.stamp)
			d.now = 1
		}
		for _, i := range d.log[tr.at-d.logBase:] {
			if d.stamp[i] == d.now {
				continue
			}
			d.stamp[i] = d.now
			before := tr.score[i]
			p := d.leaf(tr, t, int(i), score)
			same := tr.score[i] == before
			// Up to the root, or to the first inner node whose winner,
			// and that winner's score, stay as they were: the tree above
			// it reads nothing that changed.
			for p >>= 1; p >= 1; p >>= 1 {
				w := tr.better(tr.win[2*p], tr.win[2*p+1])
				if w == tr.win[p] && (w != i || same) {
					break
				}
				tr.win[p] = w
			}
		}
	} else {
		if tr == nil {
			b := 4*2*d.size + 8*d.n
			if d.bytes+b > demandIndexBytes {
				clear(d.trees)
				d.bytes = 0
			}
			d.bytes += b
			tr = &demandTree{win: make([]int32, 2*d.size), score: make([]float64, d.n)}
			d.trees[key] = tr
		}
		for p := d.size; p < 2*d.size; p++ {
			tr.win[p] = -1
		}
		for i := 0; i < d.n; i++ {
			d.leaf(tr, t, i, score)
		}
		for p := d.size - 1; p >= 1; p-- {
			tr.win[p] = tr.better(tr.win[2*p], tr.win[2*p+1])
		}
	}
	tr.at = d.logBase + len(d.log)
	return int(tr.win[1])
}

// leaf sets node i's leaf of tr and returns its position.
func (d *demandIndex) leaf(tr *demandTree, t *sim.Task, i int, score func(i int) float64) int {
	p := d.size + int(d.leafPos[i])
	if d.view.Fits(i, t) {
		tr.win[p], tr.score[i] = int32(i), score(i)
	} else {
		tr.win[p] = -1
	}
	return p
}

// better is the better of nodes a and b (-1: none), a on equal scores: a
// is the left child, first in tie order.
func (tr *demandTree) better(a, b int32) int32 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	case tr.score[b] > tr.score[a]:
		return b
	}
	return a
}

// placeIndexed is place on a demandIndex: the same choice, the GPUs from
// pick (View.PickGPUs when nil). a.reset(v) draws the tie order first, as
// the scan does.
func placeIndexed(x **demandIndex, v *sim.View, t *sim.Task, p *sim.Placement, a *argmax, score func(i int) float64, pick func(i int, dst []int) []int) bool {
	a.reset(v)
	i := forView(x, v, a).best(t, score)
	if i < 0 {
		return false
	}
	p.Node = i
	if pick != nil {
		p.GPUs = pick(i, p.GPUs[:0])
	} else {
		p.GPUs = v.PickGPUs(i, t, p.GPUs[:0])
	}
	return true
}
