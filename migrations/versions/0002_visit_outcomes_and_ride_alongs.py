"""Visit outcomes (with every report kept), office ride-along settings and the ride-along days shown.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:45:46.240233
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ridealongsettings",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("morning_end_s", sa.Integer(), nullable=False),
        sa.Column("coaching_s", sa.Integer(), nullable=False),
        sa.Column("demonstrate_every", sa.Integer(), nullable=False),
        sa.Column("meeting_s", sa.Integer(), nullable=False),
        sa.Column("period_weeks", sa.Integer(), nullable=False),
        sa.Column("spot_check_s", sa.Integer(), nullable=False),
        sa.Column("supervisor_travel_mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("new_rep_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.PrimaryKeyConstraint("office_id"),
    )
    op.create_table(
        "ridealongday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("ride_date", sa.Date(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("spot_check_outlet_ids", sa.JSON(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["supervisor.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supervisor_id", "ride_date"),
    )
    with op.batch_alter_table("ridealongday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ridealongday_supervisor_id"), ["supervisor_id"], unique=False)

    op.create_table(
        "visitoutcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("order_taken", sa.Boolean(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
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
        sa.UniqueConstraint("rep_id", "outlet_id", "visit_date"),
    )
    with op.batch_alter_table("visitoutcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitoutcome_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visitoutcome_outlet_id"), ["outlet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visitoutcome_rep_id"), ["rep_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visitoutcome_visit_date"), ["visit_date"], unique=False)

    op.create_table(
        "visitreport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("order_taken", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["visitoutcome.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outcome_id", "number"),
    )
    with op.batch_alter_table("visitreport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitreport_outcome_id"), ["outcome_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitreport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitreport_outcome_id"))

    op.drop_table("visitreport")
    with op.batch_alter_table("visitoutcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitoutcome_visit_date"))
        batch_op.drop_index(batch_op.f("ix_visitoutcome_rep_id"))
        batch_op.drop_index(batch_op.f("ix_visitoutcome_outlet_id"))
        batch_op.drop_index(batch_op.f("ix_visitoutcome_office_id"))

    op.drop_table("visitoutcome")
    with op.batch_alter_table("ridealongday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ridealongday_supervisor_id"))

    op.drop_table("ridealongday")
    op.drop_table("ridealongsettings")
