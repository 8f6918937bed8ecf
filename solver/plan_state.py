"""The incumbent plan: every vehicle's route, every client's pattern, and the cached insertion data.

Changes go through `insert`, `remove_client` and `set_route`, which keep timings, insertion positions and the
objective terms up to date and log what they overwrite so a rejected move can be undone (`rollback`).
"""

from __future__ import annotations

import numpy as np

from solver.instance import INF, UNBALANCE_WEIGHT, Instance
from solver.routes import Edges, Timing, route_edges, time_route
from solver.two_opt import two_opt

# Overrunning a duration limit by one unit costs this many units of travel at first (the search adapts it).
INITIAL_OVERRUN_WEIGHT = 1.0
# At most this: taking a client out saves at most (weight + 1) * (2 * longest leg + longest service), which
# must stay below the price of an unplaced visit (see PlanState.unplaced_penalty), or the search would rather
# leave clients out than overrun, and could not get back from there.
MAX_OVERRUN_WEIGHT = 8.0


class Work:
    """Slots of PlanState.meter: deterministic counts of the work done, each roughly proportional to the CPU
    time of one kind of step (solver.search.MICROSECONDS_PER_UNIT prices them)."""

    NODES_TIMED = 0  # route nodes timed (and their insertion positions rebuilt) after a change
    REFRESHES = 1  # insertion re-evaluations (one numpy pass over the changed routes)
    ROUTES_REFRESHED = 2  # routes and days re-reduced in those re-evaluations (a few numpy calls each)
    POSITIONS = 3  # (client, position) insertion costs evaluated
    TWO_OPT_PASSES = 4  # 2-opt passes (one vectorised scan of all segment reversals each)
    DESCENT_BRANCHES = 5  # OR-Tools descent branches times the model's nodes (a branch looks at every node)
    ORTOOLS_BRANCHES = 6  # the same for OR-Tools guided local search (final polish, week phase)
    ORTOOLS_ARCS = 7  # arcs of the OR-Tools day models built (their matrices are copied in)
    ITERATIONS = 8  # search iterations (operator choice, acceptance, undo log, the insertions' set-up)
    CLIENT_SCANS = 9  # clients looked at by the per-iteration bookkeeping (objective, ruin, lists)
    LATE_GLS_BRANCHES = 10  # ORTOOLS_BRANCHES of a guided local search that may arrive late (cheaper branches)
    # The compiled tour search's counts (routing.single_route.WORK), in its order.
    TOUR_MOVES = 11  # moves evaluated
    TOUR_TABLE_CELLS = 12  # cells of segment tables built (a day's clients squared, after each improving move)
    TOUR_OFFSPRING = 13  # offspring bred (population bookkeeping)
    TOUR = slice(TOUR_MOVES, TOUR_OFFSPRING + 1)
    NAMES = (
        "nodes_timed",
        "refreshes",
        "routes_refreshed",
        "positions",
        "two_opt_passes",
        "descent_branches",
        "ortools_branches",
        "ortools_arcs",
        "iterations",
        "client_scans",
        "late_gls_branches",
        "tour_moves",
        "tour_table_cells",
        "tour_offspring",
    )

    @staticmethod
    def branches_slot(guided: bool, late_priced: bool) -> int:
        """The slot of an OR-Tools search's branches: a descent, guided local search, or one that may arrive late."""
        if not guided:
            return Work.DESCENT_BRANCHES
        return Work.LATE_GLS_BRANCHES if late_priced else Work.ORTOOLS_BRANCHES


