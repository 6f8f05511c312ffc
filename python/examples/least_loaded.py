"""Least loaded (least connections) in Python: the healthy node with the
fewest outstanding tasks, ties to the first at or after the last choice,
as fleetsim's built-in least-connections; the results are the same byte
for byte. With every node healthy the scan is min() and list.index() over
the View's load list, which run in C; otherwise a Python loop."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleetsim import Balancer, run  # noqa: E402


class LeastLoaded(Balancer):
    view_parts = ("load", "health")

    batch = 1024

    def state(self):
        return self.last

    def set_state(self, state):
        self.last = state

    def setup(self, hello):
        self.last = -1

    def pick(self, task, view):
        if view.unhealthy == 0 and len(view) > 0:
            load = view.load
            m = min(load)
            try:
                i = load.index(m, self.last + 1)
            except ValueError:
                i = load.index(m)
            self.last = i
            return i
        n = len(view)
        act, que, healthy = view.active, view.queued, view.healthy
        best, bc = -1, 0
        start = self.last + 1
        for i in list(range(start, n)) + list(range(0, start)):
            if not healthy[i]:
                continue
            c = act[i] + que[i]
            if best < 0 or c < bc:
                best, bc = i, c
        if best >= 0:
            self.last = best
        return best


if __name__ == "__main__":
    sys.exit(run(LeastLoaded()))
