"""Fit the price of each work count (solver.search.MICROSECONDS_PER_UNIT) to this machine's CPU time.

    python -m benchmarks.calibrate_work [--time-limit 4 10] [--only p01,p30] [--jobs 2]

Runs the engine on every Cordeau instance and on the product weeks of the reference comparison (free and
fixed days), records the work counts and the process's CPU time at every check of the budget, cuts each run
into slices of at least SLICE_S of CPU, and fits CPU = counts @ prices by non-negative least squares over all
slices. The compiled tour search's prices are held at their current values (benchmarks.tour_search_price fits
them on days of many sizes, which these runs do not cover) and its priced work is taken off each slice's CPU
first. Prints the prices and, per run, the estimate against the CPU it took with the fitted and the current
prices. Run it on an idle machine (with --jobs 2, one run per core, as the Cordeau sweeps run): the CPU time
of a busy one is longer for the same work.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

import solver.engine
from benchmarks.ref_adapters import to_problem
from benchmarks.ref_sample import SAMPLE_OFFICE_DIR
from benchmarks.reference_solvers import build_case, fixed_day_case
from solver import SolveParams, solve
from solver.plan_state import Work
from solver.pvrp import read_instance
from solver.search import MICROSECONDS_PER_UNIT, Budget

SLICE_S = 0.25
PVRP_DIR = Path(__file__).parent / "data" / "pvrp"
WEEK_CASES = ("gen191", "gen300", "sample-split")


class TracingBudget(Budget):
    """The engine's budget, recording (CPU time, work counts) at every check."""

    trace: list[tuple[float, np.ndarray]] = []

    def progress(self) -> float:  # every stopping rule's check starts here
        TracingBudget.trace.append((time.process_time(), self.meter.copy()))
        return super().progress()


def run_names(only: list[str] | None) -> list[str]:
    names = [p.stem for p in sorted(PVRP_DIR.glob("*.txt"))] + [
        f"{c}-{m}" for c in WEEK_CASES for m in ("free", "fixed")
    ]
    return [n for n in names if not only or n in only or n.rsplit("-", 1)[0] in only]


@cache  # a run per time limit: the fixed-day weeks plan their days once, not per limit
def problem_of(name: str):
    if "-" not in name:
        return read_instance(PVRP_DIR / f"{name}.txt").problem
    case_name, mode = name.rsplit("-", 1)
    case = build_case(case_name, 0, SAMPLE_OFFICE_DIR, None)
    return to_problem(case if mode == "free" else fixed_day_case(case_name, case, 0, SAMPLE_OFFICE_DIR, None, {}))


def traced_run(name: str, limit: float) -> tuple[str, tuple[np.ndarray, np.ndarray], np.ndarray, float]:
    """(run, its slices, its total counts, its CPU seconds)."""
    solver.engine.Budget = TracingBudget
    problem = problem_of(name)
    TracingBudget.trace = []
    cpu0 = time.process_time()
    solve(problem, SolveParams(time_limit_s=limit, seed=0))
    end = (time.process_time(), TracingBudget.trace[-1][1])
    trace = [(cpu0, np.zeros(len(Work.NAMES)))] + TracingBudget.trace + [end]
    print(f"{name}@{limit:g}s: {end[0] - cpu0:.2f} s CPU", flush=True)
    return f"{name}@{limit:g}s", slices(trace), end[1], end[0] - cpu0


def slices(trace: list[tuple[float, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(counts, CPU seconds) of consecutive stretches of at least SLICE_S of CPU."""
    rows, cpu = [], []
    t0, m0 = trace[0]
    for t, m in trace[1:]:
        if t - t0 >= SLICE_S:
            rows.append(m - m0)
            cpu.append(t - t0)
            t0, m0 = t, m
    return np.array(rows).reshape(-1, len(Work.NAMES)), np.array(cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, nargs="+", default=[4.0, 10.0])
    parser.add_argument("--only", default="")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s] or None
    jobs = [(name, limit) for name in run_names(only) for limit in args.time_limit]
    with ProcessPoolExecutor(args.jobs) as pool:
        runs = list(pool.map(traced_run, *zip(*jobs)))
    counts = np.vstack([r[1][0] for r in runs])
    cpu = np.concatenate([r[1][1] for r in runs])
    tour = np.zeros(len(Work.NAMES), dtype=bool)
    tour[Work.TOUR] = True
    prices = MICROSECONDS_PER_UNIT.copy()
    prices[~tour], _ = nnls(counts[:, ~tour], cpu * 1e6 - counts[:, tour] @ prices[tour])
    print("\nMICROSECONDS_PER_UNIT = np.array([" + ", ".join(f"{p:.3g}" for p in prices) + "])")
    print("   " + " ".join(f"{n}={p:.3g}" for n, p in zip(Work.NAMES, prices)))
    print("\nrun: estimate / CPU with the fitted prices (with the current ones)")
    ratios = []
    for name, _, meter, run_cpu in runs:
        ratios.append((meter @ prices / 1e6 / run_cpu, meter @ MICROSECONDS_PER_UNIT / 1e6 / run_cpu))
        print(f"  {name}: {ratios[-1][0]:.2f} ({ratios[-1][1]:.2f})")
    fitted, current = np.array(ratios).T
    print(
        f"fitted: {fitted.min():.2f}-{fitted.max():.2f}, sd {fitted.std():.2f}; "
        f"current: {current.min():.2f}-{current.max():.2f}, sd {current.std():.2f}"
    )


if __name__ == "__main__":
    main()
