"""The supervisor's ride-along week: which rep each morning, the morning on the rep's route with coaching, and
the afternoon delivery spot-check route back to the evening meeting.

Decisions (the issue leaves them open):
- Periods are blocks of `period_weeks` weeks from the published plan's start. The rep choice is planned jointly
  for the rest of the block (this week and the later weeks of the period), counting the rides stored for its
  earlier weeks; only this week is returned and stored.
- Every plan shown is stored (RideAlongDay, replacing what was stored for those dates): later weeks count its
  rides and its spot checks ("checked recently"). Computing the same week again gives the same answer, as
  only dates before it are read back.
- Priority: weight 1, plus one each for a success rate below 85% and a planned-visit compliance below 100%
  over the four weeks before the week (reps who reported nothing are not judged), plus one for a rep in post
  fewer than `new_rep_days` days.
- The supervisor takes the office's lunch break after leaving the route (not before the office's earliest
  lunch time) and then spot-checks, travelling by `supervisor_travel_mode`.
- Spot-check candidates: outlets whose order was reported on the previous working day of the team (the
  latest earlier date with reports or planned visits); for a rep who reported nothing that day, every planned
  visit counts as a possible order. The outlets of that morning's ride-along are left out (the supervisor has
  just stood in them with the rep). The 60 most valuable go to the solver.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from geo.travel import travel_model
from service.core.calendar import cycle_day, dates, office_today, require_monday
from service.core.errors import InvalidInput, NotFound
from service.core.tables import (
    Office,
    Outlet,
    OutletStatus,
    Place,
    Plan,
    PlanDay,
    PlanVisit,
    Rep,
    RideAlongDay,
    RideAlongSettings,
    Supervisor,
    VisitOutcome,
    stored_id,
)
from service.core.time_of_day import WEEKDAYS, hhmm_of, opening_hours_text, seconds_of
from service.master_data import repository
from service.master_data import writes as master_data
from service.plans import convert
from service.plans import repository as plan_repository
from service.ride_along import repository as ride_along_repository
from service.ride_along.reasons import Reason, reason
from service.ride_along.schemas import (
    AfternoonPublic,
    LeavePublic,
    MorningPublic,
    MorningStopPublic,
    RepPriorityPublic,
    RideAlongDayPublic,
    RideAlongSettingsPublic,
    RideAlongWeekKpis,
    RideAlongWeekPublic,
    SpotStopPublic,
    ValueParts,
)
from service.visits import kpis
from service.visits import repository as visit_repository
from service.visits.schemas import VISITED
from solver.ride_along import (
    MorningRules,
    RepChoiceProblem,
    RideAlongMorning,
    SpotCheckProblem,
    SpotCheckRoute,
    choose_reps,
    plan_morning,
    plan_spot_checks,
)

SpotChecker = Callable[[SpotCheckProblem], SpotCheckRoute]

KPI_LOOKBACK_DAYS = 28
RECENT_CHECK_DAYS = 28  # an outlet checked this long ago (or never) counts as not checked recently
PREVIOUS_DAY_SEARCH_DAYS = 7
MAX_CANDIDATES = 60  # most valuable candidates given to the solver: keeps a week under a few seconds
SECONDS_PER_POINT = 60  # one value point is worth a minute of supervisor travel
DELIVERY_POINTS = 10
BIG_ACCOUNT_POINTS = 30
BIG_ACCOUNT_CHANNELS = frozenset({"supermarket", "wholesale"})
HIGH_FREQUENCY_POINTS = 15
HIGH_FREQUENCY_VISITS = 8  # per four weeks: twice a week or more
NOT_CHECKED_POINTS = 20
FIRST_OF_REP_POINTS = 20


def _percent(share: float) -> int:
    return round(share * 100)


def _seqs(seqs: list[int]) -> str:
    return ", ".join(map(str, seqs))


@dataclass
class _Priority:
    weight: int
    reasons: list[Reason]
    tally: kpis.Tally


@dataclass
class WeekData:
    """Everything the week needs, read in one short session."""

    supervisor: Supervisor
    office: Office
    settings: RideAlongSettings
    plan: Plan
    team: list[Rep]
    period_start: date
    period_end: date
    rides_done: Counter[int]  # rep id -> rides stored earlier in the period
    previous_rep_id: int | None
    last_checked: dict[int, date]  # outlet id -> last stored spot check
    priorities: dict[int, _Priority]
    routes: dict[tuple[int, int], PlanDay]  # (rep id, cycle day)
    stops: dict[tuple[int, int], list[tuple[PlanVisit, Outlet]]]
    outlets: dict[int, Outlet]
    outcomes: dict[date, list[VisitOutcome]]  # the team's outcomes around the week


def _priority(rep: Rep, tally: kpis.Tally, on: date, new_rep_days: int) -> _Priority:
    reasons = []
    reported = tally.reported + tally.unplanned
    if reported and tally.success_rate is not None and tally.success_rate < kpis.TARGETS.success_rate:
        reasons.append(
            reason("low_success_rate", rate=_percent(tally.success_rate), target=_percent(kpis.TARGETS.success_rate))
        )
    if reported and tally.compliance is not None and tally.compliance < kpis.TARGETS.compliance:
        reasons.append(
            reason("low_compliance", rate=_percent(tally.compliance), target=_percent(kpis.TARGETS.compliance))
        )
    if rep.started_on is not None and (on - rep.started_on).days < new_rep_days:
        reasons.append(reason("new_rep", since=rep.started_on.isoformat()))
    return _Priority(weight=1 + len(reasons), reasons=reasons, tally=tally)


def read_week(session: Session, supervisor_id: int, start_date: date, now: datetime | None) -> WeekData:
    supervisor = master_data.require_supervisor(session, supervisor_id, ("path", "supervisor_id"))
    require_monday(start_date, ("query", "start_date"))
    office = repository.office(session, supervisor.office_id)
    assert office is not None  # the supervisor's office (a foreign key)
    settings = ride_along_repository.settings(session, supervisor.office_id)
    team = list(repository.reps(session, supervisor.office_id, supervisor_id, active=True))
    if not team:
        raise InvalidInput(f"supervisor {supervisor.code} has no active reps to ride with", ("path", "supervisor_id"))
    plan = plan_repository.published_plan(session, supervisor.office_id)
    if plan is None:
        raise NotFound(f"office {office.code} has no published plan", ("query", "start_date"))
    if start_date < plan.start_date:
        raise NotFound(
            f"the week of {start_date.isoformat()} is before the published plan starts ({plan.start_date.isoformat()})",
            ("query", "start_date"),
        )

    period_days = 7 * settings.period_weeks
    period_start = plan.start_date + timedelta(days=(start_date - plan.start_date).days // period_days * period_days)
    history = ride_along_repository.ride_along_days(
        session,
        supervisor_id,
        min(period_start, start_date - timedelta(days=RECENT_CHECK_DAYS)),
        start_date - timedelta(days=1),
    )
    rides_done = Counter(d.rep_id for d in history if d.ride_date >= period_start and d.rep_id is not None)
    ridden = [d for d in history if d.rep_id is not None]
    previous_rep_id = ridden[-1].rep_id if ridden and (start_date - ridden[-1].ride_date).days <= 7 else None
    last_checked: dict[int, date] = {}
    for d in history:
        for outlet_id in d.spot_check_outlet_ids:
            last_checked[outlet_id] = d.ride_date

    today = office_today(office, now)
    kpi_last = min(start_date - timedelta(days=1), today)
    tallies = kpis.rep_tallies(session, plan, team, kpi_last - timedelta(days=KPI_LOOKBACK_DAYS - 1), kpi_last)
    priorities = {stored_id(r): _priority(r, tallies[stored_id(r)], start_date, settings.new_rep_days) for r in team}

    team_ids = {stored_id(r) for r in team}
    plan_id = stored_id(plan)
    routes = {(d.rep_id, d.day): d for d in plan_repository.plan_days(session, plan_id) if d.rep_id in team_ids}
    stops: dict[tuple[int, int], list[tuple[PlanVisit, Outlet]]] = defaultdict(list)
    for visit, outlet in plan_repository.plan_visits(session, plan_id):
        if visit.rep_id in team_ids:
            stops[(visit.rep_id, visit.day)].append((visit, outlet))
    outcomes: dict[date, list[VisitOutcome]] = defaultdict(list)
    for o in visit_repository.outcomes(
        session, team_ids, start_date - timedelta(days=PREVIOUS_DAY_SEARCH_DAYS), start_date + timedelta(days=6)
    ):
        outcomes[o.visit_date].append(o)
    outlets = {stored_id(o): o for o in repository.outlets(session, supervisor.office_id)}
    return WeekData(
        supervisor,
        office,
        settings,
        plan,
        team,
        period_start,
        period_start + timedelta(days=period_days - 1),
        rides_done,
        previous_rep_id,
        last_checked,
        priorities,
        routes,
        dict(stops),
        outlets,
        dict(outcomes),
    )


def _working_reps(week: WeekData, on: date) -> list[Rep]:
    """Team reps with a published route on that date."""
    day = cycle_day(week.plan, on)
    return [r for r in week.team if day is not None and week.stops.get((stored_id(r), day))]


def _rules(week: WeekData) -> MorningRules:
    return MorningRules(week.settings.morning_end_s, week.settings.coaching_s, week.settings.demonstrate_every)


def _route_key(week: WeekData, rep: Rep, on: date) -> tuple[int, int]:
    """(rep id, cycle day) of the rep's route on a date of the week."""
    day = cycle_day(week.plan, on)
    assert day is not None  # the week starts on or after the plan (read_week)
    return stored_id(rep), day


