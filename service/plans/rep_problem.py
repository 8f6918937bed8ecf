"""Reps' solver problems, built in one place for a plan and for a line cleanup's fold: each rep's travel on its
engine, the outlets no road reaches left out with their reason, the matrix cut to the outlets kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from geo.travel import TravelMatrix
from service.core.errors import InvalidInput
from service.core.tables import Office, Outlet, PlanUnplaced, Rep, UnplacedReason, stored_id
from service.plans.convert import (
    END_LOCATION,
    FIRST_OUTLET_LOCATION,
    START_LOCATION,
    MissingHomeLocation,
    RepProblem,
    rep_points,
    rep_problem,
)
from service.plans.travel import EngineChoice, OfficeTravel


@dataclass(frozen=True)
class RoadLost:
    """An outlet left out before the solver: no road joins it to the rep's day."""

    rep_id: int
    outlet_id: int
    detail: str

    def row(self, plan_id: int) -> PlanUnplaced:
        return PlanUnplaced(
            plan_id=plan_id,
            rep_id=self.rep_id,
            outlet_id=self.outlet_id,
            reason=UnplacedReason.UNREACHABLE,
            detail=self.detail[:400],
        )


@dataclass
class RepProblems:
    """Some reps' problems, the outlets left out of them, and the plan's travel KPIs for these reps: the engine of
    every rep, the outlets no road reaches and those far from any road with their snap distances."""

    problems: list[RepProblem] = field(default_factory=list)
    lost: list[RoadLost] = field(default_factory=list)
    travel: dict = field(default_factory=lambda: {"engines": {}, "unreachable": [], "far_from_road": []})


def rep_problems(
    office: Office,
    reps_outlets: Iterable[tuple[Rep, list[Outlet]]],
    weeks: int,
    engine_choice: EngineChoice = EngineChoice.CONFIGURED,
) -> RepProblems:
    """The problems of the given reps over the given outlets (active, assigned to them), on their engines' times.

    Raises EngineUnavailable when an engine fails, InvalidInput for a place outside its map or a rep without a
    home."""
    built = RepProblems()
    with OfficeTravel(office, engine_choice) as travel:
        for rep, outlets in reps_outlets:
            try:
                points = rep_points(office, rep, outlets)
            except MissingHomeLocation as e:
                raise InvalidInput(str(e), ("reps", e.rep_code, "home_lon")) from e
            times = travel.rep_travel(rep, points, [o.code for o in outlets])
            built.travel["engines"][rep.code] = times.engine
            for i, snap_m in times.far_from_road:
                built.travel["far_from_road"].append(
                    {"outlet_code": outlets[i].code, "rep_code": rep.code, "snap_m": round(snap_m, 1)}
                )
            for i in times.unreachable:
                o = outlets[i]
                built.travel["unreachable"].append({"outlet_code": o.code, "rep_code": rep.code})
                built.lost.append(
                    RoadLost(
                        stored_id(rep),
                        stored_id(o),
                        f"outlet {o.code}: no road route from the start of rep {rep.code}'s day, back to its end, "
                        f"or to and from most of the rep's other outlets on {times.engine}",
                    )
                )
            kept = sorted(set(range(len(outlets))) - set(times.unreachable))
            rows = np.array([START_LOCATION, END_LOCATION] + [FIRST_OUTLET_LOCATION + i for i in kept])
            matrix = TravelMatrix(
                duration_s=times.matrix.duration_s[np.ix_(rows, rows)],
                distance_m=times.matrix.distance_m[np.ix_(rows, rows)],
            )
            built.problems.append(rep_problem(office, rep, [outlets[i] for i in kept], weeks, matrix))
    return built
