"""Line cleanup: change sets, rep territories, and the change set that made a plan version (one version per base).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:41:26.248155
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changeset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("base_plan_id", sa.Integer(), nullable=False),
        sa.Column("result_plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_plan_id"],
            ["plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
        ),
        sa.ForeignKeyConstraint(
            ["result_plan_id"],
            ["plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "idempotency_key"),
    )
    with op.batch_alter_table("changeset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changeset_office_id"), ["office_id"], unique=False)

    op.create_table(
        "territory",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["rep.id"],
        ),
        sa.PrimaryKeyConstraint("rep_id"),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_set_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_plan_change_set_id"), ["change_set_id"], unique=False)
        batch_op.create_index("ix_plan_office_based_on", ["office_id", "based_on_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_office_based_on")
        batch_op.drop_index(batch_op.f("ix_plan_change_set_id"))
        batch_op.drop_column("change_set_id")

    op.drop_table("territory")
    with op.batch_alter_table("changeset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changeset_office_id"))

    op.drop_table("changeset")
