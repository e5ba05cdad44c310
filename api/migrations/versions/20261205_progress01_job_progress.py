"""jobs report their progress: a fraction done and a short stage name

Revision ID: progress01
Revises: hardening01
Create Date: 2026-12-05 00:40:00

The job runner writes both while a job runs (api/jobs/runner.py); jobs stored before this
revision keep NULL, which the API shows as "no progress known".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "progress01"
down_revision: str | None = "hardening01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("progress", sa.Float(), nullable=True))
        batch.add_column(sa.Column("stage", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("stage")
        batch.drop_column("progress")
