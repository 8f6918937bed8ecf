"""The reference comparison's adapters and checker on a week small enough to solve by hand.

Five outlets on a street through the office (location 0), one minute of e-bike per block, two working days of
40 minutes, 10-minute visits: a day holds at most three visits. Outlets 0, 1, 2 lie 1, 2, 3 blocks east,
outlets 3, 4 lie 1 and 2 blocks west. Outlet 0 must be started within 100 s of the shift start and outlet 2
within 300 s, so they cannot share a day (outlet 0 ends at 660 s at the earliest). The shortest week is then
{2, 1} (0 -> 3 -> 2 -> 0 blocks: 6 minutes) and {0, 3, 4} (0 -> 1 -> -1 -> -2 -> 0 blocks: 6 minutes): 720 s.
Without the windows, east {0, 1, 2} and west {3, 4} would take 600 s.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from benchmarks.ref_adapters import ENGINES, engine_expresses
from benchmarks.ref_sample import sample_rep_week
from benchmarks.ref_week import EngineRun, WeekCase, WeekOutlet, check_week, with_fixed_days

BLOCK_S = 60
SHIFT_START_S = 8 * 3600
SERVICE_S = 600
ALL_DAY = (0, 24 * 3600)
POSITIONS = (0, 1, 2, 3, -1, -2)  # blocks from the office, by location


def street_week() -> WeekCase:
    x = np.array(POSITIONS)
    duration_s = np.abs(x[:, None] - x[None, :]).astype(np.int64) * BLOCK_S
    windows = {0: (SHIFT_START_S, SHIFT_START_S + 700), 2: (SHIFT_START_S, SHIFT_START_S + 900)}
    outlets = tuple(
        WeekOutlet(location=i + 1, service_s=SERVICE_S, windows=(windows.get(i, ALL_DAY),)) for i in range(5)
    )
    return WeekCase(
        name="street",
        outlets=outlets,
        duration_s=duration_s,
        distance_m=duration_s * 4,
        working_days=(0, 1),
        shift_start_s=SHIFT_START_S,
        shift_end_s=SHIFT_START_S + 2400,
    )


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_each_engine_finds_the_shortest_feasible_week(engine):
    case = street_week()
    run = ENGINES[engine](case, 1.0, 0)
    check = check_week(case, run)
    assert check.violations == ()
    assert check.unassigned == 0
    assert check.travel_s == 720
    assert {frozenset(r) for r in run.routes} == {frozenset({1, 2}), frozenset({0, 3, 4})}


def two_doors_week() -> WeekCase:
    """Two outlets in one building a block east: one day could serve both (2 blocks of travel), but outlet 0
    is closed on day 0 and outlet 1 on day 1, so each day makes its own trip (4 blocks). Outlet 0's long first
    window closes before anyone can get there; only its afternoon window can be used."""
    duration_s = np.array([[0, BLOCK_S, BLOCK_S], [BLOCK_S, 0, 0], [BLOCK_S, 0, 0]], dtype=np.int64)
    outlets = (
        WeekOutlet(
            location=1,
            service_s=SERVICE_S,
            closed_days=(0,),
            windows=((SHIFT_START_S - 7200, SHIFT_START_S + 30), (SHIFT_START_S + 1200, SHIFT_START_S + 1800)),
        ),
        WeekOutlet(location=2, service_s=SERVICE_S, windows=(ALL_DAY,), closed_days=(1,)),
    )
    return WeekCase(
        name="two doors",
        outlets=outlets,
        duration_s=duration_s,
        distance_m=duration_s * 4,
        working_days=(0, 1),
        shift_start_s=SHIFT_START_S,
        shift_end_s=SHIFT_START_S + 2400,
    )


@pytest.mark.parametrize("engine", sorted(e for e in ENGINES if engine_expresses(e, two_doors_week())))
def test_split_windows_and_closed_days_reach_the_engines_that_take_them(engine):
    case = two_doors_week()
    run = ENGINES[engine](case, 1.0, 0)
    check = check_week(case, run)
    assert check.violations == ()
    assert run.routes == ((1,), (0,))
    assert check.travel_s == 4 * BLOCK_S


def test_pyvrp_is_not_given_a_week_it_cannot_express():
    assert not engine_expresses("pyvrp", two_doors_week())
    with pytest.raises(ValueError, match="one window per client"):
        ENGINES["pyvrp"](two_doors_week(), 1.0, 0)


def test_checker_rejects_a_visit_on_a_closed_day_and_waits_for_the_window_that_fits():
    case = two_doors_week()
    check = check_week(case, EngineRun("bad", routes=((1, 0), ()), unassigned=(), runtime_s=0.0))
    # outlet 1 08:01-08:11, then outlet 0 waits for its 08:20 window (its first one is over), back at 08:31
    assert check.violations == ("day 0: outlet 0 is closed that day",)
    assert check.travel_s == 2 * BLOCK_S


def test_checker_recomputes_travel_from_the_matrix():
    case = street_week()
    run = EngineRun("hand", routes=((2, 1), (0, 4, 3)), unassigned=(), runtime_s=0.0)
    # day 0: 0 -> 3 -> 2 -> 0 blocks = 6; day 1: 0 -> 1 -> -2 -> -1 -> 0 blocks = 1 + 3 + 1 + 1 = 6
    check = check_week(case, run)
    assert check.feasible
    assert check.travel_s == 720


def test_checker_rejects_a_visit_that_cannot_start_in_its_window():
    case = street_week()
    check = check_week(case, EngineRun("bad", routes=((0, 1, 2), (3, 4)), unassigned=(), runtime_s=0.0))
    assert not check.feasible
    assert any("outlet 2 reached at" in v for v in check.violations)
    assert check.travel_s == 600


def test_checker_rejects_a_day_that_ends_after_the_shift():
    case = street_week()
    check = check_week(case, EngineRun("bad", routes=((2, 1, 3, 4), (0,)), unassigned=(), runtime_s=0.0))
    assert any("after the shift end" in v for v in check.violations)


def test_checker_rejects_double_and_silently_missing_visits():
    case = street_week()
    check = check_week(case, EngineRun("bad", routes=((2, 1), (0, 3, 1)), unassigned=(), runtime_s=0.0))
    assert any("outlet 1 visited on day 0 and again on day 1" in v for v in check.violations)
    assert any("neither routed nor reported unplaced: [4]" in v for v in check.violations)
    assert check.unassigned == 1


def test_checker_accepts_an_outlet_reported_unplaced():
    case = street_week()
    check = check_week(case, EngineRun("ok", routes=((2, 1), (0, 3)), unassigned=(4,), runtime_s=0.0))
    assert check.feasible
    assert check.unassigned == 1
    assert check.travel_s == 360 + 4 * BLOCK_S


def test_checker_counts_the_trip_to_a_different_end_and_nothing_for_an_unused_day():
    case = replace(street_week(), end=1)  # days end at outlet 0's corner, one block east
    check = check_week(case, EngineRun("ok", routes=((2, 1), ()), unassigned=(0, 3, 4), runtime_s=0.0))
    assert check.feasible
    assert check.travel_s == (3 + 1 + 1) * BLOCK_S  # 0 -> 3 -> 2 -> 1 blocks; the empty day adds nothing


TINY_OFFICE = Path(__file__).resolve().parents[2] / "sample_routes" / "tiny"
H = 3600


def test_sample_week_keeps_one_window_open_on_every_working_day():
    # TINY-R01 (office to office, Mon-Sat 08:30-17:30) has three weekly outlets: a grocery 07:00-21:00, a
    # convenience store 00:00-23:59, and a school shop closed on Saturday, which one window cannot express.
    case = sample_rep_week(TINY_OFFICE)
    assert "TINY-R01" in case.name and "2 of 3" in case.name
    assert [o.windows for o in case.outlets] == [((7 * H, 21 * H),), ((0, 24 * H - 60),)]
    assert [o.service_s for o in case.outlets] == [600, 600]
    assert (case.start, case.end, case.working_days) == (0, 0, (0, 1, 2, 3, 4, 5))
    assert (case.shift_start_s, case.shift_end_s) == (8 * H + 1800, 17 * H + 1800)
    assert case.single_window_every_day()


def test_sample_week_with_split_windows_keeps_closed_days_and_both_restaurant_windows():
    school_shop = sample_rep_week(TINY_OFFICE, split_windows=True).outlets[2]
    assert school_shop.windows == ((7 * H + 1800, 16 * H + 1800),)
    assert school_shop.closed_days == (5,)
    # TINY-R02 walks from home to the office, Mon-Fri; the restaurant opens 10:00-11:00 and 14:00-16:30.
    case = sample_rep_week(TINY_OFFICE, "TINY-R02", split_windows=True)
    assert (case.start, case.end, case.working_days) == (0, 1, (0, 1, 2, 3, 4))
    assert case.outlets[2].windows == ((10 * H, 11 * H), (14 * H, 16 * H + 1800))
    assert not case.single_window_every_day()
    one_window = sample_rep_week(TINY_OFFICE, "TINY-R02")
    assert one_window.outlets[2].windows == ((14 * H, 16 * H + 1800),)  # the longer one


def test_fixed_days_are_kept_by_every_engine_and_checked():
    # Outlets 0 and 3 fixed to day 0, the rest to day 1: day 0 goes 0 -> 1 -> -1 -> 0 blocks (4), day 1
    # 0 -> 3 -> 2 -> -2 -> 0 blocks (3 + 1 + 4 + 2 = 10; outlet 2 first, for its early window).
    case = with_fixed_days(street_week(), [0, 1, 1, 0, 1], "by hand")
    assert case.days_fixed() and len(case.outlets) == 5
    for engine in sorted(ENGINES):
        assert engine_expresses(engine, case)
        run = ENGINES[engine](case, 1.0, 0)
        check = check_week(case, run)
        assert check.violations == (), engine
        assert {frozenset(r) for r in run.routes} == {frozenset({0, 3}), frozenset({1, 2, 4})}, engine
        assert check.travel_s == 14 * BLOCK_S, engine
    wrong_day = check_week(case, EngineRun("bad", routes=((0, 3, 4), (2, 1)), unassigned=(), runtime_s=0.0))
    assert wrong_day.violations == ("day 0: outlet 4 is fixed to day 1",)


def test_fixed_days_leave_out_outlets_without_a_day_and_let_pyvrp_take_closed_days():
    case = with_fixed_days(two_doors_week(), [None, 0], "by hand")
    assert [o.fixed_day for o in case.outlets] == [0]
    assert engine_expresses("pyvrp", replace(case, outlets=(replace(case.outlets[0], windows=(ALL_DAY,)),)))
    with pytest.raises(ValueError, match="fixed to day 0, not an open working day"):
        with_fixed_days(two_doors_week(), [0, 1], "by hand")  # outlet 0 is closed on day 0
