"""The planning engine: journey-plan cycles and the periodic VRP, on the plain dataclasses of solver.model."""

from solver.engine import solve
from solver.model import (
    Break,
    BreakTaken,
    Client,
    Problem,
    Route,
    Solution,
    SolveParams,
    Stop,
    TimeWindow,
    Unplaced,
    UnplacedReason,
    Vehicle,
)

__all__ = [
    "Break",
    "BreakTaken",
    "Client",
    "Problem",
    "Route",
    "Solution",
    "SolveParams",
    "Stop",
    "TimeWindow",
    "Unplaced",
    "UnplacedReason",
    "Vehicle",
    "solve",
]