def _morning(week: WeekData, rep: Rep, on: date, rules: MorningRules) -> RideAlongMorning:
    """The rep's published day of that date re-timed with the supervisor's coaching."""
    key = _route_key(week, rep, on)
    return plan_morning(convert.ride_along_rep_day(rep, week.routes[key], week.stops[key], on.weekday()), rules)


def _coachable_reps(week: WeekData, mornings: list[date], rules: MorningRules) -> dict[date, list[tuple[Rep, int]]]:
    """Per morning the reps to choose from, each with the demonstrations its morning takes: those working whose
    morning can take a coaching stop (a packed day whose opening hours leave no ten minutes to spare cannot),
    unless nobody's can that morning, or a rep not yet ridden with in the period has no such morning left in it
    (every rep is ridden with once a period; the morning then says why there is no coaching)."""
    working = {on: _working_reps(week, on) for on in mornings}
    coaching = {
        (r.id, on): sum(1 for s in _morning(week, r, on, rules).stops if s.coaching_s)
        for on in mornings
        for r in working[on]
    }
    never = {
        r.id
        for r in week.team
        if not week.rides_done[stored_id(r)] and not any(coaching.get((r.id, on)) for on in mornings)
    }
    choices = {}
    for on, reps in working.items():
        eligible = [r for r in reps if coaching[(r.id, on)] or r.id in never] or reps
        choices[on] = [(r, coaching[(r.id, on)]) for r in eligible]
    return choices


