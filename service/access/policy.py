"""Who may do what. Every route (but /health, the static files and the API docs) declares a rule as a dependency,
checked before the route reads its body or changes anything; the day-list fast path asks the same `allows`.

Roles and what they reach:
- admin: everything; a global admin token (no office) in every office, an office admin's inside its office
  (tokens included). Only a global admin creates offices.
- coordinator: reads its office's data (offices, people, outlets, plans and map, change sets and diffs,
  territories, jobs); creates, edits and imports outlets; submits change sets and territories. It never
  publishes: the draft a change set makes is published by a supervisor or an admin.
- coordinator, supervisor and admin ask for territory proposals and rep counts of their office; a coordinator or an
  admin applies a proposal (a change set).
- supervisor: reads its office; creates, publishes and cancels the office's plans (a plan is a version of the
  whole office's journey plan, so this right is office-wide, not per team); reads and edits the reps of its team,
  reads their day lists, visit outcomes and KPIs and reports visits for them; reads its own ride-along week.
- rep: its own rep record, day list (JSON, page, PDF) and visit outcomes (report and read).

Offices: a list answers the token's office only (403 when an `office_id` filter names another). An object of
another office, named by id in the path, query or body, is refused with 403 saying so (never 404: ids are
sequential, so hiding one protects nothing, and 403 keeps "not yours" apart from "no such id"). An id that names
nothing passes to the route, which answers 404 as it always has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import Depends, Path, Query
from sqlmodel import Session, select

from service.access.auth import Principal, cookie_principal, current_principal, page_principal
from service.core.db import SessionDep
from service.core.errors import Forbidden, Loc
from service.core.fields import ChangeSetId, JobId, OfficeId, OutletCode, PlanId, SupervisorId, TokenId
from service.core.tables import ApiToken, ChangeSet, Job, Outlet, Plan, Rep, Role, Supervisor


class Reach(Enum):
    EVERY_OFFICE = "every office"  # a global admin only
    OFFICE = "office"  # anything of the token's office
    TEAM = "team"  # the reps of the token's supervisor (and the supervisor itself)
    OWN = "own"  # the token's rep only


@dataclass(frozen=True)
class Rule:
    action: str  # what the rule allows, as the refusal names it: "publish plans"
    reach: Mapping[Role, Reach]  # the roles allowed and how far; a role not listed never may


@dataclass(frozen=True)
class Scope:
    """Where an object sits: its office, and, for people and their data, the supervisor's team and the rep."""

    what: str  # "rep 12", as a refusal names it
    office_id: int | None
    supervisor_id: int | None = None
    rep_id: int | None = None


ADMIN, COORDINATOR, SUPERVISOR, REP = Role.ADMIN, Role.COORDINATOR, Role.SUPERVISOR, Role.REP
OFFICE, TEAM, OWN = Reach.OFFICE, Reach.TEAM, Reach.OWN

CREATE_OFFICES = Rule("create offices", {ADMIN: Reach.EVERY_OFFICE})
READ_OFFICE = Rule("read the office's data", {ADMIN: OFFICE, COORDINATOR: OFFICE, SUPERVISOR: OFFICE})
EDIT_OFFICE = Rule("add supervisors and reps or change office settings", {ADMIN: OFFICE})
READ_REP = Rule("read reps", {ADMIN: OFFICE, COORDINATOR: OFFICE, SUPERVISOR: OFFICE, REP: OWN})
EDIT_REP = Rule("edit reps", {ADMIN: OFFICE, SUPERVISOR: TEAM})
EDIT_OUTLETS = Rule("create, edit or import outlets", {ADMIN: OFFICE, COORDINATOR: OFFICE})
LINE_CLEANUP = Rule("submit change sets or territories", {ADMIN: OFFICE, COORDINATOR: OFFICE})
PLAN = Rule("create, publish or cancel plans", {ADMIN: OFFICE, SUPERVISOR: OFFICE})
TERRITORIES = Rule(
    "ask for territory proposals or rep counts", {ADMIN: OFFICE, COORDINATOR: OFFICE, SUPERVISOR: OFFICE}
)
DAY_LIST = Rule("read day lists", {ADMIN: OFFICE, SUPERVISOR: TEAM, REP: OWN})
VISITS = Rule("report or read visit outcomes", {ADMIN: OFFICE, SUPERVISOR: TEAM, REP: OWN})
KPIS = Rule("read KPIs", {ADMIN: OFFICE, SUPERVISOR: TEAM})
RIDE_ALONG = Rule("read ride-along weeks", {ADMIN: OFFICE, SUPERVISOR: TEAM})
MANAGE_TOKENS = Rule("manage tokens", {ADMIN: OFFICE})
READ_AUDIT = Rule("read the audit trail", {ADMIN: OFFICE, SUPERVISOR: OFFICE})


