"""The one place that turns stored rows into solver problems and solver answers back into stored rows.

A rep's cycle becomes one solver Problem: location 0 is where the rep starts the day, location 1 where the
rep ends it (the office or home), locations 2.. are the rep's active outlets in the order given. Every working
day of the cycle is one Vehicle (day = 7 * week + weekday) run by the same crew, so an outlet keeps its rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.travel import TravelMatrix, travel_model
from service.core.tables import Office, Outlet, Place, PlanDay, PlanUnplaced, PlanVisit, Rep, UnplacedReason, stored_id
from service.core.time_of_day import WEEKDAYS
from solver.model import Break, Client, Problem, Solution, TimeWindow, Vehicle
from solver.patterns import cycle_patterns
from solver.ride_along import FIRST_CANDIDATE_LOCATION, DayStop, Lunch, RepDay, SpotCandidate, SpotCheckProblem

START_LOCATION, END_LOCATION, FIRST_OUTLET_LOCATION = 0, 1, 2  # the day's start place, end place, then outlets

# Cost of a second of spread between a rep's busiest and lightest working day, against a second of travel: high
# enough that no working day is left empty, low enough not to cost travel (benchmarks/RESULTS.md, "Layout").
BALANCE_WEIGHT = 3


class MissingHomeLocation(ValueError):
    """A rep starts or ends at home but has no home coordinates."""

    def __init__(self, rep: Rep) -> None:
        super().__init__(f"rep {rep.code} starts or ends at home but home_lon/home_lat are not set")
        self.rep_code = rep.code


@dataclass(frozen=True)
class RepProblem:
    """A rep's solver problem with the ids needed to store its answer (picklable for worker processes)."""

    rep_id: int
    outlet_ids: tuple[int, ...]  # client index -> outlet id
    problem: Problem


def visits_required(outlet: Outlet, weeks: int) -> int:
    """Visits an outlet needs over a cycle of `weeks` weeks (its frequency is per four weeks)."""
    return outlet.visits_per_cycle * weeks // 4


def place_lonlat(place: Place, office: Office, rep: Rep) -> tuple[float, float]:
    if place == Place.OFFICE:
        return office.lon, office.lat
    if rep.home_lon is None or rep.home_lat is None:
        raise MissingHomeLocation(rep)
    return rep.home_lon, rep.home_lat


def weekday_windows(opening_hours: dict[str, list[list[int]]], weekday: int) -> tuple[TimeWindow, ...]:
    """The outlet's opening windows on a weekday (0 = Monday); empty when it is closed."""
    return tuple(TimeWindow(int(s), int(e)) for s, e in opening_hours.get(WEEKDAYS[weekday], []))


def day_windows(opening_hours: dict[str, list[list[int]]], num_days: int) -> tuple[tuple[TimeWindow, ...], ...]:
    """The outlet's opening windows on every day of the cycle, from its weekly opening hours."""
    weekly = [weekday_windows(opening_hours, weekday) for weekday in range(7)]
    return tuple(weekly[day % 7] for day in range(num_days))


def rep_vehicles(rep: Rep, weeks: int) -> tuple[Vehicle, ...]:
    """One vehicle per working day of the cycle, each with the rep's shift and lunch break."""
    # The table keeps the lunch as the window the whole break must lie in; the solver wants its latest start.
    lunch = Break(
        earliest_start_s=rep.lunch_earliest_s,
        latest_start_s=rep.lunch_latest_s - rep.lunch_s,
        duration_s=rep.lunch_s,
    )
    return tuple(
        Vehicle(
            day=7 * week + weekday,
            start=0,
            end=1,
            shift_start_s=rep.shift_start_s,
            shift_end_s=rep.shift_end_s,
            breaks=(lunch,),
            crew=0,
        )
        for week in range(weeks)
        for weekday in sorted(set(rep.working_days))
    )


