"""The cycle calendar: a plan's days repeat every `weeks` weeks from its start date, a Monday. Cycle day d is
weekday d % 7 of week d // 7."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from service.core.errors import InvalidInput
from service.core.tables import Office, utcnow
from solver.patterns import CYCLE_WEEKS

FIRST_PLAN_DATE, LAST_PLAN_DATE = date(2000, 1, 1), date(2100, 12, 31)  # the years a plan can mean


class Cycle(Protocol):
    """A stored plan, or any row carrying its start date and length."""

    start_date: date
    weeks: int


def require_monday(day: date, loc: tuple[str | int, ...]) -> None:
    if day.weekday() != 0:
        raise InvalidInput(f"{day.isoformat()} is a {day.strftime('%A')}, not a Monday", loc)


def check_cycle(start_date: date, weeks: int) -> None:
    """A cycle starts on a Monday between FIRST_PLAN_DATE and LAST_PLAN_DATE and lasts a whole number of four-week
    blocks."""
    if not FIRST_PLAN_DATE <= start_date <= LAST_PLAN_DATE:
        raise InvalidInput(
            f"must be between {FIRST_PLAN_DATE.isoformat()} and {LAST_PLAN_DATE.isoformat()}, not "
            f"{start_date.isoformat()}",
            ("start_date",),
        )
    require_monday(start_date, ("start_date",))
    if weeks <= 0 or weeks % CYCLE_WEEKS:
        raise InvalidInput(f"a cycle lasts a multiple of {CYCLE_WEEKS} weeks, not {weeks}", ("weeks",))


def next_monday(today: date) -> date:
    """The coming Monday (today when today is one)."""
    return today + timedelta(days=-today.weekday() % 7)


def office_today(office: Office, now: datetime | None = None) -> date:
    """The date in the office's time zone: a rep's "today"."""
    return (now or utcnow()).astimezone(ZoneInfo(office.timezone)).date()


def cycle_day(cycle: Cycle, on: date) -> int | None:
    """The cycle day of a date, None before the cycle starts."""
    if on < cycle.start_date:
        return None
    return (on - cycle.start_date).days % (7 * cycle.weeks)


def current_cycle_start(cycle: Cycle, today: date) -> date:
    """The first day of the repetition of the cycle that `today` falls in (the start date before it starts)."""
    if today < cycle.start_date:
        return cycle.start_date
    cycle_days = 7 * cycle.weeks
    return cycle.start_date + timedelta(days=(today - cycle.start_date).days // cycle_days * cycle_days)


def dates(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both included."""
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]