def is_global(principal: Principal) -> bool:
    return principal.role == ADMIN and principal.office_id is None


def _role_refusal(principal: Principal, rule: Rule) -> str | None:
    reach = rule.reach.get(principal.role)
    if reach is None:
        allowed = " or ".join(str(role) for role in rule.reach)
        return f"a {principal.role} token cannot {rule.action} (needs {allowed})"
    if reach is Reach.EVERY_OFFICE and not is_global(principal):
        return f"only a global admin token (bound to no office) can {rule.action}"
    return None


def _scope_refusal(principal: Principal, rule: Rule, scope: Scope) -> str | None:
    """Why `scope` is out of reach of a principal whose role passed; None when it is within."""
    if is_global(principal):
        return None
    if scope.office_id != principal.office_id:
        return f"{scope.what} is not in this token's office (office {principal.office_id})"
    reach = rule.reach[principal.role]
    if reach is TEAM and scope.supervisor_id != principal.supervisor_id:
        return f"{scope.what} is not in this token's team (supervisor {principal.supervisor_id})"
    if reach is OWN and scope.rep_id != principal.rep_id:
        return f"a rep token can {rule.action} of its own rep (rep {principal.rep_id}) only, not of {scope.what}"
    return None


def allows(principal: Principal, rule: Rule, scope: Scope) -> bool:
    return _role_refusal(principal, rule) is None and _scope_refusal(principal, rule, scope) is None


def check_role(principal: Principal, rule: Rule) -> None:
    """403 unless the principal's role may apply `rule` at all."""
    if (refused := _role_refusal(principal, rule)) is not None:
        raise Forbidden(refused, ("token", "role"))


def check(principal: Principal, rule: Rule, scope: Scope, loc: Loc) -> None:
    """403 naming what is missing unless `principal` may apply `rule` to what `scope` describes (at `loc`)."""
    check_role(principal, rule)
    if (refused := _scope_refusal(principal, rule, scope)) is not None:
        raise Forbidden(refused, loc)


def office_filter(principal: Principal, office_id: int | None, loc: Loc = ("query", "office_id")) -> int | None:
    """The office a list is filtered to: as asked for a global admin, else the token's office (403 for another)."""
    if is_global(principal):
        return office_id
    if office_id is not None and office_id != principal.office_id:
        raise Forbidden(f"office {office_id} is not this token's office (office {principal.office_id})", loc)
    return principal.office_id


def rep_scope(rep: Rep) -> Scope:
    return Scope(f"rep {rep.id}", rep.office_id, rep.supervisor_id, rep.id)


def supervisor_scope(supervisor: Supervisor) -> Scope:
    return Scope(f"supervisor {supervisor.id}", supervisor.office_id, supervisor.id)


# --- the rules as FastAPI dependencies: each returns the principal, for routes that record who acted ----------


def _who(page: bool, cookie: bool = False) -> Any:
    """The principal dependency: the Bearer header; pages also take their cookie and a link's `?token=`, the
    rep's day list (which the day page uses) the cookie (service/access/auth.py)."""
    return Depends(page_principal if page else cookie_principal if cookie else current_principal)


def role(rule: Rule, *, page: bool = False) -> Any:
    """The role check alone; the route checks the office of what its body or query names with `check`."""

    def role_rule(principal: Principal = _who(page)) -> Principal:
        check_role(principal, rule)
        return principal

    return Depends(role_rule)


