"""The gym environment against a real fleetsim binary ($FLEETSIM, or
fleetsim on the PATH; go test ./strategies/external/ builds one and sets
it). Skipped, saying so, when there is none."""

import os
import shutil
import unittest

from fleetsim.gym import Box, Discrete, FleetsimEnv

FLEETSIM = os.environ.get("FLEETSIM", "fleetsim")


@unittest.skipIf(shutil.which(FLEETSIM) is None, "no fleetsim binary: set $FLEETSIM")
class TestGym(unittest.TestCase):
    def setUp(self):
        self.env = FleetsimEnv("speeds", fleetsim=FLEETSIM, tasks=150)

    def tearDown(self):
        self.env.close()

    def play(self, seed):
        """One episode choosing the node with the fewest tasks (lowest
        index on ties); the trajectory and fleetsim's result."""
        obs, info = self.env.reset(seed=seed)
        traj = [tuple(obs)]
        while True:
            a = min(range(len(obs)), key=lambda i: obs[i])
            obs, r, term, trunc, info = self.env.step(a)
            traj.append((a, r, tuple(obs)))
            if term:
                return traj, info["result"]

    def test_spaces_describe_the_cluster(self):
        # speeds: 20 + 40 + 40 nodes.
        self.assertIsInstance(self.env.action_space, Discrete)
        self.assertEqual(self.env.action_space.n, 100)
        self.assertIsInstance(self.env.observation_space, Box)
        self.assertEqual(self.env.observation_space.shape, (100,))

    def test_an_episode_is_one_decision_per_task_and_seeding_repeats_it(self):
        a, ra = self.play(7)
        b, rb = self.play(7)
        c, _ = self.play(8)
        self.assertEqual(len(a), 151)  # the first observation, then one step per task
        self.assertEqual(ra["tasks"]["arrived"] + ra["tasks"]["warmup"], 150)
        self.assertEqual(a, b)
        self.assertEqual(ra["latency_s"], rb["latency_s"])
        self.assertNotEqual(a, c)

    def test_rewards_sum_to_minus_the_total_sojourn(self):
        traj, res = self.play(3)
        total = -sum(step[1] for step in traj[1:])
        # Every task finishes (nothing is dropped), so the rewards add up
        # to every task's sojourn; the result's mean covers the measured
        # tasks only, so compare with a bound: all 150 tasks' sojourns
        # are at least the measured ones'.
        self.assertGreaterEqual(total + 1e-6, res["latency_s"]["mean"] * res["tasks"]["completed"])

    def test_step_after_the_end_is_refused(self):
        self.play(1)
        with self.assertRaises(RuntimeError):
            self.env.step(0)


if __name__ == "__main__":
    unittest.main()
