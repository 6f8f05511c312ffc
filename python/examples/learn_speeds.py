"""A small learning agent on the speeds scenario, through the gym
environment (fleetsim.gym): no ML framework, a few lines of bookkeeping.

It learns each node's time per task from the rewards' raw material, the
finished tasks: a task sent to node i behind q others took latency L, so
one task's worth of work on i takes about L / (q + 1). It sends each task
to the node with the least expected wait, (in_system + 1) x that time,
exploring at random with probability epsilon. Its estimates persist across
episodes, so it learns over them; each episode is one run of fleetsim with
its own seed.

    FLEETSIM=bin/fleetsim python3 python/examples/learn_speeds.py [episodes] [tasks] [--check]

prints, per episode, the mean sojourn fleetsim measured (the learning
curve), then random's and least-connections' on the same seeds. With
--check it exits 1 unless the agent's last episodes beat random's.
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


def main():
    check = "--check" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--check"]
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
    # --check (make test): the agent, after learning, must beat random on
    # the same seeds, or the run fails.
    if check and not agent_mean < means["random"]:
        print("check failed: the agent (%.3f s) does not beat random (%.3f s)" % (agent_mean, means["random"]))
        sys.exit(1)


if __name__ == "__main__":
    main()
