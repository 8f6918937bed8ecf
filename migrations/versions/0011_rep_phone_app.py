"""The rep's phone app (issue 19): where and when a visit outcome was recorded on the phone, the phone's id of
each report (a resent report is the same report), and one-time sign-in links.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visitoutcome") as batch:
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("lon", sa.Float(), nullable=True))
        batch.add_column(sa.Column("accuracy_m", sa.Float(), nullable=True))
        batch.add_column(sa.Column("distance_m", sa.Float(), nullable=True))
        batch.add_column(sa.Column("far_from_outlet", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("visitreport") as batch:
        batch.add_column(sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_unique_constraint("uq_visitreport_client_id", ["client_id"])
    op.create_table(
        "signinlink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["rep_id"], ["rep.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["apitoken.id"]),
        sa.ForeignKeyConstraint(["token_id"], ["apitoken.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signinlink") as batch:
        batch.create_index(batch.f("ix_signinlink_secret_hash"), ["secret_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("signinlink")
    with op.batch_alter_table("visitreport") as batch:
        batch.drop_constraint("uq_visitreport_client_id", type_="unique")
        batch.drop_column("client_id")
    with op.batch_alter_table("visitoutcome") as batch:
        for name in ("far_from_outlet", "distance_m", "accuracy_m", "lon", "lat", "recorded_at"):
            batch.drop_column(name)
