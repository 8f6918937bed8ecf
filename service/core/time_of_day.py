"""Times of day as people write them ("HH:MM", opening windows "HH:MM-HH:MM") and as rows store them (seconds
since local midnight), and the weekday names opening hours are keyed by."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = weekday (0 = Monday)
DAY_S = 24 * 3600

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def seconds_of(hhmm: str, *, allow_midnight_end: bool = False) -> int:
    """Seconds since midnight of "HH:MM"; "24:00" only where an end of day is meant."""
    if allow_midnight_end and hhmm == "24:00":
        return DAY_S
    match = _HHMM.match(hhmm)
    if not match:
        raise ValueError(f"time must be HH:MM (00:00-23:59), not {hhmm!r}")
    return int(match[1]) * 3600 + int(match[2]) * 60


def hhmm_of(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def window_of(text: str) -> tuple[int, int]:
    """(start_s, end_s) of an opening window "HH:MM-HH:MM"; it must end after it starts."""
    parts = text.strip().split("-")
    if len(parts) != 2:
        raise ValueError(f"opening window must be HH:MM-HH:MM, not {text!r}")
    start_s = seconds_of(parts[0].strip())
    end_s = seconds_of(parts[1].strip(), allow_midnight_end=True)
    if end_s <= start_s:
        raise ValueError(f"opening window {text.strip()} ends before it starts")
    return start_s, end_s


def day_windows_of(texts: list[str]) -> list[list[int]]:
    """One weekday's windows in seconds, sorted; overlapping windows are refused (touching ones are fine)."""
    windows = sorted(window_of(t) for t in texts)
    for (start_a, end_a), (start_b, end_b) in zip(windows, windows[1:]):
        if start_b < end_a:
            raise ValueError(
                f"opening windows {hhmm_of(start_a)}-{hhmm_of(end_a)} and {hhmm_of(start_b)}-{hhmm_of(end_b)} overlap"
            )
    return [[start_s, end_s] for start_s, end_s in windows]


def opening_hours_seconds(hours: Mapping[Weekday, list[str]]) -> dict[str, list[list[int]]]:
    """API opening hours -> stored form, every weekday present (a missing day is closed)."""
    return {day: day_windows_of(hours.get(day, [])) for day in WEEKDAYS}


def opening_hours_text(stored: dict[str, list[list[int]]]) -> dict[Weekday, list[str]]:
    return {day: [f"{hhmm_of(s)}-{hhmm_of(e)}" for s, e in stored.get(day, [])] for day in WEEKDAYS}