def _choose(week: WeekData, start_date: date) -> tuple[dict[date, Rep], int, list[Rep]]:
    """The rep of every morning of this week (planned jointly with the rest of the period), the repeats, and
    the reps the period cannot fit in."""
    mornings = [d for d in dates(start_date, week.period_end) if _working_reps(week, d)]
    available = _coachable_reps(week, mornings, _rules(week))
    index = {r.id: i for i, r in enumerate(week.team)}
    problem = RepChoiceProblem(
        num_reps=len(week.team),
        available=tuple(tuple(index[r.id] for r, _ in available[d]) for d in mornings),
        weights=tuple(week.priorities[stored_id(r)].weight for r in week.team),
        rides_done=tuple(week.rides_done[stored_id(r)] for r in week.team),
        previous_rep=index.get(week.previous_rep_id) if week.previous_rep_id is not None else None,
        demonstrations=tuple(tuple(count for _, count in available[d]) for d in mornings),
    )
    choice = choose_reps(problem)
    this_week = {d: week.team[r] for d, r in zip(mornings, choice.reps) if r is not None and (d - start_date).days < 7}
    in_week = [r for d, r in zip(mornings, choice.reps) if (d - start_date).days < 7]
    sequence = [problem.previous_rep, *in_week]
    repeats = sum(1 for a, b in zip(sequence, sequence[1:]) if a is not None and a == b)
    return this_week, repeats, [week.team[r] for r in choice.missed]


