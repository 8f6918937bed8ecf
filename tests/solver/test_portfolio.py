"""Searches side by side (SolveParams.workers): the best of the seeds' plans, and still the same plan every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver import SolveParams, solve
from solver.pvrp import read_instance, write_res
from tests.solver.pvrp_checker import check_solution

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "pvrp"
# An iteration budget, so each seed's plan depends only on the input and the seed, whatever the load.
ITERATIONS = 40


def test_two_workers_return_the_better_of_the_two_seeds_plans(tmp_path):
    inst = read_instance(DATA / "p03.txt")
    alone = [solve(inst.problem, SolveParams(time_limit_s=120, seed=s, max_iterations=ITERATIONS)) for s in (3, 4)]
    together = solve(inst.problem, SolveParams(time_limit_s=120, seed=3, max_iterations=ITERATIONS, workers=2))
    better = min(alone, key=lambda s: s.stats["objective"])
    assert together.stats["objective"] == better.stats["objective"]
    assert [r.stops for r in together.routes] == [r.stops for r in better.routes]
    assert together.stats["winning_seed"] == 3 + alone.index(better)
    write_res(inst, together, tmp_path / "p03.res")
    check = check_solution(DATA / "p03.txt", tmp_path / "p03.res")
    assert check.violations == []
    costs = [write_res(inst, s, tmp_path / f"alone{i}.res") for i, s in enumerate(alone)]
    assert check.cost == pytest.approx(min(costs), abs=0.006)


def test_side_by_side_searches_give_the_same_plan_twice():
    problem = read_instance(DATA / "p01.txt").problem
    params = SolveParams(time_limit_s=120, seed=0, max_iterations=ITERATIONS, workers=2)
    first, second = solve(problem, params), solve(problem, params)
    assert [r.stops for r in first.routes] == [r.stops for r in second.routes]
