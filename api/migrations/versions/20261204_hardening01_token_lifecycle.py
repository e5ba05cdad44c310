"""token lifecycle (expiry, last use) and submitters told apart by token id

Revision ID: hardening01
Revises: console01
Create Date: 2026-12-04 21:20:00

Existing submissions and OpenRosa instances get the id of the token that sent them when
their ``submitted_by`` name matches exactly one token of the survey (or an unscoped one);
otherwise it stays NULL, and only a supervisor or an admin sees the row (an enumerator
sees what provably is its own).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "hardening01"
down_revision: str | None = "console01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def _backfill(table: str) -> None:
    op.execute(
        f"UPDATE {table} SET submitted_by_token_id = ("
        "SELECT MIN(t.id) FROM api_tokens t WHERE t.name = "
        f"{table}.submitted_by AND (t.survey_id = {table}.survey_id OR t.survey_id IS NULL) "
        "HAVING COUNT(*) = 1)"
    )


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", _UTC, nullable=True))
        batch.add_column(sa.Column("last_used_at", _UTC, nullable=True))
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("submitted_by_token_id", sa.Integer(), nullable=True))
        batch.create_index(
            "ix_submissions_survey_token", ["survey_id", "submitted_by_token_id"], unique=False
        )
    with op.batch_alter_table("openrosa_instances") as batch:
        batch.add_column(sa.Column("submitted_by_token_id", sa.Integer(), nullable=True))
    _backfill("submissions")
    _backfill("openrosa_instances")


def downgrade() -> None:
    with op.batch_alter_table("openrosa_instances") as batch:
        batch.drop_column("submitted_by_token_id")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_survey_token")
        batch.drop_column("submitted_by_token_id")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
