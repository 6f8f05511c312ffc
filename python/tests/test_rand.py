"""Rand reproduces Go's sim.Rand: the vectors below were printed by
sim.NewRand in Go (fleetsim's own generator), not computed here."""

import unittest

from fleetsim import Rand


class TestRand(unittest.TestCase):
    def test_uint64_matches_go(self):
        r = Rand(1, "strategy/p2c")
        self.assertEqual([r.uint64() for _ in range(3)],
                         [12356760219008674280, 7832783782906597264,
                          15941456655527856269])

    def test_intn_matches_go(self):
        r = Rand(42, "x")
        self.assertEqual([r.intn(1000) for _ in range(5)], [407, 333, 3, 31, 368])

    def test_large_n_and_float_match_go(self):
        r = Rand(7, "strategy/p2c")
        self.assertEqual(r.intn(3), 1)
        self.assertEqual(r.intn((1 << 62) + 1), 3733597844658712524)
        self.assertEqual(r.float64(), 0.07154346975831039)

    def test_streams_are_independent_of_each_other(self):
        a, b = Rand(1, "a"), Rand(1, "b")
        self.assertNotEqual(a.uint64(), b.uint64())

    def test_intn_rejects_nonpositive(self):
        with self.assertRaises(ValueError):
            Rand(1, "x").intn(0)


if __name__ == "__main__":
    unittest.main()
