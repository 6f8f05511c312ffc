"""A small learning agent on the speeds scenario, through the gym
environment (fleetsim.gym): no ML framework, a few lines of bookkeeping.

It learns each node's time per task from the rewards' raw material, the
finished tasks: a task sent to node i behind q others took latency L, so
one task's worth of work on i takes about L / (q + 1). It sends each task
to the node with the least expected wait, (in_system + 1) x that time,
exploring at random with probability epsilon. Its estimates persist across
episodes, so it learns over them; each episode is one run of fleetsim with
its own seed.

    FLEETSIM=bin/fleetsim python3 python/examples/learn_speeds.py [episodes] [tasks] [--check] [--svg=FILE]

prints, per episode, the mean sojourn fleetsim measured (the learning
curve), then random's and least-connections' on the same seeds. With
--check it exits 1 unless the agent's last episodes beat random's; with
--svg=FILE it also plots the learning curve there.
"""

import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleetsim.gym import FleetsimEnv  # noqa: E402


class Agent:
    def __init__(self, n, epsilon=0.1, seed=1):
        self.rng = random.Random(seed)
        self.epsilon = epsilon
        self.time = [1.0] * n   # estimated seconds per task on each node
        self.count = [0] * n
        self.sent = {}          # task id -> (node, in_system at dispatch)

    def act(self, obs, task):
        n = len(obs)
        if self.rng.random() < self.epsilon:
            i = self.rng.randrange(n)
        else:
            i = min(range(n), key=lambda k: (obs[k] + 1) * self.time[k])
        self.sent[task["id"]] = (i, obs[i])
        return i

    def learn(self, finished):
        for task_id, node, latency in finished:
            i, q = self.sent.pop(task_id, (node, 0))
            self.count[i] += 1
            sample = latency / (q + 1)
            self.time[i] += (sample - self.time[i]) / min(self.count[i], 50)


def episode(env, agent, seed):
    obs, info = env.reset(seed=seed)
    task = info["task"]
    while True:
        obs, reward, done, _, info = env.step(agent.act(obs, task))
        agent.learn(info["finished"])
        if done:
            return info["result"]["latency_s"]["mean"]
        task = info["task"]


def builtin(fleetsim, strategy, seed, tasks):
    import json
    out = subprocess.run([fleetsim, "run", "speeds", "--json", "-s", strategy, "--seed", str(seed),
                          "--tasks", str(tasks)], check=True, capture_output=True).stdout
    return json.loads(out)["latency_s"]["mean"]


def svg_curve(path, curve, means):
    """Writes the learning curve as an SVG line chart (standard library
    only): mean sojourn per episode, with random's and least-connections'
    means on the last seeds as dashed lines."""
    W, H, L, R, T, B = 640, 400, 70, 190, 40, 55
    top = max(max(curve), *means.values()) * 1.08
    n = len(curve)

    def x(i):
        return L + (W - L - R) * (i / max(n - 1, 1))

    def y(v):
        return T + (H - T - B) * (1 - v / top)

    step = next(s for s in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 50) if top / s <= 8)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" font-weight="bold">speeds: the example agent learning over %d episodes</text>' % (L, n)]
    v = 0.0
    while v <= top:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/>' % (L, W - R, y(v), y(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (L - 6, y(v) + 4, round(v, 2)))
        v += step
    for k in sorted({1, n} | set(range(0, n + 1, max(1, (n // 5) // 10 * 10 or 1)))):
        if 1 <= k <= n:
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x(k - 1), H - B + 18, k))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="black"/>' % (L, W - R, H - B, H - B))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="black"/>' % (L, L, T, H - B))
    out.append('<text x="%d" y="%d" text-anchor="middle">episode</text>' % ((L + W - R) // 2, H - 12))
    out.append('<text transform="translate(18 %d) rotate(-90)" text-anchor="middle">mean sojourn (s)</text>' % ((T + H - B) // 2))
    pts = " ".join("%.1f,%.1f" % (x(i), y(c)) for i, c in enumerate(curve))
    out.append('<polyline fill="none" stroke="#0072b2" stroke-width="1.5" points="%s"/>' % pts)
    styles = [("agent", "#0072b2", "")]
    for (name, colour) in (("random", "#d55e00"), ("least-connections", "#009e73")):
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>' % (L, W - R, y(means[name]), y(means[name]), colour))
        styles.append((name, colour, "6 4"))
    for k, (name, colour, dash) in enumerate(styles):
        yy = T + 10 + 22 * k
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' % (W - R + 12, W - R + 40, yy, yy, colour, ' stroke-dasharray="%s"' % dash if dash else ""))
        out.append('<text x="%d" y="%d">%s</text>' % (W - R + 46, yy + 4, name))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    check = "--check" in sys.argv[1:]
    svg = None
    args = []
    for a in sys.argv[1:]:
        if a.startswith("--svg="):
            svg = a[len("--svg="):]
        elif a != "--check":
            args.append(a)
    episodes = int(args[0]) if len(args) > 0 else 20
    tasks = int(args[1]) if len(args) > 1 else 2000
    env = FleetsimEnv("speeds", tasks=tasks)
    agent = Agent(env.n)
    curve = []
    for ep in range(episodes):
        curve.append(episode(env, agent, seed=ep + 1))
        print("episode %3d  mean sojourn %.3f s" % (ep + 1, curve[-1]))
    env.close()
    last = list(range(max(1, episodes - 5) + 1, episodes + 1))
    means = {}
    for s in ("random", "least-connections"):
        means[s] = sum(builtin(env.fleetsim, s, seed, tasks) for seed in last) / len(last)
        print("%-18s mean sojourn %.3f s (seeds %d-%d)" % (s, means[s], last[0], last[-1]))
    agent_mean = sum(curve[-len(last):]) / len(last)
    print("%-18s mean sojourn %.3f s (same seeds)" % ("agent", agent_mean))
    if svg:
        svg_curve(svg, curve, means)
        print("wrote", svg)
    # --check (make test): the agent, after learning, must beat random on
    # the same seeds, or the run fails.
    if check and not agent_mean < means["random"]:
        print("check failed: the agent (%.3f s) does not beat random (%.3f s)" % (agent_mean, means["random"]))
        sys.exit(1)


if __name__ == "__main__":
    main()