def rep_points(office: Office, rep: Rep, outlets: list[Outlet]) -> np.ndarray:
    """The [lon, lat] of the rep's problem locations: start place, end place, then the outlets in order."""
    return np.array(
        [place_lonlat(rep.start_place, office, rep), place_lonlat(rep.end_place, office, rep)]
        + [(o.lon, o.lat) for o in outlets],
        dtype=float,
    )


def rep_problem(
    office: Office, rep: Rep, outlets: list[Outlet], weeks: int, matrix: TravelMatrix | None = None
) -> RepProblem:
    """The solver problem of one rep's cycle over the given (active, assigned) outlets.

    `matrix` is the travel between `rep_points` (the plan's engine, service/plans/travel.py); None means straight-line
    times at the rep's speed."""
    num_days = 7 * weeks
    if matrix is None:
        matrix = travel_model(str(rep.travel_mode), rep.speed_kmh).matrix(rep_points(office, rep, outlets))
    clients = tuple(
        Client(
            location=FIRST_OUTLET_LOCATION + i,
            service_s=o.service_s,
            patterns=cycle_patterns(o.visits_per_cycle, rep.working_days, weeks),
            windows=day_windows(o.opening_hours, num_days),
        )
        for i, o in enumerate(outlets)
    )
    problem = Problem(
        num_days=num_days,
        clients=clients,
        vehicles=rep_vehicles(rep, weeks),
        duration_s=np.asarray(matrix.duration_s, dtype=np.int64),
        distance_m=np.asarray(matrix.distance_m, dtype=np.int64),
        consistent=True,
        balance_weight=BALANCE_WEIGHT,
    )
    return RepProblem(rep_id=stored_id(rep), outlet_ids=tuple(stored_id(o) for o in outlets), problem=problem)


@dataclass
class PlanRows:
    """Rows of one plan, ready to be added to a session."""

    days: list[PlanDay]
    visits: list[PlanVisit]
    unplaced: list[PlanUnplaced]


def solution_rows(plan_id: int, rep_problem: RepProblem, solution: Solution) -> PlanRows:
    """A rep's solved cycle as PlanDay, PlanVisit (seq 1..k per day) and PlanUnplaced rows."""
    problem = rep_problem.problem
    rows = PlanRows(days=[], visits=[], unplaced=[])
    for route in solution.routes:
        day = problem.vehicles[route.vehicle].day
        lunch = route.breaks[0] if route.breaks else None
        service_s = sum(problem.clients[s.client].service_s for s in route.stops)
        rows.days.append(
            PlanDay(
                plan_id=plan_id,
                rep_id=rep_problem.rep_id,
                day=day,
                start_s=route.start_s,
                end_s=route.end_s,
                travel_s=route.travel_s,
                distance_m=route.distance_m,
                service_s=service_s,
                lunch_start_s=lunch.start_s if lunch else None,
                lunch_after_stops=lunch.after_stops if lunch else None,
                idle_s=route.end_s
                - route.start_s
                - route.travel_s
                - service_s
                - sum(b.duration_s for b in route.breaks),
            )
        )
        rows.visits.extend(
            PlanVisit(
                plan_id=plan_id,
                rep_id=rep_problem.rep_id,
                day=day,
                seq=seq,
                outlet_id=rep_problem.outlet_ids[stop.client],
                arrival_s=stop.arrival_s,
                start_s=stop.start_s,
                departure_s=stop.departure_s,
                travel_s=stop.travel_s,
                distance_m=stop.distance_m,
            )
            for seq, stop in enumerate(route.stops, start=1)
        )
    rows.unplaced.extend(
        PlanUnplaced(
            plan_id=plan_id,
            rep_id=rep_problem.rep_id,
            outlet_id=rep_problem.outlet_ids[u.client],
            reason=UnplacedReason(u.reason.value),
            detail=u.detail[:400],
        )
        for u in solution.unplaced
    )
    return rows


