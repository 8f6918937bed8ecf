"""The search's budget: deterministic work counts priced in estimated CPU microseconds, and the wall clock as a
guard of the time limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

# Microseconds of CPU one unit of each work count (PlanState.meter, slots named by plan_state.Work) takes on the
# machine they were fitted on (`python -m benchmarks.calibrate_work`). On a faster CPU Budget lowers them from
# the CPU time it measures (see PRICE_SCALE_BOUNDS).
MICROSECONDS_PER_UNIT = np.array(
    [1.46, 62.0, 6.65, 0.00968, 12.6, 0.627, 7.2, 1.99, 172.0, 0.0, 1.82, 0.0289, 0.00626, 52.0]
)
# The work budget of a time limit, in this machine's CPU microseconds; the rest absorbs what no count covers.
WORK_SHARE_OF_LIMIT = 0.9
# Price corrections are measured once this share of the budget is spent (before that, too little to measure),
# kept within these bounds, and rounded to steps of 2 ** (1 / PRICE_SCALE_STEPS) so that a run on a steady machine
# keeps one correction for long stretches. Only downwards: on a CPU faster than the prices say, the work budget
# grows to fill the time limit; on a slower one the wall clock ends each phase at its share of the limit, as the
# annealing and the duration penalty were tuned with (benchmarks/RESULTS.md, "A rep's day").
PRICE_SCALE_SAMPLE = 0.02
PRICE_SCALE_BOUNDS = (0.125, 1.0)
PRICE_SCALE_STEPS = 8
# How often the clock guard asks whether the caller wants the search ended now (its job was cancelled).
STOP_POLL_S = 0.25


class Budget:
    """How much of a search's time limit is spent: deterministic work counts at their prices, lowered on a CPU
    faster than they say (price_scale, from the thread's CPU time), and the wall clock as a guard (a slower or
    busy machine). A stop request (its job was cancelled) moves the deadline to now: the search ends as it would
    at the deadline, with a valid plan, within one OR-Tools call or tour search. solver.search.stop turns these
    measures into stopping rules."""

    def __init__(
        self,
        time_limit_s: float,
        max_iterations: int | None,
        started: float,
        meter: np.ndarray,
        cpu_clock: Callable[[], float] = time.thread_time,
        stop_requested: Callable[[], bool] | None = None,
        clock_guard: float = 1.0,
    ):
        self.wall_limit_s = time_limit_s * clock_guard  # the clock guard's limit (SolveParams.clock_guard)
        self.deadline = started + self.wall_limit_s
        self.max_iterations = max_iterations
        self.max_work_us = max(0.0, time_limit_s) * 1e6 * WORK_SHARE_OF_LIMIT
        self.meter = meter
        self.iterations = 0
        self.price_scale = 1.0  # this machine's CPU microseconds per estimated microsecond
        self._cpu_clock = cpu_clock
        self._cpu_started = cpu_clock()
        self._stop_requested = stop_requested
        self._stop_polled = started

    def estimated_us(self) -> float:
        """The work done at the fitted prices."""
        return float(self.meter @ MICROSECONDS_PER_UNIT)

    def work_us(self) -> float:
        """The work done, in this machine's CPU microseconds."""
        return self.estimated_us() * self.price_scale

    def left_estimated_us(self) -> float:
        """What is left of the work budget at the fitted prices (what work limits handed on are priced in)."""
        return max(0.0, self.max_work_us - self.work_us()) / self.price_scale

    def correct_prices(self) -> None:
        """Set price_scale from the CPU time this search took against its estimate (rounded, bounded)."""
        estimated = self.estimated_us()
        if self.max_iterations or estimated < PRICE_SCALE_SAMPLE * self.max_work_us:
            return
        ratio = (self._cpu_clock() - self._cpu_started) * 1e6 / estimated
        low, high = PRICE_SCALE_BOUNDS
        step = round(math.log2(min(max(ratio, low), high)) * PRICE_SCALE_STEPS)
        self.price_scale = 2.0 ** (step / PRICE_SCALE_STEPS)

    def progress(self) -> float:
        """The share of the budget spent: of its iterations when it has an iteration limit, else of its work."""
        if self.max_iterations:
            return self.iterations / self.max_iterations
        if self.max_work_us <= 0:
            return 1.0
        self.correct_prices()
        return self.work_us() / self.max_work_us

    def elapsed_share(self) -> float:
        """The share of the clock guard's limit gone by (all of it once a stop is requested)."""
        return 1.0 - self.remaining_s() / self.wall_limit_s if self.wall_limit_s > 0 else 1.0

    def remaining_s(self) -> float:
        now = time.perf_counter()
        if self._stop_requested is not None and now - self._stop_polled >= STOP_POLL_S:
            self._stop_polled = now
            if self._stop_requested():
                self.deadline = min(self.deadline, now)
        return self.deadline - now
