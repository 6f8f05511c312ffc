"""The View's load index (View.track_load) against the scan it replaces:
the first least loaded healthy node at or after a start, wrapping around,
as fleetsim's least-connections chooses (strategies/leastconn.go)."""

import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from fleetsim import Node, Session, View  # noqa: E402
from fleetsim.view import Task  # noqa: E402


def scan(view, start):
    """The O(n) scan of least-connections: from start, cyclically, keep the
    first node strictly less loaded than the best so far."""
    n = len(view)
    best, bc = -1, 0
    for k in range(n):
        i = (start + k) % n
        if not view.healthy[i]:
            continue
        if best < 0 or view.load[i] < bc:
            best, bc = i, view.load[i]
    return best


def nodes(n):
    return [Node({"index": i, "name": "n-%d" % i, "slots": 1}) for i in range(n)]


class TestLoadIndex(unittest.TestCase):
    def test_agrees_with_the_scan_under_random_changes(self):
        rng = random.Random(7)
        for n in (1, 2, 7, 64):
            v = View(nodes(n))
            idx = v.track_load()
            for step in range(3000):
                i = rng.randrange(n)
                if rng.random() < 0.1:
                    v.apply({"health": [[i, rng.random() < 0.7, 1]]})
                else:
                    # Loads move by one mostly (arrivals and finishes), by
                    # more now and then (a message after a batch).
                    d = rng.choice((-1, 1, 1, 5)) if v.load[i] else rng.choice((1, 3))
                    a = max(0, v.active[i] + d)
                    v.apply({"load": [[i, min(a, 1), max(0, a - 1)]]})
                start = rng.randrange(n + 1)
                self.assertEqual(idx.best_from(start), scan(v, start),
                                 "n=%d step %d start %d loads %r healthy %r" % (n, step, start, v.load, v.healthy))

    def test_no_healthy_node_gives_minus_one(self):
        v = View(nodes(3))
        idx = v.track_load()
        v.apply({"health": [[0, 0, 1], [1, 0, 1], [2, 0, 0]]})
        self.assertEqual(idx.best_from(0), -1)
        v.apply({"health": [[2, 1, 1]]})
        self.assertEqual(idx.best_from(0), 2)

    def test_a_batch_and_its_undo_keep_the_index_current(self):
        # A batch's picks change the View through the session's prediction
        # and are undone before the next message's changes: the index must
        # follow both (LeastLoaded relies on it).
        sys.path.insert(0, os.path.join(HERE, "..", "examples"))
        from least_loaded import LeastLoaded
        s = Session(LeastLoaded())
        s.hello({"type": "hello", "protocol": 1, "model": "node",
                 "nodes": [{"index": i, "name": "n-%d" % i, "slots": 1} for i in range(4)]})
        tasks = [{"id": k, "arrival": 0} for k in range(6)]
        r = s.handle({"type": "decide", "seq": 1, "now": 0, "op": "pick", "tasks": tasks})
        self.assertEqual(r["nodes"], [0, 1, 2, 3, 0, 1])
        idx = s.view.track_load()
        self.assertEqual(idx.best_from(0), 2)  # loads 2, 2, 1, 1
        # fleetsim used only the first two answers (discarded: 2), and node
        # 3 got busy on its own: loads 1, 1, 0, 1.
        r = s.handle({"type": "decide", "seq": 2, "now": 0, "discarded": 2, "op": "pick",
                      "view": {"load": [[0, 1, 0], [1, 1, 0], [3, 1, 0]]},
                      "tasks": [{"id": 2, "arrival": 0}]})
        self.assertEqual(s.view.load, [1, 1, 1, 1])
        self.assertEqual(r["nodes"], [2])
        self.assertEqual(idx.best_from(3), scan(s.view, 3))


class TestTask(unittest.TestCase):
    def test_missing_fields_are_zero_and_class_is_class_(self):
        t = Task({"id": 3, "arrival": 5, "cpu": 250, "class": "batch"})
        self.assertEqual((t.id, t.arrival, t.cpu, t.memory, t.gpu_spec, t.class_),
                         (3, 5, 250, 0, "", "batch"))
        self.assertEqual(t.gpu_demand(), (0, 0))


if __name__ == "__main__":
    unittest.main()
