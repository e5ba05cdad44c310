"""OpenRosa 1.0 routes in ODK Central's URL shape: ``/v1/key/{token}/projects/{survey}``.

An app-user token in the path identifies the enumerator (Collect sends Basic auth only over
HTTPS, so a pilot server on plain HTTP would never see credentials). Every response carries
``X-OpenRosa-Version: 1.0``; submission responses also ``X-OpenRosa-Accept-Content-Length``;
``HEAD /submission`` answers 204 (Collect refuses any other 2xx); a stored submission 201;
every error is an ``OpenRosaResponse`` envelope whose message Collect shows the enumerator
(``api.openrosa.errors``: handlers raise, the app's error handlers render the envelope, the
unit of work rolls back; these routes neither catch domain errors nor commit).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from api.openrosa import service
from api.openrosa.envelope import OPENROSA_HEADERS, XML_MEDIA_TYPE, envelope_bytes
from api.openrosa.records import Upload
from api.settings import Settings
from api.unit_of_work import UnitOfWork, Uow

BASE = "/v1/key/{token}/projects/{project}"
OPENROSA = OPENROSA_HEADERS
XML = XML_MEDIA_TYPE
MAX_ATTACHMENTS = 100

_ENVELOPE = {"text/xml": {"schema": {"type": "string"}}}
# Every answer of these routes is XML: the document, or an OpenRosaResponse envelope whose
# message Collect shows (also for what the framework refuses: a path or query parameter, a
# multipart body without a boundary or with too many parts; api/problems.py).
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {
        "description": f"{HTTPStatus(s).phrase}: an OpenRosaResponse envelope",
        "content": _ENVELOPE,
    }
    for s in (400, 401, 403, 404, 409, 413, 422, 500, 503)
}


class XmlResponse(Response):
    media_type = XML


router = APIRouter(
    prefix=BASE, tags=["openrosa"], responses=ERRORS, default_response_class=XmlResponse
)
Token = Annotated[str, Path(description="the app user's token (papi token create)")]
Project = Annotated[str, Path(description="the survey id")]
DeviceId = Annotated[str | None, Query(alias="deviceID")]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


def accept_length(settings: Settings) -> int:
    """What one POST may carry: the body limit less room for the multipart framing."""
    limit = settings.max_body_bytes
    return limit - min(limit // 10, 1 << 20)


_MEDIA_TYPE = re.compile(r"[!-~][ -~]{0,99}")  # printable ASCII; the column holds 100


def _media_type(declared: str | None) -> str:
    """The part's declared Content-Type, or ``application/octet-stream`` when there is none
    or it is no printable-ASCII media type of at most 100 characters."""
    if declared and _MEDIA_TYPE.fullmatch(declared):
        return declared
    return "application/octet-stream"


def envelope(message: str, status: int, extra: dict[str, str] | None = None) -> Response:
    headers = {**OPENROSA_HEADERS, **(extra or {})}
    return Response(envelope_bytes(message), status_code=status, media_type=XML, headers=headers)


@router.get("/formList", summary="OpenRosa form list (what Collect offers to download)")
def form_list(request: Request, token: Token, project: Project, uow: Uow) -> Response:
    dev = service.device(uow.read, token, project, uow.db)
    form = service.served_form(dev.q)
    url = str(request.url_for("form_xml", token=token, project=project, form_id=form.form_id))
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>"
        '<xforms xmlns="http://openrosa.org/xforms/xformsList"><xform>'
        f"<formID>{escape(form.form_id)}</formID><name>{escape(form.name)}</name>"
        f"<version>{escape(form.version)}</version><hash>{form.md5}</hash>"
        f"<downloadUrl>{escape(url)}</downloadUrl></xform></xforms>"
    )
    return Response(body, media_type=XML, headers=OPENROSA)


@router.get(
    "/forms/{form_id}.xml", name="form_xml", summary="The XForm (exact bytes of formList's hash)"
)
def form_xml(token: Token, project: Project, form_id: str, uow: Uow) -> Response:
    form = service.form_for(service.device(uow.read, token, project, uow.db), form_id)
    return Response(form.xml, media_type=XML, headers=OPENROSA)


@router.get("/forms/{form_id}/manifest", summary="Media manifest (PAPI forms carry no media)")
def manifest(token: Token, project: Project, form_id: str, uow: Uow) -> Response:
    service.form_for(service.device(uow.read, token, project, uow.db), form_id)
    body = "<?xml version='1.0' encoding='UTF-8' ?><manifest xmlns=\"http://openrosa.org/xforms/xformsManifest\"/>"
    return Response(body, media_type=XML, headers=OPENROSA)


@router.head(
    "/submission",
    status_code=204,
    summary="Pre-flight: 204 and the size limit (Collect's HEAD)",
)
@router.get("/submission", status_code=204, summary="Pre-flight: 204 and the size limit")
def submission_head(token: Token, project: Project, uow: Uow, settings: AppSettings) -> Response:
    extra = {"X-OpenRosa-Accept-Content-Length": str(accept_length(settings))}
    service.device(uow.read, token, project, uow.db)
    return Response(status_code=204, headers={**OPENROSA, **extra})


@router.post(
    "/submission",
    status_code=201,
    summary="Receive a submission (multipart: xml_submission_file + files)",
)
async def submission(
    request: Request,
    token: Token,
    project: Project,
    uow: Uow,
    settings: AppSettings,
    device_id: DeviceId = None,
) -> Response:
    extra = {"X-OpenRosa-Accept-Content-Length": str(accept_length(settings))}
    try:
        async with request.form(max_files=MAX_ATTACHMENTS + 1, max_fields=20) as form:
            xml: bytes | None = None
            uploads: list[Upload] = []
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    content = await value.read()
                    if name == "xml_submission_file":
                        xml = content
                    else:
                        kind = _media_type(value.content_type)
                        uploads.append(Upload(value.filename or name, kind, content))
                elif name == "xml_submission_file":
                    xml = value.encode("utf-8")
    except MultiPartException as exc:  # Starlette's limits: fields, files, part size
        status = 413 if "size" in exc.message.lower() else 400
        message = f"the request is not a readable multipart submission: {exc.message}"
        return envelope(message, status, extra)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        message = f"the request is not a readable multipart submission ({type(exc).__name__})"
        return envelope(message, 400, extra)
    if xml is None:
        return envelope(
            "no xml_submission_file part: post the instance XML as a multipart file part "
            "named xml_submission_file",
            400,
            extra,
        )
    received = await _run(uow, settings, token, project, xml, uploads, device_id)
    return envelope(received.message, 201, extra)


async def _run(
    uow: UnitOfWork,
    settings: Settings,
    token: str,
    project: str,
    xml: bytes,
    uploads: list[Upload],
    device_id: str | None,
) -> service.Received:
    from starlette.concurrency import run_in_threadpool

    def work() -> service.Received:
        dev = service.device(uow.read, token, project, uow.db)
        return service.submit(uow, settings, dev, xml, uploads, device_id)

    return await run_in_threadpool(work)
