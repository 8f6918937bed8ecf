"""Whether a rep's days are balanced and, when not, the reason the plan gives (service/plans/balance.py)."""

from __future__ import annotations

import numpy as np

from service.plans.balance import balance, fixed_service_by_day
from solver.model import Client, Problem

HOUR = 3600


def rep_problem(*clients: tuple[int, tuple[tuple[int, ...], ...]]) -> Problem:
    """A rep's problem with these (service seconds, allowed patterns) clients; travel plays no part here."""
    zeros = np.zeros((2, 2), dtype=np.int64)
    return Problem(
        num_days=28,
        clients=tuple(Client(location=1, service_s=s, patterns=p) for s, p in clients),
        vehicles=(),
        duration_s=zeros,
        distance_m=zeros.copy(),
    )


def days(*workloads_h: float) -> list[dict]:
    return [{"workload_s": round(w * HOUR), "service_s": round(w * HOUR * 0.8)} for w in workloads_h]


def test_days_within_an_hour_are_balanced_and_need_no_reason():
    assert balance(days(5, 5.5, 5.9), rep_problem()) == {"tolerance_s": HOUR, "met": True, "why": None}


def test_outlets_open_on_one_day_only_are_the_reason_a_day_stays_heavy():
    # four 1-hour visits that can only be made on the first Monday, and a light rest of the cycle
    problem = rep_problem(*[(HOUR, ((0,),))] * 4, (600, ((1,), (2,))))
    assert fixed_service_by_day(problem) == {0: 4 * HOUR}
    verdict = balance(days(4.5, 1, 1, 1, 1), problem)
    assert not verdict["met"]
    assert "only be visited on Monday of week 1" in verdict["why"] and "240 min of service" in verdict["why"]
    assert "at least" in verdict["why"] and "whatever the plan" in verdict["why"]


def test_without_such_outlets_the_plan_says_the_search_did_not_reach_it():
    problem = rep_problem(*[(HOUR, ((0,), (1,), (2,)))] * 4)
    assert fixed_service_by_day(problem) == {}
    verdict = balance(days(4.5, 1, 1), problem)
    assert not verdict["met"] and verdict["why"].startswith("the search did not bring these days within 60 min")


def test_a_visit_longer_than_the_tolerance_is_named():
    verdict = balance(days(3, 1), rep_problem((2 * HOUR, ((0,), (1,)))))
    assert verdict["why"] == "one visit takes 120 min, more than the 60 min days may differ"
