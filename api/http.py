"""Request-parsing helpers shared by every resource's routes: the JSON content-type check,
orjson parsing with the framework's own 422 errors, and strict query flags. The body-limit
middleware is in ``api.body_limit``, the unit of work in ``api.unit_of_work``."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ValidationError

from api.problems import UnsupportedMediaType


def _true_or_false(value: object) -> object:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("give true or false")


QueryFlag = Annotated[bool, BeforeValidator(_true_or_false)]
"""A query-string boolean that is exactly ``true`` or ``false`` (not 1, yes, on, ...)."""


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (``application/json`` or ``+json``)."""
    mt = media_type(request)
    if mt != "application/json" and not mt.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type {mt or '(none)'!r} is not accepted here; send application/json",
            code="unsupported_media_type",
        )


M = TypeVar("M", bound=BaseModel)


def parse_json(raw: bytes) -> Any:
    """``raw`` JSON parsed by orjson; a decode error is the framework's own request
    validation error (422 problem+json)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        msg = f"JSON decode error at byte {exc.pos}: {exc.msg}"
        err = {"type": "json_invalid", "loc": ("body",), "msg": msg}
        raise RequestValidationError([{**err, "input": {}, "ctx": {"error": exc.msg}}]) from None


def parse_body(model: type[M], raw: bytes) -> M:
    """``raw`` JSON parsed by orjson and validated as ``model``; errors are the framework's
    own request validation errors (422 problem+json with pointers into the body)."""
    data = parse_json(raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
