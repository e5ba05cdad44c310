"""SQL for surveys and their progress counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.db.models import QuestionnaireRow, SubmissionRow, SurveyRow


@dataclass(frozen=True, slots=True)
class StoredSurvey:
    """A survey row with its questionnaire's id and version (``api.surveys.service`` shapes
    the answer)."""

    id: int
    name: str
    year: int
    geography: str
    questionnaire_pk: int
    questionnaire_id: str
    questionnaire_version: str
    sample: list[dict[str, Any]]
    quotas: dict[str, int]
    created_at: datetime
    created_by: str


def insert(
    session: Session,
    name: str,
    year: int,
    questionnaire_pk: int,
    sample: list[dict[str, Any]],
    quotas: dict[str, int],
    now: datetime,
    created_by: str,
    geography: str = "2018",
) -> int:
    row = SurveyRow(
        name=name,
        year=year,
        geography=geography,
        questionnaire_pk=questionnaire_pk,
        sample=sample,
        quotas=quotas,
        created_at=now,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, survey_id: int) -> StoredSurvey | None:
    found = session.execute(
        select(SurveyRow, QuestionnaireRow.qid, QuestionnaireRow.version)
        .join(QuestionnaireRow, QuestionnaireRow.id == SurveyRow.questionnaire_pk)
        .where(SurveyRow.id == survey_id)
    ).first()
    if found is None:
        return None
    row, qid, version = found
    return StoredSurvey(
        id=row.id,
        name=row.name,
        year=row.year,
        geography=row.geography,
        questionnaire_pk=row.questionnaire_pk,
        questionnaire_id=qid,
        questionnaire_version=version,
        sample=list(row.sample),
        quotas={str(k): int(v) for k, v in row.quotas.items()},
        created_at=row.created_at,
        created_by=row.created_by,
    )


def list_ids(session: Session, only: int | None) -> list[int]:
    stmt = select(SurveyRow.id).order_by(SurveyRow.id)
    if only is not None:
        stmt = stmt.where(SurveyRow.id == only)
    return list(session.scalars(stmt))


def exists(session: Session, survey_id: int) -> bool:
    return session.scalar(select(SurveyRow.id).where(SurveyRow.id == survey_id)) is not None


def status_counts(session: Session, survey_id: int) -> list[tuple[str, str | None, str, int]]:
    """``(province, village, status, n)`` for every group of the survey's submissions."""
    rows = session.execute(
        select(
            SubmissionRow.province,
            SubmissionRow.village,
            SubmissionRow.status,
            func.count(),
        )
        .where(SubmissionRow.survey_id == survey_id)
        .group_by(SubmissionRow.province, SubmissionRow.village, SubmissionRow.status)
    ).all()
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]


def flag_counts(session: Session, survey_id: int) -> list[tuple[str, str, int]]:
    """``(flag_codes, status, n)`` for every group of the survey's flagged submissions
    (current versions); ``flag_codes`` is the stored ``,code,code,`` list."""
    rows = session.execute(
        select(SubmissionRow.flag_codes, SubmissionRow.status, func.count())
        .where(SubmissionRow.survey_id == survey_id, SubmissionRow.flag_codes != "")
        .group_by(SubmissionRow.flag_codes, SubmissionRow.status)
    ).all()
    return [(r[0], r[1], int(r[2])) for r in rows]


def daily_counts(session: Session, survey_id: int) -> list[tuple[str, int]]:
    """``(YYYY-MM-DD, n)``: the survey's submissions (current versions) per day received
    (UTC), oldest first."""
    day = func.date(SubmissionRow.received_at)
    rows = session.execute(
        select(day, func.count())
        .where(SubmissionRow.survey_id == survey_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [(str(r[0]), int(r[1])) for r in rows]


def submitter_days(session: Session, survey_id: int) -> list[tuple[str, str, int, int, datetime]]:
    """``(submitted_by, YYYY-MM-DD, n, flagged, last received_at)`` per token name and day."""
    day = func.date(SubmissionRow.received_at)
    flagged = func.sum(case((SubmissionRow.flag_codes != "", 1), else_=0))
    rows = session.execute(
        select(
            SubmissionRow.submitted_by,
            day,
            func.count(),
            flagged,
            func.max(SubmissionRow.received_at),
        )
        .where(SubmissionRow.survey_id == survey_id)
        .group_by(SubmissionRow.submitted_by, day)
    ).all()
    return [(r[0], str(r[1]), int(r[2]), int(r[3] or 0), _utc(r[4])) for r in rows]


def median_seconds(session: Session, survey_id: int) -> dict[str, float]:
    """Per submitter, the median of ``duration_seconds`` over the submissions that have one,
    computed by the database (the middle row, or the mean of the two middle rows).

    PostgreSQL: ``percentile_cont(0.5)``, one sort per submitter inside the aggregate (half
    the time of the window functions below, which buffer every partition to count it: 20
    against 44 ms with 15,000 interviews, EXPLAIN ANALYZE). SQLite has no ordered-set
    aggregate: the middle rows by ``row_number()`` against the partition's count."""
    d = SubmissionRow.duration_seconds
    where = (SubmissionRow.survey_id == survey_id, d.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(d)
        rows = session.execute(
            select(SubmissionRow.submitted_by, median)
            .where(*where)
            .group_by(SubmissionRow.submitted_by)
        ).all()
        return {r[0]: float(r[1]) for r in rows}
    ranked = (
        select(
            SubmissionRow.submitted_by.label("name"),
            d.label("d"),
            func.row_number().over(partition_by=SubmissionRow.submitted_by, order_by=d).label("rn"),
            func.count().over(partition_by=SubmissionRow.submitted_by).label("n"),
        )
        .where(*where)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.name, func.avg(ranked.c.d))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.name)
    ).all()
    return {r[0]: float(r[1]) for r in rows}


def _utc(value: datetime | str) -> datetime:
    """An aggregate's timestamp: SQLite's max() returns the stored text, not a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
