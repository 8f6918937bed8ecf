"""The compiled tour search for a day of one vehicle (solver/routing/single_route.py, tour_model.py).

Its answers are checked against a brute force over every order, timed here from the matrix and the windows
alone: random days of eight outlets with asymmetric travel and tight windows, so that reversed segments and
waiting both matter; and days of a rep as the service plans them: a lunch break with its own window, outlets
open twice a day, and idle time priced.
"""

from __future__ import annotations

import time
from itertools import permutations

import numpy as np
import pytest

from solver.instance import INF, build_instance
from solver.model import IDLE_WEIGHT, Break, Client, Problem, TimeWindow, Vehicle
from solver.plan_state import PlanState
from solver.precheck import precheck, vehicle_groups
from solver.routes import insertion_costs, place_breaks, time_route
from solver.routing import retour, tour_searchable
from solver.routing.single_route import best_tour
from solver.search import Budget, SearchConfig
from solver.week_phase import put_in_by_tour_search

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


def punctual_price(day, order) -> float | None:
    """Travel plus IDLE_WEIGHT times the waiting from the departure to the return, None when late."""
    travel, service, start_lo, _ = day
    total = punctual_travel(day, order)
    if total is None:
        return None
    t, here = DEPART, 0
    for c in order:
        t, here = max(t + int(travel[here, c + 1]), int(start_lo[c])) + int(service[c]), c + 1
    end = t + int(travel[here, len(service) + 1])
    return total + IDLE_WEIGHT * (end - DEPART - total - int(service.sum()))


def brute_force_best(day) -> int | None:
    found = [t for order in permutations(range(len(day[1]))) if (t := punctual_travel(day, order)) is not None]
    return min(found, default=None)


@pytest.mark.parametrize("seed", range(6))
def test_the_search_finds_the_shortest_punctual_order(seed):
    day = random_day(seed)
    best = brute_force_best(day)
    assert best is not None
    found = best_tour(
        *day,
        depart=DEPART,
        arrive_by=ARRIVE_BY,
        incumbent=list(range(8)),
        seed=0,
        prices_us=PER_MOVE,
        max_work_us=3_000_000,
        time_limit_s=30.0,
    )
    assert sorted(found.tour) == list(range(8))
    assert punctual_travel(day, found.tour) == found.travel == best


def test_without_a_punctual_order_there_is_no_answer():
    travel, service, start_lo, start_hi = random_day(0)
    start_lo[:2], start_hi[:2] = DEPART + H, DEPART + H  # two outlets that both want 09:00 sharp
    found = best_tour(
        travel,
        service,
        start_lo,
        start_hi,
        DEPART,
        ARRIVE_BY,
        list(range(8)),
        seed=0,
        prices_us=PER_MOVE,
        max_work_us=500_000,
        time_limit_s=30.0,
    )
    assert found.tour is None and found.travel == -1 and found.work[0] >= 500_000


def test_the_same_seed_and_work_give_the_same_tour():
    day = random_day(3, clients=12)
    runs = [
        best_tour(
            *day,
            DEPART,
            ARRIVE_BY,
            list(range(12)),
            seed=7,
            prices_us=PER_MOVE,
            max_work_us=2_000_000,
            time_limit_s=60.0,
        )
        for _ in range(2)
    ]
    assert runs[0].tour is not None and runs[0].work[0] >= 2_000_000
    assert runs[0] == runs[1]


def test_bad_input_is_named():
    travel, service, start_lo, start_hi = random_day(0)
    with pytest.raises(ValueError, match="travel must be"):
        best_tour(travel[:-1], service, start_lo, start_hi, DEPART, ARRIVE_BY, list(range(8)), 0, PER_MOVE, 1000, 1.0)
    with pytest.raises(ValueError, match="incumbent"):
        best_tour(
            travel, service, start_lo, start_hi, DEPART, ARRIVE_BY, [0, 1, 2, 3, 4, 5, 6, 6], 0, PER_MOVE, 1000, 1.0
        )
    with pytest.raises(ValueError, match="prices_us"):
        best_tour(travel, service, start_lo, start_hi, DEPART, ARRIVE_BY, list(range(8)), 0, (1.0,), 1000, 1.0)


def day_problem(day, vehicle: Vehicle, windows=None, demand: int = 0) -> Problem:
    travel, service, start_lo, start_hi = day
    clients = tuple(
        Client(
            location=c + 1,
            service_s=int(service[c]),
            patterns=((0,),),
            demand=demand,
            windows=windows or ((TimeWindow(int(start_lo[c]), int(start_hi[c] + service[c])),),),
        )
        for c in range(len(service))
    )
    return Problem(
        num_days=1, clients=clients, vehicles=(vehicle,), duration_s=travel, distance_m=travel, balance_weight=0
    )


