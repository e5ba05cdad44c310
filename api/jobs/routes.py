"""``/api/v1/surveys/{survey_id}/scores`` and ``.../sensitivity``: scoring and the
sensitivity audit as background jobs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response

from api.auth.deps import Caller
from api.http import require_json
from api.jobs import service
from api.jobs.schemas import JobOut, ScoreRequest, SensitivityRequest
from api.problems import problem_responses
from api.unit_of_work import Uow

router = APIRouter(tags=["scores"], responses=problem_responses(401, 403, 404, 422))

SurveyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
JobId = Annotated[str, Path(min_length=36, max_length=36, description="job UUID")]


def _queued(job: JobOut, resource: str, request: Request, response: Response, uow: Uow) -> JobOut:
    """Wake the runner once the unit of work has committed the new job (the runner reads it
    from the database) and point ``Location`` at the job's status."""
    uow.after_commit(request.app.state.jobs.wake)
    response.headers["Location"] = f"/api/v1/surveys/{job.survey_id}/{resource}/{job.id}"
    return job


@router.post(
    "/surveys/{survey_id}/scores",
    status_code=202,
    response_model=JobOut,
    dependencies=[Depends(require_json)],
    responses=problem_responses(413, 415),
    summary="Start scoring the survey (scoring.score) as a background job",
)
def start(
    survey_id: SurveyId,
    spec: ScoreRequest,
    request: Request,
    response: Response,
    caller: Caller,
    uow: Uow,
) -> JobOut:
    job = service.start_scoring(uow.write, survey_id, caller, spec)
    return _queued(job, "scores", request, response, uow)


@router.get(
    "/surveys/{survey_id}/scores/{job_id}",
    response_model=JobOut,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problem_responses(409),
    },
    summary="The job's status; once succeeded its results (format=json, or csv)",
)
def status(
    survey_id: SurveyId,
    job_id: JobId,
    caller: Caller,
    uow: Uow,
    format: Literal["json", "csv"] = "json",
) -> JobOut | Response:
    job = service.get_job(uow.read, survey_id, job_id, caller)
    if format == "csv":
        return Response(service.results_csv(job), media_type="text/csv; charset=utf-8")
    return job


@router.post(
    "/surveys/{survey_id}/sensitivity",
    status_code=202,
    response_model=JobOut,
    dependencies=[Depends(require_json)],
    responses=problem_responses(413, 415),
    tags=["sensitivity"],
    summary="Start the sensitivity audit (scoring.run_sensitivity) as a background job",
)
def start_sensitivity(
    survey_id: SurveyId,
    req: SensitivityRequest,
    request: Request,
    response: Response,
    caller: Caller,
    uow: Uow,
) -> JobOut:
    job = service.start_sensitivity(uow.write, survey_id, caller, req)
    return _queued(job, "sensitivity", request, response, uow)


@router.get(
    "/surveys/{survey_id}/sensitivity/{job_id}",
    response_model=JobOut,
    tags=["sensitivity"],
    summary="The job's status; once succeeded the `papi sensitivity --out` document",
)
def sensitivity_status(survey_id: SurveyId, job_id: JobId, caller: Caller, uow: Uow) -> JobOut:
    return service.get_job(uow.read, survey_id, job_id, caller, kind="sensitivity")
