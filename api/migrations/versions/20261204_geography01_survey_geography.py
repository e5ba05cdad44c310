"""survey geography: 2018 (63 provinces) or 2025 (34 provinces)

Revision ID: geography01
Revises: openrosa01
Create Date: 2026-12-04 20:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'geography01'
down_revision: str | None = 'openrosa01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # surveys created before this revision were all drawn in the 63-province geography
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('geography', sa.String(length=4), server_default='2018', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('geography')
