"""The search's stopping rule: deterministic work counts end it, the clock only guards the time limit."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from solver import SolveParams, solve
from solver.plan_state import Work
from solver.pvrp import read_instance
from solver.search import MICROSECONDS_PER_UNIT, WORK_SHARE_OF_LIMIT, Budget, phase_end
from solver.search.stop import MaxBudget, MaxRuntime

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "pvrp"


class FakeCpu:
    """A thread CPU clock the test sets."""

    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_the_work_done_not_the_clock_ends_the_search():
    meter, cpu = np.zeros(len(Work.NAMES)), FakeCpu()
    budget = Budget(10.0, None, time.perf_counter(), meter, cpu_clock=cpu)
    assert budget.max_work_us == 10.0 * 1e6 * WORK_SHARE_OF_LIMIT
    assert not phase_end(budget, 1.0)()
    meter[Work.ITERATIONS] = 0.5 * budget.max_work_us / MICROSECONDS_PER_UNIT[Work.ITERATIONS]
    cpu.now_s += 0.5 * budget.max_work_us / 1e6  # the prices fit this machine: CPU time as estimated
    assert phase_end(budget, 0.5)() and not phase_end(budget, 0.6)()
    meter[Work.POSITIONS] = 0.5 * budget.max_work_us / MICROSECONDS_PER_UNIT[Work.POSITIONS]
    cpu.now_s += 0.5 * budget.max_work_us / 1e6
    assert phase_end(budget, 1.0)()


def test_prices_are_lowered_on_a_cpu_faster_than_they_say():
    meter, cpu = np.zeros(len(Work.NAMES)), FakeCpu()
    budget = Budget(10.0, None, time.perf_counter(), meter, cpu_clock=cpu)
    meter[Work.ITERATIONS] = 0.5 * budget.max_work_us / MICROSECONDS_PER_UNIT[Work.ITERATIONS]
    cpu.now_s += 0.1 * budget.max_work_us / 1e6  # the work took a fifth of the CPU time its prices say
    assert not phase_end(budget, 0.2)()  # so the budget lasts
    assert budget.price_scale == 2 ** (round(8 * np.log2(0.2)) / 8)
    assert budget.left_estimated_us() == pytest.approx(
        budget.max_work_us * (1 - 0.5 * budget.price_scale) / budget.price_scale
    )


def test_a_cpu_slower_than_the_prices_keeps_them_and_the_clock_guards():
    meter, cpu = np.zeros(len(Work.NAMES)), FakeCpu()
    budget = Budget(10.0, None, time.perf_counter(), meter, cpu_clock=cpu)
    meter[Work.ITERATIONS] = 0.25 * budget.max_work_us / MICROSECONDS_PER_UNIT[Work.ITERATIONS]
    cpu.now_s += 0.75 * budget.max_work_us / 1e6  # three times slower
    assert not phase_end(budget, 0.3)() and budget.price_scale == 1.0
    slow = Budget(10.0, None, time.perf_counter() - 9.6, meter, cpu_clock=cpu)  # and 96% of the limit gone
    assert phase_end(slow, 0.95)()


def test_a_price_scale_beyond_its_bounds_is_held_at_them():
    meter, cpu = np.zeros(len(Work.NAMES)), FakeCpu()
    budget = Budget(10.0, None, time.perf_counter(), meter, cpu_clock=cpu)
    meter[Work.ITERATIONS] = 0.2 * budget.max_work_us / MICROSECONDS_PER_UNIT[Work.ITERATIONS]
    cpu.now_s += 1e-9
    assert not phase_end(budget, 1.0)() and budget.price_scale == 0.125


def test_every_work_count_has_a_price():
    assert len(MICROSECONDS_PER_UNIT) == len(Work.NAMES)
    assert (MICROSECONDS_PER_UNIT >= 0).all() and MICROSECONDS_PER_UNIT.sum() > 0


def test_the_clock_ends_each_phase_at_its_share_of_the_limit():
    budget = Budget(10.0, None, time.perf_counter() - 9.6, np.zeros(len(Work.NAMES)))  # 96% of the limit gone
    assert phase_end(budget, 0.95)() and not phase_end(budget, 0.99)()
    assert MaxRuntime(budget, 0.95)() and not MaxBudget(budget, 0.95)()  # the clock guard, not the work, ended it


def test_a_clock_guard_beyond_the_limit_lets_a_slow_machine_do_the_whole_work():
    meter, cpu = np.zeros(len(Work.NAMES)), FakeCpu()
    slow = Budget(10.0, None, time.perf_counter() - 9.6, meter, cpu_clock=cpu, clock_guard=3.0)  # 96% gone
    assert slow.max_work_us == 10.0 * 1e6 * WORK_SHARE_OF_LIMIT  # the work budget is the time limit's
    assert not phase_end(slow, 0.95)()
    meter[Work.ITERATIONS] = 0.95 * slow.max_work_us / MICROSECONDS_PER_UNIT[Work.ITERATIONS]
    cpu.now_s += 0.95 * slow.max_work_us / 1e6
    assert MaxBudget(slow, 0.95)() and not MaxRuntime(slow, 0.95)()  # the work ended it, not the clock
    late = Budget(10.0, None, time.perf_counter() - 29.0, meter, cpu_clock=cpu, clock_guard=3.0)
    assert MaxRuntime(late, 0.95)()  # three times the limit: the guard still ends it


def test_an_iteration_limit_ends_the_phase_at_its_share_of_the_iterations():
    budget = Budget(600.0, 200, time.perf_counter(), np.zeros(len(Work.NAMES)))
    budget.iterations = 99
    assert not phase_end(budget, 0.5)()
    budget.iterations = 100
    assert MaxBudget(budget, 0.5)() and not MaxRuntime(budget, 0.5)()


def test_a_large_instance_keeps_its_time_limit():
    # pr06: 288 customers, 12 vehicles a day. Whether the work budget or (on a busy machine) the clock ends
    # the search, the answer comes within 10% of the limit.
    problem = read_instance(DATA / "pr06.txt").problem
    started = time.perf_counter()
    solution = solve(problem, SolveParams(time_limit_s=5.0, seed=0))
    elapsed = time.perf_counter() - started
    assert elapsed <= 5.0 * 1.1
    assert solution.stats["work_s"] <= 5.0 * WORK_SHARE_OF_LIMIT * 1.1  # the last iteration may pass the budget
