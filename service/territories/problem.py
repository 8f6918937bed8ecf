"""An office's reps and active outlets as the solver's territory problem (solver.territory), built from the same
pieces as a rep's plan (service/plans/convert.py: the working days with their lunch, the opening windows) on the
office's travel engines (service/plans/travel.py), one travel matrix per travel mode and speed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.core.errors import InvalidInput
from service.core.tables import Office, Outlet, Place, Rep, TravelMode, stored_id
from service.plans.convert import BALANCE_WEIGHT, MissingHomeLocation, day_windows, place_lonlat, rep_vehicles
from service.plans.travel import EngineChoice, OfficeTravel
from solver.territory import TerritoryOutlet, TerritoryProblem, TerritoryRep


@dataclass(frozen=True)
class OfficeTerritories:
    """The territory problem with the rows its indices stand for."""

    problem: TerritoryProblem
    reps: list[Rep]  # problem.reps[k] is reps[k]
    outlets: list[Outlet]  # problem.outlets[i] is outlets[i]
    new_rep: TerritoryRep  # a rep added for a what-if: the office's shift, from the office and back


def new_rep_like(office: Office, reps: list[Rep]) -> Rep:
    """An unsaved rep with the office's day (shift, lunch, Monday to Saturday), from the office and back, on the
    travel mode most of the office's reps use."""
    modes = [r.travel_mode for r in reps] or [TravelMode.EBIKE]
    return Rep(
        office_id=stored_id(office),
        code="NEW",
        name="",
        start_place=Place.OFFICE,
        end_place=Place.OFFICE,
        shift_start_s=office.shift_start_s,
        shift_end_s=office.shift_end_s,
        lunch_earliest_s=office.lunch_earliest_s,
        lunch_latest_s=office.lunch_latest_s,
        lunch_s=office.lunch_s,
        travel_mode=max(sorted(set(modes)), key=modes.count),
    )


def office_territories(
    office: Office,
    reps: list[Rep],
    outlets: list[Outlet],
    weeks: int,
    engine_choice: EngineChoice = EngineChoice.CONFIGURED,
) -> OfficeTerritories:
    """The problem of sharing `outlets` (active) among `reps` (an outlet of another rep has none); raises
    InvalidInput for a rep without a home, EngineUnavailable when a travel engine fails."""
    new_rep = new_rep_like(office, reps)
    places: list[tuple[float, float]] = []
    index: dict[tuple[float, float], int] = {}

    def location(lonlat: tuple[float, float]) -> int:
        if lonlat not in index:
            index[lonlat] = len(places)
            places.append(lonlat)
        return index[lonlat]

    ends = []
    for rep in [*reps, new_rep]:
        try:
            ends.append(
                (
                    location(place_lonlat(rep.start_place, office, rep)),
                    location(place_lonlat(rep.end_place, office, rep)),
                )
            )
        except MissingHomeLocation as e:
            raise InvalidInput(str(e), ("reps", e.rep_code, "home_lon")) from e
    first_outlet = len(places)
    lonlat = np.array(places + [(o.lon, o.lat) for o in outlets], dtype=float)

    models: dict[tuple, int] = {}
    durations: list[np.ndarray] = []
    distances: list[np.ndarray] = []
    with OfficeTravel(office, engine_choice) as travel:
        for rep in [*reps, new_rep]:
            key = (str(rep.travel_mode), rep.speed_kmh)
            if key not in models:
                models[key] = len(durations)
                matrix = travel.rep_travel(rep, lonlat, [o.code for o in outlets]).matrix
                durations.append(np.asarray(matrix.duration_s, dtype=np.int64))
                distances.append(np.asarray(matrix.distance_m, dtype=np.int64))

    num_days = 7 * weeks

    def territory_rep(rep: Rep, start_end: tuple[int, int]) -> TerritoryRep:
        return TerritoryRep(
            start=start_end[0],
            end=start_end[1],
            vehicles=rep_vehicles(rep, weeks),
            matrix=models[(str(rep.travel_mode), rep.speed_kmh)],
        )

    rep_index = {stored_id(r): k for k, r in enumerate(reps)}
    problem = TerritoryProblem(
        outlets=tuple(
            TerritoryOutlet(
                location=first_outlet + i,
                service_s=o.service_s,
                visits_per_cycle=o.visits_per_cycle,
                windows=day_windows(o.opening_hours, num_days),
                rep=rep_index.get(o.rep_id) if o.rep_id is not None else None,
            )
            for i, o in enumerate(outlets)
        ),
        reps=tuple(territory_rep(r, e) for r, e in zip(reps, ends)),
        weeks=weeks,
        duration_s=tuple(durations),
        distance_m=tuple(distances),
        balance_weight=BALANCE_WEIGHT,
    )
    return OfficeTerritories(problem, reps, outlets, territory_rep(new_rep, ends[-1]))
