"""A change set checked against the stored office: what to write, which reps it touches; written by `apply`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from service.core.tables import (
    Office,
    Outlet,
    OutletStatus,
    Rep,
    stored_id,
    utcnow,
)


@dataclass
class Edits:
    """The change set checked against the stored office: what to write, and which reps it touches."""

    office: Office
    reps: dict[int, Rep]  # the office's reps by id
    outlets: list[Outlet]  # the office's outlets (new ones appended when applied)
    new_outlets: list[Outlet] = field(default_factory=list)
    closed: list[Outlet] = field(default_factory=list)
    changed: list[tuple[Outlet, dict]] = field(default_factory=list)
    refold: set[int] = field(default_factory=set)  # outlets to re-insert (frequency changed, moved to a new rep)
    reassigned: dict[int, tuple[Outlet, int]] = field(default_factory=dict)  # outlet id -> (outlet, new rep id)
    leaving: list[Rep] = field(default_factory=list)
    touched_reps: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def apply(self, session: Session) -> None:
        for outlet in self.new_outlets:
            session.add(outlet)
            self.outlets.append(outlet)
            self._touch(outlet.rep_id)
        for outlet in self.closed:
            outlet.status = OutletStatus.CLOSED
            outlet.updated_at = utcnow()
            session.add(outlet)
            self._touch(outlet.rep_id)
        for outlet, values in self.changed:
            if values.get("visits_per_cycle", outlet.visits_per_cycle) != outlet.visits_per_cycle:
                self.refold.add(stored_id(outlet))
            for name, value in values.items():
                setattr(outlet, name, value)
            outlet.updated_at = utcnow()
            session.add(outlet)
            self._touch(outlet.rep_id)
        for outlet, rep_id in self.reassigned.values():
            self._touch(outlet.rep_id)
            self._touch(rep_id)
            self.refold.add(stored_id(outlet))
            outlet.rep_id = rep_id
            outlet.updated_at = utcnow()
            session.add(outlet)
        for rep in self.leaving:
            rep.active = False
            session.add(rep)
        session.flush()

    def _touch(self, rep_id: int | None) -> None:
        if rep_id is not None:  # an outlet without a rep touches no rep
            self.touched_reps.add(rep_id)

    def summary(self) -> dict:
        return {
            "new_outlets": [o.code for o in self.new_outlets],
            "closed": [o.code for o in self.closed],
            "changed": [o.code for o, _ in self.changed],
            "reassigned": [{"outlet_code": o.code, "rep_code": self.reps[r].code} for o, r in self.reassigned.values()],
            "reps_leaving": [r.code for r in self.leaving],
        }
