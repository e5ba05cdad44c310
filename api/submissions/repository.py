"""All SQL for submissions: race-safe inserts, reads, versioned updates, the audit trail.

Deduplication rests on the unique key ``(survey_id, submission_id)``: rows are inserted with
``INSERT ... ON CONFLICT DO NOTHING RETURNING submission_id`` (SQLite ≥ 3.35 and PostgreSQL),
so of two concurrent first posts of one id exactly one inserts and the other sees the
committed row afterwards (PostgreSQL waits on the conflicting in-flight insert; SQLite
serialises writers with ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.db.models import SubmissionEventRow, SubmissionRow, SubmissionVersionRow
from api.submissions.records import Filters, Stored

SUBMISSIONS = cast(Table, SubmissionRow.__table__)
# Hot-path statements are built once (SQLAlchemy then reuses their compiled form).
_INSERT_NEW = {
    name: fn(SUBMISSIONS)
    .on_conflict_do_nothing(index_elements=["survey_id", "submission_id"])
    .returning(SUBMISSIONS.c.submission_id)
    for name, fn in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_RESPONDENTS = select(SUBMISSIONS.c.respondent_key, SUBMISSIONS.c.submission_id).where(
    SUBMISSIONS.c.survey_id == bindparam("survey_id"),
    SUBMISSIONS.c.respondent_key.in_(bindparam("keys", expanding=True)),
)


def _stored(r: SubmissionRow) -> Stored:
    return Stored(
        pk=r.id,
        survey_id=r.survey_id,
        submission_id=r.submission_id,
        content_hash=r.content_hash,
        submitted_by=r.submitted_by,
        submitted_by_token_id=r.submitted_by_token_id,
        status=r.status,
        flags=list(r.flags),
        version=r.version,
        received_at=r.received_at,
        updated_at=r.updated_at,
        body=dict(r.body),
    )


def insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert ``rows`` unless their key exists; returns the submission ids inserted."""
    if not rows:
        return set()
    conn = session.connection()  # Core, not ORM: this is the hot path
    stmt = _INSERT_NEW[conn.dialect.name]
    if conn.dialect.name == "postgresql":
        # one lock order for every worker: overlapping inserts wait, never deadlock
        rows = sorted(rows, key=lambda r: str(r["submission_id"]))
    if len(rows) == 1:
        return set(conn.execute(stmt, rows[0]).scalars().all())
    return set(conn.execute(stmt, rows).scalars().all())


def by_ids(session: Session, survey_id: int, ids: list[str]) -> dict[str, Stored]:
    out: dict[str, Stored] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.scalars(
            select(SubmissionRow).where(
                SubmissionRow.survey_id == survey_id, SubmissionRow.submission_id.in_(chunk)
            )
        ).all()
        out.update({r.submission_id: _stored(r) for r in rows})
    return out


def respondents_seen(session: Session, survey_id: int, keys: list[str]) -> dict[str, str]:
    """respondent key → a submission id already stored with it."""
    out: dict[str, str] = {}
    conn = session.connection()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for key, sid in conn.execute(_RESPONDENTS, {"survey_id": survey_id, "keys": chunk}):
            if key is not None:
                out.setdefault(str(key), str(sid))
    return out


