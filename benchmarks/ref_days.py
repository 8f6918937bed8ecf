"""The day of each weekly outlet as our engine plans it for the product, for the fixed-day comparison.

- sample: the sample office goes through the product's own path (bundle loaded into a fresh SQLite database,
  the rep's problem built by service.plans.planning on straight-line times, which are ref_sample's times), and the
  rep's whole 4-week cycle is planned, every frequency, lunch break and day balance included; a weekly outlet
  keeps the weekday of its visits (the same in every week of the cycle).
- generated weeks: the week planned as the product would weigh it, with the day-balance term on.

Both plans stop on an iteration count rather than the clock, so the days are the same on any machine not so
busy that the guard (GUARD_S) ends the plan first.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import Session

from benchmarks.ref_adapters import to_problem
from benchmarks.ref_sample import WEEKLY_VISITS_PER_CYCLE
from benchmarks.ref_week import WeekCase
from service.core import db
from service.master_data.bundle import load_bundle
from service.plans import planning
from service.plans.convert import BALANCE_WEIGHT
from service.plans.travel import EngineChoice
from solver import SolveParams, solve
from solver.model import IDLE_WEIGHT

PLAN_ITERATIONS = 3000  # about what the product's 15 s per rep gives on the idle machine
GUARD_S = 120.0  # the time limit only guards the iteration count
CYCLE_START = date(2026, 11, 30)  # a Monday


def product_plan_weekdays(office_dir: Path, rep_code: str, seed: int = 0) -> dict[str, int]:
    """Outlet code -> weekday of the visits (0 = Monday) of every weekly outlet the product's plan of the
    rep's cycle places; outlets it leaves unplaced are not in the answer."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'plan.db'}"
        db.migrate(url)
        engine = db.make_engine(url, pooled=False)
        with Session(engine) as session:
            office = load_bundle(session, office_dir)
            session.commit()
            office_id = office.id
        request = planning.PlanRequest(office_id, CYCLE_START, engine_choice=EngineChoice.STRAIGHT)
        prepared = planning.prepare_plan(engine, request)
        engine.dispose()
    rep = next((r for r in prepared.reps if r.code == rep_code), None)
    if rep is None:
        raise ValueError(f"rep {rep_code!r} is not in {office_dir}")
    rep_problem = next(p for p in prepared.problems if p.rep_id == rep.id)
    outlets = {o.id: o for o in prepared.outlets}
    solution = solve(rep_problem.problem, SolveParams(time_limit_s=GUARD_S, seed=seed, max_iterations=PLAN_ITERATIONS))
    weekdays = {}
    for outlet_id, pattern in zip(rep_problem.outlet_ids, solution.patterns):
        outlet = outlets[outlet_id]
        if pattern is not None and outlet.visits_per_cycle == WEEKLY_VISITS_PER_CYCLE:
            weekdays[outlet.code] = pattern[0] % 7
    return weekdays


def balanced_week_days(case: WeekCase, seed: int = 0) -> list[int | None]:
    """The working day of each outlet in our plan of the week with the product's day-balance weight (None for
    an outlet left unplaced)."""
    problem = to_problem(case, balance_weight=BALANCE_WEIGHT, idle_weight=IDLE_WEIGHT)
    solution = solve(problem, SolveParams(time_limit_s=GUARD_S, seed=seed, max_iterations=PLAN_ITERATIONS))
    return [None if p is None else p[0] for p in solution.patterns]
