"""The sales standard's visit KPIs, from the published plan and the reported visit outcomes.

- compliance: planned visits the rep went to (visited, or found closed / the owner absent) over planned visits
  (target 100%; a planned visit without a report or reported "skipped" is not complied with);
- success rate: successful visits over visits attempted, planned or not (target at least 85%);
- order rate: orders over successful visits;
- coverage: outlets with a planned visit in the range that had a successful visit (target 100%); the others
  are listed by customer code.
Visits are counted on dates up to today only (later ones are not due yet).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from service.core.calendar import current_cycle_start, office_today
from service.core.errors import InvalidInput
from service.core.tables import Plan, Rep, stored_id
from service.master_data import repository
from service.master_data import writes as master_data
from service.plans import repository as plan_repository
from service.visits import repository as visit_repository
from service.visits.schemas import VISITED, KpiFigures, KpiReport, KpiTargets, NotVisitedReason, RepKpis, TeamKpis

TARGETS = KpiTargets()
DEFAULT_DAYS_WITHOUT_PLAN = 28  # the range when there is no published plan to take the cycle from
MAX_RANGE_DAYS = 366  # a KPI range walks every planned day: a year at most


@dataclass
class Tally:
    """Counts behind the KPIs of one rep (or, added up, of a team or an office)."""

    planned: int = 0
    reported: int = 0
    made: int = 0
    unplanned: int = 0
    successful: int = 0
    attempted: int = 0
    orders: int = 0
    outlets_planned: set[int] = field(default_factory=set)
    outlets_visited: set[int] = field(default_factory=set)

    def add(self, other: Tally) -> None:
        for name in ("planned", "reported", "made", "unplanned", "successful", "attempted", "orders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.outlets_planned |= other.outlets_planned
        self.outlets_visited |= other.outlets_visited

    @property
    def compliance(self) -> float | None:
        return self.made / self.planned if self.planned else None

    @property
    def success_rate(self) -> float | None:
        return self.successful / self.attempted if self.attempted else None

    @property
    def order_rate(self) -> float | None:
        return self.orders / self.successful if self.successful else None

    @property
    def coverage(self) -> float | None:
        if not self.outlets_planned:
            return None
        return len(self.outlets_planned & self.outlets_visited) / len(self.outlets_planned)


def rep_tallies(session: Session, plan: Plan | None, reps: list[Rep], first: date, last: date) -> dict[int, Tally]:
    """Per rep id, the counts over [first, last] (the caller keeps `last` at or before today)."""
    tallies = {stored_id(r): Tally() for r in reps}
    planned = (
        {(v.rep_id, v.outlet_id, v.on) for v in visit_repository.planned_visits(session, plan, tallies, first, last)}
        if plan
        else set()
    )
    for rep_id, outlet_id, _ in planned:
        tallies[rep_id].planned += 1
        tallies[rep_id].outlets_planned.add(outlet_id)
    for o in visit_repository.outcomes(session, tallies, first, last):
        tally = tallies[o.rep_id]
        went = o.status != NotVisitedReason.SKIPPED
        if (o.rep_id, o.outlet_id, o.visit_date) in planned:
            tally.reported += 1
            tally.made += went
        else:
            tally.unplanned += 1
        tally.attempted += went
        tally.successful += o.status == VISITED
        tally.orders += o.order_taken
        if o.status == VISITED:
            tally.outlets_visited.add(o.outlet_id)
    return tallies


def _figures(tally: Tally, outlet_codes: dict[int, str]) -> dict:
    rates = {"compliance": tally.compliance, "success_rate": tally.success_rate, "coverage": tally.coverage}
    return {
        "planned_visits": tally.planned,
        "reported_visits": tally.reported,
        "visits_made": tally.made,
        "unplanned_visits": tally.unplanned,
        "successful_visits": tally.successful,
        "attempted_visits": tally.attempted,
        "orders": tally.orders,
        "order_rate": tally.order_rate,
        "outlets_planned": len(tally.outlets_planned),
        "outlets_never_visited": sorted(outlet_codes[o] for o in tally.outlets_planned - tally.outlets_visited),
        **rates,
        "meets_target": {k: None if v is None else v >= getattr(TARGETS, k) for k, v in rates.items()},
    }


def kpi_report(
    session: Session,
    *,
    office_id: int | None = None,
    supervisor_id: int | None = None,
    rep_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """KPIs of an office, a supervisor's team or one rep (the narrowest given; they must agree)."""
    if office_id is None and supervisor_id is None and rep_id is None:
        raise InvalidInput("give office_id, supervisor_id or rep_id", ("query", "office_id"))
    rep = master_data.require_rep(session, rep_id, ("query", "rep_id")) if rep_id is not None else None
    supervisor = (
        master_data.require_supervisor(session, supervisor_id, ("query", "supervisor_id"))
        if supervisor_id is not None
        else None
    )
    if office_id is not None:
        office_id_of_scope = office_id
    else:
        scope = rep or supervisor
        assert scope is not None  # rep_id or supervisor_id is given (checked above)
        office_id_of_scope = scope.office_id
    office = master_data.require_office(session, office_id_of_scope, ("query", "office_id"))
    for name, row in (("rep_id", rep), ("supervisor_id", supervisor)):
        if row is not None and row.office_id != office_id_of_scope:
            raise InvalidInput(f"{name.removesuffix('_id')} {row.code} is not in office {office.code}", ("query", name))
    if rep is not None and supervisor is not None and rep.supervisor_id != supervisor.id:
        raise InvalidInput(f"rep {rep.code} is not in supervisor {supervisor.code}'s team", ("query", "rep_id"))

    plan = plan_repository.published_plan(session, office_id_of_scope)
    today = office_today(office, now)
    last = min(date_to or today, today)
    if date_from is not None:
        first = date_from
    elif plan is not None and plan.start_date <= last:
        first = current_cycle_start(plan, last)
    else:  # no plan, or one that starts later (published ahead of its Monday): the last weeks
        first = last - timedelta(days=DEFAULT_DAYS_WITHOUT_PLAN - 1)
    if first > last:
        raise InvalidInput(
            f"{first.isoformat()} is after the range's end {last.isoformat()} (today or `to`)", ("query", "from")
        )
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(
            f"a range of at most {MAX_RANGE_DAYS} days, not {first.isoformat()} to {last.isoformat()}",
            ("query", "from"),
        )

    reps = [rep] if rep else list(repository.reps(session, office_id_of_scope, supervisor.id if supervisor else None))
    tallies = rep_tallies(session, plan, reps, first, last)
    outlet_codes = repository.outlet_codes(session, (o for t in tallies.values() for o in t.outlets_planned))
    total = Tally()
    teams: dict[int | None, Tally] = defaultdict(Tally)  # by supervisor id
    team_reps: dict[int | None, list[int]] = defaultdict(list)
    for r in reps:
        total.add(tallies[stored_id(r)])
        teams[r.supervisor_id].add(tallies[stored_id(r)])
        team_reps[r.supervisor_id].append(stored_id(r))
    return KpiReport(
        office_id=office_id_of_scope,
        supervisor_id=supervisor_id,
        rep_id=rep_id,
        plan_id=plan.id if plan else None,
        date_from=first,
        date_to=last,
        targets=TARGETS,
        total=KpiFigures(**_figures(total, outlet_codes)),
        teams=[
            TeamKpis(supervisor_id=s, rep_ids=team_reps[s], **_figures(t, outlet_codes))
            for s, t in sorted(teams.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ],
        reps=[
            RepKpis(
                rep_id=stored_id(r),
                rep_code=r.code,
                supervisor_id=r.supervisor_id,
                **_figures(tallies[stored_id(r)], outlet_codes),
            )
            for r in reps
        ],
    )
