"""The Python side of the decision protocol (docs/external.md), driven
with hand-written messages as fleetsim sends them."""

import io
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))

from fleetsim import Balancer, Placer, Session, run  # noqa: E402
from least_loaded import LeastLoaded  # noqa: E402
from round_robin import RoundRobin  # noqa: E402


def hello(n=3, model="node", **kw):
    msg = {"type": "hello", "protocol": 1, "name": "t", "model": model, "seed": 1,
           "stream": "strategy/t",
           "nodes": [{"index": i, "name": "n-%d" % i, "group": "n", "region": "",
                      "slots": 1, "speed": 1, "cpu": 4000, "memory": 1 << 30,
                      "gpus": 2, "gpu_model": "A", "cost_per_hour": 0}
                     for i in range(n)],
           "params": {}}
    msg.update(kw)
    return msg


def decide(seq, op="pick", view=None, events=None, **task):
    t = {"id": seq, "arrival": seq}
    t.update(task)
    m = {"type": "decide", "seq": seq, "now": seq, "op": op, "task": t}
    if view is not None:
        m["view"] = view
    if events is not None:
        m["events"] = events
    return m


class TestSession(unittest.TestCase):
    def test_hello_lists_overridden_ops_and_parts(self):
        s = Session(LeastLoaded())
        r = s.hello(hello())
        self.assertEqual(r, {"type": "hello", "protocol": 1, "ops": ["pick"],
                             "view": ["load", "health"], "events": [], "tick": 0,
                             "batch": 1024})

    def test_wrong_version_is_refused_with_an_error(self):
        r = Session(RoundRobin()).hello(hello(protocol=2))
        self.assertIn("protocol 1", r["error"])

    def test_round_robin_goes_in_turn_and_skips_non_members(self):
        s = Session(RoundRobin())
        s.hello(hello(3))
        got = [s.handle(decide(1))["node"]]
        # Node 1 leaves the pool: it is skipped.
        got.append(s.handle(decide(2, view={"health": [[1, 0, 0]]}))["node"])
        got.append(s.handle(decide(3))["node"])
        self.assertEqual(got, [0, 2, 0])

    def test_least_loaded_reads_view_changes_and_rotates_ties(self):
        s = Session(LeastLoaded())
        s.hello(hello(3))
        # All idle: ties go to the first node after the last choice.
        self.assertEqual(s.handle(decide(1))["node"], 0)
        self.assertEqual(s.handle(decide(2, view={"load": [[0, 1, 0]]}))["node"], 1)
        # Node 2 now has 3 tasks, nodes 0 and 1 one each: node 0 (after 1, wrapping).
        r = s.handle(decide(3, view={"load": [[1, 1, 0], [2, 1, 2]]}))
        self.assertEqual(r["node"], 0)

    def test_events_reach_the_hooks(self):
        seen = []

        class Obs(Balancer):
            events = ("finished",)

            def pick(self, task, view):
                return 0

            def finished(self, now, task_id, node, latency):
                seen.append((now, task_id, node, latency))

        s = Session(Obs())
        s.hello(hello())
        s.handle(decide(1, events=[["finished", 5, 0, 2, 4]]))
        self.assertEqual(seen, [(5, 0, 2, 4)])

    def test_placer_answers_place_with_node_and_gpus(self):
        class TwoGPUs(Placer):
            def place(self, task, view):
                for i in range(len(view)):
                    if view.fits(i, task):
                        free = [g for g, f in enumerate(view.gpu_free[i]) if f == 1000]
                        return i, free[:task.gpus]
                return None

        s = Session(TwoGPUs())
        s.hello(hello(2, model="central"))
        r = s.handle(decide(1, op="place", gpus=2, view={"gpus": [[0, [1000, 500]]]}))
        self.assertEqual(r, {"seq": 1, "node": 1, "gpus": [0, 1]})
        r = s.handle(decide(2, op="place", gpus=2, view={"gpus": [[1, [0, 0]]]}))
        self.assertEqual(r, {"seq": 2, "node": -1})


class TestBatch(unittest.TestCase):
    def test_each_pick_of_a_batch_sees_the_earlier_ones(self):
        s = Session(LeastLoaded())
        s.hello(hello(3))
        tasks = [{"id": k, "arrival": 0} for k in range(4)]
        r = s.handle({"type": "decide", "seq": 1, "now": 0, "op": "pick", "tasks": tasks})
        # Single-slot idle nodes: 0, 1, 2 take one each, then node 0 again
        # (all hold one; ties rotate from after the last choice, 2).
        self.assertEqual(r, {"seq": 1, "nodes": [0, 1, 2, 0]})
        self.assertEqual((s.view.active, s.view.queued), ([1, 1, 1], [1, 0, 0]))

    def test_the_prediction_is_undone_before_the_next_message(self):
        s = Session(LeastLoaded())
        s.hello(hello(3))
        tasks = [{"id": k, "arrival": 0} for k in range(2)]
        s.handle({"type": "decide", "seq": 1, "now": 0, "op": "pick", "tasks": tasks})
        # fleetsim reports node 0 busy, nothing about node 1: the View is
        # the one sent with the batch plus this change.
        s.handle({"type": "tick", "now": 1, "view": {"load": [[0, 1, 0]]}})
        self.assertEqual(s.view.active, [1, 0, 0])

    def test_discarded_requests_are_undone(self):
        s = Session(RoundRobin())
        s.hello(hello(3))
        tasks = [{"id": k, "arrival": 0} for k in range(3)]
        r = s.handle({"type": "decide", "seq": 1, "now": 0, "op": "pick", "tasks": tasks})
        self.assertEqual(r["nodes"], [0, 1, 2])
        # Only the first answer was used: round robin resumes at node 1.
        r = s.handle({"type": "decide", "seq": 2, "now": 0, "discarded": 1, "op": "pick",
                      "tasks": [{"id": 1, "arrival": 0}]})
        self.assertEqual(r["nodes"], [1])


class TestRun(unittest.TestCase):
    def test_run_speaks_lines_and_stops_at_end(self):
        lines = [hello(2), decide(1), decide(2), {"type": "end"}]
        stdin = io.BytesIO(b"".join(json.dumps(m).encode() + b"\n" for m in lines))
        stdout = io.BytesIO()
        self.assertEqual(run(RoundRobin(), stdin, stdout), 0)
        out = [json.loads(x) for x in stdout.getvalue().splitlines()]
        self.assertEqual(out[0]["ops"], ["pick"])
        self.assertEqual(out[1:], [{"seq": 1, "node": 0}, {"seq": 2, "node": 1}])

    def test_an_exception_is_reported_to_fleetsim(self):
        class Broken(Balancer):
            def pick(self, task, view):
                return 1 // 0

        lines = [hello(2), decide(1)]
        stdin = io.BytesIO(b"".join(json.dumps(m).encode() + b"\n" for m in lines))
        stdout = io.BytesIO()
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            self.assertEqual(run(Broken(), stdin, stdout), 1)
        finally:
            sys.stderr = stderr
        last = json.loads(stdout.getvalue().splitlines()[-1])
        self.assertEqual(last["seq"], 1)
        self.assertIn("ZeroDivisionError", last["error"])


if __name__ == "__main__":
    unittest.main()
