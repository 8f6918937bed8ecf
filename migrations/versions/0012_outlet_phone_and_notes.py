"""An outlet's phone number and notes for the rep (issue 19): shown on the rep's phone page.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outlet") as batch:
        batch.add_column(
            sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("outlet") as batch:
        batch.drop_column("notes")
        batch.drop_column("phone")
