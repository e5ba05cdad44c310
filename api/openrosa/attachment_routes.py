"""``/api/v1/surveys/{survey_id}/submissions/{submission_id}/attachments``: the files ODK
clients sent with a submission (ODK Central's submission attachments), listed and
downloaded with the rights of reading the submission."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Header, Path, Response
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from api.auth.deps import Caller
from api.openrosa import attachments as service
from api.openrosa.schemas import AttachmentList
from api.problems import problem_responses
from api.unit_of_work import Uow

router = APIRouter(tags=["submissions"], responses=problem_responses(401, 403, 404, 422))
PATH = "/surveys/{survey_id}/submissions/{submission_id}/attachments"

SurveyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="survey id")]
SubmissionId = Annotated[
    UUID, Path(description="the submission UUID (an ODK instance's meta/instanceID)")
]


def _plain_name(name: str) -> str:
    if not name or len(name) > 255:
        raise PydanticCustomError(
            "attachment_name_invalid", "an attachment name has 1 to 255 characters"
        )
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise PydanticCustomError(
            "attachment_name_invalid",
            "an attachment name is a bare file name (like 1700000000.jpg), without '/' or "
            "'\\' and not '.' or '..'; take it from the attachment list",
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise PydanticCustomError(
            "attachment_name_invalid", "an attachment name has no control characters"
        )
    return name


FileName = Annotated[
    str,
    Path(description="a file name from the attachment list (no path separators)"),
    AfterValidator(_plain_name),
]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match (weak comparison): ``*`` or any listed tag equal to ``etag``."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    PATH,
    response_model=AttachmentList,
    summary="List a submission's files: received, and named by its XML but not received",
)
def list_attachments(
    survey_id: SurveyId, submission_id: SubmissionId, caller: Caller, uow: Uow
) -> AttachmentList:
    return service.list_attachments(uow.read, survey_id, str(submission_id), caller)


@router.get(
    PATH + "/{name:path}",
    response_class=Response,
    responses={
        200: {
            "description": "the file's bytes, with the type the device sent",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "ETag": {"description": "the SHA-256 of the bytes", "schema": {"type": "string"}},
                "Content-Disposition": {"schema": {"type": "string"}},
            },
        },
        304: {"description": "not modified (If-None-Match matched the ETag)"},
    },
    summary="Download one file of a submission (ETag; If-None-Match answers 304)",
)
def download_attachment(
    survey_id: SurveyId,
    submission_id: SubmissionId,
    name: FileName,
    caller: Caller,
    uow: Uow,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    hit = service.find(uow.read, survey_id, str(submission_id), name, caller)
    etag = f'"{hit.file.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(
        service.content(uow.read, hit),
        media_type=service.media_type(hit),
        headers={**headers, "Content-Disposition": content_disposition(name)},
    )
