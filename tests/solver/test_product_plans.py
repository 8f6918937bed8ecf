"""Hand-checkable journey plans: opening windows, split hours, lunch, unplaced reasons, consistency."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver import Break, Client, Problem, SolveParams, TimeWindow, UnplacedReason, Vehicle, solve
from tests.solver.plan_checks import plan_violations
from tests.solver.product_cases import rep_cycle

H = 3600
QUICK = SolveParams(time_limit_s=20.0, seed=0, max_iterations=30)


def line_matrix(positions_s: list[int]) -> np.ndarray:
    """Travel seconds between points on a straight street (location 0 is the office)."""
    x = np.array(positions_s, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :])


def one_day(
    *clients: Client, positions_s: list[int], shift=(8 * H, 18 * H), breaks=(), days: int = 1, capacity=None
) -> Problem:
    T = line_matrix(positions_s)
    vehicles = tuple(
        Vehicle(day=d, start=0, end=0, shift_start_s=shift[0], shift_end_s=shift[1], breaks=breaks, capacity=capacity)
        for d in range(days)
    )
    return Problem(num_days=days, clients=clients, vehicles=vehicles, duration_s=T, distance_m=T * 5)


def windows(*spans: tuple[float, float], days: int = 1):
    return tuple(tuple(TimeWindow(int(a * H), int(b * H)) for a, b in spans) for _ in range(days))


def test_restaurant_with_split_hours_is_visited_in_the_afternoon_when_the_morning_window_is_too_short():
    # 09:30-11:00 is 90 minutes; a 100-minute visit only fits 14:00-17:00. 10 minutes from the office.
    restaurant = Client(location=1, service_s=6000, patterns=((0,),), windows=windows((9.5, 11), (14, 17)))
    problem = one_day(restaurant, positions_s=[0, 600])
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []
    (route,) = solution.routes
    (stop,) = route.stops
    assert (stop.arrival_s, stop.start_s, stop.departure_s) == (14 * H, 14 * H, 14 * H + 6000)
    assert route.start_s == 14 * H - 600  # leaves the office just in time instead of waiting at the door
    assert route.end_s == 14 * H + 6000 + 600
    assert route.travel_s == 1200 and route.distance_m == 6000


def test_visits_are_ordered_by_their_windows():
    # Both outlets 5 minutes from the office and 10 minutes apart (opposite sides); b closes first.
    a = Client(location=1, service_s=600, patterns=((0,),), windows=windows((9, 9.5)))
    b = Client(location=2, service_s=600, patterns=((0,),), windows=windows((8, 8.5)))
    problem = Problem(
        num_days=1,
        clients=(a, b),
        vehicles=(Vehicle(day=0, start=0, end=0, shift_start_s=8 * H, shift_end_s=18 * H),),
        duration_s=np.array([[0, 300, 300], [300, 0, 600], [300, 600, 0]]),
        distance_m=np.array([[0, 1500, 1500], [1500, 0, 3000], [1500, 3000, 0]]),
    )
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []
    (route,) = solution.routes
    assert [s.client for s in route.stops] == [1, 0]
    assert route.start_s == 8 * H  # b is open on arrival: the rep leaves at the start of the shift
    assert [(s.arrival_s, s.start_s, s.departure_s) for s in route.stops] == [
        (8 * H + 300, 8 * H + 300, 8 * H + 900),
        (8 * H + 1500, 9 * H, 9 * H + 600),
    ]
    assert route.travel_s == 1200


def test_lunch_is_taken_inside_its_window_and_never_during_a_visit():
    lunch = Break(earliest_start_s=11 * H + 1800, latest_start_s=13 * H, duration_s=H)
    # Two long visits that fill the morning and the afternoon around lunch.
    morning = Client(location=1, service_s=3 * H, patterns=((0,),), windows=windows((8, 12)))
    afternoon = Client(location=2, service_s=3 * H, patterns=((0,),), windows=windows((13, 18)))
    problem = one_day(morning, afternoon, positions_s=[0, 600, 900], breaks=(lunch,))
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []
    (route,) = solution.routes
    (brk,) = route.breaks
    assert brk.after_stops == 1
    assert 11 * H + 1800 <= brk.start_s <= 13 * H
    assert route.stops[0].departure_s <= brk.start_s
    assert brk.start_s + H + 300 <= route.stops[1].arrival_s


def test_every_unplaceable_outlet_is_reported_with_its_reason():
    far = 5 * H  # five hours from the office, the shift is 8 hours
    clients = (
        Client(location=1, service_s=600, patterns=()),
        Client(location=1, service_s=600, patterns=((1,),)),  # day 1: nobody works
        Client(location=1, service_s=600, patterns=((0,),), windows=((), ())),
        Client(location=1, service_s=600, patterns=((0,),), windows=windows((20, 21), days=2)),
        Client(location=1, service_s=1800, patterns=((0,),), windows=windows((9, 9 + 1 / 3), days=2)),
        Client(location=1, service_s=600, patterns=((0,),), demand=50),
        Client(location=2, service_s=600, patterns=((0,),)),
        Client(location=1, service_s=int(4.5 * H), patterns=((0,),)),
        Client(location=1, service_s=int(4.5 * H), patterns=((0,),)),
    )
    T = line_matrix([0, 300, far])
    problem = Problem(
        num_days=2,
        clients=clients,
        vehicles=(Vehicle(day=0, start=0, end=0, shift_start_s=8 * H, shift_end_s=16 * H, capacity=10),),
        duration_s=T,
        distance_m=T,
    )
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []
    reasons = {u.client: u.reason for u in solution.unplaced}
    assert reasons[0] == UnplacedReason.NO_ALLOWED_PATTERN
    assert reasons[1] == UnplacedReason.NO_ALLOWED_PATTERN
    assert reasons[2] == UnplacedReason.CLOSED_ON_PATTERN_DAYS
    assert reasons[3] == UnplacedReason.NO_WINDOW_IN_SHIFT
    assert reasons[4] == UnplacedReason.SERVICE_LONGER_THAN_WINDOW
    assert reasons[5] == UnplacedReason.CAPACITY
    assert reasons[6] == UnplacedReason.UNREACHABLE
    # Either 4.5-hour visit fits the 8-hour day alone, not both.
    assert sorted(c for c in (7, 8) if c in reasons) in ([7], [8])
    assert reasons[7 if 7 in reasons else 8] == UnplacedReason.DAY_FULL
    assert all(u.detail for u in solution.unplaced)
    placed = {s.client for r in solution.routes for s in r.stops}
    assert placed | set(reasons) == set(range(len(clients))) and not placed & set(reasons)


def test_consistent_plan_keeps_every_outlet_with_one_rep():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 3000, size=(13, 2))
    T = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))).astype(np.int64)
    clients = tuple(Client(location=i, service_s=900, patterns=((0, 2), (1, 3))) for i in range(1, 13))
    vehicles = tuple(
        Vehicle(day=d, start=0, end=0, shift_start_s=8 * H, shift_end_s=12 * H, crew=crew)
        for d in range(4)
        for crew in (0, 1)
    )
    problem = Problem(num_days=4, clients=clients, vehicles=vehicles, duration_s=T, distance_m=T)
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []  # checks one crew per client
    assert not solution.unplaced


def test_same_seed_same_plan():
    problem = rep_cycle(seed=5, n_outlets=40)
    params = SolveParams(time_limit_s=60.0, seed=7, max_iterations=40)
    first, second = solve(problem, params), solve(problem, params)
    assert first.routes == second.routes
    assert first.patterns == second.patterns


def test_rep_cycle_plan_is_complete_and_keeps_the_time_limit():
    problem = rep_cycle(seed=11, n_outlets=120)
    started = time.perf_counter()
    solution = solve(problem, SolveParams(time_limit_s=4.0, seed=0))
    elapsed = time.perf_counter() - started
    assert plan_violations(problem, solution) == []
    assert not solution.unplaced
    assert elapsed <= 4.0 * 1.1 + 0.3  # the build of the problem itself is outside the limit's guard
    assert solution.stats["spread_s"] >= 0


@pytest.mark.parametrize("consistent", [True, False])
def test_lunch_and_windows_hold_on_a_full_cycle(consistent):
    problem = rep_cycle(seed=2, n_outlets=60, consistent=consistent)
    solution = solve(problem, SolveParams(time_limit_s=20.0, seed=1, max_iterations=60))
    assert plan_violations(problem, solution) == []
    assert all(len(r.breaks) == 1 for r in solution.routes)


def test_lunch_is_taken_where_the_mornings_work_meets_its_window_not_by_waiting_for_it():
    # Five one-hour visits 5 minutes apart along a street, open all day; lunch may start 11:30-12:30. Taking it
    # at the first gap where the day stays feasible would mean waiting from 08:35 to 11:30; after the third
    # visit (11:45) nobody waits.
    lunch = Break(earliest_start_s=11 * H + 1800, latest_start_s=12 * H + 1800, duration_s=H)
    outlets = [Client(location=i, service_s=H, patterns=((0,),)) for i in range(1, 6)]
    problem = one_day(
        *outlets, positions_s=[0, 300, 600, 900, 1200, 1500], shift=(8 * H + 1800, 18 * H), breaks=(lunch,)
    )
    solution = solve(problem, QUICK)
    assert plan_violations(problem, solution) == []
    (route,) = solution.routes
    assert route.start_s == 8 * H + 1800
    (taken,) = route.breaks
    assert taken.after_stops == 3
    assert taken.start_s == route.stops[2].departure_s  # straight from the third visit, no wait
    assert route.end_s - route.start_s - route.travel_s - 5 * H - H == 0  # no idle time in the day