def get(
    session: Session, survey_id: int, submission_id: str, *, lock: bool = False
) -> Stored | None:
    stmt = select(SubmissionRow).where(
        SubmissionRow.survey_id == survey_id, SubmissionRow.submission_id == submission_id
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    return None if row is None else _stored(row)


def _filtered(survey_id: int, f: Filters) -> Select[SubmissionRow]:
    stmt = select(SubmissionRow).where(SubmissionRow.survey_id == survey_id)
    for column, value in (
        (SubmissionRow.status, f.status),
        (SubmissionRow.submitted_by, f.submitted_by),
        (SubmissionRow.submitted_by_token_id, f.submitted_by_token_id),
        (SubmissionRow.province, f.province),
        (SubmissionRow.district, f.district),
        (SubmissionRow.village, f.village),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.flagged:
        stmt = stmt.where(SubmissionRow.flag_codes != "")
    if f.unreviewed:
        stmt = stmt.where(SubmissionRow.status.in_(("received", "has_issues")))
    if f.flag is not None:
        stmt = stmt.where(SubmissionRow.flag_codes.contains(f",{f.flag},", autoescape=True))
    if f.received_from is not None:
        stmt = stmt.where(SubmissionRow.received_at >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(SubmissionRow.received_at < f.received_to)
    return stmt


def page(
    session: Session, survey_id: int, f: Filters, after_pk: int, limit: int
) -> tuple[list[Stored], int | None]:
    """Up to ``limit`` submissions with pk > ``after_pk`` in pk order, and the next cursor."""
    # the ids first (from an index when one covers the filters), then only those rows
    pks = session.scalars(
        _filtered(survey_id, f)
        .with_only_columns(SubmissionRow.id)
        .where(SubmissionRow.id > after_pk)
        .order_by(SubmissionRow.id)
        .limit(limit + 1)
    ).all()
    rows = (
        session.scalars(
            select(SubmissionRow).where(SubmissionRow.id.in_(pks)).order_by(SubmissionRow.id)
        ).all()
        if pks
        else []
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return [_stored(r) for r in rows], (rows[-1].id if more and rows else None)


def neighbours(
    session: Session, survey_id: int, f: Filters, pk: int
) -> tuple[str | None, str | None]:
    """The submission ids just before and just after ``pk`` among the matches (pk order)."""
    base = _filtered(survey_id, f).with_only_columns(SubmissionRow.submission_id)
    before = session.scalar(
        base.where(SubmissionRow.id < pk).order_by(SubmissionRow.id.desc()).limit(1)
    )
    after = session.scalar(base.where(SubmissionRow.id > pk).order_by(SubmissionRow.id).limit(1))
    return before, after


def all_current(
    session: Session, survey_id: int, f: Filters, exclude_status: str | None
) -> list[Stored]:
    stmt = _filtered(survey_id, f).order_by(SubmissionRow.id)
    if exclude_status is not None:
        stmt = stmt.where(SubmissionRow.status != exclude_status)
    return [_stored(r) for r in session.scalars(stmt).all()]


def frame_version(session: Session, survey_id: int) -> tuple[int, int, str]:
    """A token that changes whenever the survey's respondent frame may change: a submission
    arrives (count, newest row), or one is edited or reviewed (latest ``updated_at``)."""
    row = session.execute(
        select(func.count(), func.max(SubmissionRow.id), func.max(SubmissionRow.updated_at)).where(
            SubmissionRow.survey_id == survey_id
        )
    ).one()
    return int(row[0]), int(row[1] or 0), str(row[2])


def save_version(session: Session, s: Stored, now: datetime) -> None:
    """Copy the current version of ``s`` into the version history."""
    session.add(
        SubmissionVersionRow(
            submission_pk=s.pk,
            version=s.version,
            content_hash=s.content_hash,
            body=s.body,
            flags=s.flags,
            status=s.status,
            saved_at=now,
        )
    )


def update_current(session: Session, pk: int, values: dict[str, Any]) -> None:
    session.execute(update(SubmissionRow).where(SubmissionRow.id == pk).values(**values))


def add_event(
    session: Session,
    pk: int,
    at: datetime,
    actor: str,
    actor_role: str,
    action: str,
    version: int,
    detail: dict[str, Any],
) -> None:
    session.add(
        SubmissionEventRow(
            submission_pk=pk,
            at=at,
            actor=actor,
            actor_role=actor_role,
            action=action,
            version=version,
            detail=detail,
        )
    )


def versions(session: Session, pk: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SubmissionVersionRow)
        .where(SubmissionVersionRow.submission_pk == pk)
        .order_by(SubmissionVersionRow.version)
    ).all()
    return [
        {
            "version": r.version,
            "content_hash": r.content_hash,
            "status": r.status,
            "flags": r.flags,
            "saved_at": r.saved_at,
            **r.body,
        }
        for r in rows
    ]


def events(session: Session, pk: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SubmissionEventRow)
        .where(SubmissionEventRow.submission_pk == pk)
        .order_by(SubmissionEventRow.id)
    ).all()
    return [
        {
            "at": r.at,
            "actor": r.actor,
            "actor_role": r.actor_role,
            "action": r.action,
            "version": r.version,
            "detail": r.detail,
        }
        for r in rows
    ]


def had_hash(session: Session, pk: int, digest: str) -> bool:
    """True when an earlier version of submission ``pk`` had content hash ``digest``."""
    return (
        session.scalar(
            select(SubmissionVersionRow.id).where(
                SubmissionVersionRow.submission_pk == pk,
                SubmissionVersionRow.content_hash == digest,
            )
        )
        is not None
    )


def first_hash(session: Session, pk: int) -> str | None:
    """The content hash of version 1 (None while the submission was never edited)."""
    return session.scalar(
        select(SubmissionVersionRow.content_hash).where(
            SubmissionVersionRow.submission_pk == pk, SubmissionVersionRow.version == 1
        )
    )