def _morning_public(
    week: WeekData, rep: Rep, on: date, stops: list[tuple[PlanVisit, Outlet]], morning: RideAlongMorning
) -> MorningPublic:
    weekday = WEEKDAYS[on.weekday()]
    dropped = {d.stop for d in morning.coaching_dropped}
    public_stops = [
        MorningStopPublic(
            seq=visit.seq,
            outlet_id=visit.outlet_id,
            outlet_code=outlet.code,
            outlet_name=outlet.name,
            planned_start=hhmm_of(visit.start_s),
            arrival=hhmm_of(t.arrival_s),
            start=hhmm_of(t.start_s),
            departure=hhmm_of(t.departure_s),
            start_s=t.start_s,
            departure_s=t.departure_s,
            opening_hours=opening_hours_text(outlet.opening_hours).get(weekday, []),
            with_supervisor=t.with_supervisor,
            coaching=t.coaching_s > 0,
            coaching_min=t.coaching_s // 60,
            coaching_dropped=i in dropped,
            fits=t.fits,
        )
        for i, ((visit, outlet), t) in enumerate(zip(stops, morning.stops))
    ]
    if morning.supervised:
        last_visit, last_outlet = stops[morning.supervised - 1]
        leave = LeavePublic(
            after_seq=last_visit.seq,
            outlet_code=last_outlet.code,
            lon=last_outlet.lon,
            lat=last_outlet.lat,
            time=hhmm_of(morning.leave_s),
            time_s=morning.leave_s,
        )
    else:
        end_s = week.settings.morning_end_s
        leave = LeavePublic(
            after_seq=0, outlet_code=None, lon=week.office.lon, lat=week.office.lat, time=hhmm_of(end_s), time_s=end_s
        )
    coached = [s.seq for s in public_stops if s.coaching]
    notes = [reason("coaching_at", seqs=_seqs(coached)) if coached else reason("no_coaching")]
    for d in morning.coaching_dropped:
        seq = stops[d.stop][0].seq
        if d.blocked == "window" and d.late_stop is not None:
            notes.append(reason("coaching_dropped_window", seq=seq, late=stops[d.late_stop][0].seq))
        else:
            notes.append(reason(f"coaching_dropped_{d.blocked}", seq=seq))
    if not morning.feasible:
        late = [s.seq for s in public_stops if not s.fits]
        notes.append(reason("day_no_longer_fits_at", seqs=_seqs(late)) if late else reason("day_no_longer_fits"))
    return MorningPublic(
        meets_rep_at="office" if rep.start_place == Place.OFFICE else "first stop",
        stops=public_stops,
        leave=leave,
        rep_lunch_start=None if morning.lunch_start_s is None else hhmm_of(morning.lunch_start_s),
        rep_day_end=hhmm_of(morning.end_s),
        rep_day_feasible=morning.feasible,
        notes=notes,
    )


@dataclass(frozen=True)
class _Candidate:
    outlet: Outlet
    rep: Rep
    source: str
    parts: ValueParts  # without the first-of-rep part, which depends on the route

    @property
    def points(self) -> int:
        p = self.parts
        return p.delivery + p.big_account + p.high_frequency + p.not_checked_recently


def _previous_working_day(week: WeekData, on: date) -> date | None:
    for k in range(1, PREVIOUS_DAY_SEARCH_DAYS + 1):
        day = on - timedelta(days=k)
        if week.outcomes.get(day) or _working_reps(week, day):
            return day
    return None


