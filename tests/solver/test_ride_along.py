"""Ride-along planning on small instances whose answers can be checked by hand."""

from __future__ import annotations

from collections import Counter
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.model import TimeWindow
from solver.ride_along import (
    DayStop,
    DroppedCoaching,
    Lunch,
    MorningRules,
    RepChoiceProblem,
    RepDay,
    SpotCandidate,
    SpotCheckProblem,
    choose_reps,
    plan_morning,
    plan_spot_checks,
    retimed,
    timed_route,
)
from tests.solver.coaching_checks import assert_coaching_spaced

ALL_DAY = (TimeWindow(0, 24 * 3600),)


# --- which rep each morning -------------------------------------------------------------------------------------


def choice(num_reps, mornings, weights=None, done=None, previous=None, available=None):
    return choose_reps(
        RepChoiceProblem(
            num_reps=num_reps,
            available=available or tuple(tuple(range(num_reps)) for _ in range(mornings)),
            weights=weights or (1,) * num_reps,
            rides_done=done or (0,) * num_reps,
            previous_rep=previous,
        )
    )


def test_equal_reps_share_the_period_evenly_and_never_twice_in_a_row():
    result = choice(3, 6)
    assert Counter(result.reps) == {0: 2, 1: 2, 2: 2}
    assert all(a != b for a, b in zip(result.reps, result.reps[1:]))
    assert result.missed == () and result.repeats == 0


def test_every_rep_once_beats_a_strong_priority():
    result = choice(4, 4, weights=(5, 1, 1, 1))
    assert sorted(result.reps) == [0, 1, 2, 3]


def test_rides_already_done_in_the_period_count():
    result = choice(4, 3, done=(1, 0, 0, 0))
    assert sorted(result.reps) == [1, 2, 3]


def test_the_previous_periods_last_rep_is_not_taken_first():
    result = choice(2, 1, previous=0)
    assert result.reps == (1,)


def test_a_rep_below_target_gets_more_mornings_without_repeats():
    # weights 3:1:1 over 6 mornings: rep 0 would take 4 by weight, but 3 is the most without two in a row
    result = choice(3, 6, weights=(3, 1, 1))
    counts = Counter(result.reps)
    assert counts[0] == 3 and counts[1] >= 1 and counts[2] >= 1
    assert result.repeats == 0


def test_a_rep_working_only_one_morning_gets_that_morning():
    result = choice(3, 3, available=((0, 1, 2), (0, 1), (0, 1)))
    assert result.reps[0] == 2 and sorted(result.reps[1:]) == [0, 1]


def test_too_few_mornings_reports_the_rep_left_out():
    result = choice(3, 2)
    assert len(result.missed) == 1 and result.missed[0] not in result.reps


def test_a_morning_nobody_works_has_no_ride_along():
    result = choice(2, 3, available=((0, 1), (), (0, 1)))
    assert result.reps[1] is None and result.reps[0] != result.reps[2]


def test_between_mornings_of_equal_worth_the_one_with_room_for_more_demonstrations_is_taken():
    # each rep is ridden with once; rep 0's first morning takes 3 demonstrations, rep 1's second morning 3
    problem = RepChoiceProblem(
        num_reps=2, available=((0, 1), (0, 1)), weights=(1, 1), rides_done=(0, 0), demonstrations=((3, 1), (1, 3))
    )
    assert choose_reps(problem).reps == (0, 1)


def test_demonstrations_never_change_how_often_a_rep_is_ridden_with():
    # rep 0 (weight 2) has one roomy morning and packed ones otherwise, rep 1 roomy mornings throughout
    available = ((0, 1, 2),) * 12
    demonstrations = tuple((4 if m == 5 else 1, 4, 2) for m in range(12))
    base = dict(num_reps=3, available=available, weights=(2, 1, 1), rides_done=(0, 0, 0))
    plain = choose_reps(RepChoiceProblem(**base))
    coached = choose_reps(RepChoiceProblem(**base, demonstrations=demonstrations))
    assert sorted(Counter(coached.reps).items()) == sorted(Counter(plain.reps).items())
    assert coached.repeats == plain.repeats == 0
    assert coached.reps[5] == 0  # rep 0 is ridden with on its roomy morning


# --- the afternoon spot checks ------------------------------------------------------------------------------------


def line_problem(xs, values, *, start_s=0, end_by_s, service_s=60, reps=None, windows=None, rep_bonus=0):
    """Start and office at x = 0 (locations 0 and 1); candidate i at xs[i]; one second per unit of x."""
    points = np.array([0, 0, *xs], dtype=np.int64)
    matrix = np.abs(points[:, None] - points[None, :])
    candidates = tuple(
        SpotCandidate(
            location=2 + i,
            service_s=service_s,
            windows=(windows or {}).get(i, ALL_DAY),
            value=v,
            rep=(reps or [0] * len(xs))[i],
        )
        for i, v in enumerate(values)
    )
    return SpotCheckProblem(matrix, candidates, start_s, end_by_s, rep_bonus)


