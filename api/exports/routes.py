"""``GET /api/v1/surveys/{survey_id}/export``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse

from api.auth.deps import Caller
from api.exports import formats, media, service
from api.exports.formats import MEDIA_TYPES, ExportFormat
from api.problems import problem_responses
from api.submissions.records import Filters
from api.submissions.schemas import ReviewStatus
from api.unit_of_work import Uow

router = APIRouter(tags=["exports"], responses=problem_responses(401, 403, 404, 422))

SPOOL_BYTES = 16 * 1024 * 1024  # a larger archive is spooled to a temporary file on disk
CHUNK_BYTES = 1024 * 1024


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


@router.get(
    "/surveys/{survey_id}/export",
    summary="Export the interviews (one row per respondent, docs/data-layout.md)",
    description=(
        "`format=csv|parquet|dta|sav` is the data file. `format=zip` is the export with "
        "media: a ZIP (`application/zip`) with `survey-<id>.csv` (the CSV export), "
        "`media/<submission_id>/<file name>` for every file ODK clients sent with the "
        "exported submissions (current versions) and `media/manifest.csv` (submission_id, "
        "name, path, size, sha256, content_type). The filters apply to every format."
    ),
    response_class=Response,
    responses={
        200: {
            "description": "the file (format=zip: the ZIP of the CSV and the media files)",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in MEDIA_TYPES.values()
            },
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
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
    service.check_export(uow.read, survey_id, caller)
    include = include_rejected or status is ReviewStatus.rejected
    filters = Filters(status=status.value if status else None)
    disposition = {
        "Content-Disposition": f'attachment; filename="survey-{survey_id}.{format.value}"'
    }
    if format is ExportFormat.zip:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by _chunks)
        try:
            media.write_media_zip(
                uow.read, survey_id, spool, include_rejected=include, filters=filters
            )
            size = spool.tell()
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return StreamingResponse(
            _chunks(spool),
            media_type=MEDIA_TYPES[format],
            headers={**disposition, "Content-Length": str(size)},
        )
    df, q = service.survey_frame(uow.read, survey_id, include_rejected=include, filters=filters)
    body = formats.encode(df, q, format)
    return Response(body, media_type=MEDIA_TYPES[format], headers=disposition)