def test_the_day_of_a_plan_comes_back_in_the_shortest_punctual_order():
    day = random_day(4)
    vehicle = Vehicle(day=0, start=0, end=len(day[1]) + 1, shift_start_s=DEPART, shift_end_s=ARRIVE_BY)
    inst = build_instance(day_problem(day, vehicle))
    incumbent = next(list(o) for o in permutations(range(8)) if punctual_travel(day, o) is not None)
    assert tour_searchable(inst, [0], [incumbent])
    found = retour(inst, 0, incumbent, seed=1, prices_us=PER_MOVE, max_work_us=3_000_000, time_limit_s=30.0)
    # outlets with windows may keep a rep waiting: the plan prices idle time, and so does the search of its days
    assert punctual_price(day, found.tour) == min(p for o in permutations(range(8)) if (p := punctual_price(day, o)))


def test_days_the_tour_search_cannot_hold_stay_with_or_tools():
    day = random_day(5)
    end = len(day[1]) + 1
    plain = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY)
    route = list(range(8))
    small = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY, capacity=70)
    assert not tour_searchable(build_instance(day_problem(day, small, demand=10)), [0], [route])
    large = Vehicle(day=0, start=0, end=end, shift_start_s=DEPART, shift_end_s=ARRIVE_BY, capacity=80)
    assert tour_searchable(build_instance(day_problem(day, large, demand=10)), [0], [route])
    assert not tour_searchable(build_instance(day_problem(day, plain)), [0, 0], [route[:4], route[4:]])


# A rep's day: 07:30-16:30, lunch of an hour starting 11:30-13:00, restaurants open 09:30-11:00 and 14:00-17:00.
SHIFT_START, SHIFT_END = 7 * H + 1800, 16 * H + 1800
LUNCH = (11 * H + 1800, 13 * H, H)
IDLE_PRICE = IDLE_WEIGHT


def rep_day(seed: int, clients: int = 7):
    """(travel, service, windows per client as admissible start intervals): e-bike legs of up to 25 min, visits
    of 10-25 min, two of the outlets restaurants with split hours, one a shop that opens at 10:00."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-4000, 4000, size=(clients, 2)), [0.0, 0.0]])
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    travel = (metres / 5.0 * rng.uniform(1.0, 1.3, size=metres.shape)).astype(np.int64)
    np.fill_diagonal(travel, 0)
    service = rng.integers(10, 26, size=clients) * 60
    windows = [[(SHIFT_START, SHIFT_END - int(s))] for s in service]
    restaurants = rng.choice(clients, size=2, replace=False)
    for c in restaurants:
        windows[c] = [(9 * H + 1800, 11 * H - int(service[c])), (14 * H, 17 * H - int(service[c]))]
    late_shop = next(c for c in range(clients) if c not in restaurants)
    windows[late_shop] = [(10 * H, SHIFT_END - int(service[late_shop]))]
    return travel, service, windows


def rep_day_price(day, order, lunch_after: int) -> tuple[float, int, int] | None:
    """(travel + IDLE_PRICE x idle, travel, idle) of this order with the lunch taken after `lunch_after` visits
    where the last stop is (then the travel on), every visit at the earliest start its windows allow; None when
    late. Idle: the time from the shift start to the return less travel, service and lunch."""
    travel, service, windows = day
    end = len(service) + 1
    t, here, total = SHIFT_START, 0, 0
    for i, c in enumerate([*order, None]):
        if i == lunch_after:
            t = max(t, LUNCH[0])
            if t > LUNCH[1]:
                return None
            t += LUNCH[2]
        if c is None:
            break
        leg = int(travel[here, c + 1])
        arrival = t + leg
        start = next((max(arrival, lo) for lo, hi in windows[c] if arrival <= hi), None)
        if start is None:
            return None
        t, here, total = start + int(service[c]), c + 1, total + leg
    back = int(travel[here, end])
    t += back
    if t > SHIFT_END:
        return None
    idle = t - SHIFT_START - (total + back) - int(service.sum()) - LUNCH[2]
    return total + back + IDLE_PRICE * idle, total + back, idle


def rep_day_best(day) -> float | None:
    n = len(day[1])
    prices = (rep_day_price(day, order, k) for order in permutations(range(n)) for k in range(n + 1))
    return min((p[0] for p in prices if p is not None), default=None)


def rep_day_search(day, idle_weight: float = IDLE_PRICE):
    """The tour search on a rep_day from the outlets' listed order, 3 million moves."""
    travel, service, windows = day
    k = max(len(w) for w in windows)
    start_lo = np.array([[lo for lo, _ in w] + [0] * (k - len(w)) for w in windows])
    start_hi = np.array([[hi for _, hi in w] + [-1] * (k - len(w)) for w in windows])
    incumbent = list(range(len(service)))
    return best_tour(
        travel,
        service,
        start_lo,
        start_hi,
        SHIFT_START,
        SHIFT_END,
        incumbent,
        0,
        PER_MOVE,
        3_000_000,
        30.0,
        breaks=(LUNCH,),
        idle_weight=idle_weight,
    )


