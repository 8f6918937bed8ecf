"""Per-office road travel engines (Office.road_engines: travel mode -> osrm-routed URL and data version).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing offices keep the global configuration: no mode of their own
    op.add_column("office", sa.Column("road_engines", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    op.drop_column("office", "road_engines")
