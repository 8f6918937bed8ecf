"""One rep's week of weekly outlets from the sample office (sample_routes/shanghai_minhang), reduced to what
the compared engines can express (see ref_week). Two reductions:

- one window (for PyVRP): each outlet keeps the longest stretch it is open on every working day of the rep
  (a restaurant open 09:30-11:00 and 14:00-17:00 keeps 14:00-17:00); an outlet closed on one of the rep's
  working days has no such stretch and is left out;
- split windows (ours and VROOM): each outlet keeps its closed days and every stretch it is open on all of its
  open working days that fits the visit (the restaurant keeps both windows).

An outlet that no day could visit alone (opening hours outside the shift) is left out too; the case name says
how many were left out. The lunch break is left out for every engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks.ref_week import WeekCase, WeekOutlet
from geo.travel import travel_model
from service.core.time_of_day import WEEKDAYS, seconds_of
from service.master_data.outlet_import import OutletRow, read_rows

SAMPLE_OFFICE_DIR = Path(__file__).resolve().parent.parent / "sample_routes" / "shanghai_minhang"
WEEKLY_VISITS_PER_CYCLE = 4
# What office.json's null means for a rep (service.core.tables.Rep defaults).
DEFAULT_TRAVEL_MODE = "ebike"
DEFAULT_WORKING_DAYS = (0, 1, 2, 3, 4, 5)


def open_every_day(days: list[list[list[int]]]) -> list[tuple[int, int]]:
    """The stretches of time inside an open window on every one of `days` (each a sorted list of windows)."""
    common = [(start, end) for start, end in days[0]] if days else []
    for windows in days[1:]:
        common = [(max(a, b), min(c, d)) for a, c in common for b, d in windows if max(a, b) < min(c, d)]
    return sorted(common)


def _place_kind(rep: dict, which: str) -> str:
    return rep.get(which) or "office"  # null in office.json: the office, as for service.core.tables.Rep


def _outlet_windows(
    hours: dict[str, list[list[int]]], working_days: tuple[int, ...], service_s: int, split_windows: bool
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """(windows, closed working days) of one outlet under the chosen reduction; no windows if none fits."""
    closed = tuple(d for d in working_days if not hours[WEEKDAYS[d]]) if split_windows else ()
    open_days = [d for d in working_days if d not in closed]
    stretches = [s for s in open_every_day([hours[WEEKDAYS[d]] for d in open_days]) if s[1] - s[0] >= service_s]
    if not split_windows:
        stretches = sorted(stretches, key=lambda s: (s[0] - s[1], s[0]))[:1]  # the longest, then the earliest
    return tuple(stretches), closed


def _office_and_weekly_rows(office_dir: Path) -> tuple[dict, dict[str, dict], list[OutletRow]]:
    """The office of office.json, its reps by code, and the outlets visited weekly that are not closed."""
    office_doc = json.loads((office_dir / "office.json").read_text(encoding="utf-8-sig"))
    reps = {r["code"]: r for r in office_doc["reps"]}
    outlets_file = office_dir / "outlets.csv"
    rows = [OutletRow.model_validate(r.values) for r in read_rows(outlets_file.name, outlets_file.read_bytes())]
    weekly = [r for r in rows if r.visits_per_cycle == WEEKLY_VISITS_PER_CYCLE and r.status != "closed"]
    return office_doc["office"], reps, weekly


def sample_rep_code(office_dir: Path = SAMPLE_OFFICE_DIR, rep_code: str | None = None) -> str:
    """`rep_code` after checking it, or by default the rep with the most weekly outlets among those who start
    and end at the same place (a rep going from home to the office travels even on a day without visits,
    which no compared engine counts)."""
    _, reps, weekly = _office_and_weekly_rows(office_dir)
    if rep_code is None:
        round_trip = sorted(c for c, r in reps.items() if _place_kind(r, "start_place") == _place_kind(r, "end_place"))
        rep_code = max(round_trip, key=lambda code: sum(r.rep_code == code for r in weekly))
    if rep_code not in reps:
        raise ValueError(f"rep {rep_code!r} is not in {office_dir / 'office.json'}; reps: {', '.join(sorted(reps))}")
    return rep_code


def sample_rep_week(
    office_dir: Path = SAMPLE_OFFICE_DIR, rep_code: str | None = None, split_windows: bool = False
) -> WeekCase:
    """The weekly outlets (4 visits per cycle) of `rep_code` (by default `sample_rep_code`'s)."""
    office, reps, weekly = _office_and_weekly_rows(office_dir)
    rep_code = sample_rep_code(office_dir, rep_code)
    rep = reps[rep_code]
    weekly = [r for r in weekly if r.rep_code == rep_code]

    def place(which: str) -> tuple[float, float]:
        home = _place_kind(rep, which) == "home"
        return (rep["home_lon"], rep["home_lat"]) if home else (office["lon"], office["lat"])

    first, last = place("start_place"), place("end_place")
    ends = [first] if first == last else [first, last]
    lonlat = np.array(ends + [(r.lon, r.lat) for r in weekly])
    travel = travel_model(rep.get("travel_mode") or DEFAULT_TRAVEL_MODE).matrix(lonlat)
    start, end = 0, len(ends) - 1
    shift_start_s = seconds_of(rep.get("shift_start") or office["shift_start"])
    shift_end_s = seconds_of(rep.get("shift_end") or office["shift_end"])
    working_days = tuple(sorted(rep.get("working_days") or DEFAULT_WORKING_DAYS))

    outlets: list[WeekOutlet] = []
    no_window = cannot_fit = 0
    for i, row in enumerate(weekly):
        location = len(ends) + i
        service_s = row.service_min * 60
        windows, closed = _outlet_windows(row.opening_hours(), working_days, service_s, split_windows)
        if not windows:
            no_window += 1
            continue
        reach_s = shift_start_s + int(travel.duration_s[start, location])
        leave_by_s = shift_end_s - int(travel.duration_s[location, end])
        if all(max(open_s, reach_s) + service_s > min(close_s, leave_by_s) for open_s, close_s in windows):
            cannot_fit += 1
            continue
        outlets.append(
            WeekOutlet(
                location=location, service_s=service_s, windows=windows, closed_days=closed, code=row.customer_code
            )
        )
    common = "open on its open working days" if split_windows else "open on every working day"
    return WeekCase(
        name=(
            f"{office['code']} {rep_code} weekly outlets, {'split windows' if split_windows else 'one window'}: "
            f"{len(outlets)} of {len(weekly)} ({no_window} without a window {common}, "
            f"{cannot_fit} outside the shift)"
        ),
        outlets=tuple(outlets),
        duration_s=travel.duration_s,
        distance_m=travel.distance_m,
        working_days=working_days,
        shift_start_s=shift_start_s,
        shift_end_s=shift_end_s,
        start=start,
        end=end,
    )
