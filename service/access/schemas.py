"""HTTP schemas of API tokens and audit events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.core.fields import RequestModel
from service.core.tables import ApiToken, AuditEvent, Role, as_utc, stored_id


class TokenCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="who or what holds it: a person, a device")
    role: Role
    office_id: int | None = Field(default=None, description="required but for a global admin")
    supervisor_id: int | None = Field(default=None, description="a supervisor token's supervisor")
    rep_id: int | None = Field(default=None, description="a rep token's rep")


class TokenPublic(BaseModel):
    """A token as listed: never its hash, only the raw token's first characters."""

    id: int
    name: str
    role: Role
    office_id: int | None
    supervisor_id: int | None
    rep_id: int | None
    prefix: str
    created_at: datetime
    created_by: int | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenPublic:
        return cls(
            id=stored_id(token),
            name=token.name,
            role=token.role,
            office_id=token.office_id,
            supervisor_id=token.supervisor_id,
            rep_id=token.rep_id,
            prefix=token.prefix,
            created_at=as_utc(token.created_at),
            created_by=token.created_by,
            revoked_at=token.revoked_at and as_utc(token.revoked_at),
            last_used_at=token.last_used_at and as_utc(token.last_used_at),
        )


class TokenCreated(TokenPublic):
    token: str = Field(description="the raw token: shown this once, never stored")


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    token_id: int | None
    actor_name: str
    actor_role: str
    office_id: int | None
    action: str
    subject_type: str
    subject_id: str
    detail: dict

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventPublic:
        return cls(**event.model_dump(exclude={"at"}), at=as_utc(event.at))
