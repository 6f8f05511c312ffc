"""The example agent's learning-curve plot (examples/learn_speeds.py)."""

import importlib.util
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def load_example():
    path = os.path.join(HERE, "..", "examples", "learn_speeds.py")
    spec = importlib.util.spec_from_file_location("learn_speeds", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class CurveTest(unittest.TestCase):
    def test_svg(self):
        """The SVG parses, draws one point per episode, puts a lower
        sojourn lower on the page, and draws the two reference lines at
        their means (y = T + plot height x (1 - v / top))."""
        mod = load_example()
        curve = [4.0, 2.0, 1.5, 1.2]
        means = {"random": 9.0, "least-connections": 1.0}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.svg")
            mod.svg_curve(path, curve, means)
            root = ET.parse(path).getroot()
        ns = "{http://www.w3.org/2000/svg}"
        pts = [tuple(map(float, p.split(","))) for p in root.find(ns + "polyline").get("points").split()]
        self.assertEqual(len(pts), len(curve))
        ys = [p[1] for p in pts]
        self.assertEqual(ys, sorted(ys))  # sojourn falls, so y grows down the page
        top = 9.0 * 1.08
        dashed = [float(l.get("y1")) for l in root.iter(ns + "line") if l.get("stroke-dasharray") and l.get("x1") == "70"]
        self.assertEqual(len(dashed), 2)
        for v, got in zip((9.0, 1.0), dashed):
            self.assertAlmostEqual(got, 40 + (400 - 40 - 55) * (1 - v / top), places=1)


if __name__ == "__main__":
    unittest.main()
