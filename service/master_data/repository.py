"""Queries on offices, supervisors, reps and outlets: the one place that knows how they are fetched.

Lookups return None when nothing matches; the caller decides which error that is (404 for a path, 422 for
a reference in a body or file).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, func, select

from service.core.tables import Office, Outlet, OutletStatus, Rep, Supervisor, stored_id


def offices(session: Session) -> Sequence[Office]:
    return session.exec(select(Office).order_by(col(Office.id))).all()


def office(session: Session, office_id: int) -> Office | None:
    return session.get(Office, office_id)


def office_by_code(session: Session, code: str) -> Office | None:
    return session.exec(select(Office).where(Office.code == code)).first()


def supervisors(session: Session, office_id: int | None = None) -> Sequence[Supervisor]:
    query = select(Supervisor).order_by(col(Supervisor.id))
    if office_id is not None:
        query = query.where(Supervisor.office_id == office_id)
    return session.exec(query).all()


def supervisor(session: Session, supervisor_id: int) -> Supervisor | None:
    return session.get(Supervisor, supervisor_id)


def supervisor_by_code(session: Session, code: str) -> Supervisor | None:
    return session.exec(select(Supervisor).where(Supervisor.code == code)).first()


def reps(
    session: Session, office_id: int | None = None, supervisor_id: int | None = None, active: bool | None = None
) -> Sequence[Rep]:
    query = select(Rep).order_by(col(Rep.id))
    if office_id is not None:
        query = query.where(Rep.office_id == office_id)
    if supervisor_id is not None:
        query = query.where(Rep.supervisor_id == supervisor_id)
    if active is not None:
        query = query.where(Rep.active == active)
    return session.exec(query).all()


def rep(session: Session, rep_id: int) -> Rep | None:
    return session.get(Rep, rep_id)


def rep_by_code(session: Session, code: str) -> Rep | None:
    return session.exec(select(Rep).where(Rep.code == code)).first()


def reps_by_code(session: Session, codes: Iterable[str]) -> dict[str, Rep]:
    wanted = set(codes)
    if not wanted:
        return {}
    return {r.code: r for r in session.exec(select(Rep).where(col(Rep.code).in_(wanted))).all()}


def _outlet_filters(office_id: int | None, rep_id: int | None, status: OutletStatus | None) -> list:
    conditions = []
    if office_id is not None:
        conditions.append(Outlet.office_id == office_id)
    if rep_id is not None:
        conditions.append(Outlet.rep_id == rep_id)
    if status is not None:
        conditions.append(Outlet.status == status)
    return conditions


def outlets(
    session: Session,
    office_id: int | None = None,
    rep_id: int | None = None,
    status: OutletStatus | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Sequence[Outlet]:
    """Outlets in customer-code order, filtered by office, rep and status."""
    query = select(Outlet).where(*_outlet_filters(office_id, rep_id, status)).order_by(Outlet.code).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return session.exec(query).all()


def count_outlets(
    session: Session, office_id: int | None = None, rep_id: int | None = None, status: OutletStatus | None = None
) -> int:
    query = select(func.count()).select_from(Outlet).where(*_outlet_filters(office_id, rep_id, status))
    return session.exec(query).one()


def outlets_by_id(session: Session, ids: Iterable[int]) -> dict[int, Outlet]:
    """The outlets of these ids (a rep's reported visits name a few of an office's thousands)."""
    wanted = list(set(ids))
    return (
        {stored_id(o): o for o in session.exec(select(Outlet).where(col(Outlet.id).in_(wanted))).all()}
        if wanted
        else {}
    )


def outlet_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Customer codes by outlet id, read without the rest of the rows (their opening hours are JSON to decode)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(col(Outlet.id), Outlet.code).where(col(Outlet.id).in_(wanted))).all()
    return {outlet_id: code for outlet_id, code in rows if outlet_id is not None}  # a stored id is never None


def outlet_by_code(session: Session, code: str) -> Outlet | None:
    return session.exec(select(Outlet).where(Outlet.code == code)).first()


def outlets_by_code(session: Session, codes: Iterable[str]) -> dict[str, Outlet]:
    wanted = list(set(codes))
    found: dict[str, Outlet] = {}
    for start in range(0, len(wanted), 500):  # keep IN lists short for SQLite's parameter limit
        chunk = wanted[start : start + 500]
        found.update((o.code, o) for o in session.exec(select(Outlet).where(col(Outlet.code).in_(chunk))).all())
    return found


def add(session: Session, row: Office | Supervisor | Rep | Outlet) -> None:
    """Stage a new or changed row and send it, so ids exist and database refusals surface here."""
    session.add(row)
    session.flush()
