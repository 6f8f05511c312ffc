"""A Gymnasium-style environment in which each step is one decision of a
running fleetsim.

``FleetsimEnv(scenario)`` starts ``fleetsim run SCENARIO`` with an external
strategy that relays every pick to the environment. ``reset(seed)`` starts a
run and returns the first decision's observation; ``step(action)`` sends the
node chosen for the current task and returns the next decision's
observation. The environment needs no gymnasium; where gymnasium is
installed, ``GymEnv`` is the same environment as a real ``gymnasium.Env``.

Observation: a list with, for each node, the tasks in its system (served
plus queued), as the View shows them at the decision.
Action: a node index in [0, n), or -1 to drop the task.
Reward (the default): minus the sum of the sojourn times, in seconds, of the
tasks that finished between this decision and the next (a task's sojourn
counts once, at the step where it ends; the last step collects the rest).
``reward_fn(finished, obs)`` replaces it: ``finished`` is a list of
(task_id, node, latency_seconds).
The episode terminates when the run ends; ``info["result"]`` then holds
fleetsim's JSON result for the run.
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile

_RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "relay.py")


class Discrete:
    """The action space: integers in [0, n) (gymnasium.spaces.Discrete)."""

    def __init__(self, n):
        self.n = n

    def sample(self, rng=random):
        return rng.randrange(self.n)

    def contains(self, x):
        return isinstance(x, int) and 0 <= x < self.n

    def __repr__(self):
        return "Discrete(%d)" % self.n


class Box:
    """The observation space: n non-negative integers (gymnasium.spaces.Box)."""

    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape

    def contains(self, x):
        return len(x) == self.shape[0] and all(self.low <= v <= self.high for v in x)

    def __repr__(self):
        return "Box(%r, %r, %r)" % (self.low, self.high, self.shape)


class FleetsimEnv:
    """One decision of fleetsim per step (node queueing scenarios)."""

    def __init__(self, scenario, fleetsim=None, tasks=None, reward_fn=None, args=()):
        self.scenario = scenario
        self.fleetsim = fleetsim or os.environ.get("FLEETSIM", "fleetsim")
        if shutil.which(self.fleetsim) is None:
            raise FileNotFoundError("fleetsim binary not found: %s (set $FLEETSIM)" % self.fleetsim)
        self.tasks = tasks
        self.reward_fn = reward_fn
        self.args = list(args)
        self._proc = None
        self._conn = None
        self._dir = None
        self._file = None
        self.n = None
        # The cluster's size, from a first hello: the spaces need it.
        self._start(None)
        self.close()
        self.action_space = Discrete(self.n)
        self.observation_space = Box(0, float("inf"), (self.n,))

    # -- the run -----------------------------------------------------
    def _start(self, seed):
        self._dir = tempfile.mkdtemp(prefix="fleetsim-gym-")
        path = os.path.join(self._dir, "sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        srv.settimeout(60)
        cmd = [self.fleetsim, "run", self.scenario, "--json",
               "-s", "external:%s -S %s" % (sys.executable, _RELAY)] + self.args
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if self.tasks:
            cmd += ["--tasks", str(self.tasks)]
        env = dict(os.environ, FLEETSIM_GYM_SOCKET=path)
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            self._conn, _ = srv.accept()
        except socket.timeout:
            self._proc.kill()
            _, err = self._proc.communicate()
            raise RuntimeError("fleetsim did not start the strategy: %s" % err.decode().strip())
        finally:
            srv.close()
        self._file = self._conn.makefile("rwb")
        hello = json.loads(self._file.readline())
        self.n = len(hello["nodes"])
        self._in_sys = [0] * self.n
        self._write({"type": "hello", "protocol": 1, "ops": ["pick"],
                     "view": ["load"], "events": ["finished"]})

    def _write(self, msg):
        self._file.write(json.dumps(msg, separators=(",", ":")).encode() + b"\n")
        self._file.flush()

    def _next(self):
        """Read up to the next decision; return (obs, finished, done)."""
        finished = []
        while True:
            line = self._file.readline()
            if not line:
                raise RuntimeError("fleetsim ended the run early: %s" % self._stderr())
            msg = json.loads(line)
            for e in msg.get("events", ()):
                if e[0] == "finished":
                    finished.append((e[2], e[3], e[4] / 1e9))
            for i, a, q in msg.get("view", {}).get("load", ()):
                self._in_sys[i] = a + q
            if msg["type"] == "decide":
                self._seq = msg["seq"]
                self._task = msg["task"]
                return list(self._in_sys), finished, False
            if msg["type"] == "end":
                return list(self._in_sys), finished, True

    def _stderr(self):
        if self._proc is None:
            return ""
        try:
            self._proc.kill()
            _, err = self._proc.communicate(timeout=10)
            return err.decode().strip()
        except Exception:
            return ""

    # -- the gym interface ---------------------------------------------
    def reset(self, seed=None, options=None):
        """Start a run (seed: fleetsim's --seed); return (obs, info)."""
        self.close()
        self._start(seed)
        obs, _, done = self._next()
        self._done = done
        return obs, {"now": 0, "task": self._task if not done else None}

    def step(self, action):
        """Send the current task to node action; return
        (obs, reward, terminated, truncated, info)."""
        if self._done:
            raise RuntimeError("step after the episode ended: call reset")
        self._write({"seq": self._seq, "node": int(action)})
        obs, finished, done = self._next()
        if self.reward_fn is not None:
            reward = self.reward_fn(finished, obs)
        else:
            reward = -sum(f[2] for f in finished)
        info = {"finished": finished}
        if done:
            self._done = True
            self._file.close()
            self._conn.close()
            out, err = self._proc.communicate(timeout=60)
            if self._proc.returncode != 0:
                raise RuntimeError("fleetsim failed: %s" % err.decode().strip())
            info["result"] = json.loads(out)
            self._proc = None
        else:
            info["task"] = self._task
        return obs, reward, done, False, info

    def close(self):
        if self._conn is not None:
            try:
                self._file.close()
                self._conn.close()
            except OSError:
                pass
            self._conn = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.communicate()
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


try:  # a real gymnasium.Env where gymnasium is installed
    import gymnasium as _gym
    import numpy as _np

    class GymEnv(FleetsimEnv, _gym.Env):
        """FleetsimEnv as a gymnasium.Env (numpy observations)."""

        def __init__(self, *a, **kw):
            FleetsimEnv.__init__(self, *a, **kw)
            self.action_space = _gym.spaces.Discrete(self.n)
            self.observation_space = _gym.spaces.Box(0, _np.inf, (self.n,), dtype=_np.float64)

        def reset(self, seed=None, options=None):
            obs, info = FleetsimEnv.reset(self, seed, options)
            return _np.asarray(obs, dtype=_np.float64), info

        def step(self, action):
            obs, r, term, trunc, info = FleetsimEnv.step(self, action)
            return _np.asarray(obs, dtype=_np.float64), r, term, trunc, info
except ImportError:  # pragma: no cover - gymnasium is optional
    GymEnv = None
