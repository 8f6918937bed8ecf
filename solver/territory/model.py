"""The territory problem and its answer, as plain frozen dataclasses.

An office's outlets are to be shared among its reps: every outlet goes to one rep, whose cycle (one Problem per rep,
planned by the engine) must place every visit. Locations index the travel matrices; reps and outlets index their
tuples. A rep's cycle is built with location 0 its start, 1 its end and the outlets from 2, as the service does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from solver.model import Problem, Solution, SolveParams, TimeWindow, Vehicle
from solver.patterns import FREQUENCIES


@dataclass(frozen=True)
class TerritoryOutlet:
    location: int
    service_s: int
    visits_per_cycle: int  # per four weeks (solver.patterns.FREQUENCIES)
    # Opening windows per day of the cycle (solver.model.Client.windows); None: open whenever the rep works.
    windows: tuple[tuple[TimeWindow, ...], ...] | None = None
    rep: int | None = None  # the rep that has it now (index into TerritoryProblem.reps), None: no rep
    locked: bool = False  # must stay with `rep`


@dataclass(frozen=True)
class TerritoryRep:
    start: int  # location where the rep's day starts
    end: int  # location where it ends
    # The rep's working days over the cycle (solver.model.Vehicle), starting at location 0 and ending at 1 of the
    # rep's own cycle problem.
    vehicles: tuple[Vehicle, ...]
    matrix: int = 0  # which of TerritoryProblem.duration_s / distance_m the rep travels on

    @property
    def working_days(self) -> tuple[int, ...]:
        return tuple(sorted({v.day % 7 for v in self.vehicles}))

    @property
    def capacity_s(self) -> int:
        """Working time over the cycle: every shift less its breaks."""
        return sum(v.shift_end_s - v.shift_start_s - sum(b.duration_s for b in v.breaks) for v in self.vehicles)


@dataclass(frozen=True, eq=False)
class TerritoryProblem:
    outlets: tuple[TerritoryOutlet, ...]
    reps: tuple[TerritoryRep, ...]
    weeks: int
    duration_s: tuple[np.ndarray, ...]  # (L, L) int64 per travel model
    distance_m: tuple[np.ndarray, ...]
    balance_weight: int = 1  # of each rep's cycle problem (solver.model.Problem.balance_weight)

    def __post_init__(self) -> None:
        if not self.reps:
            raise ValueError("a territory problem needs at least one rep")
        if len(self.duration_s) != len(self.distance_m) or not self.duration_s:
            raise ValueError("duration_s and distance_m must list the same travel models, at least one")
        size = self.duration_s[0].shape[0]
        for m in (*self.duration_s, *self.distance_m):
            if m.shape != (size, size):
                raise ValueError(f"every travel matrix must be {size} x {size}, not {m.shape}")
        for k, r in enumerate(self.reps):
            if not (0 <= r.start < size and 0 <= r.end < size):
                raise ValueError(f"rep {k}: start or end outside the matrices")
            if not 0 <= r.matrix < len(self.duration_s):
                raise ValueError(f"rep {k}: travel model {r.matrix} does not exist")
            if not r.vehicles:
                raise ValueError(f"rep {k}: has no working day")
        for i, o in enumerate(self.outlets):
            if not 0 <= o.location < size:
                raise ValueError(f"outlet {i}: location {o.location} outside the matrices")
            if o.visits_per_cycle not in FREQUENCIES:
                raise ValueError(f"outlet {i}: visits per cycle must be one of {FREQUENCIES}")
            if o.rep is not None and not 0 <= o.rep < len(self.reps):
                raise ValueError(f"outlet {i}: rep {o.rep} does not exist")
            if o.locked and o.rep is None:
                raise ValueError(f"outlet {i}: locked to no rep")

    def visits(self, outlet: int) -> int:
        return self.outlets[outlet].visits_per_cycle * self.weeks // 4


@dataclass(frozen=True)
class TerritoryOptions:
    keep_share: float = 0.0  # of the outlets that have a rep, the share that must keep it (0: free redesign)
    # The busiest rep's workload may exceed the lightest's by this share (0.10: within 10%).
    balance_tolerance: float = 0.10
    # Place every visit moving as few outlets as possible; workloads need not be balanced.
    fewest_moves: bool = False
    time_limit_s: float = 100.0  # the whole search, the final plans included
    eval_time_limit_s: float = 2.0  # per rep's cycle, while the search tries territories
    final_time_limit_s: float = 10.0  # per rep's cycle, for the plans the proposal reports
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.keep_share <= 1.0:
            raise ValueError(f"keep_share must lie in [0, 1], not {self.keep_share}")
        if not 0.0 < self.balance_tolerance <= 10.0:
            raise ValueError(f"balance_tolerance must lie in (0, 10], not {self.balance_tolerance}")
        for name in ("time_limit_s", "eval_time_limit_s", "final_time_limit_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")


class CyclePlanner(Protocol):
    """Plans reps' cycles (solver.solve on each problem), maybe several at once."""

    def workers(self) -> int:
        """How many cycles are planned at once."""
        ...

    def __call__(self, problems: list[Problem], params: SolveParams) -> list[Solution]: ...


@dataclass(frozen=True)
class RepLoad:
    """What a rep's planned cycle asks of the rep."""

    rep: int
    outlets: int
    visits_required: int
    visits_placed: int
    workload_s: int  # service + travel + idle over the cycle (each working day's span less its breaks)
    travel_s: int
    capacity_s: int  # the shifts less their breaks

    @property
    def unplaced_visits(self) -> int:
        return self.visits_required - self.visits_placed


@dataclass(frozen=True)
class TerritoryAnswer:
    """A proposal: the rep of every outlet and each rep's planned cycle over its outlets."""

    rep_of: tuple[int, ...]  # per outlet
    loads: tuple[RepLoad, ...]  # per rep
    # Per rep its cycle's solution; its clients are the rep's outlets in increasing outlet index.
    solutions: tuple[Solution, ...]
    kept: int  # outlets that keep their rep
    with_rep: int  # outlets that had a rep
    cycles_planned: int  # rep cycles planned by the search, the final ones included
    runtime_s: float

    @property
    def keep_share(self) -> float:
        return self.kept / self.with_rep if self.with_rep else 1.0

    @property
    def all_placed(self) -> bool:
        return all(load.unplaced_visits == 0 for load in self.loads)

    @property
    def workload_ratio(self) -> float:
        """The busiest rep's workload over the lightest's; infinite when a rep has nothing to do."""
        workloads = [load.workload_s for load in self.loads]
        return max(workloads) / min(workloads) if min(workloads) > 0 else math.inf

    def outlets_of(self, rep: int) -> list[int]:
        return [i for i, r in enumerate(self.rep_of) if r == rep]
