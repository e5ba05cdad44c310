"""``GET /api/v1/surveys/{survey_id}/export``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.auth.deps import Caller
from api.auth.service import Action, authorize
from api.exports import formats, service
from api.exports.formats import MEDIA_TYPES, ExportFormat
from api.http import Uow
from api.problems import problem_responses
from api.submissions.repository import Filters
from api.submissions.schemas import ReviewStatus
from api.surveys.service import get_survey

router = APIRouter(tags=["exports"], responses=problem_responses(401, 403, 404, 422))


@router.get(
    "/surveys/{survey_id}/export",
    summary="Export the interviews (one row per respondent, docs/data-layout.md)",
    response_class=Response,
    responses={
        200: {
            "description": "the file",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA_TYPES.values()
            },
        }
    },
)
def export(
    caller: Caller,
    uow: Uow,
    survey_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    format: ExportFormat = ExportFormat.csv,
    status: ReviewStatus | None = None,
    include_rejected: Annotated[
        bool, Query(description="rejected interviews are left out unless this is true")
    ] = False,
) -> Response:
    get_survey(uow.read, survey_id)
    authorize(caller, Action.export, survey_id)
    df, q = service.survey_frame(
        uow.read,
        survey_id,
        include_rejected=include_rejected or status is ReviewStatus.rejected,
        filters=Filters(status=status.value if status else None),
    )
    body = formats.encode(df, q, format)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="survey-{survey_id}.{format.value}"'
        },
    )