def unassigned_rows(plan_id: int, outlets: list[Outlet], reps_by_id: dict[int, Rep]) -> list[PlanUnplaced]:
    """Active outlets the solver never sees: no rep assigned, or their rep is not active."""
    rows = []
    for o in outlets:
        rep = reps_by_id.get(o.rep_id) if o.rep_id is not None else None
        if o.rep_id is None:
            rows.append(
                PlanUnplaced(
                    plan_id=plan_id,
                    rep_id=None,
                    outlet_id=stored_id(o),
                    reason=UnplacedReason.NO_REP,
                    detail=f"outlet {o.code} has no rep assigned",
                )
            )
        elif rep is None:
            rows.append(
                PlanUnplaced(
                    plan_id=plan_id,
                    rep_id=None,
                    outlet_id=stored_id(o),
                    reason=UnplacedReason.NO_REP,
                    detail=f"outlet {o.code} is assigned to rep id {o.rep_id}, not a rep of its office",
                )
            )
        elif not rep.active:
            rows.append(
                PlanUnplaced(
                    plan_id=plan_id,
                    rep_id=rep.id,
                    outlet_id=stored_id(o),
                    reason=UnplacedReason.REP_INACTIVE,
                    detail=f"rep {rep.code} is not active",
                )
            )
    return rows


# --- ride-alongs (solver.ride_along) ---------------------------------------------------------------------------


def ride_along_rep_day(rep: Rep, route: PlanDay, stops: list[tuple[PlanVisit, Outlet]], weekday: int) -> RepDay:
    """A rep's published day (one PlanDay and its visits in order) as the ride-along morning model sees it:
    the stored travel legs and times, today's opening windows, the lunch at its place in the sequence."""
    lunch = None
    if route.lunch_start_s is not None:
        lunch = Lunch(
            after_stops=route.lunch_after_stops or 0,
            planned_start_s=route.lunch_start_s,
            latest_start_s=rep.lunch_latest_s - rep.lunch_s,
            duration_s=rep.lunch_s,
        )
    return RepDay(
        start_s=route.start_s,
        stops=tuple(
            DayStop(
                service_s=o.service_s,
                travel_s=v.travel_s,
                windows=weekday_windows(o.opening_hours, weekday),
                planned_start_s=v.start_s,
            )
            for v, o in stops
        ),
        return_travel_s=route.travel_s - sum(v.travel_s for v, _ in stops),
        shift_end_s=rep.shift_end_s,
        lunch=lunch,
    )


@dataclass(frozen=True)
class SpotCheckInput:
    """A candidate outlet for the afternoon spot checks, with what checking it is worth."""

    outlet: Outlet
    rep_index: int
    value_s: int  # in seconds of supervisor travel


def spot_check_problem(
    start_lonlat: tuple[float, float],
    office: Office,
    candidates: list[SpotCheckInput],
    *,
    weekday: int,
    check_s: int,
    start_s: int,
    end_by_s: int,
    rep_bonus_s: int,
    travel_mode: str,
) -> tuple[SpotCheckProblem, np.ndarray]:
    """The spot-check problem (location 0 where the supervisor starts, 1 the office, 2.. the candidates in the
    order given) and the distance matrix in metres, for reporting the route."""
    lonlat = np.array(
        [start_lonlat, (office.lon, office.lat)] + [(c.outlet.lon, c.outlet.lat) for c in candidates], dtype=float
    )
    matrix = travel_model(travel_mode).matrix(lonlat)
    problem = SpotCheckProblem(
        duration_s=np.asarray(matrix.duration_s, dtype=np.int64),
        candidates=tuple(
            SpotCandidate(
                location=FIRST_CANDIDATE_LOCATION + i,
                service_s=check_s,
                windows=weekday_windows(c.outlet.opening_hours, weekday),
                value=c.value_s,
                rep=c.rep_index,
            )
            for i, c in enumerate(candidates)
        ),
        start_s=start_s,
        end_by_s=end_by_s,
        rep_bonus=rep_bonus_s,
    )
    return problem, np.asarray(matrix.distance_m, dtype=np.int64)
