"""Territory proposals and rep-count studies (issue 20): what a territory job found, keyed by its job, and the change
set that applied it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "territoryproposal",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("base_plan_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["base_plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["change_set_id"], ["changeset.id"]),
        sa.PrimaryKeyConstraint("job_id"),
    )
    with op.batch_alter_table("territoryproposal") as batch:
        batch.create_index(batch.f("ix_territoryproposal_office_id"), ["office_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("territoryproposal") as batch:
        batch.drop_index(batch.f("ix_territoryproposal_office_id"))
    op.drop_table("territoryproposal")
