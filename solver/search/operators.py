"""The ruin and recreate operators of the search: ruin operators pick the clients to take out of the plan (from
all their days at once), repair operators put the unplaced clients back over their allowed patterns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from solver.insertion import insert_clients, insert_in_order
from solver.instance import INF
from solver.plan_state import PlanState
from solver.search.config import SearchConfig

# While clients wait for a place, this share of the cuts is made next to one of them, to make room there.
CUT_NEAR_WAITING = 0.8
LONGEST_STRING = 10  # stops a string ruin cuts from one route at most


class RuinOperator(Protocol):
    @property
    def name(self) -> str: ...

    def __call__(
        self,
        state: PlanState,
        placed: list[int],
        waiting: list[int],
        size: int,
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> list[int]:
        """About `size` placed clients to take out, sorted; `waiting` are clients no pattern has room for yet."""
        ...


class RepairOperator(Protocol):
    @property
    def name(self) -> str: ...

    def __call__(
        self,
        state: PlanState,
        unplaced: list[int],
        removed: list[int],
        waiting: list[int],
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> None:
        """Place what it can of `unplaced`: the clients the ruin step `removed` and those `waiting` before it."""
        ...


def ruin(
    state: PlanState,
    placed: list[int],
    waiting: list[int],
    rng: np.random.Generator,
    cfg: SearchConfig,
    operator: RuinOperator,
) -> list[int]:
    """Clients to take out of the plan: a cut of a random size by `operator`; while clients wait for a place, a
    larger one, and CUT_NEAR_WAITING of the time around one of them (related ruin) whatever was drawn."""
    n = len(placed)
    visits_per_client = sum(len(p) for c in placed if (p := state.pattern[c]) is not None) / n
    most = min(cfg.max_remove, int(n * cfg.remove_share), int(cfg.max_removed_visits / visits_per_client))
    size = int(rng.integers(min(cfg.min_remove, n), max(cfg.min_remove, most) + 1))
    size = max(1, min(size, n))
    if waiting:
        size = min(n, max(size, cfg.max_remove))
    if waiting and rng.random() < CUT_NEAR_WAITING:
        operator = RELATED_RUIN
    return operator(state, placed, waiting, size, rng, cfg)


class RandomRuin:
    name = "random"

    def __call__(
        self,
        state: PlanState,
        placed: list[int],
        waiting: list[int],
        size: int,
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> list[int]:
        return sorted(int(c) for c in rng.choice(placed, size=size, replace=False))


class RelatedRuin:
    """The clients nearest to a seed client (a waiting client's place when there is one)."""

    name = "related"

    def __call__(
        self,
        state: PlanState,
        placed: list[int],
        waiting: list[int],
        size: int,
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> list[int]:
        seed = _Aim.draw(state, waiting, rng, cfg).seed_client(state, placed, waiting, rng)
        return sorted(_nearest(state, placed, seed)[:size])


class RouteRuin:
    """Every client of one route (one that overruns its limit or a crew's busiest day, when aimed at)."""

    name = "route"

    def __call__(
        self,
        state: PlanState,
        placed: list[int],
        waiting: list[int],
        size: int,
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> list[int]:
        aim = _Aim.draw(state, waiting, rng, cfg)
        if aim.focus:
            pool = [int(v) for v in aim.overrunning]
        elif aim.heavy is not None:
            pool = [aim.heavy]
        else:
            pool = [v for v in range(len(state.routes)) if state.visits[v] > 0]
        v = pool[int(rng.integers(len(pool)))]
        return sorted({c for c in state.routes[v] if c >= 0})


class StringRuin:
    """Strings of consecutive stops cut from the routes nearest to a seed client (after Christiaens and Vanden
    Berghe's SISR): nearby routes lose a piece each, so the recreate step can rebuild their shapes."""

    name = "strings"

    def __call__(
        self,
        state: PlanState,
        placed: list[int],
        waiting: list[int],
        size: int,
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> list[int]:
        seed = _Aim.draw(state, waiting, rng, cfg).seed_client(state, placed, waiting, rng)
        used = [v for v in range(len(state.routes)) if state.visits[v] > 0]
        avg_len = max(1, int(np.mean(state.visits[used])))
        length = int(rng.integers(1, min(LONGEST_STRING, avg_len) + 1))
        removed: set[int] = set()
        ruined: set[int] = set()
        for c in _nearest(state, placed, seed):
            if len(removed) >= size:
                break
            if c in removed:
                continue
            for v in state.vehicles_of_client[c]:
                if v in ruined:
                    continue
                ruined.add(v)
                seq = [x for x in state.routes[v] if x >= 0]
                at = seq.index(c)
                first = max(0, min(at - int(rng.integers(length)), len(seq) - length))
                removed.update(seq[first : first + length])
                break
        return sorted(removed)


@dataclass(frozen=True)
class _Aim:
    """Where a cut aims: cfg.overrun_focus of the time at a route that overruns its duration limit (`focus`)
    while any does, else cfg.balance_focus of the time at a crew's busiest day (`heavy`) when nobody waits."""

    overrunning: np.ndarray
    focus: bool
    heavy: int | None

    @staticmethod
    def draw(state: PlanState, waiting: list[int], rng: np.random.Generator, cfg: SearchConfig) -> _Aim:
        overrunning = np.flatnonzero(state.overrun > 0)
        focus = len(overrunning) > 0 and rng.random() < cfg.overrun_focus
        heavy = None if focus or waiting else _busiest_route(state, cfg, rng)
        return _Aim(overrunning, focus, heavy)

    def seed_client(self, state: PlanState, placed: list[int], waiting: list[int], rng: np.random.Generator) -> int:
        """A waiting client, else a client of the route aimed at, else any placed client."""
        if waiting:
            return waiting[int(rng.integers(len(waiting)))]
        if self.focus:
            route = int(self.overrunning[int(rng.integers(len(self.overrunning)))])
        elif self.heavy is not None:
            route = self.heavy
        else:
            return placed[int(rng.integers(len(placed)))]
        on_route = [c for c in state.routes[route] if c >= 0]
        return on_route[int(rng.integers(len(on_route)))]


def _nearest(state: PlanState, placed: list[int], seed: int) -> list[int]:
    """The placed clients by travel to and from the seed client, nearest first."""
    inst = state.inst
    locs = inst.client_loc[placed]
    s = inst.client_loc[seed]
    return [placed[i] for i in np.argsort(inst.travel[s, locs] + inst.travel[locs, s], kind="stable")]


def _busiest_route(state: PlanState, cfg: SearchConfig, rng: np.random.Generator) -> int | None:
    """cfg.balance_focus of the time, a route of the busiest day of a crew whose days differ by more than the
    problem's balance tolerance (one such crew drawn at random), else None: cuts there let the recreate step
    move visits to lighter days."""
    if not state.inst.problem.balance_weight:
        return None
    work = state.crew_day_work()
    crews = np.flatnonzero(state.crew_spreads() > state.inst.problem.balance_tolerance_s)
    if not len(crews) or rng.random() >= cfg.balance_focus:
        return None
    crew = int(crews[int(rng.integers(len(crews)))])
    day = int(np.argmax(np.where(state.crew_works[crew], work[crew], -INF)))
    routes = [k for k in state.inst.vehicles_of_day[day] if state.crew_index[k] == crew and state.visits[k] > 0]
    return routes[int(rng.integers(len(routes)))] if routes else None


@dataclass(frozen=True)
class InsertionRepair:
    """Every waiting client at its cheapest place, again and again; with regret, the clients with the most to lose
    from waiting are placed first."""

    name: str
    regret: bool

    def __call__(
        self,
        state: PlanState,
        unplaced: list[int],
        removed: list[int],
        waiting: list[int],
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> None:
        insert_clients(state, unplaced, rng, cfg.noise, regret=self.regret)


class InOrderRepair:
    """The removed clients one by one in a drawn order, after the waiting ones (solver.insertion.insert_in_order)."""

    name = "in order"

    def __call__(
        self,
        state: PlanState,
        unplaced: list[int],
        removed: list[int],
        waiting: list[int],
        rng: np.random.Generator,
        cfg: SearchConfig,
    ) -> None:
        insert_in_order(state, removed, rng, cfg.noise, first=waiting)


RELATED_RUIN = RelatedRuin()
RUIN_OPERATORS: tuple[RuinOperator, ...] = (RandomRuin(), RELATED_RUIN, RouteRuin(), StringRuin())
# Regret insertion first: while clients wait for a place it is the repair, as it places the hardest first.
REPAIR_OPERATORS: tuple[RepairOperator, ...] = (
    InsertionRepair("regret", regret=True),
    InsertionRepair("cheapest first", regret=False),
    InOrderRepair(),
)
REPAIR_WHILE_WAITING = 0
