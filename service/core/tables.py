"""Stored rows (SQLModel tables). HTTP schemas live in service/master_data/schemas.py, never here.

Times of day are stored as seconds since local midnight (`*_s`), dates as dates; the office's time zone gives
them meaning. Opening hours are JSON: {"mon": [[start_s, end_s], ...], ..., "sun": []} (an empty list = closed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import JSON, Column, DateTime, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Row(Protocol):
    id: int | None


def stored_id(row: _Row) -> int:
    """The id of a row read from the database or flushed. SQLModel types ids `int | None` for the rows not yet
    sent; a row that is stored always has one."""
    assert row.id is not None, f"{type(row).__name__} is not stored yet"
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A table model's SQLAlchemy table."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ without declaring it


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time: SQLite gives back UTC times without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Place(StrEnum):
    OFFICE = "office"
    HOME = "home"


class TravelMode(StrEnum):
    WALKING = "walking"
    EBIKE = "ebike"
    CAR = "car"


class OutletStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=200)
    lon: float
    lat: float
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    shift_start_s: int = 8 * 3600 + 30 * 60
    shift_end_s: int = 17 * 3600 + 30 * 60
    lunch_earliest_s: int = 11 * 3600 + 30 * 60  # the lunch break lies inside [earliest, latest]
    lunch_latest_s: int = 13 * 3600 + 30 * 60
    lunch_s: int = 3600
    # Travel mode -> {"url", "data_version"} of its osrm-routed, or null for straight-line times; a mode left out
    # uses the global configuration (service/plans/travel.py).
    road_engines: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    created_at: datetime = Field(default_factory=utcnow)


class Supervisor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=200)


class Rep(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    supervisor_id: int | None = Field(default=None, foreign_key="supervisor.id", index=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=200)
    start_place: Place = Place.OFFICE
    end_place: Place = Place.OFFICE
    home_lon: float | None = None
    home_lat: float | None = None
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5], sa_column=Column(JSON, nullable=False))
    shift_start_s: int
    shift_end_s: int
    lunch_earliest_s: int
    lunch_latest_s: int
    lunch_s: int
    travel_mode: TravelMode = TravelMode.EBIKE
    speed_kmh: float | None = None  # overrides the travel mode's default speed
    started_on: date | None = None  # in post since (new reps get more ride-alongs)
    active: bool = True


class Outlet(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    code: str = Field(unique=True, index=True, max_length=32)  # customer code (客编)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    phone: str = Field(default="", max_length=40)  # the shop's, for the rep (migration 0012)
    notes: str = Field(default="", max_length=400)  # for the rep: whom to ask, where the door is
    channel: str = Field(max_length=32)
    lon: float
    lat: float
    service_s: int
    visits_per_cycle: int  # per 4-week cycle: 1, 2, 4, 8 or 12
    opening_hours: dict[str, list[list[int]]] = Field(sa_column=Column(JSON, nullable=False))
    rep_id: int | None = Field(default=None, foreign_key="rep.id", index=True)
    status: OutletStatus = OutletStatus.ACTIVE
    updated_at: datetime = Field(default_factory=utcnow)


class Plan(SQLModel, table=True):
    """One version of an office's journey plan over a repeating cycle."""

    # At most one published version per office, whatever races (migration 0008). Change sets and publishes of an
    # office are serialised by plan_repository.lock_office_versions, so a base may have several versions: a
    # version superseded by re-publishing its base leaves that base open to the next line cleanup.
    __table_args__ = (
        Index(
            "ix_plan_one_published",
            "office_id",
            unique=True,
            sqlite_where=text("status = 'PUBLISHED'"),
            postgresql_where=text("status = 'PUBLISHED'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    start_date: date  # a Monday; the cycle repeats from here
    weeks: int
    status: PlanStatus = PlanStatus.DRAFT
    based_on_id: int | None = Field(default=None, foreign_key="plan.id")
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    time_limit_s: float
    kpis: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The change set that made this version from `based_on_id` (no foreign key: ChangeSet points back here).
    change_set_id: int | None = Field(default=None, index=True)


class PlanDay(SQLModel, table=True):
    """One rep's route on one day of the cycle."""

    __table_args__ = (UniqueConstraint("plan_id", "rep_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    rep_id: int = Field(foreign_key="rep.id")
    day: int  # 0 = the cycle's first Monday
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int
    service_s: int
    lunch_start_s: int | None = None
    lunch_after_stops: int | None = None
    idle_s: int = 0  # the day's span less travel, service and lunch: waiting for an outlet or the lunch window


class PlanVisit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "rep_id", "day", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    day: int
    seq: int  # 1..k, the number on the map, the list and the visit card
    outlet_id: int = Field(foreign_key="outlet.id")
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int  # from the previous stop
    distance_m: int


class UnplacedReason(StrEnum):
    """Why an outlet has no visit in a plan (PlanUnplaced.reason). The solver's reasons (solver.model.UnplacedReason)
    under the same values, and those decided before an outlet reaches the solver."""

    NO_REP = "no_rep"  # no rep, or a rep of another office
    REP_INACTIVE = "rep_inactive"
    NO_ALLOWED_PATTERN = "no_allowed_pattern"
    CLOSED_ON_PATTERN_DAYS = "closed_on_pattern_days"
    NO_WINDOW_IN_SHIFT = "no_window_in_shift"
    SERVICE_LONGER_THAN_WINDOW = "service_longer_than_window"
    UNREACHABLE = "unreachable"  # by the solver within the shift, or by no road at all (the detail says which)
    CAPACITY = "capacity"
    DAY_FULL = "day_full"


class PlanUnplaced(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    outlet_id: int = Field(foreign_key="outlet.id")
    reason: str = Field(max_length=40)  # an UnplacedReason
    detail: str = Field(default="", max_length=400)


# --- visit outcomes and ride-alongs (issue 5) -------------------------------------------------------------------


class VisitOutcome(SQLModel, table=True):
    """What a rep reported for one outlet on one date: the latest report wins, every report is kept as a
    VisitReport. `planned` says whether the published plan had the visit when it was first reported."""

    __table_args__ = (UniqueConstraint("rep_id", "outlet_id", "visit_date"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    outlet_id: int = Field(foreign_key="outlet.id", index=True)
    visit_date: date = Field(index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")  # the published plan at the first report
    planned: bool
    status: str = Field(max_length=20)  # visited, closed, owner_absent, skipped
    order_taken: bool
    reports: int = 1  # reports that changed something; above 1 the outcome was corrected
    first_reported_at: datetime
    reported_at: datetime  # of the latest report
    # of the latest report, as the phone gave them (migration 0011): when it was recorded (maybe offline, before
    # it reached the server) and where the phone was, with the distance to the outlet
    recorded_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    far_from_outlet: bool = False


class VisitReport(SQLModel, table=True):
    """Every distinct report of an outcome, in the order received (corrections are kept)."""

    __table_args__ = (UniqueConstraint("outcome_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="visitoutcome.id", index=True)
    number: int  # 1 = the first report
    status: str = Field(max_length=20)
    order_taken: bool
    reported_at: datetime
    client_id: str | None = Field(default=None, max_length=64, unique=True)  # the phone's id of the report


class RideAlongSettings(SQLModel, table=True):
    """An office's ride-along rules; an office without a row uses these defaults."""

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    morning_end_s: int = 11 * 3600 + 30 * 60  # the supervisor leaves the rep's route by then
    coaching_s: int = 10 * 60  # added at every demonstrated outlet
    demonstrate_every: int = 3  # the supervisor demonstrates personally at every n-th outlet
    meeting_s: int = 17 * 3600  # the evening meeting at the office
    period_weeks: int = 2  # every rep is ridden with at least once per period
    spot_check_s: int = 10 * 60  # time at an outlet to check a delivery
    supervisor_travel_mode: str = Field(default=TravelMode.EBIKE.value, max_length=16)  # a TravelMode value
    new_rep_days: int = 90  # a rep in post for fewer days counts as new


class RideAlongDay(SQLModel, table=True):
    """The ride-along plan last shown for a supervisor's date: the history that later weeks build on (who was
    ridden with in the period, which outlets were spot-checked recently)."""

    __table_args__ = (UniqueConstraint("supervisor_id", "ride_date"),)
    id: int | None = Field(default=None, primary_key=True)
    supervisor_id: int = Field(foreign_key="supervisor.id", index=True)
    ride_date: date
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    spot_check_outlet_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)


# --- line cleanup (issue 4) -------------------------------------------------------------------------------------


class ChangeSet(SQLModel, table=True):
    """A coordinator's batch of master-data changes folded into a plan version: what was asked, the version it
    applied to and the draft version it produced, with the diff between them. Only applied change sets are
    stored; a rejected one leaves no row."""

    __table_args__ = (UniqueConstraint("office_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    idempotency_key: str = Field(max_length=100)
    base_plan_id: int = Field(foreign_key="plan.id")
    result_plan_id: int = Field(foreign_key="plan.id")
    status: str = Field(default="applied", max_length=20)
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    request: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    diff: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Territory(SQLModel, table=True):
    """A rep's territory polygon as the coordinator drew it (GeoJSON Polygon or MultiPolygon, WGS84). Reps
    without a row have a territory derived from their outlets (service/master_data/territories.py)."""

    rep_id: int = Field(foreign_key="rep.id", primary_key=True)
    geometry: dict = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class TerritoryProposal(SQLModel, table=True):
    """What a territory job found (issue 20): a proposal (every outlet's rep, each rep's planned cycle) or a rep-count
    study, keyed by its job. `change_set_id` names the change set that applied a proposal."""

    job_id: int = Field(foreign_key="job.id", primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    kind: str = Field(max_length=32)  # the job's kind: territory_proposal | rep_count
    base_plan_id: int | None = Field(default=None, foreign_key="plan.id")  # the office's current plan then
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    change_set_id: int | None = Field(default=None, foreign_key="changeset.id")


# --- background jobs (issue 7) ----------------------------------------------------------------------------------


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(SQLModel, table=True):
    """A long computation (an office's plan) run in the background: its request, so any service process can run
    it again, its progress, and where its result is. A service process holds a job while `lease_until` lies ahead
    and renews the lease while it works; a job whose lease ran out (its process died) is queued again.
    Times are UTC (timestamptz on PostgreSQL)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # "plan"
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)  # whose limits it counts in
    token_id: int | None = Field(default=None, foreign_key="apitoken.id", index=True)  # who asked for it
    solver_s: float = 0.0  # solver time if its reps were solved one after another (active reps x time limit)
    status: JobStatus = Field(default=JobStatus.QUEUED, index=True)
    request: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reps_total: int = 0
    reps_solved: int = 0
    attempts: int = 0  # runs started; above 1 the job was run again after a service process died
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))  # latest run
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    error: str = Field(default="", max_length=2000)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")  # the result of a plan job
    owner: str | None = Field(default=None, max_length=100)  # the service process holding the job
    lease_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


# --- access: API tokens and the audit trail (issue 8) -----------------------------------------------------------


class Role(StrEnum):
    ADMIN = "admin"  # office_id None: every office; else everything inside that office
    COORDINATOR = "coordinator"  # an office's master data and line cleanup
    SUPERVISOR = "supervisor"  # an office's plans, and their own team (supervisor_id)
    REP = "rep"  # their own day list and visits (rep_id)


class ApiToken(SQLModel, table=True):
    """A bearer token: who holds it, its role and what it is bound to. Only the SHA-256 of the raw token is
    stored; the raw token is shown once, when it is created. A revoked token stays, for the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: Role
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    supervisor_id: int | None = Field(default=None, foreign_key="supervisor.id")
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)  # the raw token's first characters, to tell tokens apart in lists
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    created_by: int | None = Field(default=None, foreign_key="apitoken.id")  # null: the command line
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class SignInLink(SQLModel, table=True):
    """A one-time sign-in link for a rep's phone: only the SHA-256 of its secret is stored; the first visit before
    `expires_at` signs the phone in (a token of its own) and uses the link up."""

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    rep_id: int = Field(foreign_key="rep.id")
    created_by: int | None = Field(default=None, foreign_key="apitoken.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    token_id: int | None = Field(default=None, foreign_key="apitoken.id")  # the token the link signed in with


class AuditEvent(SQLModel, table=True):
    """One change and who made it, written in the change's own transaction. No foreign keys: the trail
    outlives what it names (ids are kept as they were)."""

    __table_args__ = (Index("ix_auditevent_office_at", "office_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    token_id: int | None = None  # null: the command line
    actor_name: str = Field(max_length=100)
    actor_role: str = Field(max_length=16)
    office_id: int | None = None
    action: str = Field(max_length=40, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: str = Field(max_length=64)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
