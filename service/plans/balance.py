"""Whether a rep's working days are balanced (workloads within the solver's BALANCE_TOLERANCE_S of each other)
and, where they are not, why, in words a supervisor can act on.

The reason is a fact of the rep's outlets, not of the search, wherever there is one: outlets that may only be
visited on one day (closed on the others, or one fixed weekday a week) load that day with service no pattern
choice can move, and when that alone exceeds the average working day's service by more than the tolerance, the
days differ by at least that much whatever the plan. Else a single visit longer than the tolerance. Else the
search did not reach it, which the plan says too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from solver.model import BALANCE_TOLERANCE_S, Problem

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DayKpis(TypedDict):
    """One working day of a rep in a plan's KPIs (service/plans/planning.py)."""

    day: int
    week: int
    weekday: int
    visits: int
    travel_s: int
    distance_m: int
    service_s: int
    workload_s: int
    idle_s: int
    start_s: int | None
    end_s: int | None


def fixed_service_by_day(problem: Problem) -> dict[int, int]:
    """Service seconds per day index that no choice of pattern can move: each client's service on every day that
    all of its allowed patterns visit."""
    fixed: dict[int, int] = {}
    for client in problem.clients:
        if not client.patterns:
            continue
        for day in set(client.patterns[0]).intersection(*client.patterns[1:]):
            fixed[day] = fixed.get(day, 0) + client.service_s
    return fixed


def balance(days: Sequence[DayKpis], problem: Problem | None, tolerance_s: int = BALANCE_TOLERANCE_S) -> dict:
    """{"tolerance_s", "met", "why"} for a rep's working days (KPI rows with workload_s and service_s);
    `problem`: the rep's solver problem, None where it is not at hand (then no reason is given)."""
    workloads = [d["workload_s"] for d in days]
    spread = max(workloads) - min(workloads) if workloads else 0
    result: dict[str, int | bool | str | None] = {"tolerance_s": tolerance_s, "met": spread <= tolerance_s, "why": None}
    if result["met"] or problem is None:
        return result
    mean_service = sum(d["service_s"] for d in days) / len(days)
    fixed = fixed_service_by_day(problem)
    day, most = max(fixed.items(), key=lambda item: item[1], default=(None, 0))
    longest = max((c.service_s for c in problem.clients), default=0)
    if day is not None and most - mean_service > tolerance_s:
        result["why"] = (
            f"outlets that can only be visited on {WEEKDAYS[day % 7]} of week {day // 7 + 1} need "
            f"{most // 60} min of service there, against {round(mean_service / 60)} min on an average "
            f"working day: those days differ by at least {round((most - mean_service) / 60)} min "
            "whatever the plan (their opening days or fixed visit days)"
        )
    elif longest > tolerance_s:
        result["why"] = f"one visit takes {longest // 60} min, more than the {tolerance_s // 60} min days may differ"
    else:
        result["why"] = (
            f"the search did not bring these days within {tolerance_s // 60} min of each other; "
            "a longer time limit per rep may"
        )
    return result
