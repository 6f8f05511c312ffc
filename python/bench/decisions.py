"""Python's share of a decision: the package's loop (decode a line,
handle it, encode the answer) and the strategy's work, on one core,
without fleetsim or pipes.

    python3 python/bench/decisions.py [--nodes 1000] [--decisions 200000]

It feeds a strategy the lines fleetsim would send for single-slot nodes
whose load changes only by the strategy's own picks (the traffic of
BenchmarkDecision and BenchmarkBatched in strategies/external): one
decision per message (no batching), then bursts of 100 and 1,000 tasks
at the same instant decided in one message each (batching). The messages
are made by the benchmark between the timed parts; only the strategy
side is timed, in CPU time of this process (time.process_time), so the
figure means the same on a loaded machine as on a quiet one, as far as a
shared core allows.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))

from fleetsim import Session  # noqa: E402
from least_loaded import LeastLoaded  # noqa: E402
from round_robin import RoundRobin  # noqa: E402


def hello(n):
    return {"type": "hello", "protocol": 1, "name": "bench", "model": "node", "seed": 1,
            "stream": "strategy/bench",
            "nodes": [{"index": i, "name": "n-%d" % i, "group": "n", "region": "",
                       "slots": 1, "speed": 1, "cpu": 0, "memory": 0, "gpus": 0,
                       "gpu_model": "", "cost_per_hour": 0} for i in range(n)],
            "params": {}}


def measure(make, n, decisions, burst):
    """CPU seconds of the strategy side for `decisions` picks, in messages
    of `burst` tasks (burst 0: the unbatched protocol, one task per message)."""
    strat = make()
    if burst and not strat.batch:
        return None
    sess = Session(strat)
    loads, dumps = json.loads, json.dumps
    sess.hello(hello(n))
    active = [0] * n
    queued = [0] * n
    first = True
    changed = []
    seq = 0
    tid = 0
    spent = 0.0
    clock = time.process_time
    while tid < decisions:
        seq += 1
        now = tid // max(burst, 1) * 1000
        msg = '{"type":"decide","seq":%d,"now":%d,"view":{"load":[%s],"health":[%s]},"op":"pick",' % (
            seq, now,
            ",".join("[%d,%d,%d]" % (i, active[i], queued[i]) for i in (range(n) if first else changed)),
            ",".join("[%d,1,1]" % i for i in range(n)) if first else "")
        k = max(burst, 1)
        tasks = ",".join('{"id":%d,"arrival":%d}' % (tid + j, now) for j in range(k))
        if burst:
            msg += '"tasks":[%s]}\n' % tasks
        else:
            msg += '"task":%s}\n' % tasks
        line = msg.encode()
        first = False
        t0 = clock()
        out = sess.handle(loads(line))
        ans = dumps(out, separators=(",", ":")).encode() + b"\n"
        spent += clock() - t0
        ans = json.loads(ans)
        picks = ans["nodes"] if burst else [ans["node"]]
        changed = []
        for i in picks:
            # fleetsim's engine: one more task on the node, served when the
            # node's single slot is free, else queued; then, as the Go
            # benchmarks do without batching, the load wraps at 4.
            if burst:
                if active[i] < 1:
                    active[i] += 1
                else:
                    queued[i] += 1
            else:
                active[i] = (active[i] + 1) % 4
            if i not in changed:
                changed.append(i)
        tid += k
    return spent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--decisions", type=int, default=200000)
    a = ap.parse_args()
    print("python %s, %d nodes, %d decisions per row, load average %s" % (
        sys.version.split()[0], a.nodes, a.decisions, open("/proc/loadavg").read().split()[0]
        if os.path.exists("/proc/loadavg") else "?"))
    print("%-16s %-10s %14s %14s" % ("strategy", "batch", "µs/decision", "decisions/s"))
    for name, make in (("round_robin", RoundRobin), ("least_loaded", LeastLoaded)):
        for burst in (0, 100, 1000):
            s = measure(make, a.nodes, a.decisions if burst else a.decisions // 4, burst)
            if s is None:
                continue
            d = a.decisions if burst else a.decisions // 4
            print("%-16s %-10s %14.2f %14.0f" % (name, "none" if not burst else "burst %d" % burst,
                                                 s / d * 1e6, d / s))


if __name__ == "__main__":
    main()
