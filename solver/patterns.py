"""Visit frequencies of a journey plan turned into the day patterns a planner would accept.

Days of a cycle are numbered from its first Monday: day = 7 * week + weekday (weekday 0 = Monday).
Frequencies are visits per four-week cycle; a cycle of 8 weeks repeats the 4-week pattern.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

FREQUENCIES = (1, 2, 4, 8, 12)
CYCLE_WEEKS = 4  # the frequencies are defined over this many weeks


def _cyclic_gaps(weekdays: tuple[int, ...]) -> list[int]:
    """Calendar days from each visit to the next one, wrapping into the next week."""
    return [(weekdays[(i + 1) % len(weekdays)] - d) % 7 or 7 for i, d in enumerate(weekdays)]


def weekly_sets(visits_per_week: int, working_days: Iterable[int]) -> list[tuple[int, ...]]:
    """Fixed weekdays for outlets visited every week, spread out as a planner would.

    Twice a week needs two days between the visits (Mon/Thu, Tue/Fri, Wed/Sat, Mon/Fri...); three times a
    week needs a day between visits (Mon/Wed/Fri, Tue/Thu/Sat...).
    """
    min_gap = {1: 0, 2: 3, 3: 2}[visits_per_week]
    days = sorted(set(working_days))
    return [s for s in combinations(days, visits_per_week) if min(_cyclic_gaps(s)) >= min_gap]


def cycle_patterns(
    visits_per_cycle: int, working_days: Iterable[int], weeks: int = CYCLE_WEEKS
) -> tuple[tuple[int, ...], ...]:
    """All allowed day patterns over a cycle of `weeks` weeks for an outlet visited `visits_per_cycle` times
    every four weeks; empty when the rep's working days admit none."""
    if visits_per_cycle not in FREQUENCIES:
        raise ValueError(f"visits per cycle must be one of {FREQUENCIES}, not {visits_per_cycle}")
    if weeks <= 0 or weeks % CYCLE_WEEKS:
        raise ValueError(f"a cycle must last a multiple of {CYCLE_WEEKS} weeks, not {weeks}")
    days = sorted(set(working_days))
    repeats = weeks // CYCLE_WEEKS

    def over_cycle(weeks_of_block: Iterable[int], weekdays: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(
            sorted(7 * (CYCLE_WEEKS * r + w) + d for r in range(repeats) for w in weeks_of_block for d in weekdays)
        )

    if visits_per_cycle >= 4:
        every_week = range(CYCLE_WEEKS)
        return tuple(over_cycle(every_week, s) for s in weekly_sets(visits_per_cycle // 4, days))
    if visits_per_cycle == 2:  # the same weekday in weeks 1 and 3, or in weeks 2 and 4
        return tuple(over_cycle(block, (d,)) for block in ((0, 2), (1, 3)) for d in days)
    return tuple(over_cycle((w,), (d,)) for w in range(CYCLE_WEEKS) for d in days)
