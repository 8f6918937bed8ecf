"""Master data of a sales office: create and change offices, supervisors, reps and outlets.

Every write is checked as a whole (fields against each other and against stored rows) before anything is
staged; a check names the field in API terms (`lat`, `service_min`, `rep_id`...). The `*_problems`
functions return (field, message) pairs so the outlet import can report them per file row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from sqlmodel import Session

from geo.checks import CoordinateError, looks_swapped, validate_lonlat
from geo.coords import CoordSystem, to_wgs84
from service.core.errors import Conflict, ErrorDetail, InvalidInput, Loc, NotFound
from service.core.tables import Office, Outlet, OutletStatus, Place, Rep, Supervisor, utcnow
from service.core.time_of_day import WEEKDAYS, hhmm_of, opening_hours_seconds, seconds_of
from service.master_data import repository
from service.master_data.schemas import OfficeCreate, OutletCreate, OutletUpdate, RepCreate, RepUpdate, SupervisorCreate

Problem = tuple[str, str]  # (field, message)


def raise_problems(problems: Sequence[Problem], loc: Loc = ("body",)) -> None:
    if problems:
        raise InvalidInput(
            "invalid input",
            details=[ErrorDetail((*loc, field), msg, InvalidInput.error_type) for field, msg in problems],
        )


# --- checks ---------------------------------------------------------------------------------------------------


def working_hours_problems(row: Office | Rep) -> list[Problem]:
    """The shift runs forwards and the lunch window lies inside it, long enough for the lunch."""
    problems: list[Problem] = []
    if row.shift_end_s <= row.shift_start_s:
        problems.append(
            ("shift_end", f"shift ends ({hhmm_of(row.shift_end_s)}) before it starts ({hhmm_of(row.shift_start_s)})")
        )
    if row.lunch_latest_s <= row.lunch_earliest_s:
        problems.append(
            (
                "lunch_latest",
                f"lunch window ends ({hhmm_of(row.lunch_latest_s)}) before it starts ({hhmm_of(row.lunch_earliest_s)})",
            )
        )
    elif row.lunch_latest_s - row.lunch_earliest_s < row.lunch_s:
        problems.append(
            (
                "lunch_min",
                f"a {row.lunch_s // 60}-minute lunch does not fit the window "
                f"{hhmm_of(row.lunch_earliest_s)}-{hhmm_of(row.lunch_latest_s)}",
            )
        )
    if not problems:
        if row.lunch_earliest_s < row.shift_start_s:
            problems.append(("lunch_earliest", f"lunch window starts before the shift ({hhmm_of(row.shift_start_s)})"))
        if row.lunch_latest_s > row.shift_end_s:
            problems.append(("lunch_latest", f"lunch window ends after the shift ({hhmm_of(row.shift_end_s)})"))
    return problems


def position_problems(
    lon: float, lat: float, office: Office | None, lon_field: str = "lon", lat_field: str = "lat"
) -> list[Problem]:
    """A WGS84 position, and, near an office, not latitude and longitude the wrong way round."""
    if office is not None and looks_swapped(lon, lat, office.lon, office.lat):
        return [
            (
                lat_field,
                f"{lon_field}={lon} and {lat_field}={lat} look swapped: read the other way round they lie "
                f"in the region of office {office.code}",
            )
        ]
    try:
        validate_lonlat(lon, lat)
    except CoordinateError as exc:
        field = lon_field if exc.field == "lon" else lat_field
        return [(field, str(exc).replace(exc.field, field, 1))]  # geo's message starts with its own field name
    return []


def rep_problems(rep: Rep, office: Office, supervisor: Supervisor | None) -> list[Problem]:
    problems = working_hours_problems(rep)
    if supervisor is not None and supervisor.office_id != office.id:
        problems.append(("supervisor_id", f"supervisor {supervisor.code} belongs to another office, not {office.code}"))
    home_needed = [p for p in ("start_place", "end_place") if getattr(rep, p) == Place.HOME]
    if home_needed:
        for field in ("home_lon", "home_lat"):
            if getattr(rep, field) is None:
                problems.append((field, f"required because {' and '.join(home_needed)} is home"))
    if rep.home_lon is not None and rep.home_lat is not None:
        problems += position_problems(rep.home_lon, rep.home_lat, office, "home_lon", "home_lat")
    return problems


def outlet_problems(outlet: Outlet, office: Office, rep: Rep | None) -> list[Problem]:
    problems = position_problems(outlet.lon, outlet.lat, office)
    if rep is not None and rep.office_id != office.id:
        problems.append(("rep_id", f"rep {rep.code} belongs to another office, not {office.code}"))
    windows = [w for day in WEEKDAYS for w in outlet.opening_hours.get(day, [])]
    if not windows:
        problems.append(("opening_hours", "the outlet is open on no day"))
    else:
        longest_s = max(end_s - start_s for start_s, end_s in windows)
        if outlet.service_s > longest_s:
            problems.append(
                (
                    "service_min",
                    f"a {outlet.service_s // 60}-minute visit fits none of the opening windows "
                    f"(longest {longest_s // 60} min)",
                )
            )
    return problems


# --- lookups that fail with the caller's location ---------------------------------------------------------------


def require_office(session: Session, office_id: int, loc: Loc = ("body", "office_id")) -> Office:
    office = repository.office(session, office_id)
    if office is None:
        _missing(f"office {office_id} does not exist", loc)
    return office


def require_rep(session: Session, rep_id: int, loc: Loc = ("body", "rep_id")) -> Rep:
    rep = repository.rep(session, rep_id)
    if rep is None:
        _missing(f"rep {rep_id} does not exist", loc)
    return rep


def require_supervisor(session: Session, supervisor_id: int, loc: Loc = ("body", "supervisor_id")) -> Supervisor:
    supervisor = repository.supervisor(session, supervisor_id)
    if supervisor is None:
        _missing(f"supervisor {supervisor_id} does not exist", loc)
    return supervisor


def require_outlet(session: Session, code: str, loc: Loc = ("path", "code")) -> Outlet:
    outlet = repository.outlet_by_code(session, code)
    if outlet is None:
        _missing(f"outlet {code} does not exist", loc)
    return outlet


def _missing(msg: str, loc: Loc) -> NoReturn:
    """An unknown id in the path is a missing resource (404); one referenced from a body is invalid input (422)."""
    if loc and loc[0] == "path":
        raise NotFound(msg, loc)
    raise InvalidInput(msg, loc)


# --- writes -----------------------------------------------------------------------------------------------------


def create_office(session: Session, data: OfficeCreate, loc: Loc = ("body",)) -> Office:
    office = Office(
        code=data.code,
        name=data.name,
        lon=data.lon,
        lat=data.lat,
        timezone=data.timezone,
        shift_start_s=seconds_of(data.shift_start),
        shift_end_s=seconds_of(data.shift_end),
        lunch_earliest_s=seconds_of(data.lunch_earliest),
        lunch_latest_s=seconds_of(data.lunch_latest),
        lunch_s=data.lunch_min * 60,
    )
    raise_problems(position_problems(office.lon, office.lat, None) + working_hours_problems(office), loc)
    if repository.office_by_code(session, data.code) is not None:
        raise Conflict(f"office code {data.code} already exists", (*loc, "code"))
    repository.add(session, office)
    return office


def create_supervisor(session: Session, data: SupervisorCreate, loc: Loc = ("body",)) -> Supervisor:
    require_office(session, data.office_id, (*loc, "office_id"))
    if repository.supervisor_by_code(session, data.code) is not None:
        raise Conflict(f"supervisor code {data.code} already exists", (*loc, "code"))
    supervisor = Supervisor(office_id=data.office_id, code=data.code, name=data.name)
    repository.add(session, supervisor)
    return supervisor


_REP_TIMES = ("shift_start", "shift_end", "lunch_earliest", "lunch_latest")


def create_rep(session: Session, data: RepCreate, loc: Loc = ("body",)) -> Rep:
    """A new rep; shift and lunch not given are the office's."""
    office = require_office(session, data.office_id, (*loc, "office_id"))
    supervisor = (
        None if data.supervisor_id is None else require_supervisor(session, data.supervisor_id, (*loc, "supervisor_id"))
    )

    def time_s(name: str) -> int:
        given = getattr(data, name)
        return getattr(office, f"{name}_s") if given is None else seconds_of(given)

    rep = Rep(
        office_id=data.office_id,
        supervisor_id=data.supervisor_id,
        code=data.code,
        name=data.name,
        start_place=data.start_place,
        end_place=data.end_place,
        home_lon=data.home_lon,
        home_lat=data.home_lat,
        working_days=list(data.working_days),
        lunch_s=office.lunch_s if data.lunch_min is None else data.lunch_min * 60,
        travel_mode=data.travel_mode,
        speed_kmh=data.speed_kmh,
        started_on=data.started_on,
        shift_start_s=time_s("shift_start"),
        shift_end_s=time_s("shift_end"),
        lunch_earliest_s=time_s("lunch_earliest"),
        lunch_latest_s=time_s("lunch_latest"),
    )
    raise_problems(rep_problems(rep, office, supervisor), loc)
    if repository.rep_by_code(session, data.code) is not None:
        raise Conflict(f"rep code {data.code} already exists", (*loc, "code"))
    repository.add(session, rep)
    return rep


