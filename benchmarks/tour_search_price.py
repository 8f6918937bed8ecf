"""Price the compiled tour search's work counts (solver.search.MICROSECONDS_PER_UNIT, slots tour_moves,
tour_table_cells, tour_offspring): CPU microseconds per unit of each, fitted over days of many sizes.

    python -m benchmarks.tour_search_price [--seconds 1] [--sizes 10 20 35 50 75 100 150] [--seeds 0 1]

Days of the reference comparison's generated 300-outlet week (seed 0): the first n outlets of the week, once
with their opening windows and once open all day (as the Cordeau instances are), each searched for `seconds`
on the clock with no work limit. Per move the cost is U-shaped in the day's size: small days spend their time
in the population's bookkeeping (per offspring), large ones rebuilding segment tables (n^2 cells after every
improving move). Prints the counts of every run, the non-negative least-squares fit of CPU time against them,
and each run's estimate over its CPU with the fitted and the current prices. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import nnls

from benchmarks.ref_cases import SHIFT_END_S, SHIFT_START_S, generated_week
from benchmarks.ref_week import WeekCase
from solver.plan_state import Work
from solver.routing.single_route import WORK, best_tour
from solver.search import MICROSECONDS_PER_UNIT


def measure(case: WeekCase, n: int, windows: bool, seconds: float, seed: int) -> tuple[tuple[int, ...], float]:
    """(work counts, CPU seconds) of one search of the week's first n outlets."""
    outlets = case.outlets[:n]
    locs = [case.start, *(o.location for o in outlets), case.end]
    starts = [o.start_windows()[0] if windows else (SHIFT_START_S, SHIFT_END_S) for o in outlets]
    cpu = time.process_time()
    found = best_tour(
        case.duration_s[np.ix_(locs, locs)],
        np.array([o.service_s for o in outlets]),
        np.array([lo for lo, _ in starts]),
        np.array([hi for _, hi in starts]),
        SHIFT_START_S,
        SHIFT_END_S,
        list(range(n)),
        seed,
        prices_us=(1.0, 0.0, 0.0),
        max_work_us=float("inf"),
        time_limit_s=seconds,
    )
    return found.work, time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 35, 50, 75, 100, 150])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args(argv)
    case = generated_week(300, 0)
    rows, cpu = [], []
    for n in args.sizes:
        for windows in (True, False):
            for seed in args.seeds:
                work, seconds = measure(case, n, windows, args.seconds, seed)
                counts = "  ".join(f"{name} {count:>11,}" for name, count in zip(WORK, work))
                print(
                    f"n {n:4d}  {'windows' if windows else 'open   '}  seed {seed}  {counts}  {seconds:5.2f} s CPU",
                    flush=True,
                )
                rows.append(work)
                cpu.append(1e6 * seconds)
    counts, cpu = np.array(rows, dtype=float), np.array(cpu)
    prices = nnls(counts, cpu)[0]
    print("fit (us per unit): " + "  ".join(f"{name} {p:.4g}" for name, p in zip(WORK, prices)))
    for label, p in (("fitted", prices), ("current", MICROSECONDS_PER_UNIT[Work.TOUR])):
        ratio = counts @ p / cpu
        print(f"estimate / CPU per run, {label} prices: {ratio.min():.2f}-{ratio.max():.2f}")


if __name__ == "__main__":
    main()
