"""Base classes for strategies that fleetsim runs as external processes."""

import json
import sys
import traceback

from .view import Node, Task, View

PROTOCOL = 1


class Strategy:
    """Subclass this and override the operations your strategy implements.

    Operations (override at least the one your queueing model needs):

    * ``pick(task, view) -> int``: node queueing; the node index, or -1 to
      drop the task.
    * ``score(task, view, nodes) -> list``: one score in [0, 100] per node
      index in ``nodes`` (or None to filter the node out); the highest wins,
      the lowest index on ties.
    * ``place(task, view) -> (node, gpus) | None``: central queueing; the
      node and the GPU indexes (None for fleetsim's default choice), or None
      when the task fits nowhere now.
    * ``key(task) -> float``: central queueing; the queue is kept in
      ascending key order (ties: arrival order).

    Outcome hooks (asked for with ``events``): ``started(now, task_id, node)``,
    ``finished(now, task_id, node, latency)``, ``failed(now, task_id, node)``;
    ``tick(view)`` every ``tick_ns`` nanoseconds when it is > 0.

    Class attributes say what the hello asks for: ``view_parts`` (load,
    health, alloc, gpus), ``events`` (started, finished, failed), ``tick_ns``,
    and ``batch``: the most same-instant picks decided in one message (0: one
    per message). A batching strategy must implement ``state()`` and
    ``set_state(s)`` (fleetsim may discard the tail of a batch, and the
    strategy then returns to the state it had before the first discarded
    request); while it decides a batch, the View shows each earlier pick of
    the batch as one more task on its node.
    After the hello, ``self.nodes``, ``self.params``, ``self.seed``,
    ``self.stream`` and ``self.model`` ("node" or "central") are set.
    """

    view_parts = ("load", "health")
    events = ()
    tick_ns = 0
    batch = 0

    def state(self):
        """A snapshot of the strategy's own state (batching strategies)."""
        raise NotImplementedError("a strategy with batch > 0 implements state and set_state")

    def set_state(self, state):
        """Return to a snapshot taken by state()."""
        raise NotImplementedError("a strategy with batch > 0 implements state and set_state")

    def setup(self, hello):
        """Called once with the hello; override to size state (call super)."""

    def ops(self):
        """The operations this class overrides, as the hello lists them."""
        out = []
        for op in ("pick", "score", "place", "key"):
            if getattr(type(self), op) is not getattr(Strategy, op):
                out.append(op)
        return out

    def pick(self, task, view):
        raise NotImplementedError

    def score(self, task, view, nodes):
        raise NotImplementedError

    def place(self, task, view):
        raise NotImplementedError

    def key(self, task):
        raise NotImplementedError

    def started(self, now, task_id, node):
        pass

    def finished(self, now, task_id, node, latency):
        pass

    def failed(self, now, task_id, node):
        pass

    def tick(self, view):
        pass

    def end(self, view):
        """Called when the run is over."""


class Balancer(Strategy):
    """A load balancer (node queueing): override pick, or score."""


class Placer(Strategy):
    """A placement strategy (central queueing): override place, or score;
    key to order the queue too."""

    view_parts = ("alloc", "gpus")


def _hello_reply(strategy, hello):
    model = hello.get("model")
    ops = strategy.ops()
    if model == "node":
        ops = [o for o in ops if o in ("pick", "score")]
    else:
        ops = [o for o in ops if o in ("place", "score", "key")]
    return {"type": "hello", "protocol": PROTOCOL, "ops": ops,
            "view": list(strategy.view_parts), "events": list(strategy.events),
            "tick": int(strategy.tick_ns), "batch": int(strategy.batch)}


