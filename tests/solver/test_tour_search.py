"""The compiled tour search for a day of one vehicle (solver/routing/single_route.py, tour_model.py).

Its answers are checked against a brute force over every order, timed here from the matrix and the windows
alone: random days of eight outlets with asymmetric travel and tight windows, so that reversed segments and
waiting both matter.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

from solver.instance import build_instance
from solver.model import Break, Client, Problem, TimeWindow, Vehicle
from solver.routing import retour, tour_searchable
from solver.routing.single_route import best_tour

H = 3600
DEPART, ARRIVE_BY = 8 * H, 13 * H
PER_MOVE = (1.0, 0.0, 0.0)  # prices that make the work limit a number of moves


def random_day(seed: int, clients: int = 8):
    """(travel over [start, clients..., end], service, start_lo, start_hi): an office at the centre, outlets
    within 3 km, asymmetric travel (one-way streets add up to 40%), a third with a window of an hour or less."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-3000, 3000, size=(clients, 2)), [0.0, 0.0]])
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    travel = (metres / 4.0 * rng.uniform(1.0, 1.4, size=metres.shape)).astype(np.int64)
    np.fill_diagonal(travel, 0)
    service = rng.integers(5, 16, size=clients) * 60
    start_lo = np.full(clients, DEPART)
    start_hi = np.full(clients, ARRIVE_BY)
    tight = rng.choice(clients, size=clients // 3, replace=False)
    opens = rng.integers(DEPART, DEPART + 3 * H, size=len(tight))
    start_lo[tight], start_hi[tight] = opens, opens + rng.integers(15, 61, size=len(tight)) * 60
    return travel, service, start_lo, start_hi


def punctual_travel(day, order) -> int | None:
    travel, service, start_lo, start_hi = day
    end = len(service) + 1
    t, here, total = DEPART, 0, 0
    for c in order:
        leg = int(travel[here, c + 1])
        t = max(t + leg, int(start_lo[c]))
        if t > start_hi[c]:
            return None
        t, here, total = t + int(service[c]), c + 1, total + leg
    back = int(travel[here, end])
    return total + back if t + back <= ARRIVE_BY else None


def brute_force_best(day) -> int | None:
    found = [t for order in permutations(range(len(day[1]))) if (t := punctual_travel(day, order)) is not None]
    return min(found, default=None)


@pytest.mark.parametrize("seed", range(6))
def test_the_search_finds_the_shortest_punctual_order(seed):
    day = random_day(seed)
    best = brute_force_best(day)
    assert best is not None
    found = best_tour(*day, depart=DEPART, arrive_by=ARRIVE_BY, incumbent=list(range(8)), seed=0,
                      prices_us=PER_MOVE, max_work_us=3_000_000, time_limit_s=30.0)
    assert sorted(found.tour) == list(range(8))
    assert punctual_travel(day, found.tour) == found.travel == best


def test_without_a_punctual_order_there_is_no_answer():
    travel, service, start_lo, start_hi = random_day(0)
    start_lo[:2], start_hi[:2] = DEPART + H, DEPART + H  # two outlets that both want 09:00 sharp
    found = best_tour(travel, service, start_lo, start_hi, DEPART, ARRIVE_BY, list(range(8)), seed=0,
                      prices_us=PER_MOVE, max_work_us=500_000, time_limit_s=30.0)
    assert found.tour is None and found.travel == -1 and found.work[0] >= 500_000


def test_the_same_seed_and_work_give_the_same_tour():
    day = random_day(3, clients=12)
    runs = [best_tour(*day, DEPART, ARRIVE_BY, list(range(12)), seed=7, prices_us=PER_MOVE, max_work_us=2_000_000,
                      time_limit_s=60.0) for _ in range(2)]
    assert runs[0].tour is not None and runs[0].work[0] >= 2_000_000
    assert runs[0] == runs[1]


def test_bad_input_is_named():
    travel, service, start_lo, start_hi = random_day(0)
    with pytest.raises(ValueError, match="travel must be"):
        best_tour(travel[:-1], service, start_lo, start_hi, DEPART, ARRIVE_BY, list(range(8)), 0, PER_MOVE, 1000, 1.0)
    with pytest.raises(ValueError, match="incumbent"):
        best_tour(travel, service, start_lo, start_hi, DEPART, ARRIVE_BY, [0, 1, 2, 3, 4, 5, 6, 6], 0, PER_MOVE, 1000, 1.0)
    with pytest.raises(ValueError, match="prices_us"):
        best_tour(travel, service, start_lo, start_hi, DEPART, ARRIVE_BY, list(range(8)), 0, (1.0,), 1000, 1.0)


def day_problem(day, vehicle: Vehicle, windows=None, demand: int = 0) -> Problem:
    travel, service, start_lo, start_hi = day
    clients = tuple(
        Client(location=c + 1, service_s=int(service[c]), patterns=((0,),), demand=demand,
               windows=windows or ((TimeWindow(int(start_lo[c]), int(start_hi[c] + service[c])),),))
        for c in range(len(service))
    )
    return Problem(num_days=1, clients=clients, vehicles=(vehicle,), duration_s=travel, distance_m=travel,
                   balance_weight=0)


def test_the_day_of_a_plan_comes_back_in_the_shortest_punctual_order():
    day = random_day(4)
    vehicle = Vehicle(day=0, start=0, end=len(day[1]) + 1, shift_start_s=DEPART, shift_end_s=ARRIVE_BY)
    inst = build_instance(day_problem(day, vehicle))
    incumbent = next(list(o) for o in permutations(range(8)) if punctual_travel(day, o) is not None)
    assert tour_searchable(inst, [0], [incumbent])
    found = retour(inst, 0, incumbent, seed=1, prices_us=PER_MOVE, max_work_us=3_000_000, time_limit_s=30.0)
    assert punctual_travel(day, found.tour) == brute_force_best(day)


def test_days_the_tour_search_cannot_hold_stay_with_or_tools():
    day = random_day(5)
    end = len(day[1]) + 1
    plain = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY)
    route = list(range(8))
    lunch = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY,
                    breaks=(Break(11 * H, 12 * H, 1800),))
    assert not tour_searchable(build_instance(day_problem(day, lunch)), [0], [route])
    split = ((TimeWindow(DEPART, 10 * H), TimeWindow(11 * H, ARRIVE_BY)),)
    assert not tour_searchable(build_instance(day_problem(day, plain, windows=split)), [0], [route])
    small = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY, capacity=70)
    assert not tour_searchable(build_instance(day_problem(day, small, demand=10)), [0], [route])
    large = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY, capacity=80)
    assert tour_searchable(build_instance(day_problem(day, large, demand=10)), [0], [route])
    assert not tour_searchable(build_instance(day_problem(day, plain)), [0, 0], [route[:4], route[4:]])
