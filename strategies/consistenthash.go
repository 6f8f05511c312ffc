package strategies

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/fleetsim/fleetsim/sim"
)

// ConsistentHash gives session affinity: every task with the same key
// (its tenant, class, origin region or id) goes to the same node while
// that node stays healthy, and when a node leaves or joins only the keys
// that must move do (about 1/n of them), unlike hash mod n, which moves
// nearly all.
//
// Two methods are offered, as Envoy offers both (RING_HASH and MAGLEV):
//
//   - ring: Karger et al., "Consistent Hashing and Random Trees" (STOC
//     1997). Each node is hashed to vnodes points on a 64-bit ring (the
//     hash of "name_k", as Envoy's ring hash does); a key goes to the node
//     of the first point at or after its hash, found by binary search,
//     O(log(n·vnodes)). Removing a node moves exactly the keys it held.
//     Node shares vary by about 1/√vnodes relative.
//   - maglev: Eisenbud et al., "Maglev: A Fast and Reliable Software
//     Network Load Balancer" (NSDI 2016), §3.4. Each node has a
//     permutation of the table's M (prime) slots, offset = h1(name) mod M
//     and skip = h2(name) mod (M − 1) + 1; the nodes take turns claiming
//     their next free slot (the paper's Pseudocode 1) until the table is
//     full, so every node holds ⌊M/n⌋ or ⌈M/n⌉ slots. A key goes to
//     entry[hash mod M], O(1). Removing a node moves its keys and, the
//     price of the perfect balance, a few others.
//
// Hashes are FNV-1a 64 finished by MurmurHash3's fmix64 (FNV-1a alone
// mixes short keys' high bits poorly): fixed, deterministic, independent
// of map order. Nodes are hashed by NodeSpec.Name, or by "name#index" for
// every node when names are not unique. A task whose key is empty (no
// tenant, say) has no session to keep and gets a random hash from the
// strategy's stream, as Envoy picks a random host when no hash key can be
// computed.
//
// Health. The ring or table is built over the healthy nodes. A pick whose
// node is no longer healthy rebuilds it over the nodes healthy now and
// looks again, so a down node's keys move when the first of them arrives.
// Nodes left out of the build (down or out of the pool) are checked at most
// once per simulated second (View.Now), at a pick, and the ring or table is
// rebuilt when one of them is healthy again, so returning nodes get their
// keys back within a second. A pick costs O(1) (maglev) or O(log) (ring)
// besides these rebuilds: O(M + n) expected for maglev (M log M in the
// worst case), O(n·vnodes·log) for the ring.
type ConsistentHash struct {
	key, method   string
	vnodes, table int
	name          string
	rng           *sim.Rand

	n         int
	ids       []string // the name each node is hashed by
	in        []bool   // node is in the current ring or table
	excluded  int      // nodes not in it
	nextCheck sim.Time // earliest time to look at excluded nodes again

	points  []ringPoint // ring, sorted by hash then node
	entry   []int32     // maglev lookup table, M entries
	next    []uint64    // maglev populate scratch: each node's permutation position
	members []int       // scratch: the nodes of a build
}

type ringPoint struct {
	hash uint64
	node int32
}

var (
	_ sim.Picker      = (*ConsistentHash)(nil)
	_ sim.Initializer = (*ConsistentHash)(nil)
)

// rejoinCheck is how often nodes left out of the ring or table are checked
// for health: at most once per simulated second.
const rejoinCheck = sim.Second

// maxMaglevTable bounds the Maglev table (4 bytes an entry).
const maxMaglevTable = 1 << 24

func newConsistentHash(a Args, rng *sim.Rand) (sim.Strategy, error) {
	const s = "consistent-hash"
	key, err := a.choice(s, "key", "tenant", "tenant", "class", "region", "id")
	if err != nil {
		return nil, err
	}
	method, err := a.choice(s, "method", "maglev", "maglev", "ring")
	if err != nil {
		return nil, err
	}
	vnodes, err := a.Int(s, "vnodes", 100, 1, 1<<16)
	if err != nil {
		return nil, err
	}
	table, err := a.Int(s, "table", 65537, 3, maxMaglevTable)
	if err != nil {
		return nil, err
	}
	if !isPrime(table) {
		return nil, &ParamError{s, "table", fmt.Sprintf("expected a prime (Maglev needs one; 65537, 655373 are), got %d", table)}
	}
	c := &ConsistentHash{key: key, method: method, vnodes: vnodes, table: table, rng: rng}
	c.name = "consistent-hash(" + method + "," + key
	switch {
	case method == "ring" && vnodes != 100:
		c.name += ",vnodes=" + strconv.Itoa(vnodes)
	case method == "maglev" && table != 65537:
		c.name += ",table=" + strconv.Itoa(table)
	}
	c.name += ")"
	return c, nil
}

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// Name implements sim.Strategy: method and key, e.g.
// "consistent-hash(maglev,tenant)".
func (c *ConsistentHash) Name() string { return c.name }

