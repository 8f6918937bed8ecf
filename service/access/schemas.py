"""HTTP schemas of API tokens and audit events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.core.fields import RequestModel
from service.core.tables import ApiToken, AuditEvent, Role, as_utc, stored_id


class TokenCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "张伟的手机 (MH-R01)", "role": "rep", "office_id": 1, "rep_id": 1}]},
    )
    name: str = Field(min_length=1, max_length=100, description="who or what holds it: a person, a device")
    role: Role = Field(
        description=(
            "admin, coordinator (master data, line cleanup), supervisor (plans, own team) or rep (own "
            "day list and visits)"
        )
    )
    office_id: int | None = Field(default=None, description="required but for a global admin")
    supervisor_id: int | None = Field(default=None, description="a supervisor token's supervisor")
    rep_id: int | None = Field(default=None, description="a rep token's rep")


class TokenPublic(BaseModel):
    """A token as listed: never its hash, only the raw token's first characters."""

    id: int = Field(description="the token's id")
    name: str = Field(description="who or what holds it: a person, a device")
    role: Role = Field(description="admin, coordinator, supervisor or rep")
    office_id: int | None = Field(description="the office the token is bound to (null: a global admin)")
    supervisor_id: int | None = Field(description="a supervisor token's supervisor")
    rep_id: int | None = Field(description="a rep token's rep")
    prefix: str = Field(description="the raw token's first characters, to tell tokens apart")
    created_at: datetime = Field(description="when the token was issued (UTC)")
    created_by: int | None = Field(description="the id of the token that issued it")
    revoked_at: datetime | None = Field(description="when it was revoked (UTC); null while it works")
    last_used_at: datetime | None = Field(description="when it last signed a request (UTC), to within 5 minutes")

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
    id: int = Field(description="the event's id (page with before_id)")
    at: datetime = Field(description="when it happened (UTC)")
    token_id: int | None = Field(description="the token that made the change")
    actor_name: str = Field(description="the token's holder at the time")
    actor_role: str = Field(description="the token's role at the time")
    office_id: int | None = Field(description="the office changed (null: not an office's)")
    action: str = Field(description="what was done, e.g. plan.published, outlet.updated")
    subject_type: str = Field(description="the kind of thing changed: plan, outlet, rep, token...")
    subject_id: str = Field(description="its id or code")
    detail: dict = Field(description="what changed, per action (e.g. the fields of an update)")

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventPublic:
        return cls(**event.model_dump(exclude={"at"}), at=as_utc(event.at))
