"""``/api/v1/surveys``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from api.auth.deps import Caller
from api.http import require_json
from api.problems import problem_responses
from api.surveys import service
from api.surveys.schemas import (
    FlagCountOut,
    Progress,
    QualitySummary,
    SurveyCreate,
    SurveyOut,
)
from api.unit_of_work import Uow

router = APIRouter(tags=["surveys"], responses=problem_responses(401, 403))

SurveyId = Path(ge=1, le=2**31 - 1, description="survey id")


@router.post(
    "/surveys",
    status_code=201,
    response_model=SurveyOut,
    dependencies=[Depends(require_json)],
    responses=problem_responses(404, 413, 415, 422),
    summary="Create a survey on a questionnaire, with an optional sample and quotas",
)
def create_survey(spec: SurveyCreate, caller: Caller, uow: Uow) -> SurveyOut:
    return service.create_survey(uow.write, spec, caller)


@router.get("/surveys", response_model=list[SurveyOut], summary="Surveys visible to the caller")
def list_surveys(caller: Caller, uow: Uow) -> list[SurveyOut]:
    return service.visible_surveys(uow.read, caller)


@router.get(
    "/surveys/{survey_id}",
    response_model=SurveyOut,
    responses=problem_responses(404, 422),
    summary="One survey",
)
def get_survey(caller: Caller, uow: Uow, survey_id: int = SurveyId) -> SurveyOut:
    return service.read_survey(uow.read, survey_id, caller)


@router.get(
    "/surveys/{survey_id}/progress",
    response_model=Progress,
    responses=problem_responses(404, 422),
    summary="Interviews per province and village against the quotas",
)
def get_progress(caller: Caller, uow: Uow, survey_id: int = SurveyId) -> Progress:
    return service.progress_for(uow.read, survey_id, caller)


@router.get(
    "/surveys/{survey_id}/quality",
    response_model=QualitySummary,
    responses=problem_responses(404, 422),
    summary="How many submissions carry each quality flag (and how many are unreviewed)",
)
def get_quality(caller: Caller, uow: Uow, survey_id: int = SurveyId) -> QualitySummary:
    summary = service.quality_for(uow.read, survey_id, caller)
    return QualitySummary(
        survey_id=survey_id,
        flagged=summary.flagged,
        flags=[
            FlagCountOut(code=f.code, submissions=f.submissions, unreviewed=f.open)
            for f in summary.flags
        ],
    )
