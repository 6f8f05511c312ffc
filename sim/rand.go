package sim

import (
	"math"
	"math/bits"
)

// Rand is a small, fast pseudo-random generator (xoshiro256**, Blackman and
// Vigna, 2018) used for every random stream of a run. It is a value type with
// no locking and inlinable methods; one Rand belongs to one stream.
//
// Streams are derived from (seed, name) by NewRand, so adding a stream (a new
// strategy, a new node group) never shifts the numbers another stream draws.
type Rand struct {
	s0, s1, s2, s3 uint64
}

// NewRand returns the stream called name of the run seeded with seed.
// The same (seed, name) always gives the same sequence, on every machine.
func NewRand(seed uint64, name string) *Rand {
	r := &Rand{}
	r.Seed(seed, name)
	return r
}

// Seed resets r to the stream called name of seed.
func (r *Rand) Seed(seed uint64, name string) {
	// FNV-1a of the name, mixed with the seed, expanded by splitmix64 into
	// the four words of state (the seeding Vigna recommends).
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	x := seed ^ (h * 0x9e3779b97f4a7c15)
	r.s0 = splitmix64(&x)
	r.s1 = splitmix64(&x)
	r.s2 = splitmix64(&x)
	r.s3 = splitmix64(&x)
}

func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns a uniformly distributed 64-bit value.
func (r *Rand) Uint64() uint64 {
	result := bits.RotateLeft64(r.s1*5, 7) * 9
	t := r.s1 << 17
	r.s2 ^= r.s0
	r.s3 ^= r.s1
	r.s1 ^= r.s2
	r.s0 ^= r.s3
	r.s2 ^= t
	r.s3 = bits.RotateLeft64(r.s3, 45)
	return result
}

// Float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *Rand) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// IntN returns a uniform value in [0, n). It panics if n <= 0, a programming
// error. It uses Lemire's multiply-and-reject method, so it is unbiased.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("sim: Rand.IntN with n <= 0")
	}
	hi, lo := bits.Mul64(r.Uint64(), uint64(n))
	if lo < uint64(n) {
		thresh := -uint64(n) % uint64(n)
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), uint64(n))
		}
	}
	return int(hi)
}

// ExpFloat64 returns an exponentially distributed value with rate 1 (mean 1),
// by inversion: -ln(1-U), U uniform in [0, 1).
func (r *Rand) ExpFloat64() float64 {
	return -math.Log1p(-r.Float64())
}

// NormFloat64 returns a standard normal value (Marsaglia's polar method).
func (r *Rand) NormFloat64() float64 {
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := u*u + v*v
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*math.Log(s)/s)
		}
	}
}
