"""SQL for questionnaires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.db.models import QuestionnaireRow


@dataclass(frozen=True, slots=True)
class QuestionnaireRecord:
    """A published questionnaire version (``pk``: its row id), without its document."""

    pk: int
    id: str
    version: str
    year: int | None
    content_hash: str
    items: int
    created_at: datetime
    created_by: str


def _record(row: QuestionnaireRow) -> QuestionnaireRecord:
    return QuestionnaireRecord(
        pk=row.id,
        id=row.qid,
        version=row.version,
        year=row.year,
        content_hash=row.content_hash,
        items=len(row.document.get("items", [])),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def insert_if_absent(
    session: Session,
    qid: str,
    version: str,
    year: int | None,
    document: dict[str, Any],
    content_hash: str,
    now: datetime,
    created_by: str,
) -> bool:
    """Insert unless ``(qid, version)`` exists (race-safe); True when this call inserted."""
    dialect = session.get_bind().dialect.name
    values = {
        "qid": qid,
        "version": version,
        "year": year,
        "document": document,
        "content_hash": content_hash,
        "created_at": now,
        "created_by": created_by,
    }
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert_fn(QuestionnaireRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["qid", "version"])
        .returning(QuestionnaireRow.id)
    )
    return session.execute(stmt).first() is not None


def by_key(session: Session, qid: str, version: str | None) -> QuestionnaireRecord | None:
    stmt = select(QuestionnaireRow).where(QuestionnaireRow.qid == qid)
    if version is not None:
        stmt = stmt.where(QuestionnaireRow.version == version)
    row = session.scalars(stmt.order_by(QuestionnaireRow.id.desc()).limit(1)).first()
    return None if row is None else _record(row)


def by_pk(session: Session, pk: int) -> QuestionnaireRecord | None:
    row = session.get(QuestionnaireRow, pk)
    return None if row is None else _record(row)


def document(session: Session, pk: int) -> dict[str, Any] | None:
    return session.scalar(select(QuestionnaireRow.document).where(QuestionnaireRow.id == pk))


def list_all(session: Session) -> list[QuestionnaireRecord]:
    rows = session.scalars(select(QuestionnaireRow).order_by(QuestionnaireRow.id)).all()
    return [_record(r) for r in rows]
