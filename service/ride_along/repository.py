"""Queries on an office's ride-along settings and the supervisors' stored ride-along days."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from service.core.tables import RideAlongDay, RideAlongSettings


def settings(session: Session, office_id: int) -> RideAlongSettings:
    """The office's ride-along settings; the defaults (not stored) when it has none."""
    return session.get(RideAlongSettings, office_id) or RideAlongSettings(office_id=office_id)


def ride_along_days(session: Session, supervisor_id: int, first: date, last: date) -> list[RideAlongDay]:
    statement = (
        select(RideAlongDay)
        .where(
            RideAlongDay.supervisor_id == supervisor_id, RideAlongDay.ride_date >= first, RideAlongDay.ride_date <= last
        )
        .order_by(col(RideAlongDay.ride_date))
    )
    return list(session.exec(statement))
