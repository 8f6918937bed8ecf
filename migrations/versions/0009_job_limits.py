"""Plan jobs counted against their office's and their token's limits (service/jobs/limits.py): whose they are and
the solver time they hold.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("token_id", sa.Integer(), nullable=True))
        # Jobs stored before this revision hold no solver time against a limit (the active ones are re-run or
        # ended by the service anyway).
        batch.add_column(sa.Column("solver_s", sa.Float(), nullable=False, server_default="0"))
        batch.create_foreign_key("fk_job_office_id_office", "office", ["office_id"], ["id"])
        batch.create_foreign_key("fk_job_token_id_apitoken", "apitoken", ["token_id"], ["id"])
        batch.create_index(batch.f("ix_job_office_id"), ["office_id"], unique=False)
        batch.create_index(batch.f("ix_job_token_id"), ["token_id"], unique=False)
    # The office of older jobs, from the request they keep.
    job = sa.table(
        "job", sa.column("id", sa.Integer), sa.column("request", sa.JSON), sa.column("office_id", sa.Integer)
    )
    bind = op.get_bind()
    for job_id, request in bind.execute(sa.select(job.c.id, job.c.request)).all():
        if isinstance(request, dict) and isinstance(request.get("office_id"), int):
            bind.execute(job.update().where(job.c.id == job_id).values(office_id=request["office_id"]))


def downgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.drop_index(batch.f("ix_job_token_id"))
        batch.drop_index(batch.f("ix_job_office_id"))
        batch.drop_constraint("fk_job_token_id_apitoken", type_="foreignkey")
        batch.drop_constraint("fk_job_office_id_office", type_="foreignkey")
        batch.drop_column("solver_s")
        batch.drop_column("token_id")
        batch.drop_column("office_id")