class PlanState:
    def __init__(self, inst: Instance, groups: list[list[int]], allowed: list[list[tuple[int, ...]]]):
        self.inst = inst
        self.groups = groups
        self.allowed = allowed
        V, D = len(inst.veh_day), inst.num_days
        self.group_of_vehicle = np.zeros(V, dtype=np.int64)
        for g, vs in enumerate(groups):
            self.group_of_vehicle[vs] = g
        # Insertion positions of a day are ordered by group so each group is one contiguous slice.
        self.day_vehicles = [
            sorted(inst.vehicles_of_day[d], key=lambda k: (self.group_of_vehicle[k], k)) for d in range(D)
        ]
        self.day_group_vehicles = [
            [
                np.array([k for k in self.day_vehicles[d] if self.group_of_vehicle[k] == g], dtype=np.int64)
                for g in range(len(groups))
            ]
            for d in range(D)
        ]
        self.routes: list[list[int]] = [[-1 - b for b in range(len(v.breaks))] for v in inst.problem.vehicles]
        self.timing: list[Timing] = [time_route(inst, k, self.routes[k]) for k in range(V)]
        # Deterministic work counts (see solver.search.Budget), indexed by the Work constants.
        self.meter = np.zeros(len(Work.NAMES), dtype=np.float64)
        self._edges: list[Edges | None] = [None] * V  # built when the day is next evaluated
        self.visits = np.zeros(V, dtype=np.int64)  # clients on the route
        self.overrun = np.zeros(V, dtype=np.int64)  # time past the duration limit (soft limits only)
        # Price of one unit of overrun while the search may overrun (None: limits are hard).
        self.overrun_weight: float | None = INITIAL_OVERRUN_WEIGHT if inst.soft_duration else None
        self.travel = np.zeros(V, dtype=np.int64)  # 0 for an unused vehicle
        self.work = np.zeros(V, dtype=np.int64)  # travel + service
        # Waiting in the day from its shift start (for outlets to open, for the lunch window): priced with travel
        # (Problem.idle_weight), so the search orders visits and places breaks to avoid it, not only the final timing.
        self.idle = np.zeros(V, dtype=np.int64)
        self.pattern: list[tuple[int, ...] | None] = [None] * inst.n
        self.vehicles_of_client: list[list[int]] = [[] for _ in range(inst.n)]
        self._log: dict[int, tuple] | None = None
        self._client_log: dict[int, tuple] | None = None
        crews = inst.crews
        self.crew_index = np.searchsorted(np.array(crews), inst.veh_crew)
        works = np.zeros((len(crews), D), dtype=bool)
        works[self.crew_index, inst.veh_day] = True
        self.crew_works = works  # crew_works[crew, day]: the crew has a vehicle that day
        self.unplaced_penalty = int(
            10
            * (2 * int(inst.travel.max()) + int(inst.service.max(initial=0)) + 1)
            * max(1, inst.problem.balance_weight)
        )

    # --- undo log -------------------------------------------------------------------------------------------
    def begin(self) -> None:
        self._log, self._client_log = {}, {}

    def commit(self) -> None:
        self._log = self._client_log = None

    def rollback(self) -> None:
        if self._log is None or self._client_log is None:
            raise RuntimeError("rollback() needs a begin() since the last commit()")
        for k, (seq, tm, ed, visits, travel, work, idle, overrun) in self._log.items():
            self.routes[k], self.timing[k], self._edges[k] = seq, tm, ed
            self.visits[k], self.travel[k], self.work[k], self.overrun[k] = visits, travel, work, overrun
            self.idle[k] = idle
        for c, (pat, vs) in self._client_log.items():
            self.pattern[c], self.vehicles_of_client[c] = pat, vs
        self.commit()

    def _save_vehicle(self, k: int) -> None:
        if self._log is not None and k not in self._log:
            self._log[k] = (
                self.routes[k],
                self.timing[k],
                self._edges[k],
                self.visits[k],
                self.travel[k],
                self.work[k],
                self.idle[k],
                self.overrun[k],
            )

    def _save_client(self, c: int) -> None:
        if self._client_log is not None and c not in self._client_log:
            self._client_log[c] = (self.pattern[c], self.vehicles_of_client[c])

    # --- changes --------------------------------------------------------------------------------------------
    def set_route(self, k: int, seq: list[int]) -> None:
        self._save_vehicle(k)
        inst = self.inst
        tm = time_route(inst, k, seq)
        self.meter[Work.NODES_TIMED] += len(seq) + 2
        self.routes[k], self.timing[k] = seq, tm
        self._edges[k] = None
        clients = [c for c in seq if c >= 0]
        self.visits[k] = len(clients)
        self.travel[k] = tm.travel if clients else 0
        self.work[k] = self.travel[k] + sum(inst.py_service[c] for c in clients)
        breaks_s = sum(dur for _, _, dur in inst.py_breaks[k])
        self.idle[k] = tm.start[-1] - tm.start[0] - self.work[k] - breaks_s if tm.feasible and inst.may_wait else 0
        self.overrun[k] = max(0, tm.start[-1] - int(inst.veh_arrive_by[k])) if inst.soft_duration else 0

    def insert(self, c: int, pattern: tuple[int, ...], placements: list[tuple[int, int]]) -> None:
        """Put client c on the given pattern; placements are (vehicle, position in its sequence) per day."""
        self._save_client(c)
        for k, pos in placements:
            seq = self.routes[k]
            self.set_route(k, seq[:pos] + [c] + seq[pos:])
        self.pattern[c] = pattern
        self.vehicles_of_client[c] = [k for k, _ in placements]

    def remove_clients(self, clients: list[int]) -> None:
        gone = set(clients)
        for k in sorted({k for c in clients for k in self.vehicles_of_client[c]}):
            self.set_route(k, [x for x in self.routes[k] if x not in gone])
        for c in clients:
            self._save_client(c)
            self.pattern[c] = None
            self.vehicles_of_client[c] = []

    def tighten(self, vehicles) -> None:
        """2-opt the given routes when the problem allows it (see solver.two_opt)."""
        if not self.inst.timeless:
            return
        for k in vehicles:
            seq = self.routes[k]
            if len(seq) < 3:
                continue
            order, saved, passes = two_opt(
                self.inst.travel,
                int(self.inst.veh_start[k]),
                int(self.inst.veh_end[k]),
                [self.inst.py_loc[c] for c in seq],
                seq,
            )
            self.meter[Work.TWO_OPT_PASSES] += passes
            if saved > 0:
                self.set_route(k, order)

    def changed_vehicles(self) -> list[int]:
        return sorted(self._log) if self._log else []

    def replace_day_routes(self, new_routes: dict[int, list[int]]) -> None:
        """Swap in reordered routes for some vehicles (same clients per day, possibly moved between vehicles)."""
        touched = {c for seq in new_routes.values() for c in seq if c >= 0}
        for c in touched:
            self._save_client(c)
        for k, seq in new_routes.items():
            self.set_route(k, seq)
        for c in touched:
            self.vehicles_of_client[c] = self._locate(c)

    def move_between_days(self, new_routes: dict[int, list[int]]) -> None:
        """Swap in routes between which clients of single-day patterns moved: each takes its vehicle's day (the
        clients of several days stay where they are)."""
        moved = [(k, c) for k, seq in new_routes.items() for c in seq if len(self.pattern[c] or ()) == 1]
        for _, c in moved:
            self._save_client(c)
        for k, seq in new_routes.items():
            self.set_route(k, seq)
        for k, c in moved:
            self.pattern[c], self.vehicles_of_client[c] = (int(self.inst.veh_day[k]),), [k]

    def _locate(self, c: int) -> list[int]:
        pattern = self.pattern[c]
        if pattern is None:
            return []
        return [k for d in pattern for k in self.inst.vehicles_of_day[d] if c in self.routes[k]]

    # --- evaluation -----------------------------------------------------------------------------------------
    def route_edges(self, k: int) -> Edges:
        e = self._edges[k]
        if e is None:
            e = self._edges[k] = route_edges(self.inst, k, self.routes[k], self.timing[k])
        return e

    def crew_day_work(self) -> np.ndarray:
        work = np.zeros(self.crew_works.shape, dtype=np.int64)
        np.add.at(work, (self.crew_index, self.inst.veh_day), self.work)
        return work

    def crew_spreads(self) -> np.ndarray:
        """Each crew's busiest minus lightest working day's workload."""
        work = self.crew_day_work()
        return np.where(self.crew_works, work, -INF).max(axis=1) - np.where(self.crew_works, work, INF).min(axis=1)

    def spread(self) -> int:
        return int(self.crew_spreads().sum())

    def balance_cost(self) -> int:
        """The spreads, each second beyond the balance tolerance counted UNBALANCE_WEIGHT times more."""
        return int(unbalance_priced(self.crew_spreads(), self.inst.problem.balance_tolerance_s).sum())

    def unplaced_visits(self, candidates: list[int]) -> int:
        return sum(len(self.allowed[c][0]) for c in candidates if self.pattern[c] is None)

    def objective(self, candidates: list[int]) -> int:
        value = (
            int(self.travel.sum())
            + round(self.inst.idle_weight * int(self.idle.sum()))
            + self.inst.problem.balance_weight * self.balance_cost()
            + self.unplaced_penalty * self.unplaced_visits(candidates)
        )
        if self.overrun_weight is not None:
            value += round(self.overrun_weight * int(self.overrun.sum()))
        return value

    def make_feasible(self) -> list[int]:
        """End soft duration limits: take clients out of overrunning routes (the one whose removal saves most
        time first) until every route keeps its limit, then put back what fits. Returns clients left out."""
        self.overrun_weight = None
        out: list[int] = []
        for k in range(len(self.routes)):
            while self.overrun[k] > 0:
                seq = self.routes[k]
                locs = [int(self.inst.veh_start[k])] + [self.inst.py_loc[c] for c in seq] + [int(self.inst.veh_end[k])]
                T = self.inst.travel
                saving = [
                    T[locs[i], locs[i + 1]]
                    + T[locs[i + 1], locs[i + 2]]
                    - T[locs[i], locs[i + 2]]
                    + self.inst.py_service[c]
                    for i, c in enumerate(seq)
                ]
                c = seq[int(np.argmax(saving))]
                self.remove_clients([c])
                out.append(c)
        for k in range(len(self.routes)):
            self._edges[k] = None  # usable flags change once limits are hard
        return out

    def snapshot(self) -> tuple:
        return ([list(r) for r in self.routes], list(self.pattern))

    def restore(self, snap: tuple) -> None:
        routes, patterns = snap
        for k, seq in enumerate(routes):
            if seq != self.routes[k]:
                self.set_route(k, list(seq))
        self.pattern = list(patterns)
        self.vehicles_of_client = [[] for _ in range(self.inst.n)]
        for k in sorted(range(len(self.routes)), key=lambda k: (self.inst.veh_day[k], k)):  # in pattern-day order
            for c in self.routes[k]:
                if c >= 0:
                    self.vehicles_of_client[c].append(k)
        self.meter[Work.CLIENT_SCANS] += self.inst.n + int(self.visits.sum())


def unbalance_priced(spreads: np.ndarray, tolerance_s: int) -> np.ndarray:
    """Spreads with every second beyond the tolerance counted UNBALANCE_WEIGHT times more."""
    return spreads + UNBALANCE_WEIGHT * np.maximum(spreads - tolerance_s, 0)
