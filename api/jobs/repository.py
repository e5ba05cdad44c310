"""SQL for jobs; claiming is a compare-and-set UPDATE, safe with many workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.db.models import JobRow
from api.jobs.schemas import JobStatus


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A stored job, as the database holds it (``api.jobs.service`` shapes the answer)."""

    id: str
    survey_id: int
    kind: str
    status: str
    params: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: dict[str, Any] | None
    result: dict[str, Any] | None
    progress: float | None
    stage: str | None


def _record(r: JobRow, with_result: bool) -> JobRecord:
    return JobRecord(
        id=r.id,
        survey_id=r.survey_id,
        kind=r.kind,
        status=r.status,
        params=dict(r.params),
        created_by=r.created_by,
        created_at=r.created_at,
        started_at=r.started_at,
        finished_at=r.finished_at,
        attempts=r.attempts,
        error=r.error,
        result=r.result if with_result else None,
        progress=r.progress,
        stage=r.stage,
    )


def insert(
    session: Session,
    job_id: str,
    survey_id: int,
    kind: str,
    params: dict[str, Any],
    created_by: str,
    now: datetime,
) -> JobRecord:
    row = JobRow(
        id=job_id,
        survey_id=survey_id,
        kind=kind,
        status=JobStatus.queued.value,
        params=params,
        created_by=created_by,
        created_at=now,
        attempts=0,
    )
    session.add(row)
    session.flush()
    return _record(row, False)


def get(
    session: Session, survey_id: int, job_id: str, with_result: bool = True
) -> JobRecord | None:
    row = session.scalars(
        select(JobRow).where(JobRow.id == job_id, JobRow.survey_id == survey_id)
    ).first()
    return None if row is None else _record(row, with_result)


def recent(session: Session, survey_id: int, kind: str, limit: int) -> list[JobRecord]:
    """The survey's ``limit`` newest jobs of ``kind``, newest first, without their results."""
    rows = session.scalars(
        select(JobRow)
        .where(JobRow.survey_id == survey_id, JobRow.kind == kind)
        .order_by(JobRow.created_at.desc(), JobRow.id)
        .limit(limit)
    ).all()
    return [_record(r, False) for r in rows]


def _claimable(now: datetime) -> Any:
    return or_(
        JobRow.status == JobStatus.queued.value,
        (JobRow.status == JobStatus.running.value) & (JobRow.lease_until < now),
    )


def candidate(session: Session, now: datetime) -> str | None:
    return session.scalar(
        select(JobRow.id).where(_claimable(now)).order_by(JobRow.created_at).limit(1)
    )


def claim(session: Session, job_id: str, now: datetime, lease: timedelta) -> bool:
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, _claimable(now))
        .values(
            status=JobStatus.running.value,
            started_at=now,
            lease_until=now + lease,
            attempts=JobRow.attempts + 1,
            progress=0.0,
            stage="started",
        )
        .returning(JobRow.id)
    )
    return result.first() is not None


def job_input(session: Session, job_id: str) -> tuple[int, str, dict[str, Any], int]:
    row = session.get(JobRow, job_id)
    assert row is not None
    return row.survey_id, row.kind, dict(row.params), row.attempts


def set_progress(session: Session, job_id: str, fraction: float, stage: str) -> None:
    """Record how far a running job is (a finished job keeps its final values)."""
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == JobStatus.running.value)
        .values(progress=fraction, stage=stage)
    )


def finish(
    session: Session,
    job_id: str,
    now: datetime,
    result: dict[str, Any] | None,
    error: dict[str, Any] | None,
) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(
            status=(JobStatus.failed if error else JobStatus.succeeded).value,
            result=result,
            error=error,
            finished_at=now,
            lease_until=None,
            **({} if error else {"progress": 1.0, "stage": "done"}),
        )
    )
