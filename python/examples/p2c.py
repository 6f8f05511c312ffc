"""The power of two choices in Python: two distinct nodes drawn at random,
the one with fewer tasks wins (ties: the first drawn). It draws from the
stream fleetsim's built-in p2c draws from, Rand(seed, "strategy/p2c"), so
with every node healthy its results equal the built-in's byte for byte."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleetsim import Balancer, Rand, run  # noqa: E402


class P2C(Balancer):
    view_parts = ("load", "health")

    batch = 1024

    def state(self):
        r = self.rng
        return (r.s0, r.s1, r.s2, r.s3)

    def set_state(self, state):
        r = self.rng
        r.s0, r.s1, r.s2, r.s3 = state

    def setup(self, hello):
        self.rng = Rand(self.seed, self.params.get("stream", "strategy/p2c"))

    def pick(self, task, view):
        n = len(view)
        if n == 0:
            return -1
        if n == 1:
            return 0 if view.healthy[0] else -1
        rng = self.rng
        i = rng.intn(n)
        j = rng.intn(n - 1)
        if j >= i:
            j += 1
        if not (view.healthy[i] and view.healthy[j]):
            i, j = self.two_healthy(view, i, j)
            if j < 0:
                return i
        return j if view.in_system(j) < view.in_system(i) else i

    def two_healthy(self, view, i, j):
        """sim's twoHealthy: redraw up to 8 times, then draw by rank."""
        healthy = view.healthy
        a = b = -1
        for x in (i, j):
            if healthy[x]:
                if a < 0:
                    a = x
                else:
                    b = x
        n = len(view)
        for _ in range(8):
            if b >= 0:
                break
            x = self.rng.intn(n)
            if x == a or not healthy[x]:
                continue
            if a < 0:
                a = x
            else:
                b = x
        if b >= 0:
            return a, b
        ok = [k for k in range(n) if healthy[k]]
        if not ok:
            return -1, -1
        if len(ok) == 1:
            return ok[0], -1
        ra = self.rng.intn(len(ok))
        rb = self.rng.intn(len(ok) - 1)
        if rb >= ra:
            rb += 1
        return ok[ra], ok[rb]


if __name__ == "__main__":
    sys.exit(run(P2C()))
