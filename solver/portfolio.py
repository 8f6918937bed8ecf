"""Several searches of one problem side by side, one process each, with consecutive seeds; the best plan wins.

Independent runs of a randomised search reach different local optima, so on a machine with idle cores the
best of several is better than one for the same wall time (a portfolio, as CP-SAT's parallel workers).
Each run is deterministic (its work budget, see solver.search), and the winner is chosen by placed visits,
then objective, then seed, so the same input, seed and worker count still give the same plan.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from solver.model import Problem, Solution, SolveParams

# Of the time limit, kept for starting the processes and sending the problem and the plans back and forth.
STARTUP_SHARE = 0.02


def best_of_seeds(
    solve_one: Callable[[Problem, SolveParams], Solution], problem: Problem, params: SolveParams
) -> Solution:
    started = time.perf_counter()
    runs = [
        replace(params, seed=params.seed + i, workers=1, time_limit_s=params.time_limit_s * (1 - STARTUP_SHARE))
        for i in range(params.workers)
    ]
    # fork: the workers start at once with the engine already imported (spawn would re-import it per run)
    with ProcessPoolExecutor(params.workers, mp_context=multiprocessing.get_context("fork")) as pool:
        solutions = list(pool.map(solve_one, [problem] * len(runs), runs))
    best = min(range(len(runs)), key=lambda i: (len(solutions[i].unplaced), solutions[i].stats["objective"], i))
    winner = solutions[best]
    stats = dict(winner.stats, workers=params.workers, winning_seed=runs[best].seed)
    return replace(winner, runtime_s=time.perf_counter() - started, stats=stats)