def _refuse_removals(changes: dict, nullable: set[str]) -> None:
    """A PATCH may clear optional fields (null) but not required ones."""
    raise_problems([(f, f"{f} cannot be removed") for f, v in changes.items() if v is None and f not in nullable])


def update_rep(session: Session, rep_id: int, data: RepUpdate) -> Rep:
    rep = require_rep(session, rep_id, ("path", "rep_id"))
    changes = data.model_dump(exclude_unset=True)
    _refuse_removals(changes, {"supervisor_id", "home_lon", "home_lat", "speed_kmh", "started_on"})
    supervisor_id = changes.get("supervisor_id", rep.supervisor_id)
    supervisor = None if supervisor_id is None else require_supervisor(session, supervisor_id)
    for name in _REP_TIMES:
        if name in changes:
            changes[f"{name}_s"] = seconds_of(changes.pop(name))
    if "lunch_min" in changes:
        changes["lunch_s"] = changes.pop("lunch_min") * 60
    # check the rep as it would be, without touching the stored row until it passes
    changed = Rep.model_validate({**rep.model_dump(), **changes})
    raise_problems(rep_problems(changed, require_office(session, rep.office_id), supervisor))
    for field, value in changes.items():
        setattr(rep, field, value)
    repository.add(session, rep)
    return rep


