"""SQL for surveys and their progress counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import QuestionnaireRow, SubmissionRow, SurveyRow
from api.surveys.schemas import QuestionnaireRef, SurveyOut


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    out: SurveyOut
    questionnaire_pk: int
    sample: list[dict[str, Any]]


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


def get(session: Session, survey_id: int) -> SurveyRecord | None:
    found = session.execute(
        select(SurveyRow, QuestionnaireRow.qid, QuestionnaireRow.version)
        .join(QuestionnaireRow, QuestionnaireRow.id == SurveyRow.questionnaire_pk)
        .where(SurveyRow.id == survey_id)
    ).first()
    if found is None:
        return None
    row, qid, version = found
    out = SurveyOut(
        id=row.id,
        name=row.name,
        year=row.year,
        questionnaire=QuestionnaireRef(id=qid, version=version),
        geography=row.geography,
        villages=len(row.sample),
        quotas={str(k): int(v) for k, v in row.quotas.items()},
        created_at=row.created_at,
        created_by=row.created_by,
    )
    return SurveyRecord(out=out, questionnaire_pk=row.questionnaire_pk, sample=list(row.sample))


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