def _candidates(
    week: WeekData, on: date, orders_from: date, last_checked: dict[int, date], ridden: set[int]
) -> list[_Candidate]:
    """The outlets with an order of `orders_from` to check, most valuable first; none of the morning's `ridden`."""
    team = {r.id: r for r in week.team}
    reported = week.outcomes.get(orders_from, [])
    found: list[tuple[Outlet, Rep, str]] = [
        (week.outlets[o.outlet_id], team[o.rep_id], "outcome")
        for o in reported
        if o.order_taken and o.status == VISITED
    ]
    reporting = {o.rep_id for o in reported}
    day = cycle_day(week.plan, orders_from)
    for rep in week.team:
        if rep.id not in reporting and day is not None:
            found += [(outlet, rep, "plan") for _, outlet in week.stops.get((stored_id(rep), day), [])]
    candidates, seen = [], set()
    for outlet, rep, source in found:
        if outlet.id in seen or outlet.id in ridden or outlet.status != OutletStatus.ACTIVE:
            continue
        seen.add(outlet.id)
        checked = last_checked.get(stored_id(outlet))
        days_since = RECENT_CHECK_DAYS if checked is None else min((on - checked).days, RECENT_CHECK_DAYS)
        candidates.append(
            _Candidate(
                outlet,
                rep,
                source,
                ValueParts(
                    delivery=DELIVERY_POINTS,
                    big_account=BIG_ACCOUNT_POINTS if outlet.channel in BIG_ACCOUNT_CHANNELS else 0,
                    high_frequency=HIGH_FREQUENCY_POINTS if outlet.visits_per_cycle >= HIGH_FREQUENCY_VISITS else 0,
                    not_checked_recently=NOT_CHECKED_POINTS * days_since // RECENT_CHECK_DAYS,
                    first_of_rep=0,
                ),
            )
        )
    candidates.sort(key=lambda c: (-c.points, c.outlet.code))
    return candidates[:MAX_CANDIDATES]


def _why(c: _Candidate, parts: ValueParts, last_checked: date | None) -> list[Reason]:
    reasons = [reason("order_reported" if c.source == "outcome" else "order_planned", rep=c.rep.code)]
    if parts.big_account:
        reasons.append(reason("big_account", channel=c.outlet.channel))
    if parts.high_frequency:
        reasons.append(reason("high_frequency", visits=c.outlet.visits_per_cycle))
    reasons.append(
        reason("never_checked") if last_checked is None else reason("last_checked", on=last_checked.isoformat())
    )
    if parts.first_of_rep:
        reasons.append(reason("first_of_rep", rep=c.rep.code))
    return reasons


def _afternoon(
    week: WeekData, on: date, morning: MorningPublic, last_checked: dict[int, date], spot_checker: SpotChecker
) -> AfternoonPublic:
    office, settings, leave = week.office, week.settings, morning.leave
    start_s = max(leave.time_s, office.lunch_earliest_s) + office.lunch_s
    orders_from = _previous_working_day(week, on)
    ridden = {s.outlet_id for s in morning.stops if s.with_supervisor}
    candidates = _candidates(week, on, orders_from, last_checked, ridden) if orders_from else []
    rep_index = {r.id: i for i, r in enumerate(week.team)}
    problem, distance_m = convert.spot_check_problem(
        (leave.lon, leave.lat),
        office,
        [convert.SpotCheckInput(c.outlet, rep_index[c.rep.id], c.points * SECONDS_PER_POINT) for c in candidates],
        weekday=on.weekday(),
        check_s=settings.spot_check_s,
        start_s=start_s,
        end_by_s=settings.meeting_s,
        rep_bonus_s=FIRST_OF_REP_POINTS * SECONDS_PER_POINT,
        travel_mode=settings.supervisor_travel_mode,
    )
    route = spot_checker(problem)
    weekday = WEEKDAYS[on.weekday()]
    stops, reps_seen, place, route_distance_m = [], set(), 0, 0
    for order, stop in enumerate(route.stops, start=1):
        assert orders_from is not None  # else there are no candidates to visit
        c = candidates[stop.candidate]
        location = problem.candidates[stop.candidate].location
        route_distance_m += int(distance_m[place, location])
        place = location
        parts = c.parts.model_copy(update={"first_of_rep": 0 if c.rep.id in reps_seen else FIRST_OF_REP_POINTS})
        reps_seen.add(c.rep.id)
        stops.append(
            SpotStopPublic(
                order=order,
                outlet_id=stored_id(c.outlet),
                outlet_code=c.outlet.code,
                outlet_name=c.outlet.name,
                channel=c.outlet.channel,
                rep_code=c.rep.code,
                ordered_on=orders_from,
                source=c.source,
                arrival=hhmm_of(stop.arrival_s),
                start=hhmm_of(stop.start_s),
                departure=hhmm_of(stop.departure_s),
                start_s=stop.start_s,
                departure_s=stop.departure_s,
                opening_hours=opening_hours_text(c.outlet.opening_hours).get(weekday, []),
                travel_s=stop.travel_s,
                value=c.points + parts.first_of_rep,
                value_parts=parts,
                why=_why(c, parts, last_checked.get(stored_id(c.outlet))),
            )
        )
    route_distance_m += int(distance_m[place, 1])
    afternoon = AfternoonPublic(
        start=hhmm_of(start_s),
        start_s=start_s,
        orders_from=orders_from,
        candidates=len(candidates),
        stops=stops,
        return_time=hhmm_of(route.end_s),
        return_s=route.end_s,
        meeting=hhmm_of(settings.meeting_s),
        back_before_meeting=route.end_s <= settings.meeting_s,
        travel_s=route.travel_s,
        distance_m=route_distance_m,
        value=sum(s.value for s in stops),
    )
    return afternoon


