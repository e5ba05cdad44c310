"""RFC 9457 ``application/problem+json`` for every error the API returns.

Domain errors (``survey.errors.PapiError``) are rendered once here, with ``type``, ``title``,
``status``, ``detail``, ``instance``, the stable ``code`` and an ``errors`` list of
``{pointer, code, message}`` (JSON pointers, RFC 6901, into the request body). HTTP errors,
request validation errors and anything unexpected get the same shape, so a client has one
error format to parse; the catch-all turns an unexpected exception into a 500 problem
without leaking internals (the tests assert that no input reaches it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.redact import redact
from survey.errors import NotFound, PapiError, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
# An error answer lists at most this many located errors; the last says how many more.
MAX_REPORTED_ERRORS = 100
log = logging.getLogger("papi.api")


class ApiError(PapiError):
    """A domain error that also knows its HTTP status (raised by api services)."""

    status: ClassVar[int] = 400


class Unauthorized(ApiError):
    status = 401

    @classmethod
    def default_code(cls) -> str:
        return "unauthorized"


class Forbidden(ApiError):
    status = 403

    @classmethod
    def default_code(cls) -> str:
        return "forbidden"


class Conflict(ApiError):
    status = 409

    @classmethod
    def default_code(cls) -> str:
        return "conflict"


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class Unprocessable(ApiError):
    status = 422


class ProblemItem(BaseModel):
    pointer: str = Field(description="JSON pointer (RFC 6901) into the request body")
    code: str
    message: str
    parameter: str | None = Field(default=None, description="query/path/header parameter")


class ProblemDetail(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[ProblemItem] = Field(default_factory=list)


def status_of(exc: PapiError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, NotFound):
        return 404
    return 422


def capped(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``errors`` when there are at most ``MAX_REPORTED_ERRORS``; otherwise the first ones
    and a last ``more_errors`` item giving the count of the rest (a bad request's answer
    stays small whatever the request holds)."""
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    rest = len(errors) - (MAX_REPORTED_ERRORS - 1)
    more = {
        "pointer": "",
        "code": "more_errors",
        "message": f"{rest:,} more error(s) not listed; fix the ones above and send it again",
    }
    return [*errors[: MAX_REPORTED_ERRORS - 1], more]


ErrorRenderer = Callable[[str, int, str, list[dict[str, Any]], dict[str, str] | None], Response]
"""``(path, status, detail, errors, headers) -> response``: the error answer of a family of
routes whose clients expect their own error format (the OpenRosa routes: an
``OpenRosaResponse`` envelope). The app registers one per URL prefix
(``app.state.error_renderers``, see ``api.app``); every other path gets problem+json."""


