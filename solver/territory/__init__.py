"""Territories: which rep visits which outlet, balanced on workloads from planned cycles (solver.territory.search),
and how many reps an office needs (solver.territory.rep_count). The linear program of the split uses OR-Tools,
loaded on first use."""

from solver.territory.evaluation import SequentialPlanner
from solver.territory.model import (
    CyclePlanner,
    RepLoad,
    TerritoryAnswer,
    TerritoryOptions,
    TerritoryOutlet,
    TerritoryProblem,
    TerritoryRep,
)
from solver.territory.rep_count import RepCountAnswer, RepCountRow, rep_counts, with_reps
from solver.territory.search import propose

__all__ = [
    "CyclePlanner",
    "RepCountAnswer",
    "RepCountRow",
    "RepLoad",
    "SequentialPlanner",
    "TerritoryAnswer",
    "TerritoryOptions",
    "TerritoryOutlet",
    "TerritoryProblem",
    "TerritoryRep",
    "propose",
    "rep_counts",
    "with_reps",
]
