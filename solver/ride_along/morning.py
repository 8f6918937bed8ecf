"""The ride-along morning: the rep's published day re-timed with the supervisor's coaching planned in.

The supervisor follows the rep's route from the first stop, demonstrating at every `demonstrate_every`-th
outlet (the coaching adds `coaching_s` there), and leaves after the last stop that ends by `morning_end_s`
(or at the rep's lunch, whichever comes first). The rep's whole day is re-timed in the same order: no stop
starts earlier than published, each visit starts and ends inside the opening window it was published in, the
lunch keeps its place in the sequence and its window, and the rep is back by the end of the shift. Coaching is
placed from the first stop on: where it would break that (the rep's visits come first), it is left out there,
reported, and moves to the next stop where it fits, the count to the next demonstration starting again from
there. So a tight window late in the morning costs the coaching before it, not the coaching after it. On a
published day that no longer fits, coaching never makes what is already late any later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from solver.model import TimeWindow


@dataclass(frozen=True)
class DayStop:
    service_s: int
    travel_s: int  # from the previous place, as published
    windows: tuple[TimeWindow, ...]  # on that date
    planned_start_s: int  # as published


@dataclass(frozen=True)
class Lunch:
    after_stops: int  # how many stops come before it
    planned_start_s: int
    latest_start_s: int
    duration_s: int


@dataclass(frozen=True)
class RepDay:
    start_s: int  # the rep leaves the start place
    stops: tuple[DayStop, ...]
    return_travel_s: int  # from the last stop to the end place
    shift_end_s: int
    lunch: Lunch | None = None


@dataclass(frozen=True)
class MorningRules:
    morning_end_s: int
    coaching_s: int
    demonstrate_every: int

    def __post_init__(self) -> None:
        if self.demonstrate_every < 1 or self.coaching_s < 0:
            raise ValueError("demonstrate_every must be at least 1 and coaching_s not negative")


@dataclass(frozen=True)
class TimedStop:
    arrival_s: int
    start_s: int
    departure_s: int
    coaching_s: int  # part of the time at the stop spent coaching (0 if none)
    with_supervisor: bool
    fits: bool  # starts and ends inside an opening window


@dataclass(frozen=True)
class DroppedCoaching:
    """Coaching due at `stop` left out, because with it `blocked` would not fit: "window" (stop `late_stop`
    would miss its opening hours), "lunch" (the lunch would start too late) or "shift" (back after its end)."""

    stop: int
    blocked: str
    late_stop: int | None = None


@dataclass(frozen=True)
class RideAlongMorning:
    stops: tuple[TimedStop, ...]  # the rep's whole day, re-timed
    lunch_start_s: int | None
    end_s: int  # the rep reaches the end place
    supervised: int  # the supervisor is with the rep for stops[:supervised]
    leave_s: int  # when the supervisor leaves the route
    coaching_dropped: tuple[DroppedCoaching, ...]  # coaching due but left out to keep the rep's day feasible
    feasible: bool  # every stop fits, the lunch is in its window and the rep is back by the shift end


def _earliest_start(ready_s: int, service_s: int, stop: DayStop) -> tuple[int, bool]:
    """The stop's start and whether it fits in the opening window it was published in: a visit pushed past a
    window's close into the outlet's next opening would leave the rep waiting for hours and move the lunch."""
    published = [w for w in stop.windows if w.start_s <= stop.planned_start_s <= w.end_s] or list(stop.windows)
    for w in sorted(published, key=lambda w: w.start_s):
        start = max(ready_s, w.start_s)
        if start + service_s <= w.end_s:
            return start, True
    return ready_s, False


def retimed(day: RepDay, rules: MorningRules, coached: frozenset[int]) -> RideAlongMorning:
    """The day re-timed with coaching at the `coached` stops the supervisor is still there for."""
    stops: list[TimedStop] = []
    time_s = day.start_s
    lunch_start: int | None = None
    supervised, leave_s, riding = 0, day.start_s, True
    for i, stop in enumerate(day.stops):
        if day.lunch is not None and day.lunch.after_stops == i:
            lunch_start = max(time_s, day.lunch.planned_start_s)
            time_s = lunch_start + day.lunch.duration_s
            riding = False  # the supervisor does not wait through the rep's lunch
        arrival = time_s + stop.travel_s
        ready = max(arrival, stop.planned_start_s)
        coaching = rules.coaching_s if riding and i in coached else 0
        start, fits = _earliest_start(ready, stop.service_s + coaching, stop)
        if riding and start + stop.service_s + coaching > rules.morning_end_s:
            riding = False
            coaching = 0
            start, fits = _earliest_start(ready, stop.service_s, stop)
        if riding:
            supervised += 1
        departure = start + stop.service_s + coaching
        stops.append(TimedStop(arrival, start, departure, coaching, riding, fits))
        if riding:
            leave_s = departure
        time_s = departure
    if day.lunch is not None and day.lunch.after_stops == len(day.stops):
        lunch_start = max(time_s, day.lunch.planned_start_s)
        time_s = lunch_start + day.lunch.duration_s
    end_s = time_s + day.return_travel_s
    lunch_ok = day.lunch is None or lunch_start is None or lunch_start <= day.lunch.latest_start_s
    feasible = all(s.fits for s in stops) and lunch_ok and end_s <= day.shift_end_s
    return RideAlongMorning(tuple(stops), lunch_start, end_s, supervised, leave_s, (), feasible)


def _harmed(day: RepDay, coached: RideAlongMorning, without: RideAlongMorning) -> set[int | str]:
    """What of the rep's day the coaching harms, against the day without it: the stops that leave their opening
    hours or, already outside them, start or end later; "lunch" when it starts too late, or later than it already did;
    "shift" when the rep is back after the shift's end, or later than already."""
    harmed: set[int | str] = {
        i
        for i, (c, w) in enumerate(zip(coached.stops, without.stops))
        if not c.fits and (w.fits or c.start_s > w.start_s or c.departure_s > w.departure_s)
    }
    if day.lunch is not None and coached.lunch_start_s is not None and without.lunch_start_s is not None:
        latest = max(day.lunch.latest_start_s, without.lunch_start_s)
        if coached.lunch_start_s > latest:
            harmed.add("lunch")
    if coached.end_s > max(day.shift_end_s, without.end_s):
        harmed.add("shift")
    return harmed