def new_outlet(
    *,
    office_id: int,
    code: str,
    name: str,
    address: str,
    channel: str,
    lon: float,
    lat: float,
    coord_system: CoordSystem,
    phone: str = "",
    notes: str = "",
    service_min: int,
    visits_per_cycle: int,
    opening_hours_s: dict[str, list[list[int]]],
    rep_id: int | None,
    status: OutletStatus = OutletStatus.ACTIVE,
) -> Outlet:
    """An outlet row from what people enter (the API, a change set, an import file): service in minutes, opening
    hours in their stored form. A point pasted from a Chinese map app is moved to WGS84; points outside China (or
    swapped) stay as given."""
    wgs_lon, wgs_lat = to_wgs84(lon, lat, coord_system)
    return Outlet(
        office_id=office_id,
        code=code,
        name=name,
        address=address,
        phone=phone,
        notes=notes,
        channel=channel,
        lon=wgs_lon,
        lat=wgs_lat,
        service_s=service_min * 60,
        visits_per_cycle=visits_per_cycle,
        opening_hours=opening_hours_s,
        rep_id=rep_id,
        status=status,
    )


def create_outlet(session: Session, data: OutletCreate) -> Outlet:
    office = require_office(session, data.office_id)
    rep = None if data.rep_id is None else require_rep(session, data.rep_id)
    outlet = new_outlet(
        office_id=data.office_id,
        code=data.code,
        name=data.name,
        address=data.address,
        phone=data.phone,
        notes=data.notes,
        channel=data.channel,
        lon=data.lon,
        lat=data.lat,
        coord_system=data.coord_system,
        service_min=data.service_min,
        visits_per_cycle=data.visits_per_cycle,
        opening_hours_s=opening_hours_seconds(data.opening_hours),
        rep_id=data.rep_id,
        status=data.status,
    )
    raise_problems(outlet_problems(outlet, office, rep))
    if repository.outlet_by_code(session, data.code) is not None:
        raise Conflict(f"customer code {data.code} already exists", ("body", "code"))
    repository.add(session, outlet)
    return outlet


def update_outlet(session: Session, code: str, data: OutletUpdate) -> Outlet:
    outlet = require_outlet(session, code)
    changes = data.model_dump(exclude_unset=True)
    _refuse_removals(changes, {"rep_id"})
    if "service_min" in changes:
        changes["service_s"] = changes.pop("service_min") * 60
    if "opening_hours" in changes:
        changes["opening_hours"] = opening_hours_seconds(changes["opening_hours"])
    rep_id = changes.get("rep_id", outlet.rep_id)
    rep = None if rep_id is None else require_rep(session, rep_id)
    changed = Outlet.model_validate({**outlet.model_dump(), **changes})
    raise_problems(outlet_problems(changed, require_office(session, outlet.office_id), rep))
    for field, value in changes.items():
        setattr(outlet, field, value)
    outlet.updated_at = utcnow()
    repository.add(session, outlet)
    return outlet