def test_collects_the_reachable_outlets_and_leaves_the_far_one():
    problem = line_problem([100, 200, -3000], [500, 1000, 5000], end_by_s=1000)
    route = plan_spot_checks(problem)
    assert [s.candidate for s in route.stops] == [0, 1]
    assert route.end_s == 100 + 60 + 100 + 60 + 200 == 520
    assert route.value == 1500


def test_picks_the_more_valuable_of_two_that_do_not_both_fit():
    # one check takes 300 + 60 + 300 = 660 s, both 1,320 s; the deadline allows one
    problem = line_problem([300, -300], [1000, 400], end_by_s=700)
    route = plan_spot_checks(problem)
    assert [s.candidate for s in route.stops] == [0]
    assert route.end_s <= 700


def test_every_check_inside_its_window_and_back_by_the_meeting():
    windows = {0: (TimeWindow(0, 50),), 1: (TimeWindow(400, 500),)}  # candidate 0 closes before we get there
    problem = line_problem([100, 100], [1000, 1000], end_by_s=2000, windows=windows)
    route = plan_spot_checks(problem)
    assert [s.candidate for s in route.stops] == [1]
    stop = route.stops[0]
    assert (stop.arrival_s, stop.start_s, stop.departure_s) == (100, 400, 460)
    assert route.end_s == 560 <= 2000


def test_nothing_fits_gives_an_empty_route_straight_back():
    problem = line_problem([5000], [1000], start_s=100, end_by_s=1000)
    route = plan_spot_checks(problem)
    assert route.stops == () and route.end_s == 100


def test_checks_are_spread_across_reps():
    # rep 0's two outlets are the nearest, but with the first-of-rep bonus one check each is worth more
    problem = line_problem([100, 110, -150], [100, 100, 100], end_by_s=650, reps=[0, 0, 1], rep_bonus=1000)
    # both of rep 0: 340 s, one of each: 620 s, all three: 700 s > 650 s
    route = plan_spot_checks(problem)
    assert len(route.stops) == 2
    assert {problem.candidates[s.candidate].rep for s in route.stops} == {0, 1}


@pytest.mark.parametrize("seed", range(6))
def test_the_route_is_as_good_as_trying_every_order_of_every_subset(seed):
    rng = np.random.default_rng(seed)
    n = 5
    points = rng.uniform(0, 1500, size=(n + 2, 2))
    matrix = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    candidates = tuple(
        SpotCandidate(
            location=2 + i,
            service_s=300,
            windows=(TimeWindow(int(s), int(s) + 3600),),
            value=int(rng.integers(500, 4000)),
            rep=int(rng.integers(0, 3)),
        )
        for i, s in enumerate(rng.uniform(0, 3600, size=n))
    )
    problem = SpotCheckProblem(matrix, candidates, start_s=0, end_by_s=5400, rep_bonus=1000)
    routes = [timed_route(problem, list(order)) for k in range(n + 1) for order in permutations(range(n), k)]
    best = max(r.value - r.travel_s for r in routes if r is not None)
    route = plan_spot_checks(problem)
    assert route.value - route.travel_s == best
    assert route.end_s <= 5400


def test_timed_route_refuses_a_late_return():
    problem = line_problem([300], [10], end_by_s=500)
    assert timed_route(problem, [0]) is None
    assert timed_route(problem, []).end_s == 0


# --- the morning with coaching ---------------------------------------------------------------------------------------


def day_of(starts, *, windows=None, travel_s=300, service_s=600, shift_end_s=18 * 3600, lunch=None):
    """Stops published at `starts` (seconds), each 300 s from the previous, 600 s of service."""
    stops = tuple(
        DayStop(service_s=service_s, travel_s=travel_s, windows=(windows or {}).get(i, ALL_DAY), planned_start_s=s)
        for i, s in enumerate(starts)
    )
    return RepDay(
        start_s=starts[0] - travel_s, stops=stops, return_travel_s=travel_s, shift_end_s=shift_end_s, lunch=lunch
    )


H = 3600
RULES = MorningRules(morning_end_s=11 * H, coaching_s=900, demonstrate_every=3)