def renderer_for(renderers: Mapping[str, ErrorRenderer], path: str) -> ErrorRenderer | None:
    """The renderer registered for the prefix ``path`` starts with, or None."""
    for prefix, render in renderers.items():
        if path.startswith(prefix):
            return render
    return None


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    errors: Iterable[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The error answer: problem+json, or the error format the app registered for the
    request's URL prefix (``renderer_for``)."""
    renderers: Mapping[str, ErrorRenderer] = getattr(request.app.state, "error_renderers", {})
    own = renderer_for(renderers, request.url.path)
    if own is not None:
        return own(request.url.path, status, detail, list(errors), headers)
    body = {
        "type": f"urn:papi-engine:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": redact(request.url.path),
        "code": code,
        "errors": capped(list(errors)),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problems_as_dicts(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]


async def _papi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PapiError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem_response(
        request, status, exc.code, exc.message, problems_as_dicts(exc.problems), headers
    )


_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """Why the framework could not read a JSON body, when its 400 hides that: bytes that are
    not UTF-8 or nesting beyond the parser's recursion limit."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None:
        return None
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 (byte {cause.start}); send JSON in UTF-8"
    if isinstance(cause, RecursionError):
        return "the body nests too deeply to be read"
    return None


def allowed_methods(request: Request) -> str | None:
    """The methods the documented route of this path answers (``Allow`` of a 405): of the
    path templates that match, the most specific ones (most literal segments), so
    ``.../submissions/batch`` answers POST only, not what ``.../{submission_id}`` does."""
    cache = getattr(request.app.state, "route_methods", None)
    if cache is None:
        cache = []
        for template, ops in request.app.openapi().get("paths", {}).items():
            parts = template.strip("/").split("/")
            pattern = "/" + "/".join(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) for p in parts)
            literal = sum("{" not in p for p in parts)
            methods = {m.upper() for m in ops if m in _METHODS}
            cache.append((re.compile(pattern + "$"), literal, methods))
        request.app.state.route_methods = cache
    hits = [(literal, methods) for rx, literal, methods in cache if rx.match(request.url.path)]
    if not hits:
        return None
    best = max(literal for literal, _ in hits)
    allowed = set().union(*(m for literal, m in hits if literal == best))
    return ", ".join(sorted(allowed))


_METHODS = {"get", "put", "post", "delete", "patch", "head"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    unreadable = _unreadable_body(exc)
    if unreadable is not None:  # the same answer as any other unreadable JSON body
        error = {"pointer": "", "code": "json_invalid", "message": unreadable}
        return problem_response(
            request,
            422,
            "request_invalid",
            f"the request has 1 invalid field(s): {unreadable}",
            [error],
        )
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405:
        allow = allowed_methods(request)
        if allow is not None:
            headers = {**(headers or {}), "Allow": allow}
    return problem_response(request, exc.status_code, code, detail, headers=headers)


def _pointer(loc: Sequence[int | str]) -> tuple[str, str | None]:
    """``('body', 'answers', 'q1')`` → ``('/answers/q1', None)``; query → ``('', name)``."""
    if not loc:
        return "", None
    where, rest = loc[0], list(loc[1:])
    if where == "body":
        parts = [str(p).replace("~", "~0").replace("/", "~1") for p in rest]
        return ("/" + "/".join(parts)) if parts else "", None
    return "", ".".join(str(p) for p in rest) or str(where)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        pointer, parameter = _pointer(err.get("loc", ()))
        item: dict[str, Any] = {
            "pointer": pointer,
            "code": str(err.get("type", "invalid")),
            "message": str(err.get("msg", "invalid value")),
        }
        if parameter is not None:
            item["parameter"] = parameter
        errors.append(item)
    return problem_response(
        request,
        422,
        "request_invalid",
        f"the request has {len(errors)} invalid field(s); see errors",
        errors,
    )


def _not_migrated(exc: DBAPIError) -> bool:
    """A table or column the code expects is missing: the server started before (or while)
    ``papi db upgrade`` ran."""
    name = type(exc.orig).__name__
    text = str(exc.orig)
    return name in ("UndefinedTable", "UndefinedColumn") or (
        name == "OperationalError" and ("no such table" in text or "no such column" in text)
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    """A driver error the code did not expect: 503 (retry) when the schema is not migrated
    yet, like ``/readyz``; anything else is the catch-all's 500."""
    assert isinstance(exc, DBAPIError)
    if not _not_migrated(exc):
        return await _unexpected(request, exc)
    log.warning(
        "database not migrated: %s %s: %s", request.method, redact(request.url.path), exc.orig
    )
    message = "the database schema is not up to date; run `papi db upgrade`, then retry"
    return problem_response(
        request, 503, "database_not_migrated", message, headers={"Retry-After": "5"}
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception(
        "unexpected error on %s %s", request.method, redact(request.url.path), exc_info=exc
    )
    return problem_response(
        request, 500, "internal_error", "an unexpected error occurred; it has been logged"
    )


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(PapiError, _papi_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring problem+json bodies for ``statuses``."""
    ref = {"$ref": "#/components/schemas/ProblemDetail"}
    return {
        s: {"description": HTTPStatus(s).phrase, "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}}}
        for s in statuses
    }
