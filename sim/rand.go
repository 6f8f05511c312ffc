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
	return float64(float64(r.Uint64()>>11) * (1.0 / (1 << 53))) // (float64: never fused with a caller's add)
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

//go:generate go run ./internal/ziggen

// ExpFloat64 returns an exponentially distributed value with rate 1 (mean
// 1), by the ziggurat method (Marsaglia and Tsang, "The Ziggurat Method for
// Generating Random Variables", J. Stat. Softw. 5(8), 2000) with 256 layers
// over one Uint64 per try: its low 8 bits pick layer i, its top 53 bits are
// the magnitude j. When j < zigExpK[i] (97.8 % of draws) the value is
// j·zigExpW[i], one integer comparison and one multiply; otherwise the point
// lies in layer i's wedge, tested against e^(-x) with a second draw, or, in
// the base layer, beyond r ≈ 7.697 in the tail, where r plus an inverted
// exponential draw is returned (the exponential is memoryless). A rejected
// wedge point starts over with a fresh Uint64.
//
// Identical on every machine: a draw is a function of the xoshiro256**
// state (integer arithmetic) and of the tables in ziggurat_tables.go,
// literal float64 constants correctly rounded by internal/ziggen in 256-bit
// math/big arithmetic, so no machine's math library enters them. The fast
// path is an exact integer-to-float64 conversion (j < 2^53) and one IEEE
// multiply; the wedge and tail wrap every product in an explicit float64()
// conversion, which the Go specification says rounds, so no compiler may fuse
// it into a multiply-add (FMA on arm64, ppc64le, s390x, riscv64 would change
// bits) there or in an inlined caller. The residual: the wedge compares with
// math.Exp and the tail calls math.Log1p, whose implementations differ per
// architecture (assembly on amd64, arm64, s390x; FMA-compiled Go elsewhere)
// and may differ in the last bit. That changes a wedge decision only when the
// uniform point falls within an ulp of e^(-x) (about 10^-14 of the 2.2 % of
// draws that reach a wedge) and a tail value (0.045 % of draws) by an ulp;
// the inversion this replaced called math.Log1p on every draw. What callers
// do with the value (scaling, rounding to Time) is their own arithmetic.
func (r *Rand) ExpFloat64() float64 {
	u := r.Uint64()
	i, j := u&0xff, u>>11
	if j < zigExpK[i] {
		return float64(float64(j) * zigExpW[i])
	}
	return r.expSlow(i, j)
}

// expSlow finishes an ExpFloat64 draw whose point (layer i, magnitude j)
// fell outside the rectangle that lies wholly inside the density: the tail
// for the base layer, the wedge test otherwise, and fresh tries after a
// rejection.
func (r *Rand) expSlow(i, j uint64) float64 {
	for {
		if i == 0 {
			// x = r + E, E exponential: the tail beyond r, memoryless.
			return float64(zigExpR + r.expInversion())
		}
		x := float64(float64(j) * zigExpW[i])
		// A uniform height in layer i, between e^(-x[i]) and e^(-x[i-1]).
		y := float64(zigExpF[i] + float64(r.Float64()*float64(zigExpF[i-1]-zigExpF[i])))
		if y < math.Exp(-x) {
			return x
		}
		u := r.Uint64()
		i, j = u&0xff, u>>11
		if j < zigExpK[i] {
			return float64(float64(j) * zigExpW[i])
		}
	}
}

// expInversion returns -ln(1-U), U uniform in [0, 1): an exponential value
// by inversion, one Uint64 per draw. ExpFloat64 used it for every draw until
// issue 22 (about 5× slower than the ziggurat, BenchmarkExpFloat64); now it
// draws the tail.
func (r *Rand) expInversion() float64 {
	return -math.Log1p(-r.Float64())
}

// NormFloat64 returns a standard normal value (Marsaglia's polar method).
// The squares are rounded by explicit float64() conversions before they are
// summed, so no compiler fuses them into a multiply-add (arm64 did): the same
// values on every machine, up to math.Log and math.Sqrt's last bit (2U - 1
// is rounded too, though it is exact either way: U is a multiple of 2^-53;
// scripts/nofma.sh checks that nothing here is fused).
func (r *Rand) NormFloat64() float64 {
	for {
		u := float64(2*r.Float64()) - 1
		v := float64(2*r.Float64()) - 1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*math.Log(s)/s)
		}
	}
}
