"""The planning engine: journey-plan cycles and the periodic VRP, on the plain dataclasses of solver.model.

`solve` is imported on first use: reading plans needs the dataclasses alone, not OR-Tools and the compiled tour
search, which take a second or two to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from solver.engine import solve

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


def __getattr__(name: str) -> Any:
    if name == "solve":
        from solver.engine import solve

        return solve
    raise AttributeError(f"module 'solver' has no attribute {name!r}")
