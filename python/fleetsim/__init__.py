"""Write fleetsim strategies in Python.

fleetsim (a discrete-event simulator of load balancing and job placement)
runs a strategy as an external process that speaks its decision protocol
(docs/external.md) over stdin and stdout. This package, standard library
only, does the talking: subclass ``Balancer`` or ``Placer``, override
``pick``/``score``/``place``/``key``, and end the script with
``run(MyStrategy())``. ``Rand`` reproduces fleetsim's random streams.
"""

from .rand import Rand
from .strategy import PROTOCOL, Balancer, Placer, Session, Strategy, run
from .view import Node, Task, View

__all__ = ["PROTOCOL", "Balancer", "Node", "Placer", "Rand", "Session",
           "Strategy", "Task", "View", "run"]
