"""A rep-day's idle time (waiting left in the day: for an outlet to open or for the lunch window).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planday") as batch:
        # Plans stored before this revision: their idle time, from the same identity the solver keeps.
        batch.add_column(sa.Column("idle_s", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE planday SET idle_s = end_s - start_s - travel_s - service_s - COALESCE("
        "(SELECT rep.lunch_s FROM rep WHERE rep.id = planday.rep_id AND planday.lunch_start_s IS NOT NULL), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("planday") as batch:
        batch.drop_column("idle_s")
