"""A plan as a CSV file for spreadsheets: one row per visit, safe to open in Excel or LibreOffice.

UTF-8 with a BOM, so Excel reads Chinese names as Chinese instead of guessing the ANSI code page. Text cells that
a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return: OWASP's list) get a
leading apostrophe, which the spreadsheet shows as text; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session

from service.core.time_of_day import WEEKDAYS, hhmm_of
from service.plans import repository as plan_repository

COLUMNS = (
    "rep_code",
    "rep_name",
    "week",
    "weekday",
    "day",
    "date",
    "seq",
    "outlet_code",
    "outlet_name",
    "address",
    "channel",
    "arrival",
    "departure",
    "service_min",
    "travel_min",
    "distance_km",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    """The cell as a spreadsheet should show it: text that could start a formula is prefixed with '."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def plan_rows(session: Session, plan_id: int) -> list[tuple]:
    """The plan's visits by rep code, cycle day and sequence; `week` counts from 1, `day` from 0 (as in the
    API), `date` is the day in the plan's first cycle."""
    plan = plan_repository.get_plan(session, plan_id)
    reps = plan_repository.plan_reps(session, plan_id)
    rows = []
    for visit, outlet in plan_repository.plan_visits(session, plan_id):
        rep = reps[visit.rep_id]
        rows.append(
            (
                rep.code,
                rep.name,
                visit.day // 7 + 1,
                WEEKDAYS[visit.day % 7],
                visit.day,
                (plan.start_date + timedelta(days=visit.day)).isoformat(),
                visit.seq,
                outlet.code,
                outlet.name,
                outlet.address,
                outlet.channel,
                hhmm_of(visit.arrival_s),
                hhmm_of(visit.departure_s),
                round((visit.departure_s - visit.start_s) / 60, 1),
                round(visit.travel_s / 60, 1),
                round(visit.distance_m / 1000, 2),
            )
        )
    rows.sort(key=lambda r: (r[0], r[4], r[6]))
    return rows


def csv_text(rows: Iterable[tuple]) -> str:
    """The rows under the COLUMNS header, neutralised, with the BOM; lines end in CRLF as RFC 4180 says."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([neutralised(c) for c in row] for row in rows)
    return out.getvalue()
