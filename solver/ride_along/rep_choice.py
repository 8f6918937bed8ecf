"""Which rep the supervisor rides with on each working morning of a period (CP-SAT).

Rules, in order of weight:
1. every rep who works in the period is ridden with at least once (counting rides already done in it);
2. no rep on two consecutive mornings (nor right after the previous period's last morning) when avoidable;
3. the remaining mornings go to reps in proportion to their priority weight (below target, new in post),
   with diminishing returns (the k-th ride of a rep is worth weight / k), so a weight-2 rep gets about twice
   the rides of a weight-1 rep but never all of them;
4. among the choices equally good on rules 1-3, the one whose mornings leave room for the most demonstrations
   (solved second, with rules 1-3 held at their best: how often a rep is ridden with stays the weights' matter).
"""

from __future__ import annotations

from dataclasses import dataclass

MISSED_REP_COST = 1_000_000  # a rep not ridden with in the period
REPEAT_COST = 10_000  # the same rep on consecutive mornings
SHARE_SCALE = 1_000  # priority weight units per ride (weight / k, scaled to integers)


@dataclass(frozen=True)
class RepChoiceProblem:
    """Mornings in time order; `available[m]` lists the reps (indices 0..num_reps-1) working on morning m."""

    num_reps: int
    available: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...]  # per rep, >= 1: how strongly the rep needs coaching
    rides_done: tuple[int, ...]  # per rep, rides already made earlier in the period
    previous_rep: int | None = None  # the rep of the morning just before the first one
    # Per morning, parallel to `available`: the demonstrations each rep's morning leaves room for (none given: 0).
    demonstrations: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        if len(self.weights) != self.num_reps or len(self.rides_done) != self.num_reps:
            raise ValueError("weights and rides_done need one entry per rep")
        if self.demonstrations and [len(d) for d in self.demonstrations] != [len(a) for a in self.available]:
            raise ValueError("demonstrations need one entry per available rep of every morning")
        if any(c < 0 for counts in self.demonstrations for c in counts):
            raise ValueError("demonstrations must not be negative")
        if any(w < 1 for w in self.weights):
            raise ValueError("weights must be at least 1")
        for m, reps in enumerate(self.available):
            if any(not 0 <= r < self.num_reps for r in reps):
                raise ValueError(f"morning {m}: rep index outside 0..{self.num_reps - 1}")


@dataclass(frozen=True)
class RepChoice:
    reps: tuple[int | None, ...]  # per morning the chosen rep; None when no rep works that morning
    missed: tuple[int, ...]  # reps that work in the period but could not be ridden with in it
    repeats: int  # mornings whose rep is the previous morning's rep
    optimal: bool


def choose_reps(problem: RepChoiceProblem, time_limit_s: float = 5.0) -> RepChoice:
    from ortools.sat.python import cp_model  # loads here, not at import: the plan's read side imports this package

    model = cp_model.CpModel()
    mornings = range(len(problem.available))
    ride = {(m, r): model.new_bool_var(f"ride_{m}_{r}") for m in mornings for r in set(problem.available[m])}
    for m in mornings:
        if problem.available[m]:
            model.add_exactly_one(ride[m, r] for r in set(problem.available[m]))

    objective = []
    rides_of = {r: [v for (m, rr), v in ride.items() if rr == r] for r in range(problem.num_reps)}
    must_ride = [r for r in range(problem.num_reps) if rides_of[r] and problem.rides_done[r] == 0]
    for r in must_ride:
        not_ridden = model.new_bool_var(f"missed_{r}")
        model.add_bool_or([*rides_of[r], not_ridden])
        objective.append(MISSED_REP_COST * not_ridden)

    previous = [problem.previous_rep] + [None] * (len(problem.available) - 1)
    for m in mornings:
        for r in set(problem.available[m]):
            if m > 0 and (m - 1, r) in ride:
                repeat = model.new_bool_var(f"repeat_{m}_{r}")
                model.add_bool_or([ride[m - 1, r].negated(), ride[m, r].negated(), repeat])
                objective.append(REPEAT_COST * repeat)
            elif previous[m] == r:
                objective.append(REPEAT_COST * ride[m, r])

    # Diminishing returns: step k of a rep's total rides (done + planned) earns weight / k.
    for r, rides in rides_of.items():
        done = problem.rides_done[r]
        steps = [model.new_bool_var(f"step_{r}_{k}") for k in range(len(rides))]
        for earlier, later in zip(steps, steps[1:]):
            model.add_implication(later, earlier)
        model.add(sum(steps) == sum(rides))
        for k, step in enumerate(steps, start=done + 1):
            objective.append(-(problem.weights[r] * SHARE_SCALE // k) * step)

    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s / 2
    solver.parameters.num_workers = 1  # deterministic: the same inputs give the same plan
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no assignment ({solver.status_name(status)})")  # every morning has a choice
    optimal = status == cp_model.OPTIMAL

    # Rule 4 only among the choices as good on rules 1-3: the most demonstrations, the first answer as the start.
    if problem.demonstrations:
        model.add(sum(objective) <= round(solver.objective_value))
        for v in ride.values():
            model.add_hint(v, solver.value(v))
        model.maximize(
            sum(
                count * ride[m, r]
                for m, reps in enumerate(problem.demonstrations)
                for r, count in zip(problem.available[m], reps)
            )
        )
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # the hint is a solution: not expected
            raise RuntimeError(f"CP-SAT lost the assignment ({solver.status_name(status)})")
        optimal = optimal and status == cp_model.OPTIMAL

    chosen: list[int | None] = []
    for m in mornings:
        picked = [r for r in set(problem.available[m]) if solver.value(ride[m, r])]
        chosen.append(picked[0] if picked else None)
    ridden = {r for r in chosen if r is not None}
    missed = tuple(r for r in must_ride if r not in ridden)
    sequence = [problem.previous_rep, *chosen]
    repeats = sum(1 for a, b in zip(sequence, sequence[1:]) if a is not None and a == b)
    return RepChoice(reps=tuple(chosen), missed=missed, repeats=repeats, optimal=optimal)