def _morning_travel(
    week: WeekData, rep: Rep, stops: list[tuple[PlanVisit, Outlet]], supervised: int
) -> tuple[int, int]:
    """The supervisor's travel with the rep: from the office with the rep, or alone to the rep's first stop."""
    if not supervised:
        return 0, 0
    travel_s = sum(v.travel_s for v, _ in stops[1:supervised])
    distance_m = sum(v.distance_m for v, _ in stops[1:supervised])
    first_visit, first_outlet = stops[0]
    if rep.start_place == Place.OFFICE:
        return travel_s + first_visit.travel_s, distance_m + first_visit.distance_m
    lonlat = np.array([(week.office.lon, week.office.lat), (first_outlet.lon, first_outlet.lat)], dtype=float)
    leg = travel_model(week.settings.supervisor_travel_mode).matrix(lonlat)
    return travel_s + int(leg.duration_s[0, 1]), distance_m + int(leg.distance_m[0, 1])


def _why_rep(week: WeekData, rep: Rep, ridden_before: int) -> list[Reason]:
    priority = week.priorities[stored_id(rep)]
    if ridden_before == 0:
        first = reason("first_ride", rep=rep.code, start=week.period_start.isoformat(), end=week.period_end.isoformat())
        return [first, *priority.reasons]
    again = reason("ride_again", rep=rep.code, number=ridden_before + 1, weight=priority.weight)
    return [again, *priority.reasons]


def plan_week(week: WeekData, start_date: date, spot_checker: SpotChecker = plan_spot_checks) -> RideAlongWeekPublic:
    """The week's plan from the data read (no database access: the solvers run here). `spot_checker` routes the
    afternoons (the benchmark passes a baseline)."""
    chosen, repeats, missed = _choose(week, start_date)
    rules = _rules(week)
    last_checked = dict(week.last_checked)
    rides = Counter(week.rides_done)
    days = []
    for on, rep in sorted(chosen.items()):
        rep_id = stored_id(rep)
        stops = week.stops[_route_key(week, rep, on)]
        morning = _morning(week, rep, on, rules)
        morning_public = _morning_public(week, rep, on, stops, morning)
        afternoon = _afternoon(week, on, morning_public, last_checked, spot_checker)
        for s in afternoon.stops:
            last_checked[s.outlet_id] = on
        travel_s, distance_m = _morning_travel(week, rep, stops, morning.supervised)
        days.append(
            RideAlongDayPublic(
                date=on,
                weekday=on.weekday(),
                rep_id=rep_id,
                rep_code=rep.code,
                rep_name=rep.name,
                why=_why_rep(week, rep, rides[rep_id]),
                morning=morning_public,
                afternoon=afternoon,
                supervisor_travel_s=travel_s + afternoon.travel_s,
                supervisor_distance_m=distance_m + afternoon.distance_m,
            )
        )
        rides[rep_id] += 1
    ridden_in_period = sorted(r.code for r in week.team if rides[stored_id(r)])
    return RideAlongWeekPublic(
        supervisor_id=stored_id(week.supervisor),
        supervisor_code=week.supervisor.code,
        office_id=week.supervisor.office_id,
        plan_id=stored_id(week.plan),
        start_date=start_date,
        period_start=week.period_start,
        period_end=week.period_end,
        settings=RideAlongSettingsPublic.of(week.settings),
        priorities=[_priority_public(week, r) for r in week.team],
        days=days,
        kpis=RideAlongWeekKpis(
            reps_in_team=len(week.team),
            reps_ridden_this_week=sorted({d.rep_code for d in days}),
            reps_ridden_in_period=ridden_in_period,
            reps_not_ridden_in_period=sorted(r.code for r in week.team if not rides[stored_id(r)]),
            reps_the_period_cannot_fit=sorted(r.code for r in missed),
            mornings=len(days),
            repeats=repeats,
            spot_checks_planned=sum(len(d.afternoon.stops) for d in days),
            spot_check_value=sum(d.afternoon.value for d in days),
            supervisor_travel_s=sum(d.supervisor_travel_s for d in days),
            supervisor_distance_m=sum(d.supervisor_distance_m for d in days),
            all_back_before_meeting=all(d.afternoon.back_before_meeting for d in days),
        ),
    )


