"""Day by day: where our routes of a fixed-day week differ from PyVRP's (the reference comparison's gen300 case).

    python -m benchmarks.day_router --case gen300 --pyvrp-day-budgets 1.67 5 --seeds 0 1 2 --ours-budgets 10 30

With fixed days each working day is a single-vehicle routing with windows of its own. This prints the travel of
every day: PyVRP solving each day alone (the given seconds per day, several seeds), our compiled tour search
(solver/routing/single_route.py) on each day alone at the same seconds per day, from the outlets in their
listed order, and our engine on the whole week at the given budgets (as benchmarks.reference_solvers runs it),
so a gap in the weekly total can be traced to the days it comes from. Travel is recomputed from the matrix;
routes are checked by ref_week.check_week. The tour search lines also give its moves evaluated per second.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks.ref_adapters import ENGINES, _pyvrp_routes
from benchmarks.ref_sample import SAMPLE_OFFICE_DIR
from benchmarks.ref_week import EngineRun, WeekCase, check_week
from benchmarks.reference_solvers import GENERATED_SIZES, build_case, fixed_day_case
from solver.routing.single_route import best_tour


def day_travel(case: WeekCase, route: tuple[int, ...]) -> int:
    stops = [case.start, *(case.outlets[i].location for i in route), case.end]
    return int(sum(case.duration_s[a, b] for a, b in zip(stops, stops[1:]))) if route else 0


def tour_search_day(case: WeekCase, outlets: list[int], budget_s: float, seed: int) -> tuple[tuple[int, ...], int]:
    """The tour search's route of one day's outlets (indices into case.outlets) with `budget_s` on the clock
    alone (no work limit), and its moves evaluated."""
    locs = [case.start, *(case.outlets[i].location for i in outlets), case.end]
    windows = [case.outlets[i].start_windows()[0] for i in outlets]  # the compared weeks have one window
    found = best_tour(
        case.duration_s[np.ix_(locs, locs)],
        np.array([case.outlets[i].service_s for i in outlets]),
        np.array([lo for lo, _ in windows]),
        np.array([hi for _, hi in windows]),
        case.shift_start_s,
        case.shift_end_s,
        list(range(len(outlets))),
        seed,
        prices_us=(1.0, 0.0, 0.0),
        max_work_us=float("inf"),
        time_limit_s=budget_s,
    )
    return (() if found.tour is None else tuple(outlets[i] for i in found.tour)), found.work[0]


def report(label: str, case: WeekCase, run: EngineRun, note: str = "") -> None:
    check = check_week(case, run)
    per_day = [day_travel(case, r) for r in run.routes]
    status = (
        "feasible"
        if check.feasible and not check.unassigned
        else f"{check.unassigned} unassigned, {check.violations[:2]}"
    )
    print(
        f"{label:28s} week {check.travel_s:>7,} s  days {' '.join(f'{t:>6,}' for t in per_day)}  {status}{note}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=tuple(GENERATED_SIZES), default="gen300")
    parser.add_argument("--pyvrp-day-budgets", type=float, nargs="*", default=[1.67, 5.0], help="seconds per day")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--ours-budgets", type=float, nargs="*", default=[10.0, 30.0], help="seconds per week")
    args = parser.parse_args(argv)
    case = build_case(args.case, 0, SAMPLE_OFFICE_DIR, None)
    case = fixed_day_case(args.case, case, 0, SAMPLE_OFFICE_DIR, None, {})
    days = case.working_days
    outlets_of = {d: [i for i, o in enumerate(case.outlets) if o.fixed_day == d] for d in days}
    for budget in args.pyvrp_day_budgets:
        for seed in args.seeds:
            routes = []
            for d in days:
                outlets = outlets_of[d]
                routes += _pyvrp_routes(case, outlets, (d,), budget, seed) if outlets else [()]
            report(f"pyvrp {budget:g} s/day seed {seed}", case, EngineRun("pyvrp", tuple(routes), (), 0.0))
            routes, moves = [], 0
            for d in days:
                outlets = outlets_of[d]
                route, day_moves = tour_search_day(case, outlets, budget, seed) if outlets else ((), 0)
                routes.append(route)
                moves += day_moves
            rate = f", {moves / (budget * len(days)) / 1e6:.1f} M moves/s"
            report(f"tour search {budget:g} s/day seed {seed}", case, EngineRun("tour", tuple(routes), (), 0.0), rate)
    for budget in args.ours_budgets:
        report(f"ours {budget:g} s/week seed 0", case, ENGINES["ours"](case, budget, 0))


if __name__ == "__main__":
    main()
