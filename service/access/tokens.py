"""API tokens: create one (the raw token is returned once; only its SHA-256 is stored), list, revoke.

A raw token is "rp_" + 43 URL-safe characters (32 random bytes). A token's role says what it may do and its
bindings where (service/access/policy.py): coordinator, supervisor and rep tokens need an office; a supervisor token
also a supervisor of that office, a rep token a rep of that office; an admin token has an office (an office
admin) or none (a global admin). The first admin token comes from the command line (`routeplan token create`).
"""

from __future__ import annotations

import secrets

from sqlalchemy import event
from sqlmodel import Session, col, select

from service.access import audit, auth
from service.access.auth import Principal
from service.core.errors import InvalidInput, Loc, NotFound
from service.core.tables import ApiToken, Role, utcnow
from service.master_data import writes as master_data

PREFIX_CHARS = 10  # shown in lists to tell tokens apart: "rp_" and 7 random characters
MAX_NAME_CHARS = 100


def new_raw_token() -> str:
    return auth.TOKEN_PREFIX + secrets.token_urlsafe(32)


def check_binding(
    session: Session,
    role: Role,
    office_id: int | None,
    supervisor_id: int | None,
    rep_id: int | None,
    loc: Loc = ("body",),
) -> None:
    """422 naming the field unless the bindings suit the role (see the module's notes)."""
    if role != Role.SUPERVISOR and supervisor_id is not None:
        raise InvalidInput(
            f"only a supervisor token is bound to a supervisor, not a {role} token", (*loc, "supervisor_id")
        )
    if role != Role.REP and rep_id is not None:
        raise InvalidInput(f"only a rep token is bound to a rep, not a {role} token", (*loc, "rep_id"))
    if office_id is None:
        if role != Role.ADMIN:
            raise InvalidInput(f"a {role} token needs an office", (*loc, "office_id"))
        return
    office = master_data.require_office(session, office_id, (*loc, "office_id"))
    if role == Role.SUPERVISOR:
        if supervisor_id is None:
            raise InvalidInput("a supervisor token needs the supervisor it acts as", (*loc, "supervisor_id"))
        supervisor = master_data.require_supervisor(session, supervisor_id, (*loc, "supervisor_id"))
        if supervisor.office_id != office.id:
            raise InvalidInput(f"supervisor {supervisor.code} is not in office {office.code}", (*loc, "supervisor_id"))
    if role == Role.REP:
        if rep_id is None:
            raise InvalidInput("a rep token needs the rep it acts as", (*loc, "rep_id"))
        rep = master_data.require_rep(session, rep_id, (*loc, "rep_id"))
        if rep.office_id != office.id:
            raise InvalidInput(f"rep {rep.code} is not in office {office.code}", (*loc, "rep_id"))


def create_token(
    session: Session,
    *,
    role: Role | str,
    name: str,
    office_id: int | None = None,
    supervisor_id: int | None = None,
    rep_id: int | None = None,
    actor: Principal | None = None,
    loc: Loc = ("body",),
) -> tuple[ApiToken, str]:
    """A new token (staged in `session` with its audit event; the caller commits) and its raw form, which is
    never stored. `actor`: who creates it (None: the command line)."""
    try:
        role = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"role must be one of {', '.join(Role)}, not {role!r}", (*loc, "role")) from exc
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        raise InvalidInput(f"name must be 1..{MAX_NAME_CHARS} characters", (*loc, "name"))
    check_binding(session, role, office_id, supervisor_id, rep_id, loc)
    raw = new_raw_token()
    token = ApiToken(
        name=name,
        role=role,
        office_id=office_id,
        supervisor_id=supervisor_id,
        rep_id=rep_id,
        token_hash=auth.token_hash(raw),
        prefix=raw[:PREFIX_CHARS],
        created_by=actor.token_id if actor else None,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.created",
        token.office_id,
        "token",
        token.id,
        {"name": token.name, "role": str(token.role), "prefix": token.prefix},
    )
    return token, raw


def revoke_token(
    session: Session, token_id: int, actor: Principal | None = None, loc: Loc = ("path", "token_id")
) -> ApiToken:
    """Revoke the token (staged, with its audit event; revoking twice changes and records nothing). Once the
    session commits, this process stops accepting it at once; other processes within auth.CACHE_TTL_S."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} does not exist", loc)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        audit.record(
            session,
            actor,
            "token.revoked",
            token.office_id,
            "token",
            token.id,
            {"name": token.name, "role": str(token.role)},
        )
    event.listen(session, "after_commit", lambda _session: auth.forget(token_id), once=True)
    return token


def tokens(session: Session, office_id: int | None = None, include_revoked: bool = False) -> list[ApiToken]:
    """Tokens, newest first; of one office (None: every token, global admins' included)."""
    query = select(ApiToken).order_by(col(ApiToken.id).desc())
    if office_id is not None:
        query = query.where(ApiToken.office_id == office_id)
    if not include_revoked:
        query = query.where(col(ApiToken.revoked_at).is_(None))
    return list(session.exec(query))