def _priority_public(week: WeekData, rep: Rep) -> RepPriorityPublic:
    rep_id = stored_id(rep)
    priority = week.priorities[rep_id]
    return RepPriorityPublic(
        rep_id=rep_id,
        rep_code=rep.code,
        weight=priority.weight,
        reasons=priority.reasons,
        success_rate=priority.tally.success_rate,
        compliance=priority.tally.compliance,
        rides_earlier_in_period=week.rides_done[rep_id],
    )


def ride_along_week(
    engine: Engine, supervisor_id: int, start_date: date, now: datetime | None = None
) -> RideAlongWeekPublic:
    """Read, plan (no session open while the solvers run), then store the days shown."""
    with Session(engine) as session:
        week = read_week(session, supervisor_id, start_date, now)
    public = plan_week(week, start_date)
    store_week(engine, public)
    return public


def store_week(engine: Engine, week: RideAlongWeekPublic) -> None:
    """Keep the week shown as the supervisor's history, replacing what was stored for its dates."""
    with Session(engine) as session:
        session.exec(
            delete(RideAlongDay).where(
                col(RideAlongDay.supervisor_id) == week.supervisor_id,
                col(RideAlongDay.ride_date) >= week.start_date,
                col(RideAlongDay.ride_date) <= week.start_date + timedelta(days=6),
            )
        )
        session.add_all(
            RideAlongDay(
                supervisor_id=week.supervisor_id,
                ride_date=d.date,
                rep_id=d.rep_id,
                spot_check_outlet_ids=[s.outlet_id for s in d.afternoon.stops],
            )
            for d in week.days
        )
        session.commit()


def _minutes_s(minutes: int) -> int:
    return minutes * 60


# API field -> (stored column, conversion of the API value)
_SETTING_COLUMNS: dict[str, tuple[str, Callable[[Any], int | str]]] = {
    "morning_end": ("morning_end_s", seconds_of),
    "coaching_min": ("coaching_s", _minutes_s),
    "demonstrate_every": ("demonstrate_every", int),
    "meeting": ("meeting_s", seconds_of),
    "period_weeks": ("period_weeks", int),
    "spot_check_min": ("spot_check_s", _minutes_s),
    "supervisor_travel_mode": ("supervisor_travel_mode", str),
    "new_rep_days": ("new_rep_days", int),
}


def office_settings(session: Session, office_id: int) -> RideAlongSettings:
    master_data.require_office(session, office_id, ("path", "office_id"))
    return ride_along_repository.settings(session, office_id)


def update_settings(session: Session, office_id: int, changes: dict) -> RideAlongSettings:
    """Apply the changed fields (API names and units) to the office's settings, stored from now on."""
    master_data.require_office(session, office_id, ("path", "office_id"))
    settings = session.get(RideAlongSettings, office_id) or RideAlongSettings(office_id=office_id)
    for name, value in changes.items():
        column, convert_value = _SETTING_COLUMNS[name]
        setattr(settings, column, convert_value(value))
    if settings.morning_end_s >= settings.meeting_s:
        raise InvalidInput(
            f"the morning ends ({hhmm_of(settings.morning_end_s)}) after the evening meeting "
            f"({hhmm_of(settings.meeting_s)})",
            ("body", "morning_end"),
        )
    session.add(settings)
    session.flush()
    return settings
