"""What a strategy sees of the cluster, kept up to date from the messages."""


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

    def apply(self, delta):
        """Apply a message's view changes (protocol: view)."""
        load = delta.get("load")
        if load:
            act, que, tot = self.active, self.queued, self.load
            for i, a, q in load:
                act[i] = a
                que[i] = q
                tot[i] = a + q
        health = delta.get("health")
        if health:
            for i, h, m in health:
                self.healthy[i] = bool(h)
                self.member[i] = bool(m)
            self.unhealthy = self.healthy.count(False)
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
    """A task as a decision request carries it (times in nanoseconds)."""

    __slots__ = ("id", "arrival", "cpu", "memory", "gpus", "gpu_milli",
                 "priority", "estimate", "prompt_tokens", "output_tokens",
                 "gpu_spec", "tenant", "region", "class_")

    def __init__(self, d):
        g = d.get
        self.id = d["id"]
        self.arrival = d["arrival"]
        self.cpu = g("cpu", 0)
        self.memory = g("memory", 0)
        self.gpus = g("gpus", 0)
        self.gpu_milli = g("gpu_milli", 0)
        self.priority = g("priority", 0)
        self.estimate = g("estimate", 0)
        self.prompt_tokens = g("prompt_tokens", 0)
        self.output_tokens = g("output_tokens", 0)
        self.gpu_spec = g("gpu_spec", "")
        self.tenant = g("tenant", "")
        self.region = g("region", "")
        self.class_ = g("class", "")

    def gpu_demand(self):
        """(count, milli) as sim.Task.GPUDemand: GPUs needed, share of each."""
        if self.gpus > 0:
            return self.gpus, 1000
        if self.gpu_milli >= 1000:
            return 1, 1000
        if self.gpu_milli > 0:
            return 1, self.gpu_milli
        return 0, 0
