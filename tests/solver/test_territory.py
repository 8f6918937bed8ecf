"""Territory proposals on a small office whose answers can be checked by hand.

The office (at the origin) has 36 weekly outlets on a 6 x 6 grid, 300 m apart, 10 minutes each. Its two reps
work Mondays and Tuesdays, 08:00-10:00 without a break: 4 hours a week, about 20 of these outlets each. Rep 0
holds the five western columns (30 outlets: too many, some visits left out), rep 1 the eastern one (6).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from geo.travel import travel_model
from solver.model import SolveParams, Vehicle
from solver.territory import (
    SequentialPlanner,
    TerritoryOptions,
    TerritoryOutlet,
    TerritoryProblem,
    TerritoryRep,
    propose,
    rep_counts,
)
from solver.territory.rep_cycle import rep_cycle

OFFICE = (121.40, 31.10)
STEP_DEG = 0.003  # about 300 m
COLUMNS = ROWS = 6
SERVICE_S = 600
QUICK = dict(time_limit_s=30, eval_time_limit_s=0.3, final_time_limit_s=0.5)


def rep(weeks: int = 4) -> TerritoryRep:
    days = [
        Vehicle(day=7 * w + d, start=0, end=1, shift_start_s=8 * 3600, shift_end_s=10 * 3600)
        for w in range(weeks)
        for d in (0, 1)
    ]
    return TerritoryRep(start=0, end=0, vehicles=tuple(days))


def office(reps: int = 2, eastern_columns: int = 1, locked: frozenset[int] = frozenset()) -> TerritoryProblem:
    points = [OFFICE] + [
        (OFFICE[0] + (c - 2.5) * STEP_DEG, OFFICE[1] + 0.004 + r * STEP_DEG)
        for c in range(COLUMNS)
        for r in range(ROWS)
    ]
    matrix = travel_model("ebike").matrix(np.array(points))
    outlets = tuple(
        TerritoryOutlet(
            location=1 + i,
            service_s=SERVICE_S,
            visits_per_cycle=4,
            rep=0 if i // ROWS < COLUMNS - eastern_columns else 1,
            locked=i in locked,
        )
        for i in range(COLUMNS * ROWS)
    )
    return TerritoryProblem(
        outlets=outlets,
        reps=tuple(rep() for _ in range(reps)),
        weeks=4,
        duration_s=(matrix.duration_s,),
        distance_m=(matrix.distance_m,),
    )


def test_an_overloaded_rep_hands_outlets_to_its_neighbour_until_every_visit_is_placed_and_workloads_balance():
    problem = office()
    before = SequentialPlanner()([rep_cycle(problem, 0, range(30))], SolveParams(0.5))[0]
    assert before.unplaced, "the western rep's 30 outlets do not fit its 4 hours a week"

    answer = propose(problem, TerritoryOptions(**QUICK))

    assert answer.all_placed
    assert sum(load.visits_placed for load in answer.loads) == 36 * 4
    assert answer.workload_ratio <= 1.10
    assert sorted(answer.rep_of.count(r) for r in (0, 1)) != [6, 30]
    for r, solution in enumerate(answer.solutions):  # the cycles reported are those of the proposed territories
        assert len(solution.patterns) == answer.rep_of.count(r)


def test_a_free_proposal_untangles_interleaved_territories_travelling_less():
    tangled = office()
    tangled = replace(
        tangled, outlets=tuple(replace(o, rep=(i // ROWS) % 2) for i, o in enumerate(tangled.outlets))
    )  # the reps take every other column: 18 outlets each, both fit, but each crosses the other's streets
    planner = SequentialPlanner()
    before = planner(
        [rep_cycle(tangled, r, [i for i, o in enumerate(tangled.outlets) if o.rep == r]) for r in (0, 1)],
        SolveParams(0.5),
    )

    answer = propose(tangled, TerritoryOptions(**QUICK))

    assert answer.all_placed
    assert answer.workload_ratio <= 1.10
    assert sum(load.travel_s for load in answer.loads) < sum(solution.travel_s for solution in before)


def test_the_keep_share_is_honoured():
    problem = office()
    answer = propose(problem, TerritoryOptions(keep_share=0.65, **QUICK))  # up to 12 outlets may move: enough
    kept = sum(1 for i, o in enumerate(problem.outlets) if answer.rep_of[i] == o.rep)
    assert kept >= 0.65 * 36
    assert answer.kept == kept and answer.keep_share >= 0.65
    assert answer.all_placed

    tight = propose(problem, TerritoryOptions(keep_share=0.9, **QUICK))  # 3 may move: some visits stay out
    assert tight.kept >= 0.9 * 36
    assert not tight.all_placed


def test_locked_outlets_stay_with_their_rep():
    locked = frozenset(range(12, 30))  # the three western columns nearest the eastern rep stay with rep 0
    problem = office(locked=locked)
    answer = propose(problem, TerritoryOptions(**QUICK))
    assert all(answer.rep_of[i] == 0 for i in locked)


def test_the_fewest_moves_place_every_visit_moving_only_a_few_outlets():
    problem = office()
    answer = propose(problem, TerritoryOptions(fewest_moves=True, **QUICK))
    assert answer.all_placed
    assert 36 - answer.kept <= 14  # a free split would move 12; placing everything needs about 10


def test_the_rep_count_answer_is_the_smallest_count_that_places_every_visit():
    problem = office(eastern_columns=3)
    answer = rep_counts(problem, range(1, 4), rep(), TerritoryOptions(**QUICK))
    assert [len(row.reps) for row in answer.rows] == [1, 2, 3]
    assert not answer.rows[0].answer.all_placed  # 36 outlets do not fit one rep's 4 hours a week
    assert answer.smallest is answer.rows[1]
    assert answer.rows[2].reps == (0, 1, None)  # a third rep is a new one
    assert sum(1 for r in answer.rows[2].answer.rep_of if r == 2) > 0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (dict(keep_share=1.5), "keep_share"),
        (dict(balance_tolerance=0), "balance_tolerance"),
        (dict(time_limit_s=0), "time_limit_s"),
    ],
)
def test_bad_options_name_the_field(options, field):
    with pytest.raises(ValueError, match=field):
        TerritoryOptions(**options)


def test_an_outlet_locked_to_no_rep_is_refused():
    with pytest.raises(ValueError, match="outlet 0: locked to no rep"):
        TerritoryProblem(
            outlets=(TerritoryOutlet(location=1, service_s=60, visits_per_cycle=4, locked=True),),
            reps=(rep(),),
            weeks=4,
            duration_s=(np.zeros((2, 2), dtype=np.int64),),
            distance_m=(np.zeros((2, 2), dtype=np.int64),),
        )