def _on(principal: Principal, rule: Rule, session: Session, scope_of: Any, loc: Loc) -> Principal:
    check_role(principal, rule)  # first: no query for a role that never may
    scope = scope_of(session)
    # Hand the connection back at once: a route may open a session of its own (the day list builds its list in
    # one), and a request holding two connections at a time deadlocks the pool under load.
    session.commit()
    if scope is not None:  # else the id names nothing: the route answers 404
        check(principal, rule, scope, loc)
    return principal


def on_office(rule: Rule) -> Any:
    def office_rule(office_id: OfficeId, session: SessionDep, principal: Principal = _who(False)) -> Principal:
        return _on(principal, rule, session, lambda _s: Scope(f"office {office_id}", office_id), ("path", "office_id"))

    return Depends(office_rule)


def on_rep(rule: Rule, *, page: bool = False, cookie: bool = False, loc: Loc = ("path", "rep_id")) -> Any:
    """The rep named in the path, or (`loc` ("query", "rep_id")) in the query."""
    given_in = Path if loc[0] == "path" else Query

    def rep_rule(
        session: SessionDep,
        rep_id: int = given_in(description="The rep's id."),
        principal: Principal = _who(page, cookie),
    ) -> Principal:
        return _on(principal, rule, session, lambda s: (r := s.get(Rep, rep_id)) and rep_scope(r), loc)

    return Depends(rep_rule)


def on_supervisor(rule: Rule, *, page: bool = False) -> Any:
    def supervisor_rule(
        supervisor_id: SupervisorId, session: SessionDep, principal: Principal = _who(page)
    ) -> Principal:
        def scope(s: Session) -> Scope | None:
            found = s.get(Supervisor, supervisor_id)
            return None if found is None else supervisor_scope(found)

        return _on(principal, rule, session, scope, ("path", "supervisor_id"))

    return Depends(supervisor_rule)


def on_plan(rule: Rule, *, page: bool = False) -> Any:
    def plan_rule(plan_id: PlanId, session: SessionDep, principal: Principal = _who(page)) -> Principal:
        return _on(
            principal,
            rule,
            session,
            lambda s: (p := s.get(Plan, plan_id)) and Scope(f"plan {plan_id}", p.office_id),
            ("path", "plan_id"),
        )

    return Depends(plan_rule)


def on_job(rule: Rule) -> Any:
    def job_rule(job_id: JobId, session: SessionDep, principal: Principal = _who(False)) -> Principal:
        return _on(
            principal,
            rule,
            session,
            lambda s: (j := s.get(Job, job_id)) and Scope(f"job {job_id}", j.request.get("office_id")),
            ("path", "job_id"),
        )

    return Depends(job_rule)


def on_change_set(rule: Rule) -> Any:
    def change_set_rule(
        change_set_id: ChangeSetId, session: SessionDep, principal: Principal = _who(False)
    ) -> Principal:
        return _on(
            principal,
            rule,
            session,
            lambda s: (c := s.get(ChangeSet, change_set_id)) and Scope(f"change set {change_set_id}", c.office_id),
            ("path", "change_set_id"),
        )

    return Depends(change_set_rule)


def on_outlet(rule: Rule) -> Any:
    def outlet_rule(code: OutletCode, session: SessionDep, principal: Principal = _who(False)) -> Principal:
        def scope(s: Session) -> Scope | None:
            office_id = s.exec(select(Outlet.office_id).where(Outlet.code == code)).first()
            return None if office_id is None else Scope(f"outlet {code}", office_id)

        return _on(principal, rule, session, scope, ("path", "code"))

    return Depends(outlet_rule)


def on_token(rule: Rule) -> Any:
    def token_rule(token_id: TokenId, session: SessionDep, principal: Principal = _who(False)) -> Principal:
        return _on(
            principal,
            rule,
            session,
            lambda s: (t := s.get(ApiToken, token_id)) and Scope(f"token {token_id}", t.office_id),
            ("path", "token_id"),
        )

    return Depends(token_rule)
