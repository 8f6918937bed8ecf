"""Stored territory proposals and rep-count studies as the API shows them."""

from __future__ import annotations

from sqlmodel import Session

from service.core.errors import NotFound
from service.core.tables import TerritoryProposal, as_utc
from service.territories.requests import PROPOSAL, REP_COUNT
from service.territories.schemas import ProposalPublic, RepCountPublic


def stored(session: Session, job_id: int, kind: str) -> TerritoryProposal | None:
    row = session.get(TerritoryProposal, job_id)
    return row if row is not None and row.kind == kind else None


def proposal_public(row: TerritoryProposal) -> ProposalPublic:
    return ProposalPublic.model_validate(
        row.result
        | {
            "id": row.job_id,
            "office_id": row.office_id,
            "base_plan_id": row.base_plan_id,
            "created_at": as_utc(row.created_at),
            "change_set_id": row.change_set_id,
        }
    )


def rep_count_public(row: TerritoryProposal) -> RepCountPublic:
    return RepCountPublic.model_validate(
        row.result | {"id": row.job_id, "office_id": row.office_id, "created_at": as_utc(row.created_at)}
    )


def proposal(session: Session, job_id: int) -> TerritoryProposal:
    row = stored(session, job_id, PROPOSAL)
    if row is None:
        raise NotFound(f"no territory proposal {job_id}", ("path", "proposal_id"))
    return row


def rep_count_study(session: Session, job_id: int) -> TerritoryProposal:
    row = stored(session, job_id, REP_COUNT)
    if row is None:
        raise NotFound(f"no rep-count study {job_id}", ("path", "study_id"))
    return row