def _dropped(stop: int, harmed: set[int | str]) -> DroppedCoaching:
    late = sorted(b for b in harmed if isinstance(b, int))
    if late:
        return DroppedCoaching(stop, "window", late[0])
    return DroppedCoaching(stop, "lunch" if "lunch" in harmed else "shift")


def plan_morning(day: RepDay, rules: MorningRules) -> RideAlongMorning:
    """The re-timed day with coaching placed from the first stop on wherever it harms nothing of the day without
    coaching (see the module doc); a published day that no longer fits gets no later than it already is."""
    without = retimed(day, rules, frozenset())
    morning, coached = without, frozenset[int]()
    dropped: list[DroppedCoaching] = []
    stop, moving = rules.demonstrate_every - 1, False
    while rules.coaching_s and stop < morning.supervised:
        trial = retimed(day, rules, coached | {stop})
        if not trial.stops[stop].coaching_s:
            break  # coaching here, or at any later stop, would run past the end of the morning
        harmed = _harmed(day, trial, without)
        if harmed:
            if not moving:  # reported where it was due; it moves on to the next stop
                dropped.append(_dropped(stop, harmed))
            stop, moving = stop + 1, True
            continue
        coached, morning = coached | {stop}, trial
        stop, moving = stop + rules.demonstrate_every, False
    return replace(morning, coaching_dropped=tuple(dropped))
