"""``/api/v1/surveys/{survey_id}/submissions``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth.deps import Caller
from api.http import parse_body, parse_json, require_json
from api.problems import problem_responses
from api.settings import Settings
from api.submissions import service
from api.submissions.records import Filters
from api.submissions.schemas import (
    BatchIn,
    BatchOut,
    Cursor,
    EditIn,
    History,
    ReviewIn,
    ReviewStatus,
    SubmissionOut,
    SubmissionPage,
    UtcInstant,
)
from api.unit_of_work import Uow

router = APIRouter(tags=["submissions"], responses=problem_responses(401, 403, 404, 422))

SurveyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="survey id")]
SubmissionId = Annotated[UUID, Path(description="the client's submission UUID")]


async def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(settings_of)]
_JSON = [Depends(require_json)]


@router.post(
    "/surveys/{survey_id}/submissions",
    status_code=201,
    response_model=SubmissionOut,
    dependencies=_JSON,
    responses={
        200: {"model": SubmissionOut, "description": "an identical replay: the stored record"},
        **problem_responses(409, 413, 415),
    },
    summary="Submit one interview (exactly once: a replay gets 200 and the stored record)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}}
            },
        }
    },
)
async def submit(
    survey_id: SurveyId,
    request: Request,
    caller: Caller,
    uow: Uow,
    settings: AppSettings,
) -> Response:
    # Read by orjson and checked by the intake (api/submissions/limits.py bounds the work
    # before the model sees it), like a batch; errors are 422 with pointers into the body.
    body = parse_json(await request.body())
    record, created = await service.submit_one_async(uow, settings, survey_id, caller, body)
    return Response(
        service.record_json(record),
        status_code=201 if created else 200,
        media_type="application/json",
        headers={"Location": f"/api/v1/surveys/{survey_id}/submissions/{record.submission_id}"},
    )


@router.post(
    "/surveys/{survey_id}/submissions/batch",
    response_model=BatchOut,
    dependencies=_JSON,
    responses=problem_responses(413, 415),
    summary="Submit up to 1,000 interviews; each is stored or refused on its own",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["submissions"],
                        "additionalProperties": False,
                        "properties": {
                            "submissions": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1000,
                                "items": {"$ref": "#/components/schemas/SubmissionIn"},
                            }
                        },
                    }
                }
            },
        }
    },
)
async def submit_batch(
    survey_id: SurveyId, request: Request, caller: Caller, uow: Uow, settings: AppSettings
) -> Response:
    # The body (up to 1,000 interviews) is parsed by orjson and the answer serialised by
    # it: several times faster than the framework's json module on megabyte bodies.
    body = parse_body(BatchIn, await request.body())
    out = await run_in_threadpool(
        service.submit_batch, uow, settings, survey_id, caller, body.submissions
    )
    return Response(orjson.dumps(out), media_type="application/json")


@router.api_route(
    "/surveys/{survey_id}/submissions/batch",
    methods=["GET", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def batch_other_methods() -> None:
    """405 (not the 422 of ``{submission_id}`` = "batch"): the batch route takes POST only.
    Declared before the ``{submission_id}`` routes so that it is the one matched."""
    raise HTTPException(405, "the batch route takes POST only")


@router.get(
    "/surveys/{survey_id}/submissions",
    response_model=SubmissionPage,
    summary="List submissions (filters, cursor paging; enumerators see their own)",
)
def list_submissions(
    survey_id: SurveyId,
    caller: Caller,
    uow: Uow,
    status: ReviewStatus | None = None,
    submitted_by: Annotated[str | None, Query(max_length=100)] = None,
    province: Annotated[str | None, Query(max_length=20)] = None,
    district: Annotated[str | None, Query(max_length=60)] = None,
    village: Annotated[str | None, Query(max_length=60)] = None,
    flag: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    received_from: UtcInstant | None = None,
    received_to: UtcInstant | None = None,
    cursor: Annotated[Cursor | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> SubmissionPage:
    filters = Filters(
        status=status.value if status else None,
        submitted_by=submitted_by,
        province=province,
        district=district,
        village=village,
        flag=flag,
        received_from=received_from,
        received_to=received_to,
    )
    return service.list_page(uow.read, survey_id, caller, filters, cursor, limit)


@router.get(
    "/surveys/{survey_id}/submissions/{submission_id}",
    response_model=SubmissionOut,
    summary="One submission (current version)",
)
def get_submission(
    survey_id: SurveyId, submission_id: SubmissionId, caller: Caller, uow: Uow
) -> SubmissionOut:
    return service.to_out(service.get_one(uow.read, survey_id, str(submission_id), caller))


@router.patch(
    "/surveys/{survey_id}/submissions/{submission_id}",
    response_model=SubmissionOut,
    dependencies=_JSON,
    responses=problem_responses(409, 413, 415),
    summary="Edit a submission: a new version; every earlier version and the change are kept",
)
def edit_submission(
    survey_id: SurveyId,
    submission_id: SubmissionId,
    body: EditIn,
    caller: Caller,
    uow: Uow,
    settings: AppSettings,
) -> SubmissionOut:
    return service.edit(uow, settings, survey_id, str(submission_id), caller, body)


@router.post(
    "/surveys/{survey_id}/submissions/{submission_id}/review",
    response_model=SubmissionOut,
    dependencies=_JSON,
    responses=problem_responses(413, 415),
    summary="Set the review state (supervisors): received, has_issues, approved, rejected",
)
def review_submission(
    survey_id: SurveyId, submission_id: SubmissionId, body: ReviewIn, caller: Caller, uow: Uow
) -> SubmissionOut:
    return service.review(uow.write, survey_id, str(submission_id), caller, body)


@router.get(
    "/surveys/{survey_id}/submissions/{submission_id}/history",
    response_model=History,
    summary="Every version and the audit trail (who changed what, when)",
)
def submission_history(
    survey_id: SurveyId, submission_id: SubmissionId, caller: Caller, uow: Uow
) -> History:
    return service.history(uow.read, survey_id, str(submission_id), caller)
