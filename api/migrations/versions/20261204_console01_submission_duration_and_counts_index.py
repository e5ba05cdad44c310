"""submissions: duration_seconds and a covering index of the counts (the web console)

Revision ID: console01
Revises: geography01
Create Date: 2026-12-04 21:00:00

The progress, quality and per-enumerator counts group the survey's submissions by province,
village, status, flags, submitter and day; with every column they read in one index, they
no longer read the rows (each carries its JSON body, about 2 kB). ``duration_seconds`` (the
paradata's end - start, which intake already computes for the ``too_fast`` flag) is stored
so the median interview length needs no JSON either; existing rows are filled from their
bodies here.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "console01"
down_revision: str | None = "geography01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = [
    "survey_id",
    "province",
    "village",
    "status",
    "flag_codes",
    "submitted_by",
    "received_at",
    "duration_seconds",
]


def _seconds(body: Any) -> float | None:
    if isinstance(body, str):
        import json

        body = json.loads(body)
    paradata = (body or {}).get("paradata") or {}
    start, end = paradata.get("start"), paradata.get("end")
    if not start or not end:
        return None
    try:
        a = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        b = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return None
    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return (b - a).total_seconds()


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))
    conn = op.get_bind()
    table = sa.table(
        "submissions",
        sa.column("id", sa.Integer),
        sa.column("body", sa.JSON),
        sa.column("duration_seconds", sa.Float),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.body).where(table.c.id > last).order_by(table.c.id).limit(2000)
        ).all()
        if not rows:
            break
        values = [{"pk": pk, "d": _seconds(body)} for pk, body in rows]
        values = [v for v in values if v["d"] is not None]
        if values:
            conn.execute(
                table.update().where(table.c.id == sa.bindparam("pk")).values(duration_seconds=sa.bindparam("d")),
                values,
            )
        last = rows[-1][0]
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_survey_counts", COUNTS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_survey_counts")
        batch_op.drop_column("duration_seconds")