// Init implements sim.Initializer: it names the nodes and builds the ring
// or table over the healthy ones.
func (c *ConsistentHash) Init(v *sim.View) error {
	c.n = v.Len()
	if c.method == "maglev" && c.n > c.table {
		return &ParamError{"consistent-hash", "table",
			fmt.Sprintf("expected more entries than nodes (%d), got %d; the paper advises table > 100 × nodes", c.n, c.table)}
	}
	c.ids = make([]string, c.n)
	seen := make(map[string]bool, c.n)
	unique := true
	for i := range c.ids {
		name := v.Spec(i).Name
		if seen[name] {
			unique = false
		}
		seen[name] = true
		c.ids[i] = name
	}
	if !unique {
		for i := range c.ids {
			c.ids[i] += "#" + strconv.Itoa(i)
		}
	}
	c.in = make([]bool, c.n)
	c.build(v)
	return nil
}

// build makes the ring or table over the nodes healthy now.
func (c *ConsistentHash) build(v *sim.View) {
	c.members = c.members[:0]
	for i := 0; i < c.n; i++ {
		c.in[i] = v.Healthy(i)
		if c.in[i] {
			c.members = append(c.members, i)
		}
	}
	c.excluded = c.n - len(c.members)
	c.nextCheck = v.Now() + rejoinCheck
	if c.method == "ring" {
		c.buildRing()
	} else {
		c.buildMaglev()
	}
}

func (c *ConsistentHash) buildRing() {
	c.points = c.points[:0]
	var buf []byte
	for _, i := range c.members {
		for k := 0; k < c.vnodes; k++ {
			buf = append(append(append(buf[:0], c.ids[i]...), '_'), strconv.Itoa(k)...)
			c.points = append(c.points, ringPoint{hashBytes(buf, 0), int32(i)})
		}
	}
	slices.SortFunc(c.points, func(a, b ringPoint) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return int(a.node) - int(b.node)
	})
}

// Seeds of the two Maglev hashes of a node name.
const (
	seedOffset = 0
	seedSkip   = 0x9e3779b97f4a7c15
)

// buildMaglev is the paper's Pseudocode 1 over the members, in index order.
func (c *ConsistentHash) buildMaglev() {
	m := uint64(c.table)
	if len(c.entry) != c.table {
		c.entry = make([]int32, c.table)
	}
	for j := range c.entry {
		c.entry[j] = -1
	}
	if len(c.members) == 0 {
		return
	}
	// next[2k] is member k's current slot, next[2k+1] its skip: the
	// permutation's j-th slot is (offset + j·skip) mod M, walked by adding
	// skip.
	c.next = c.next[:0]
	for _, i := range c.members {
		c.next = append(c.next, hashString(c.ids[i], seedOffset)%m, hashString(c.ids[i], seedSkip)%(m-1)+1)
	}
	filled := 0
	for {
		for k, i := range c.members {
			slot, skip := c.next[2*k], c.next[2*k+1]
			for c.entry[slot] >= 0 {
				slot += skip
				if slot >= m {
					slot -= m
				}
			}
			c.entry[slot] = int32(i)
			slot += skip
			if slot >= m {
				slot -= m
			}
			c.next[2*k] = slot
			if filled++; filled == c.table {
				return
			}
		}
	}
}

// Pick implements sim.Picker.
func (c *ConsistentHash) Pick(v *sim.View, t *sim.Task) int {
	if v.Len() == 0 {
		return sim.Drop
	}
	if c.n != v.Len() {
		if err := c.Init(v); err != nil {
			return sim.Drop
		}
	}
	if c.excluded > 0 && (v.Now() >= c.nextCheck || c.excluded == c.n) {
		c.nextCheck = v.Now() + rejoinCheck
		for i := 0; i < c.n; i++ {
			if !c.in[i] && v.Healthy(i) {
				c.build(v)
				break
			}
		}
	}
	h := c.hash(t)
	i := c.lookup(h)
	if i >= 0 && !v.Healthy(i) {
		c.build(v)
		i = c.lookup(h)
	}
	return i
}

// lookup is the node of key hash h, or Drop when the ring or table is empty.
func (c *ConsistentHash) lookup(h uint64) int {
	if c.method == "ring" {
		if len(c.points) == 0 {
			return sim.Drop
		}
		k, _ := slices.BinarySearchFunc(c.points, h, func(p ringPoint, h uint64) int {
			switch {
			case p.hash < h:
				return -1
			case p.hash > h:
				return 1
			}
			return 0
		})
		if k == len(c.points) {
			k = 0
		}
		return int(c.points[k].node)
	}
	return int(c.entry[h%uint64(c.table)])
}

// hash is the hash of t's key.
func (c *ConsistentHash) hash(t *sim.Task) uint64 {
	var s string
	switch c.key {
	case "id":
		var b [8]byte
		for k := range b {
			b[k] = byte(uint64(t.ID) >> (8 * k))
		}
		return hashBytes(b[:], 0)
	case "tenant":
		s = t.Tenant
	case "class":
		s = t.Class
	case "region":
		s = t.Region
	}
	if s == "" {
		return c.rng.Uint64()
	}
	return hashString(s, 0)
}

// FNV-1a 64 (Fowler, Noll, Vo), with the seed folded into the offset
// basis, finished by MurmurHash3's fmix64 for full avalanche.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string, seed uint64) uint64 {
	h := uint64(fnvOffset) ^ seed
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return fmix64(h)
}

func hashBytes(b []byte, seed uint64) uint64 {
	h := uint64(fnvOffset) ^ seed
	for _, x := range b {
		h ^= uint64(x)
		h *= fnvPrime
	}
	return fmix64(h)
}

func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
