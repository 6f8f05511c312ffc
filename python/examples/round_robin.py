"""Round robin in Python: gives exactly the results of fleetsim's built-in
round-robin (nodes in turn, skipping nodes out of the pool)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleetsim import Balancer, run  # noqa: E402


class RoundRobin(Balancer):
    view_parts = ("health",)

    batch = 1024

    def state(self):
        return self.next

    def set_state(self, state):
        self.next = state

    def setup(self, hello):
        self.next = 0

    def pick(self, task, view):
        n = len(view)
        for _ in range(n):
            if self.next >= n:
                self.next = 0
            i = self.next
            self.next += 1
            if view.member[i]:
                return i
        return -1


if __name__ == "__main__":
    sys.exit(run(RoundRobin()))
