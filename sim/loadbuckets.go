package sim

import "math/bits"

// countSet is the set of healthy nodes that have one count of tasks in
// system, a bucket of a bucketed LoadIndex: a bitset of the nodes
// (words), a summary bit per non-empty word (sum) and the members of each
// run of 64 words (grp), so that membership changes cost O(1), the first
// member at or after a node O(n/4096) at worst (a scan of the summary,
// one word per 4,096 nodes) and the r-th member in index order
// O(n/4096 + 64).
type countSet struct {
	words []uint64
	sum   []uint64
	grp   []int32
	n     int
}

func newCountSet(n int) *countSet {
	w := (n + 63) >> 6
	g := (w + 63) >> 6
	return &countSet{words: make([]uint64, w), sum: make([]uint64, g), grp: make([]int32, g)}
}

func (s *countSet) add(i int) {
	w := i >> 6
	if s.words[w] == 0 {
		s.sum[w>>6] |= 1 << (w & 63)
	}
	s.words[w] |= 1 << (i & 63)
	s.grp[w>>6]++
	s.n++
}

func (s *countSet) remove(i int) {
	w := i >> 6
	s.words[w] &^= 1 << (i & 63)
	if s.words[w] == 0 {
		s.sum[w>>6] &^= 1 << (w & 63)
	}
	s.grp[w>>6]--
	s.n--
}

// from is the lowest member ≥ i, or -1.
func (s *countSet) from(i int) int {
	w := i >> 6
	if w >= len(s.words) {
		return -1
	}
	if m := s.words[w] & (^uint64(0) << (i & 63)); m != 0 {
		return w<<6 | bits.TrailingZeros64(m)
	}
	w++
	g := w >> 6
	if g >= len(s.sum) {
		return -1
	}
	m := s.sum[g] & (^uint64(0) << (w & 63))
	for m == 0 {
		if g++; g >= len(s.sum) {
			return -1
		}
		m = s.sum[g]
	}
	w = g<<6 | bits.TrailingZeros64(m)
	return w<<6 | bits.TrailingZeros64(s.words[w])
}

// nth is the r-th member in index order, r in [0, n).
func (s *countSet) nth(r int) int {
	g := 0
	for r >= int(s.grp[g]) {
		r -= int(s.grp[g])
		g++
	}
	w := g << 6
	for {
		c := bits.OnesCount64(s.words[w])
		if r < c {
			break
		}
		r -= c
		w++
	}
	m := s.words[w]
	for ; r > 0; r-- {
		m &= m - 1
	}
	return w<<6 | bits.TrailingZeros64(m)
}

// buckets orders nodes by integer count alone: a LoadIndex's structure
// when every weight is the same (TrackLoad with no weight function, or one
// that gives every node the same weight), so that the order of
// InSystem(a)·w(b) < InSystem(b)·w(a) is that of the counts. A node's
// count changes by one at a time in the engine, so an update moves it
// between two buckets in O(1); the least count is kept as counts change
// (a bucket that empties moves it up to the next non-empty one).
type buckets struct {
	n    int
	key  []int32     // node's count, -1 when not healthy (in no bucket)
	sets []*countSet // by count; nil when empty
	free []*countSet // empty sets to reuse
	min  int         // least count with a member; -1 when none
}

func newBuckets(n int) *buckets {
	b := &buckets{n: n, key: make([]int32, n), min: -1}
	for i := range b.key {
		b.key[i] = -1
	}
	return b
}

func (b *buckets) set(i, count int, healthy bool) {
	nk := int32(count)
	if !healthy || count < 0 {
		nk = -1
	}
	old := b.key[i]
	if old == nk {
		return
	}
	b.key[i] = nk
	if old >= 0 {
		s := b.sets[old]
		s.remove(i)
		if s.n == 0 {
			b.sets[old] = nil
			b.free = append(b.free, s)
		}
	}
	if nk >= 0 {
		for int(nk) >= len(b.sets) {
			b.sets = append(b.sets, nil)
		}
		s := b.sets[nk]
		if s == nil {
			if k := len(b.free); k > 0 {
				s, b.free = b.free[k-1], b.free[:k-1]
			} else {
				s = newCountSet(b.n)
			}
			b.sets[nk] = s
		}
		s.add(i)
		if b.min < 0 || int(nk) < b.min {
			b.min = int(nk)
		}
	}
	if old >= 0 && int(old) == b.min && b.sets[old] == nil {
		b.min = -1
		for c := int(old) + 1; c < len(b.sets); c++ {
			if b.sets[c] != nil {
				b.min = c
				break
			}
		}
	}
}

// best is the lowest healthy node of the least count at or after from in
// cyclic order, or Drop.
func (b *buckets) best(from int) int {
	if b.min < 0 {
		return Drop
	}
	s := b.sets[b.min]
	if from > 0 && from < b.n {
		if i := s.from(from); i >= 0 {
			return i
		}
	}
	return s.from(0)
}