@pytest.mark.parametrize("seed", range(5))
def test_a_day_with_lunch_and_split_hours_comes_back_at_its_best_price(seed):
    day = rep_day(seed)
    best = rep_day_best(day)
    assert best is not None
    found = rep_day_search(day)
    assert sorted(found.tour) == list(range(len(day[1])))
    # the search's own travel and idle are those of its order with the lunch where the rep's day takes it best
    priced = [p for k in range(len(found.tour) + 1) if (p := rep_day_price(day, found.tour, k)) is not None]
    assert (found.travel + IDLE_PRICE * found.idle, found.travel, found.idle) in priced
    assert found.travel + IDLE_PRICE * found.idle == pytest.approx(best)


def test_idle_is_priced_against_travel():
    """Without the idle price the search takes the shortest order; with it, an order that waits less."""
    day = rep_day(2)
    shortest = min(p[1] for o in permutations(range(7)) for k in range(8) if (p := rep_day_price(day, o, k)))
    unpriced = rep_day_search(day, idle_weight=0.0)
    priced = rep_day_search(day)
    assert unpriced.travel == shortest
    assert (
        priced.idle < unpriced.idle
        and priced.travel + IDLE_PRICE * priced.idle < unpriced.travel + IDLE_PRICE * unpriced.idle
    )


def test_a_rep_day_of_a_plan_is_searched_with_its_lunch_and_split_hours():
    travel, service, windows = rep_day(3)
    clients = tuple(
        Client(
            location=c + 1,
            service_s=int(service[c]),
            patterns=((0,),),
            windows=(tuple(TimeWindow(lo, hi + int(service[c])) for lo, hi in windows[c]),),
        )
        for c in range(len(service))
    )
    rep = Vehicle(
        day=0, start=0, end=len(service) + 1, shift_start_s=SHIFT_START, shift_end_s=SHIFT_END, breaks=(Break(*LUNCH),)
    )
    inst = build_instance(
        Problem(num_days=1, clients=clients, vehicles=(rep,), duration_s=travel, distance_m=travel, balance_weight=0)
    )
    route = place_breaks(inst, 0, next(list(o) for o in permutations(range(7)) if place_breaks(inst, 0, list(o))))
    assert tour_searchable(inst, [0], [route])
    found = retour(inst, 0, route, seed=1, prices_us=PER_MOVE, max_work_us=3_000_000, time_limit_s=30.0)
    placed = place_breaks(inst, 0, found.tour)
    timing = time_route(inst, 0, placed)
    assert timing.feasible
    idle = timing.start[-1] - timing.start[0] - timing.travel - int(service.sum()) - LUNCH[2]
    assert timing.travel + IDLE_PRICE * idle == pytest.approx(rep_day_best((travel, service, windows)))


def test_an_outlet_a_day_has_no_room_for_in_its_order_is_put_in_by_reordering_the_day():
    """Six outlets on a line out from the office, a shift of 2 h 10 min: the day's five outlets in the order 2, 1,
    3, 4, 5 take 2 h, so the sixth fits at no position of that order (insertion leaves it out); in the order 1..6
    all six take exactly 2 h."""
    unit = 600  # ten minutes between neighbouring places
    x = np.arange(7)
    travel = np.abs(x[:, None] - x[None, :]) * unit
    clients = tuple(Client(location=i + 1, service_s=0, patterns=((0,),)) for i in range(6))
    vehicle = Vehicle(day=0, start=0, end=0, shift_start_s=0, shift_end_s=13 * unit)
    inst = build_instance(
        Problem(
            num_days=1, clients=clients, vehicles=(vehicle,), duration_s=travel, distance_m=travel, balance_weight=0
        )
    )
    allowed, _ = precheck(inst)
    state = PlanState(inst, vehicle_groups(inst), allowed)
    state.restore(([[1, 0, 2, 3, 4]], [(0,)] * 5 + [None]))
    assert (insertion_costs(inst, np.array([5]), state.route_edges(0)) >= INF).all()
    put_in_by_tour_search(state, list(range(6)), Budget(5.0, None, time.perf_counter(), state.meter), SearchConfig(), 0)
    assert state.pattern[5] == (0,)
    assert sorted(state.routes[0]) == list(range(6)) and time_route(inst, 0, state.routes[0]).feasible
    assert state.travel[0] == 12 * unit
