package sim

import "math/bits"

// countSet is the set of healthy nodes that have one count of tasks in
// system, a bucket of a bucketed LoadIndex: a bitset of the nodes
// (words), a summary bit per non-empty word (sum) and the members of each
// run of 64 words (grp) and of 8 words (oct), so that membership changes
// cost O(1), the first member at or after a node O(n/4096) at worst (a
// scan of the summary, one word per 4,096 nodes) and the r-th member in
// index order O(n/4096 + 16).
type countSet struct {
	words []uint64
	sum   []uint64
	grp   []int32
	oct   []int32
	n     int
}

func newCountSet(n int) *countSet {
	w := (n + 63) >> 6
	g := (w + 63) >> 6
	return &countSet{words: make([]uint64, w), sum: make([]uint64, g), grp: make([]int32, g), oct: make([]int32, (w+7)>>3)}
}

func (s *countSet) add(i int) {
	w := i >> 6
	if s.words[w] == 0 {
		s.sum[w>>6] |= 1 << (w & 63)
	}
	s.words[w] |= 1 << (i & 63)
	s.grp[w>>6]++
	s.oct[w>>3]++
	s.n++
}

func (s *countSet) remove(i int) {
	w := i >> 6
	s.words[w] &^= 1 << (i & 63)
	if s.words[w] == 0 {
		s.sum[w>>6] &^= 1 << (w & 63)
	}
	s.grp[w>>6]--
	s.oct[w>>3]--
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
	o := g << 3
	for r >= int(s.oct[o]) {
		r -= int(s.oct[o])
		o++
	}
	w := o << 3
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

// CountIndex keeps items 0..n-1, each present or not, ordered by a small
// non-negative integer count (tasks in system, say), and finds the item of
// the least count, the lowest index among equals, or the first of them at
// or after a given index, in O(1) per change: one bitset per count. It is
// the structure behind LoadIndex when every node has the same weight;
// strategies use it for orders of their own (geo, per region). Counts that
// change by one at a time, as the engine's do, keep the least count current
// at no cost; a bucket that empties moves it up to the next non-empty one.
// Memory: n/8 bytes per count in use (empty buckets are reused).
type CountIndex struct {
	n    int
	key  []int32     // item's count, -1 when absent (in no bucket)
	sets []*countSet // by count; nil when empty
	free []*countSet // empty sets to reuse
	min  int         // least count with a member; -1 when none
}

// NewCountIndex returns an index of n items, none present.
func NewCountIndex(n int) *CountIndex { return newBuckets(n) }

type buckets = CountIndex

func newBuckets(n int) *buckets {
	b := &CountIndex{n: n, key: make([]int32, n), min: -1}
	for i := range b.key {
		b.key[i] = -1
	}
	return b
}

// Set makes item i present with count (count ≥ 0) or absent (!present).
func (b *CountIndex) Set(i, count int, present bool) { b.set(i, count, present) }

func (b *CountIndex) set(i, count int, healthy bool) {
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

// Best is the first present item of the least count at or after from in
// cyclic order (from, from+1, …, n-1, 0, …): the lowest index among them
// when from ≤ 0 or from ≥ n. -1 (Drop) when no item is present.
func (b *CountIndex) Best(from int) int { return b.best(from) }

// Ties is the number of present items of the least count.
func (b *CountIndex) Ties() int {
	if b.min < 0 {
		return 0
	}
	return b.sets[b.min].n
}

// NthBest is the r-th (from 0, in index order) of the Ties() items of the
// least count, r in [0, Ties()); -1 (Drop) when no item is present.
func (b *CountIndex) NthBest(r int) int {
	if b.min < 0 {
		return Drop
	}
	return b.sets[b.min].nth(r)
}

// Min is the least count of a present item, -1 when none is present.
func (b *CountIndex) Min() int { return b.min }

func (b *CountIndex) best(from int) int {
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
