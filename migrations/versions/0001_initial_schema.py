"""Initial schema: offices, supervisors, reps, outlets and plans (service/core/tables.py).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 08:26:18.595986
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("shift_start_s", sa.Integer(), nullable=False),
        sa.Column("shift_end_s", sa.Integer(), nullable=False),
        sa.Column("lunch_earliest_s", sa.Integer(), nullable=False),
        sa.Column("lunch_latest_s", sa.Integer(), nullable=False),
        sa.Column("lunch_s", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_code"), ["code"], unique=True)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("DRAFT", "PUBLISHED", "SUPERSEDED", name="planstatus"), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_office_id"), ["office_id"], unique=False)

    op.create_table(
        "supervisor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervisor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervisor_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_supervisor_office_id"), ["office_id"], unique=False)

    op.create_table(
        "rep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("start_place", sa.Enum("OFFICE", "HOME", name="place"), nullable=False),
        sa.Column("end_place", sa.Enum("OFFICE", "HOME", name="place"), nullable=False),
        sa.Column("home_lon", sa.Float(), nullable=True),
        sa.Column("home_lat", sa.Float(), nullable=True),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("shift_start_s", sa.Integer(), nullable=False),
        sa.Column("shift_end_s", sa.Integer(), nullable=False),
        sa.Column("lunch_earliest_s", sa.Integer(), nullable=False),
        sa.Column("lunch_latest_s", sa.Integer(), nullable=False),
        sa.Column("lunch_s", sa.Integer(), nullable=False),
        sa.Column("travel_mode", sa.Enum("WALKING", "EBIKE", "CAR", name="travelmode"), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["supervisor.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rep_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_rep_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rep_supervisor_id"), ["supervisor_id"], unique=False)

    op.create_table(
        "outlet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("service_s", sa.Integer(), nullable=False),
        sa.Column("visits_per_cycle", sa.Integer(), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum("ACTIVE", "CLOSED", name="outletstatus"), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_outlet_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outlet_rep_id"), ["rep_id"], unique=False)

    op.create_table(
        "planday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("service_s", sa.Integer(), nullable=False),
        sa.Column("lunch_start_s", sa.Integer(), nullable=True),
        sa.Column("lunch_after_stops", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "rep_id", "day"),
    )
    with op.batch_alter_table("planday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planday_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "planunplaced",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["outlet.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("planunplaced", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planunplaced_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "planvisit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["outlet.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "rep_id", "day", "seq"),
    )
    with op.batch_alter_table("planvisit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planvisit_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_planvisit_rep_id"), ["rep_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("planvisit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planvisit_rep_id"))
        batch_op.drop_index(batch_op.f("ix_planvisit_plan_id"))

    op.drop_table("planvisit")
    with op.batch_alter_table("planunplaced", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planunplaced_plan_id"))

    op.drop_table("planunplaced")
    with op.batch_alter_table("planday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planday_plan_id"))

    op.drop_table("planday")
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outlet_rep_id"))
        batch_op.drop_index(batch_op.f("ix_outlet_office_id"))
        batch_op.drop_index(batch_op.f("ix_outlet_code"))

    op.drop_table("outlet")
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rep_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_rep_office_id"))
        batch_op.drop_index(batch_op.f("ix_rep_code"))

    op.drop_table("rep")
    with op.batch_alter_table("supervisor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisor_office_id"))
        batch_op.drop_index(batch_op.f("ix_supervisor_code"))

    op.drop_table("supervisor")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_office_id"))

    op.drop_table("plan")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_code"))

    op.drop_table("office")
    # PostgreSQL keeps enum types after their tables are gone
    for enum_name in ("outletstatus", "travelmode", "place", "planstatus"):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
