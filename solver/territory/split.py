"""Outlets split among reps by a linear program (OR-Tools' GLOP), on predicted workloads.

Each rep has an anchor in its territory; an outlet costs its visits times its detour on the rep's way from its start
out to the anchor (or back to its end): territories take the shape of day routes, petals from the start, which
travel less than round areas a rep must first reach; or (`petals` False) times the travel from the anchor: round
areas, which pack tight offices' days better. An outlet costs less with the rep it has now (territories do not move
for nothing). A rep's
predicted workload is its calibration factor times (its commute plus its outlets' visits x (service + travel per
visit)); the split keeps the predicted utilisations (workload over working time) within a narrow band, or, for
the fewest moves, below the share of working time a cycle fits in. At least `keep` outlets keep their rep, locked
outlets stay. The LP's few fractional outlets go to their largest share; the keep count is restored after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.territory.model import TerritoryProblem

CANDIDATES = 4  # reps an outlet may go to: those it is the least detour for (besides the rep it has now)
KEEP_DISCOUNT = 0.5  # of an outlet's cost with the rep it has now
BAND = 0.01  # utilisations may differ by this much at no cost
BALANCE_COST = 1e5  # per unit of utilisation spread beyond the band, against ~1 per outlet of detour
FIT_UTILISATION = 0.93  # the predicted share of working time a cycle is sure to place every visit in
OVERLOAD_COST = 1e6  # per unit of utilisation above FIT_UTILISATION
MOVE_COST = 100.0  # per outlet moved, when moving the fewest


@dataclass(frozen=True)
class Prediction:
    """How workloads are predicted: per rep, seconds of travel per visit, commute over the cycle, and a factor
    fitted to the rep's last planned cycle."""

    visit_travel_s: np.ndarray  # (R,)
    commute_s: np.ndarray  # (R,)
    factor: np.ndarray  # (R,)

    def outlet_load(self, problem: TerritoryProblem) -> np.ndarray:
        """(N, R) predicted seconds an outlet adds to each rep."""
        visits = np.array([problem.visits(i) for i in range(len(problem.outlets))], dtype=float)
        service = np.array([o.service_s for o in problem.outlets], dtype=float)
        return (visits * service)[:, None] + visits[:, None] * self.visit_travel_s[None, :]

    def workloads(self, problem: TerritoryProblem, rep_of: np.ndarray) -> np.ndarray:
        load = self.outlet_load(problem)
        reps = len(problem.reps)
        carried = np.array([load[rep_of == r, r].sum() for r in range(reps)])
        return self.factor * (self.commute_s + carried)


def detour(problem: TerritoryProblem, anchors: np.ndarray, petals: bool = True) -> np.ndarray:
    """(N, R) each outlet's detour on each rep's way from its start to its anchor or from its anchor to its end
    (`petals` False: its travel from the anchor), on the rep's travel model."""
    locations = np.array([o.location for o in problem.outlets], dtype=np.int64)
    columns = []
    for rep, anchor in zip(problem.reps, anchors):
        m = problem.duration_s[rep.matrix].astype(float)
        if not petals:
            columns.append(m[anchor, locations])
            continue
        out = m[rep.start, locations] + m[locations, anchor] - m[rep.start, anchor]
        back = m[anchor, locations] + m[locations, rep.end] - m[anchor, rep.end]
        columns.append(np.minimum(out, back))
    return np.stack(columns, axis=1)


