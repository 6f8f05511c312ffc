"""What a strategy sees of the cluster, kept up to date from the messages."""

from bisect import bisect_left, insort


class Node:
    """One node's specification, as the hello gives it."""

    __slots__ = ("index", "name", "group", "region", "slots", "speed", "cpu",
                 "memory", "gpus", "gpu_model", "cost_per_hour")

    def __init__(self, d):
        for k in self.__slots__:
            setattr(self, k, d.get(k))

    def __repr__(self):
        return "Node(%d, %r)" % (self.index, self.name)


class View:
    """The parts of fleetsim's View the strategy asked for in its hello.

    Lists are indexed by node. ``now`` is simulated time in nanoseconds.
    Parts not asked for stay at their initial values (idle, healthy, free).
    """

    def __init__(self, nodes):
        n = len(nodes)
        self.nodes = nodes
        self.now = 0
        self.active = [0] * n
        self.queued = [0] * n
        self.load = [0] * n  # active + queued, kept up to date
        self.unhealthy = 0   # how many nodes are not healthy
        self.healthy = [True] * n
        self.member = [True] * n
        self.cpu_used = [0] * n
        self.memory_used = [0] * n
        self.gpu_free = [[1000] * (nd.gpus or 0) for nd in nodes]
        self._indexes = []   # LoadIndex objects kept current (track_load)

    def track_load(self):
        """The View's load index (created on the first call): the healthy
        nodes bucketed by tasks in system, kept current as the messages
        change them, so that a least-loaded pick costs O(log n) instead of
        a scan of every node (as sim.View.TrackLoad in fleetsim)."""
        if not self._indexes:
            self._indexes.append(LoadIndex(self))
        return self._indexes[0]

    def set_load(self, i, active, queued):
        """Set node i's load (the protocol's load entries, a batch's
        predictions and their undoing go through here)."""
        self.active[i] = active
        self.queued[i] = queued
        self.load[i] = active + queued
        for x in self._indexes:
            x.update(i)

    def __len__(self):
        return len(self.nodes)

    def in_system(self, i):
        """Tasks node i serves plus those it queues (outstanding tasks)."""
        return self.load[i]

    def free_cpu(self, i):
        return self.nodes[i].cpu - self.cpu_used[i]

    def free_memory(self, i):
        return self.nodes[i].memory - self.memory_used[i]

    def fits(self, i, task):
        """Whether task fits on node i now (as sim.View.Fits)."""
        if task.cpu > self.free_cpu(i) or task.memory > self.free_memory(i):
            return False
        k, milli = task.gpu_demand()
        if k == 0:
            return True
        spec = task.gpu_spec
        if spec and self.nodes[i].gpu_model not in spec.split("|"):
            return False
        free = self.gpu_free[i]
        if milli < 1000:
            return any(f >= milli for f in free)
        return sum(1 for f in free if f == 1000) >= k

    def apply(self, delta, dirty=None):
        """Apply a message's view changes (protocol: view). With a list
        ``dirty``, the nodes whose load or health changed are appended to
        it and the load indexes are left for the caller to update."""
        load = delta.get("load")
        idx = self._indexes
        if load:
            act, que, tot = self.active, self.queued, self.load
            for i, a, q in load:
                act[i] = a
                que[i] = q
                tot[i] = a + q
            if idx:
                if dirty is not None:
                    dirty.extend(e[0] for e in load)
                else:
                    for x in idx:
                        up = x.update
                        for e in load:
                            up(e[0])
        health = delta.get("health")
        if health:
            for i, h, m in health:
                self.healthy[i] = bool(h)
                self.member[i] = bool(m)
            self.unhealthy = self.healthy.count(False)
            if idx:
                if dirty is not None:
                    dirty.extend(e[0] for e in health)
                else:
                    for x in idx:
                        for e in health:
                            x.update(e[0])
        alloc = delta.get("alloc")
        if alloc:
            for i, c, m in alloc:
                self.cpu_used[i] = c
                self.memory_used[i] = m
        gpus = delta.get("gpus")
        if gpus:
            for i, free in gpus:
                self.gpu_free[i] = free


class Task:
    """A task as a decision request carries it (times in nanoseconds).

    Attributes: ``id``, ``arrival``, ``cpu``, ``memory``, ``gpus``,
    ``gpu_milli``, ``priority``, ``estimate``, ``prompt_tokens``,
    ``output_tokens``, ``gpu_spec``, ``tenant``, ``region``, ``class_``;
    fields the message leaves out are 0 or "". The task wraps the decoded
    message object itself (no copy: a batch of a thousand tasks costs a
    thousand small objects, not fourteen thousand attribute stores)."""

    cpu = memory = gpus = gpu_milli = priority = estimate = 0
    prompt_tokens = output_tokens = 0
    gpu_spec = tenant = region = class_ = ""

    def __init__(self, d):
        if "class" in d:
            d = dict(d)
            d["class_"] = d.pop("class")
        self.__dict__ = d

    def __repr__(self):
        return "Task(%r)" % (self.__dict__,)

    def gpu_demand(self):
        """(count, milli) as sim.Task.GPUDemand: GPUs needed, share of each."""
        if self.gpus > 0:
            return self.gpus, 1000
        if self.gpu_milli >= 1000:
            return 1, 1000
        if self.gpu_milli > 0:
            return 1, self.gpu_milli
        return 0, 0


class LoadIndex:
    """The healthy nodes of a View bucketed by tasks in system, for
    least-loaded picks in O(log n): ``best_from(start)`` is the first node
    at or after ``start`` (wrapping around) among the least loaded healthy
    nodes, the choice fleetsim's least-connections makes; -1 when no node
    is healthy. The View updates it on every change of a node's load or
    health (``View.track_load`` creates it)."""

    def __init__(self, view):
        self.view = view
        n = len(view)
        self.key = [None] * n   # node -> the load it is bucketed at (None: not healthy)
        self.buckets = {}       # load -> sorted list of healthy nodes with that load
        self.min = None         # the least load of any bucket
        for i in range(n):
            self.update(i)

    def update(self, i):
        """Node i's load or health changed (the View calls it)."""
        v = self.view
        new = v.load[i] if v.healthy[i] else None
        old = self.key[i]
        if old == new:
            return
        self.key[i] = new
        b = self.buckets
        if old is not None:
            ob = b[old]
            del ob[bisect_left(ob, i)]
            if not ob:
                del b[old]
                if old == self.min:
                    self.min = None
                    if new is None or old + 1 != new:
                        self.min = min(b) if b else None
        if new is not None:
            nb = b.get(new)
            if nb is None:
                b[new] = [i]
            else:
                insort(nb, i)
            if self.min is None or new < self.min:
                self.min = new

    def best_from(self, start):
        """The least loaded healthy node at or after start, wrapping
        around; -1 when no node is healthy."""
        m = self.min
        if m is None:
            return -1
        nb = self.buckets[m]
        j = bisect_left(nb, start)
        return nb[j] if j < len(nb) else nb[0]
