"""Starting and reading background jobs: scoring and the sensitivity audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.auth.schemas import Principal
from api.auth.service import Action, authorize
from api.jobs import repository
from api.jobs.schemas import JobOut, JobStatus, ScoreRequest, SensitivityRequest
from api.jobs.scoring_adapter import sensitivity_spec
from api.problems import Conflict
from api.questionnaires import catalog
from api.surveys.service import get_survey
from survey.errors import NotFound


def start_scoring(
    session: Session, survey_id: int, caller: Principal, spec: ScoreRequest
) -> JobOut:
    get_survey(session, survey_id)
    authorize(caller, Action.score, survey_id)
    return _queue(session, survey_id, "score", spec.model_dump(mode="json"), caller)


def start_sensitivity(
    session: Session, survey_id: int, caller: Principal, req: SensitivityRequest
) -> JobOut:
    """Validate the spec (its choices, and that they apply to the questionnaire's index)
    before queueing, so a bad choice is a 422 naming it rather than a failed job."""
    survey = get_survey(session, survey_id)
    authorize(caller, Action.score, survey_id)
    if req.spec is not None:
        sensitivity_spec(req.spec, catalog.get(session, survey.questionnaire_pk))
    return _queue(session, survey_id, "sensitivity", req.model_dump(mode="json"), caller)


def job_out(record: repository.JobRecord) -> JobOut:
    """The API's view of a stored job."""
    return JobOut.model_validate(
        {
            "id": record.id,
            "survey_id": record.survey_id,
            "kind": record.kind,
            "status": record.status,
            "params": record.params,
            "created_by": record.created_by,
            "created_at": record.created_at,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "attempts": record.attempts,
            "progress": record.progress,
            "stage": record.stage,
            "error": record.error,
            "results": record.result,
        }
    )


def _queue(
    session: Session, survey_id: int, kind: str, params: dict[str, Any], caller: Principal
) -> JobOut:
    """Insert a queued job of ``kind`` with a fresh UUID, created now by ``caller``."""
    record = repository.insert(
        session, str(uuid.uuid4()), survey_id, kind, params, caller.name, datetime.now(UTC)
    )
    return job_out(record)


def check_score(session: Session, survey_id: int, caller: Principal) -> None:
    """404 for an unknown survey, then 403 unless ``caller`` may run and read its scoring and
    sensitivity jobs."""
    get_survey(session, survey_id)
    authorize(caller, Action.score, survey_id)


def get_job(
    session: Session, survey_id: int, job_id: str, caller: Principal, kind: str = "score"
) -> JobOut:
    check_score(session, survey_id, caller)
    record = repository.get(session, survey_id, job_id)
    if record is None or record.kind != kind:
        what = "scoring" if kind == "score" else kind
        raise NotFound(f"{what} job {job_id} does not exist in survey {survey_id}")
    return job_out(record)


def recent_jobs(
    session: Session, survey_id: int, caller: Principal, kind: str = "score", limit: int = 20
) -> list[JobOut]:
    """The survey's newest jobs of ``kind`` (status only), with the rights of ``get_job``."""
    get_survey(session, survey_id)
    authorize(caller, Action.score, survey_id)
    return [job_out(r) for r in repository.recent(session, survey_id, kind, limit)]


def results_csv(job: JobOut) -> str:
    """All result tables stacked in one CSV: ``IndexScores.to_frame()`` of the job's result
    (``tier`` names the level, ``code`` its key: indicator, sub-dimension, dimension, or
    ``PAPI`` for the aggregate), so that the CSV and the JSON are the same ``IndexScores``
    written out by scoring, not a layout of the API's own."""
    from scoring import IndexScores

    if job.status is not JobStatus.succeeded or job.results is None:
        raise Conflict(
            f"job {job.id} is {job.status.value}; results exist once it has succeeded",
            code="job_not_finished",
        )
    frame = IndexScores.from_dict(job.results).to_frame()
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text