def split(
    problem: TerritoryProblem,
    anchors: np.ndarray,
    prediction: Prediction,
    keep: int,
    fewest_moves: bool,
    petals: bool = True,
) -> np.ndarray:
    """The rep of every outlet."""
    from ortools.linear_solver import pywraplp  # loads here: importing the package stays light

    n, reps = len(problem.outlets), len(problem.reps)
    original = np.array([-1 if o.rep is None else o.rep for o in problem.outlets])
    locked = np.array([o.locked for o in problem.outlets], dtype=bool)
    visits = np.array([problem.visits(i) for i in range(n)], dtype=float)
    detours = detour(problem, anchors, petals)
    scale = max(float(np.median(detours)) * float(visits.mean()), 1.0)
    cost = visits[:, None] * detours / scale
    cost[original >= 0, original[original >= 0]] *= 1 - KEEP_DISCOUNT
    load = prediction.outlet_load(problem) * prediction.factor[None, :]
    capacity = np.array([r.capacity_s for r in problem.reps], dtype=float)

    lp = pywraplp.Solver.CreateSolver("GLOP")
    fixed_load = prediction.factor * prediction.commute_s
    x: dict[tuple[int, int], pywraplp.Variable] = {}
    for i in range(n):
        if locked[i]:
            fixed_load[original[i]] += load[i, original[i]]
            continue
        nearest = np.argsort(detours[i], kind="stable")[:CANDIDATES]
        options = set(nearest.tolist()) | ({int(original[i])} if original[i] >= 0 else set())
        one = lp.Constraint(1.0, 1.0)
        for r in sorted(options):
            x[i, r] = lp.NumVar(0.0, 1.0, "")
            one.SetCoefficient(x[i, r], 1.0)
    objective = lp.Objective()
    for (i, r), var in x.items():
        moved = original[i] >= 0 and r != original[i]
        objective.SetCoefficient(
            var, cost[i, r] * (0.01 if fewest_moves else 1.0) + (MOVE_COST if fewest_moves and moved else 0.0)
        )

    kept_locked = int(locked.sum())
    if keep > kept_locked:
        keeping = lp.Constraint(float(keep - kept_locked), lp.infinity())
        for (i, r), var in x.items():
            if r == original[i]:
                keeping.SetCoefficient(var, 1.0)

    high, low = lp.NumVar(0.0, lp.infinity(), ""), lp.NumVar(0.0, lp.infinity(), "")
    beyond = lp.NumVar(0.0, lp.infinity(), "")
    if fewest_moves:
        lp.Add(high <= FIT_UTILISATION + beyond)
        objective.SetCoefficient(beyond, OVERLOAD_COST)
    else:
        lp.Add(high - low <= BAND + beyond)
        objective.SetCoefficient(beyond, BALANCE_COST)
    for r in range(reps):
        # fixed_r + sum load x <= high * capacity  and  >= low * capacity
        upper = lp.Constraint(-lp.infinity(), -fixed_load[r])
        lower = lp.Constraint(-fixed_load[r], lp.infinity())
        upper.SetCoefficient(high, -capacity[r])
        lower.SetCoefficient(low, -capacity[r])
        for i in range(n):
            if (i, r) in x:
                upper.SetCoefficient(x[i, r], load[i, r])
                lower.SetCoefficient(x[i, r], load[i, r])
    objective.SetMinimization()
    if lp.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError("the territory split found no solution")  # every outlet has a rep to go to: never

    share = np.full((n, reps), -1.0)
    for (i, r), var in x.items():
        share[i, r] = var.solution_value()
    rep_of = np.where(locked, original, share.argmax(axis=1))
    return _restore_keep(rep_of, original, locked, keep, cost)


def _restore_keep(
    rep_of: np.ndarray, original: np.ndarray, locked: np.ndarray, keep: int, cost: np.ndarray
) -> np.ndarray:
    """Give moved outlets back to their rep, cheapest first, until `keep` outlets keep their rep (the rounding may
    have moved a few too many)."""
    kept = int(((rep_of == original) & (original >= 0)).sum())
    if kept >= keep:
        return rep_of
    moved = np.flatnonzero((rep_of != original) & (original >= 0) & ~locked)
    back = moved[np.argsort(cost[moved, original[moved]] - cost[moved, rep_of[moved]], kind="stable")]
    rep_of = rep_of.copy()
    rep_of[back[: keep - kept]] = original[back[: keep - kept]]
    return rep_of