def test_coaching_at_every_third_stop_delays_the_later_stops():
    starts = [9 * H + k * 900 for k in range(6)]  # 09:00, 09:15, ... back to back (300 travel + 600 service)
    morning = plan_morning(day_of(starts), RULES)
    assert [s.coaching_s for s in morning.stops] == [0, 0, 900, 0, 0, 900]
    assert [s.start_s for s in morning.stops] == [
        9 * H,
        9 * H + 900,
        9 * H + 1800,
        9 * H + 3600,
        9 * H + 4500,
        9 * H + 5400,
    ]
    assert morning.supervised == 6 and morning.leave_s == 9 * H + 5400 + 600 + 900
    assert morning.feasible and morning.coaching_dropped == ()


def test_the_supervisor_leaves_at_the_end_of_the_morning():
    starts = [10 * H + k * 900 for k in range(6)]  # stop 4 (index 3) would end after 11:00 with the coaching delay
    morning = plan_morning(day_of(starts), RULES)
    assert morning.supervised == 3
    assert morning.leave_s == morning.stops[2].departure_s == 10 * H + 1800 + 1500
    assert [s.with_supervisor for s in morning.stops] == [True, True, True, False, False, False]


def test_coaching_that_would_make_a_later_visit_miss_its_window_is_dropped():
    starts = [9 * H + k * 900 for k in range(4)]
    # the fourth outlet closes at 09:55: published start 09:45 + 600 s service fits, 15 min later does not
    windows = {3: (TimeWindow(9 * H, 9 * H + 55 * 60),)}
    morning = plan_morning(day_of(starts, windows=windows), RULES)
    assert morning.coaching_dropped == (DroppedCoaching(stop=2, blocked="window", late_stop=3),)
    assert [s.start_s for s in morning.stops] == starts
    assert morning.feasible


def test_coaching_blocked_by_a_tight_window_moves_past_it_and_the_morning_keeps_its_coaching():
    starts = [9 * H + k * 900 for k in range(9)]  # 09:00 ... 11:00, back to back
    # the fourth outlet closes at 09:55, the minute its published visit ends: no coaching fits before it
    windows = {3: (TimeWindow(9 * H, 9 * H + 55 * 60),)}
    morning = plan_morning(day_of(starts, windows=windows), MorningRules(12 * H, 900, 3))
    assert morning.coaching_dropped == (DroppedCoaching(stop=2, blocked="window", late_stop=3),)
    assert [k for k, s in enumerate(morning.stops) if s.coaching_s] == [4, 7]  # right after it, then every third
    assert morning.supervised == 9 and morning.feasible


def test_a_published_day_that_no_longer_fits_gets_no_later_with_coaching():
    starts = [9 * H + k * 900 for k in range(6)]  # back at 10:30, and the shift already ended at 10:20
    day = day_of(starts, shift_end_s=10 * H + 20 * 60)
    morning = plan_morning(day, MorningRules(12 * H, 900, 3))
    assert morning.coaching_dropped == (DroppedCoaching(stop=2, blocked="shift"),)
    assert morning.end_s == 10 * H + 30 * 60 and not any(s.coaching_s for s in morning.stops)
    assert not morning.feasible  # and says so

    # the last outlet already closes five minutes into its visit: coaching anywhere would keep the rep there longer
    windows = {5: (TimeWindow(9 * H, starts[5] + 300),)}
    morning = plan_morning(day_of(starts, windows=windows), MorningRules(12 * H, 900, 1))
    assert morning.coaching_dropped == (DroppedCoaching(stop=0, blocked="window", late_stop=5),)
    assert [s.start_s for s in morning.stops] == starts and not any(s.coaching_s for s in morning.stops)


def test_coaching_that_would_push_a_visit_into_the_outlets_afternoon_opening_is_dropped_there_only():
    starts = [9 * H + k * 900 for k in range(7)]
    # the seventh outlet (a restaurant) opens 09:00-10:55 and 14:00-16:30: published 10:30, it fits its morning
    # after one coaching's delay (10:45-10:55); after the coaching at stops 3 and 6 only its afternoon would take it
    windows = {6: (TimeWindow(9 * H, 10 * H + 55 * 60), TimeWindow(14 * H, 16 * H + 1800))}
    morning = plan_morning(day_of(starts, windows=windows), RULES)
    assert morning.coaching_dropped == (DroppedCoaching(stop=5, blocked="window", late_stop=6),)
    assert [s.coaching_s for s in morning.stops] == [0, 0, 900, 0, 0, 0, 0]  # the morning keeps its first coaching
    assert morning.stops[6].start_s == 10 * H + 45 * 60 and morning.feasible


def test_coaching_that_would_push_the_return_past_the_shift_end_is_dropped():
    starts = [9 * H + k * 900 for k in range(3)]  # back at 09:45, or at 10:00 with the coaching at stop 3
    morning = plan_morning(day_of(starts, shift_end_s=9 * H + 58 * 60), RULES)
    assert morning.coaching_dropped == (DroppedCoaching(stop=2, blocked="shift"),)
    assert morning.end_s == 9 * H + 1800 + 600 + 300 and morning.feasible


