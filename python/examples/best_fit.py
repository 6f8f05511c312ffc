"""A placement scorer in Python: best fit on CPU. Among the nodes the task
fits on (fleetsim sends only those), the one that would have the least CPU
left scores highest; fleetsim then picks the GPUs as for any scorer."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fleetsim import Placer, run  # noqa: E402


class BestFitCPU(Placer):
    view_parts = ("alloc",)

    def score(self, task, view, nodes):
        out = []
        for i in nodes:
            cap = view.nodes[i].cpu or 1
            left = view.free_cpu(i) - task.cpu
            out.append(100 - (100 * left) // cap)
        return out


if __name__ == "__main__":
    sys.exit(run(BestFitCPU()))
