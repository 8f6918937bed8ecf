"""API tokens: POST /tokens (the raw token is in this answer only), GET /tokens, DELETE /tokens/{id} (revoke).
Admins only; an office admin manages the tokens of its office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from service.access import policy, tokens
from service.access.auth import Principal
from service.access.policy import MANAGE_TOKENS, Scope
from service.access.schemas import TokenCreate, TokenCreated, TokenPublic
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter, TokenId

router = APIRouter(route_class=CommittingRoute, prefix="/tokens", tags=["access"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Issue an API token")
def create_token(
    data: TokenCreate, session: SessionDep, principal: Annotated[Principal, policy.role(MANAGE_TOKENS)]
) -> TokenCreated:
    """A new token; keep `token` from this answer: it is not stored and cannot be shown again."""
    policy.check(
        principal,
        MANAGE_TOKENS,
        Scope("a token for " + (f"office {data.office_id}" if data.office_id else "every office"), data.office_id),
        ("body", "office_id"),
    )
    token, raw = tokens.create_token(
        session,
        role=data.role,
        name=data.name,
        office_id=data.office_id,
        supervisor_id=data.supervisor_id,
        rep_id=data.rep_id,
        actor=principal,
    )
    return TokenCreated(**TokenPublic.of(token).model_dump(), token=raw)


@router.get("", summary="List API tokens")
def list_tokens(
    session: SessionDep,
    principal: Annotated[Principal, policy.role(MANAGE_TOKENS)],
    office_id: OfficeFilter = None,
    include_revoked: Annotated[bool, Query(description="true: revoked tokens too.")] = False,
) -> list[TokenPublic]:
    """Tokens, newest first (an office admin sees its office's)."""
    return [
        TokenPublic.of(t) for t in tokens.tokens(session, policy.office_filter(principal, office_id), include_revoked)
    ]


@router.delete("/{token_id}", summary="Revoke an API token")
def revoke_token(
    token_id: TokenId, session: SessionDep, principal: Annotated[Principal, policy.on_token(MANAGE_TOKENS)]
) -> TokenPublic:
    """Revoke the token: refused from the next request on (revoking twice changes nothing)."""
    token = tokens.revoke_token(session, token_id, principal)
    return TokenPublic.of(token)