def test_the_lunch_keeps_its_place_and_ends_the_ride_along():
    starts = [9 * H, 9 * H + 900, 13 * H + 300]  # lunch 12:00-13:00, then 300 s to the third outlet
    lunch = Lunch(after_stops=2, planned_start_s=12 * H, latest_start_s=12 * H + 1800, duration_s=3600)
    morning = plan_morning(day_of(starts, lunch=lunch), MorningRules(14 * H, 900, 3))
    assert morning.lunch_start_s == 12 * H
    assert morning.supervised == 2 and not morning.stops[2].with_supervisor
    assert morning.end_s == 13 * H + 300 + 600 + 300


# --- invariants ------------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(num_reps=st.integers(2, 8), weeks=st.integers(1, 2), data=st.data())
def test_every_rep_once_per_period_and_never_twice_in_a_row_when_all_work_every_morning(num_reps, weeks, data):
    mornings = 6 * weeks
    weights = tuple(data.draw(st.lists(st.integers(1, 4), min_size=num_reps, max_size=num_reps)))
    result = choice(num_reps, mornings, weights=weights)
    assert (
        set(result.reps) == set(range(num_reps)) if mornings >= num_reps else len(result.missed) == num_reps - mornings
    )
    assert result.repeats == 0 and all(a != b for a, b in zip(result.reps, result.reps[1:]))


@st.composite
def published_days(draw):
    """A feasible published day: stops back to back with random gaps, each inside a window around it."""
    n = draw(st.integers(1, 12))
    time_s, stops = 8 * H + 30 * 60, []
    for _ in range(n):
        travel_s = draw(st.integers(60, 900))
        start_s = time_s + travel_s + draw(st.integers(0, 1800))
        service_s = draw(st.integers(300, 1800))
        slack_s = draw(st.integers(0, 3600))  # how long after this visit the outlet stays open
        opens_s = start_s - draw(st.integers(0, 3600))
        stops.append(DayStop(service_s, travel_s, (TimeWindow(opens_s, start_s + service_s + slack_s),), start_s))
        time_s = start_s + service_s
    return_s = 600
    shift_end_s = time_s + return_s + draw(st.integers(0, 3600))
    return RepDay(start_s=8 * H + 30 * 60, stops=tuple(stops), return_travel_s=return_s, shift_end_s=shift_end_s)


@settings(max_examples=60, deadline=None)
@given(day=published_days(), end_h=st.integers(9, 13), coaching_min=st.integers(0, 60), every=st.integers(1, 4))
def test_the_morning_keeps_the_order_never_starts_early_and_keeps_the_day_feasible(day, end_h, coaching_min, every):
    rules = MorningRules(end_h * H, coaching_min * 60, every)
    morning = plan_morning(day, rules)
    assert morning.feasible  # the published day was feasible: at worst without coaching
    for stop, timed in zip(day.stops, morning.stops):
        assert timed.start_s >= stop.planned_start_s
        assert any(w.start_s <= timed.start_s and timed.departure_s <= w.end_s for w in stop.windows)
    supervised = morning.stops[: morning.supervised]
    assert all(s.with_supervisor for s in supervised) and not any(
        s.with_supervisor for s in morning.stops[morning.supervised :]
    )
    assert all(s.departure_s <= rules.morning_end_s for s in supervised)
    coached = [k for k, s in enumerate(morning.stops) if s.coaching_s]
    assert all(morning.stops[k].coaching_s == rules.coaching_s and k < morning.supervised for k in coached)
    dropped = {d.stop for d in morning.coaching_dropped}
    departures = [s.departure_s for s in supervised]
    if rules.coaching_s:
        assert_coaching_spaced(coached, dropped, every, departures, rules.morning_end_s, rules.coaching_s)
        assert_no_coaching_left_out_where_it_fits(day, rules, morning, coached)
    assert morning.stops == retimed(day, rules, frozenset(coached)).stops
    assert all(a.departure_s <= b.arrival_s for a, b in zip(morning.stops, morning.stops[1:]))


def assert_no_coaching_left_out_where_it_fits(day, rules, morning, coached):
    """From the first due stop on, a supervised stop without coaching could not take it: with the coaching placed
    before it and its own, the (feasible) day would no longer fit, or the stop would end after the morning."""
    due = rules.demonstrate_every - 1
    for stop in range(morning.supervised):
        if stop in coached:
            due = stop + rules.demonstrate_every
        elif stop >= due:
            trial = retimed(day, rules, frozenset(c for c in coached if c < stop) | {stop})
            assert not trial.stops[stop].coaching_s or not trial.feasible, f"coaching fits at stop {stop}"
