"""At most one published plan per office, kept by the database itself (a partial unique index); a base plan may
have several versions (change sets are serialised per office by a lock on the office's row instead, and a version
superseded by re-publishing its base must not block the next change set on that base).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED = sa.text("status = 'PUBLISHED'")


def upgrade() -> None:
    # A database that a publish race left with two published plans keeps the newest of them.
    op.execute(
        "UPDATE plan SET status = 'SUPERSEDED' WHERE status = 'PUBLISHED' AND id < "
        "(SELECT MAX(p.id) FROM plan p WHERE p.office_id = plan.office_id AND p.status = 'PUBLISHED')"
    )
    op.create_index(
        "ix_plan_one_published", "plan", ["office_id"], unique=True, sqlite_where=PUBLISHED, postgresql_where=PUBLISHED
    )
    op.drop_index("ix_plan_office_based_on", table_name="plan")


def downgrade() -> None:
    op.create_index("ix_plan_office_based_on", "plan", ["office_id", "based_on_id"], unique=True)
    op.drop_index("ix_plan_one_published", table_name="plan")