class Session:
    """One conversation with fleetsim: feed it lines, get answer lines.

    ``run`` drives it over stdin/stdout; tests and the gym environment drive
    it directly.
    """

    def __init__(self, strategy):
        self.strategy = strategy
        self.view = None
        self.done = False
        self._undo = []    # (node, active, queued) before a batch's picks
        self._states = []  # strategy state before each request of the last batch
        self._slots = None

    def hello(self, msg):
        if msg.get("type") != "hello":
            raise ValueError("expected a hello first, got %r" % msg.get("type"))
        if msg.get("protocol") != PROTOCOL:
            return {"type": "hello", "protocol": PROTOCOL,
                    "error": "this package speaks protocol %d, fleetsim sent %r"
                    % (PROTOCOL, msg.get("protocol"))}
        s = self.strategy
        s.nodes = [Node(d) for d in msg["nodes"]]
        s.params = msg.get("params") or {}
        s.seed = msg.get("seed", 0)
        s.stream = msg.get("stream", "")
        s.model = msg.get("model", "node")
        s.name = msg.get("name", "")
        self.view = View(s.nodes)
        s.setup(msg)
        return _hello_reply(s, msg)

    def _batch(self, tasks):
        s, v = self.strategy, self.view
        act, que, tot = v.active, v.queued, v.load
        slots = self._slots
        if slots is None:
            slots = self._slots = [nd.slots or 1 for nd in v.nodes]
        idx = v._indexes  # the list itself: a pick may create an index
        pick, state = s.pick, s.state
        undo, states, out = self._undo, [], []
        for d in tasks:
            states.append(state())
            i = pick(Task(d), v)
            out.append(i)
            if i >= 0:
                a, q = act[i], que[i]
                undo.append((i, a, q))
                if a < slots[i]:
                    act[i] = a + 1
                else:
                    que[i] = q + 1
                tot[i] = a + q + 1
                for x in idx:
                    x.update(i)
        self._states = states
        return out

    def handle(self, msg):
        """Handle one message after the hello; return the answer or None."""
        s, v = self.strategy, self.view
        dirty = None
        if self._undo:
            # The batch's picks were a prediction: fleetsim's changes are
            # relative to the View it sent with the batch. The load indexes
            # are updated once, after the changes (most of them put back
            # what the batch predicted).
            act, que, tot = v.active, v.queued, v.load
            dirty = []
            for i, a, q in reversed(self._undo):
                act[i] = a
                que[i] = q
                tot[i] = a + q
                dirty.append(i)
            self._undo = []
        k = msg.get("discarded")
        if k:
            s.set_state(self._states[k])
        now = msg.get("now")
        if now is not None:
            v.now = now
        evs = msg.get("events")
        if evs:
            for e in evs:
                k = e[0]
                if k == "finished":
                    s.finished(e[1], e[2], e[3], e[4])
                elif k == "started":
                    s.started(e[1], e[2], e[3])
                else:
                    s.failed(e[1], e[2], e[3])
        delta = msg.get("view")
        if delta:
            v.apply(delta, dirty if v._indexes else None)
        if dirty and v._indexes:
            for x in v._indexes:
                up = x.update
                for i in dirty:
                    up(i)
        typ = msg["type"]
        if typ == "decide":
            seq = msg["seq"]
            op = msg["op"]
            if "tasks" in msg:
                return {"seq": seq, "nodes": [int(i) for i in self._batch(msg["tasks"])]}
            task = Task(msg["task"])
            if op == "pick":
                return {"seq": seq, "node": int(s.pick(task, v))}
            if op == "score":
                scores = s.score(task, v, msg["nodes"])
                return {"seq": seq, "scores": [None if x is None else int(x) for x in scores]}
            if op == "place":
                r = s.place(task, v)
                if r is None:
                    return {"seq": seq, "node": -1}
                node, gpus = r
                out = {"seq": seq, "node": int(node)}
                if gpus is not None:
                    out["gpus"] = [int(g) for g in gpus]
                return out
            if op == "key":
                return {"seq": seq, "key": float(s.key(task))}
            raise ValueError("unknown op %r" % op)
        if typ == "tick":
            s.tick(v)
        elif typ == "end":
            s.end(v)
            self.done = True
        return None


def run(strategy, stdin=None, stdout=None):
    """Speak the decision protocol on stdin/stdout until fleetsim ends the run.

    ``python3 my.py`` is a valid external strategy when my.py ends with
    ``run(MyStrategy())``. An exception in the strategy is reported to
    fleetsim (which stops the run and prints it) and the process exits 1.
    """
    if stdout is None:
        # The protocol owns stdout: the strategy's own print() calls go to
        # stderr, which fleetsim keeps (its last line appears in errors).
        stdout = sys.stdout.buffer
        sys.stdout = sys.stderr
    stdin = stdin or sys.stdin.buffer
    loads, dumps = json.loads, json.dumps
    sess = Session(strategy)
    line = stdin.readline()
    if not line:
        return 0
    seq = None
    try:
        reply = sess.hello(loads(line))
        stdout.write(dumps(reply, separators=(",", ":")).encode() + b"\n")
        stdout.flush()
        if "error" in reply:
            return 1
        handle = sess.handle
        for line in stdin:
            msg = loads(line)
            seq = msg.get("seq")
            out = handle(msg)
            if out is not None:
                stdout.write(dumps(out, separators=(",", ":")).encode() + b"\n")
                stdout.flush()
            if sess.done:
                break
    except Exception as e:  # reported to fleetsim, which stops the run
        traceback.print_exc(file=sys.stderr)
        err = {"seq": seq, "error": "%s: %s" % (type(e).__name__, e)}
        try:
            stdout.write(dumps(err).encode() + b"\n")
            stdout.flush()
        except OSError:
            pass
        return 1
    return 0
