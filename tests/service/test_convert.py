"""Rows to solver problem and back, on a hand-made rep with three outlets (no database, no solver)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core import tables
from service.core.tables import Office, Outlet, Place, Rep
from service.plans.convert import (
    MissingHomeLocation,
    rep_problem,
    solution_rows,
    unassigned_rows,
    visits_required,
)
from solver.model import BreakTaken, Route, Solution, Stop, TimeWindow, Unplaced, UnplacedReason
from solver.patterns import cycle_patterns

H = 3600
OFFICE = Office(id=1, code="O1", name="office", lon=121.40, lat=31.10)


def make_rep(**changes) -> Rep:
    fields = dict(
        id=7,
        office_id=1,
        code="R7",
        name="rep",
        working_days=[0, 1, 2, 3, 4],
        shift_start_s=8 * H,
        shift_end_s=17 * H,
        lunch_earliest_s=11 * H,
        lunch_latest_s=14 * H,
        lunch_s=H,
        travel_mode="ebike",
    )
    return Rep(**(fields | changes))


def make_outlet(id: int, lon: float, visits: int, hours: dict, rep_id: int | None = 7) -> Outlet:
    return Outlet(
        id=id,
        office_id=1,
        code=f"C{id}",
        name=f"outlet {id}",
        channel="grocery",
        lon=lon,
        lat=31.10,
        service_s=600,
        visits_per_cycle=visits,
        opening_hours=hours,
        rep_id=rep_id,
    )


WEEKDAYS_9_TO_18 = {k: [[9 * H, 18 * H]] for k in ("mon", "tue", "wed", "thu", "fri")}
RESTAURANT = {"mon": [[10 * H, 11 * H], [14 * H, 17 * H]], "wed": [[14 * H, 17 * H]]}  # closed other days
OUTLETS = [
    make_outlet(11, 121.41, 4, WEEKDAYS_9_TO_18),
    make_outlet(12, 121.42, 8, WEEKDAYS_9_TO_18),
    make_outlet(13, 121.43, 2, RESTAURANT),
]


def test_one_vehicle_per_working_day_with_shift_and_lunch():
    problem = rep_problem(OFFICE, make_rep(), OUTLETS, weeks=4).problem
    assert problem.num_days == 28
    assert [v.day for v in problem.vehicles] == [7 * w + d for w in range(4) for d in range(5)]
    for v in problem.vehicles:
        assert (v.start, v.end, v.crew) == (0, 1, 0)
        assert (v.shift_start_s, v.shift_end_s) == (8 * H, 17 * H)
        (lunch,) = v.breaks
        # the whole hour lies in 11:00-14:00, so it starts at 13:00 at the latest
        assert (lunch.earliest_start_s, lunch.latest_start_s, lunch.duration_s) == (11 * H, 13 * H, H)
    assert problem.consistent


def test_clients_carry_patterns_windows_and_service():
    problem = rep_problem(OFFICE, make_rep(), OUTLETS, weeks=4).problem
    weekly, twice_weekly, restaurant = problem.clients
    assert [c.location for c in problem.clients] == [2, 3, 4]
    assert weekly.patterns == cycle_patterns(4, [0, 1, 2, 3, 4], 4)
    assert twice_weekly.patterns == cycle_patterns(8, [0, 1, 2, 3, 4], 4)
    assert restaurant.service_s == 600
    assert restaurant.windows[0] == (TimeWindow(10 * H, 11 * H), TimeWindow(14 * H, 17 * H))
    assert restaurant.windows[7 + 2] == (TimeWindow(14 * H, 17 * H),)  # Wednesday of week 2
    assert restaurant.windows[1] == () and restaurant.windows[5] == ()  # closed Tuesday and Saturday


def test_matrix_runs_from_office_to_outlets_and_grows_with_distance():
    problem = rep_problem(OFFICE, make_rep(), OUTLETS, weeks=4).problem
    d = problem.distance_m
    assert d.shape == (5, 5)
    assert d[0, 1] == 0  # starts and ends at the office
    assert 0 < d[0, 2] < d[0, 3] < d[0, 4]  # outlets lie 0.01, 0.02, 0.03 degrees east of the office


def test_home_start_uses_home_coordinates_and_needs_them():
    rep = make_rep(start_place=Place.HOME, home_lon=121.43, home_lat=31.10)
    problem = rep_problem(OFFICE, rep, OUTLETS, weeks=4).problem
    assert problem.distance_m[0, 4] == 0  # home is where outlet 13 is
    with pytest.raises(MissingHomeLocation, match="R7"):
        rep_problem(OFFICE, make_rep(end_place=Place.HOME), OUTLETS, weeks=4)


def test_solution_becomes_numbered_visits_days_and_unplaced():
    rp = rep_problem(OFFICE, make_rep(), OUTLETS, weeks=4)
    route = Route(
        vehicle=6,  # week 2, Tuesday
        stops=(
            Stop(client=1, arrival_s=9 * H, start_s=9 * H, departure_s=9 * H + 600, travel_s=300, distance_m=1250),
            Stop(client=0, arrival_s=10 * H, start_s=10 * H, departure_s=10 * H + 600, travel_s=200, distance_m=800),
        ),
        breaks=(BreakTaken(start_s=12 * H, duration_s=H, after_stops=2),),
        start_s=9 * H - 300,
        end_s=13 * H + 400,
        travel_s=900,
        distance_m=3600,
    )
    solution = Solution(
        routes=(route,),
        patterns=((8,), (8, 11), None),
        unplaced=(Unplaced(2, UnplacedReason.NO_WINDOW_IN_SHIFT, "closes before the shift"),),
        travel_s=900,
        distance_m=3600,
        runtime_s=0.1,
    )
    rows = solution_rows(plan_id=5, rep_problem=rp, solution=solution)
    (day,) = rows.days
    assert (day.plan_id, day.rep_id, day.day, day.travel_s, day.service_s) == (5, 7, 8, 900, 1200)
    assert (day.lunch_start_s, day.lunch_after_stops) == (12 * H, 2)
    assert [(v.seq, v.outlet_id, v.day, v.travel_s) for v in rows.visits] == [(1, 12, 8, 300), (2, 11, 8, 200)]
    (unplaced,) = rows.unplaced
    assert (unplaced.outlet_id, unplaced.reason, unplaced.rep_id) == (13, "no_window_in_shift", 7)


def test_outlets_without_an_active_rep_are_unplaced_with_their_reason():
    reps = {7: make_rep(), 8: make_rep(id=8, code="R8", active=False)}
    outlets = [
        make_outlet(21, 121.41, 4, WEEKDAYS_9_TO_18, rep_id=None),
        make_outlet(22, 121.41, 4, WEEKDAYS_9_TO_18, rep_id=8),
        make_outlet(23, 121.41, 4, WEEKDAYS_9_TO_18, rep_id=7),
    ]
    rows = unassigned_rows(plan_id=5, outlets=outlets, reps_by_id=reps)
    assert [(u.outlet_id, u.reason) for u in rows] == [
        (21, tables.UnplacedReason.NO_REP),
        (22, tables.UnplacedReason.REP_INACTIVE),
    ]


def test_visits_required_scale_with_cycle_length():
    assert visits_required(OUTLETS[1], weeks=4) == 8
    assert visits_required(OUTLETS[2], weeks=8) == 4


day_hours = st.lists(st.tuples(st.integers(0, 23), st.integers(1, 4)), max_size=2).map(
    lambda ws: [[h * H, min(h + n, 24) * H] for h, n in ws]
)


@settings(max_examples=40, deadline=None)
@given(
    working_days=st.sets(st.integers(0, 6), min_size=1),
    weeks=st.sampled_from([4, 8]),
    hours=st.fixed_dictionaries({k: day_hours for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
)
def test_cycle_days_follow_the_weekly_calendar(working_days, weeks, hours):
    rep = make_rep(working_days=sorted(working_days))
    problem = rep_problem(OFFICE, rep, [make_outlet(31, 121.41, 4, hours)], weeks=weeks).problem
    assert sorted(v.day for v in problem.vehicles) == sorted(7 * w + d for w in range(weeks) for d in working_days)
    (client,) = problem.clients
    for day, windows in enumerate(client.windows):
        weekday_hours = hours[("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day % 7]]
        assert [(w.start_s, w.end_s) for w in windows] == [tuple(w) for w in weekday_hours]
    assert all(d % 7 in working_days for pattern in client.patterns for d in pattern)


def test_every_reason_the_solver_gives_is_one_a_plan_stores():
    assert {r.value for r in UnplacedReason} <= {r.value for r in tables.UnplacedReason}
