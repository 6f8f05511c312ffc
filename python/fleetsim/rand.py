"""fleetsim's random streams in Python: xoshiro256** seeded from (seed, name).

The same (seed, name) gives the same numbers as Go's ``sim.NewRand`` on every
machine, so a Python strategy can reproduce a built-in one draw for draw
(``Rand(hello["seed"], "strategy/p2c")`` draws what Go's p2c draws).
"""

_M = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & _M


class Rand:
    """xoshiro256** (Blackman and Vigna, 2018), as sim.Rand."""

    __slots__ = ("s0", "s1", "s2", "s3")

    def __init__(self, seed, name):
        h = 14695981039346656037
        for c in name.encode("utf-8"):
            h ^= c
            h = (h * 1099511628211) & _M
        x = (seed ^ ((h * 0x9E3779B97F4A7C15) & _M)) & _M
        out = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & _M
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M
            out.append(z ^ (z >> 31))
        self.s0, self.s1, self.s2, self.s3 = out

    def uint64(self):
        """A uniform 64-bit integer."""
        s0, s1, s2, s3 = self.s0, self.s1, self.s2, self.s3
        result = (_rotl((s1 * 5) & _M, 7) * 9) & _M
        t = (s1 << 17) & _M
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s0, self.s1, self.s2, self.s3 = s0, s1, s2, s3
        return result

    def float64(self):
        """A uniform float in [0, 1) with 53 random bits."""
        return (self.uint64() >> 11) * (1.0 / (1 << 53))

    def intn(self, n):
        """A uniform integer in [0, n) (Lemire's method, as sim.Rand.IntN)."""
        if n <= 0:
            raise ValueError("intn needs n > 0")
        p = self.uint64() * n
        lo = p & _M
        if lo < n:
            thresh = ((1 << 64) - n) % n
            while lo < thresh:
                p = self.uint64() * n
                lo = p & _M
        return p >> 64
