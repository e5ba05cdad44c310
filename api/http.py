"""HTTP plumbing shared by every resource: the body-size limit, content-type checks and
the request-scoped unit of work (the one place that commits or rolls back)."""

from __future__ import annotations

import asyncio
import gc
import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.engine import Database
from api.problems import PROBLEM_MEDIA_TYPE, UnsupportedMediaType
from api.redact import redact

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_gc_tuned = False


def tune_gc() -> None:
    """Once per server process, at start-up: freeze the objects alive by then (modules, the
    app, cached questionnaires) out of the cyclic collector's reach (``gc.freeze``) and run
    its youngest generation every 50,000 allocations instead of 700. Parsing and checking a
    batch of interviews allocates hundreds of thousands of short-lived objects; with the
    default thresholds the collector took about a quarter of a batch's CPU time (measured
    in process: 0.40 → 0.29 ms per interview). Memory is still freed by reference
    counting, and reference cycles are still collected, only less often."""
    global _gc_tuned
    if not _gc_tuned:
        _gc_tuned = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)


_NUL_IN_QUERY = re.compile(rb"%00|\x00")
# A JSON escape of U+0000 or of a UTF-16 surrogate: only bodies containing one are parsed here.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _escape_pointer(parts: list[str]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def text_problem(text: str) -> str | None:
    """Why no database column takes ``text`` (U+0000, a lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain U+0000"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone UTF-16 surrogate (\\ud800-\\udfff)"
    return None


_BOMS = (b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")


def not_utf8_json(body: bytes) -> str | None:
    """Why a JSON body breaks the one encoding rule of every JSON route, or None.

    The rule (RFC 8259 §8.1): JSON is exchanged as UTF-8, without a byte-order mark. The
    framework's parser would also guess UTF-16 and UTF-32 (and let a lone surrogate or a
    U+0000 through that way), orjson would not; refusing them here gives every route the
    same answer. Any UTF-16 or UTF-32 JSON text holds a 0x00 byte (every structural
    character is ASCII), which UTF-8 JSON never does (a raw control character is not
    allowed in JSON), so one byte scan decides. Invalid UTF-8 bytes are reported by the
    parsers themselves, also as 422."""
    if body.startswith(_BOMS):
        return "the body starts with a byte-order mark; send JSON in UTF-8 without one"
    nul = body.find(0)
    if nul >= 0:
        return (
            f"the body holds a 0x00 byte (at {nul}): it is not UTF-8; "
            "send JSON in UTF-8 (UTF-16 and UTF-32 are refused)"
        )
    return None


def unstorable_text(body: bytes) -> tuple[str, str, str] | None:
    """``(pointer, code, message)`` when a JSON body holds text no database column takes:
    U+0000 (PostgreSQL refuses it in text and jsonb) or a lone UTF-16 surrogate escape (not
    encodable as UTF-8). None otherwise, also for a body that is not JSON at all (the handler
    reports that). Only bodies with such an escape are parsed here, so the usual body costs
    one regular-expression scan."""
    if _SUSPECT_ESCAPE.search(body) is None:
        return None
    try:
        data = json.loads(body)  # the standard library keeps lone surrogates (orjson refuses)
    except (ValueError, RecursionError):
        return None
    return unstorable_in(data)


def unstorable_in(data: object) -> tuple[str, str, str] | None:
    """The first string or key of a parsed document that no database column takes (see
    ``unstorable_text``), as ``(pointer, code, message)``; iterative, so any depth is fine."""
    stack: list[tuple[object, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                return _escape_pointer(path), "text_unstorable", f"text {problem}"
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(key)
                if problem is not None:
                    return _escape_pointer(path), "key_unstorable", f"a key {problem}"
                stack.append((item, [*path, key]))
        elif isinstance(value, list):
            stack.extend((item, [*path, str(i)]) for i, item in enumerate(value))
    return None


class BodyLimitMiddleware:
    """Answer 413 (problem+json) when a request body exceeds ``limit`` bytes, and 422 when
    a JSON body is not UTF-8 (``not_utf8_json``) or the path, the query or a JSON body holds
    text no database column takes (U+0000, a lone surrogate): caught here, once, instead of
    failing in the driver as a 500.

    The declared ``Content-Length`` is checked first; a chunked body is read up to the limit
    and replayed to the application, so a handler never sees a truncated body. A body that
    stalls (no data for ``idle_timeout`` seconds, e.g. a client that declared more than it
    sends) gets 408 and the connection is closed, instead of holding it forever.
    """

    def __init__(self, app: ASGIApp, limit: int, idle_timeout: float = 60.0) -> None:
        self.app = app
        self.limit = limit
        self.idle_timeout = idle_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or _NUL_IN_QUERY.search(scope.get("query_string", b"")):
            await self._unstorable(scope, send, "", "nul_in_url", "U+0000 (%00) in the URL")
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._reject(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                async with asyncio.timeout(self.idle_timeout):
                    message = await receive()
            except TimeoutError:
                await self._stalled(scope, send)
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        mt = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if mt == b"application/json" or mt.endswith(b"+json"):
            encoding = not_utf8_json(body)
            if encoding is not None:
                await self._unstorable(scope, send, "", "json_invalid", encoding)
                return
            bad = unstorable_text(body)
            if bad is not None:
                await self._unstorable(scope, send, *bad)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _unstorable(
        self, scope: Scope, send: Send, pointer: str, code: str, message: str
    ) -> None:
        if scope.get("path", "").startswith("/v1/key/"):  # OpenRosa clients: their envelope
            from api.openrosa.envelope import envelope_bytes

            xml = [(b"content-type", b"text/xml; charset=utf-8"), (b"x-openrosa-version", b"1.0")]
            await _send(send, 422, envelope_bytes(f"the request is unreadable: {message}"), xml)
            return
        payload = orjson.dumps(
            {
                "type": "urn:papi-engine:problem:request_invalid",
                "title": "Unprocessable Entity",
                "status": 422,
                "detail": f"the request has 1 invalid field(s): {message}",
                "instance": redact(scope.get("path", "").replace("\x00", "%00")),
                "code": "request_invalid",
                "errors": [{"pointer": pointer, "code": code, "message": message}],
            }
        )
        await _send(send, 422, payload, [(b"content-type", PROBLEM_MEDIA_TYPE.encode())])

    async def _stalled(self, scope: Scope, send: Send) -> None:
        message = (
            f"the request body stalled: nothing arrived for {self.idle_timeout:g} s; send it "
            "again (an identical resend is stored once)"
        )
        if scope.get("path", "").startswith("/v1/key/"):  # OpenRosa clients: their envelope
            from api.openrosa.envelope import envelope_bytes

            xml = [(b"content-type", b"text/xml; charset=utf-8"), (b"x-openrosa-version", b"1.0")]
            await _send(send, 408, envelope_bytes(message), xml)
            return
        payload = orjson.dumps(
            {
                "type": "urn:papi-engine:problem:body_timeout",
                "title": "Request Timeout",
                "status": 408,
                "detail": message,
                "instance": redact(scope.get("path", "")),
                "code": "body_timeout",
                "errors": [],
            }
        )
        await _send(send, 408, payload, [(b"content-type", PROBLEM_MEDIA_TYPE.encode())])

    async def _reject(self, scope: Scope, send: Send) -> None:
        if scope.get("path", "").startswith("/v1/key/"):  # OpenRosa clients: their envelope
            from api.openrosa.envelope import envelope_bytes

            message = f"the upload exceeds {self.limit} bytes; the device should split it"
            xml = [(b"content-type", b"text/xml; charset=utf-8"), (b"x-openrosa-version", b"1.0")]
            await _send(send, 413, envelope_bytes(message), xml)
            return
        payload = json.dumps(
            {
                "type": "urn:papi-engine:problem:payload_too_large",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"the request body exceeds {self.limit} bytes; split it "
                "(a batch takes at most 1,000 submissions)",
                "instance": redact(scope.get("path", "")),
                "code": "payload_too_large",
                "errors": [],
            }
        ).encode()
        await _send(send, 413, payload, [(b"content-type", PROBLEM_MEDIA_TYPE.encode())])


async def _send(
    send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    length = [(b"content-length", str(len(payload)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers + length})
    await send({"type": "http.response.body", "body": payload})


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


class UnitOfWork:
    """Lazily opened sessions of one request: ``read`` (plain BEGIN) and ``write``
    (``BEGIN IMMEDIATE`` on SQLite). Only ``commit`` makes writes durable; the dependency
    below calls it after the handler returns and before the response is sent."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._read: Session | None = None
        self._write: Session | None = None
        self._locked = False

    @property
    def read(self) -> Session:
        if self._write is not None:
            return self._write
        if self._read is None:
            self._read = self.db.session()
        return self._read

    @property
    def write(self) -> Session:
        if self._write is None:
            if self._read is not None:
                self._read.close()
                self._read = None
            if self.db.write_lock is not None and not self._locked:
                self.db.write_lock.acquire()
                self._locked = True
            self._write = self.db.session(write=True)
        return self._write

    @property
    def busy(self) -> bool:
        """True when a session holds a connection or a transaction (closing does I/O)."""
        return (
            any(s is not None and s.in_transaction() for s in (self._read, self._write))
            or self._locked
        )

    @property
    def writing(self) -> bool:
        """True once this request has opened its write transaction."""
        return self._write is not None

    def commit(self) -> None:
        try:
            if self._write is not None:
                self._write.commit()
        finally:
            self._release()

    def _release(self) -> None:
        if self._locked and self.db.write_lock is not None:
            self._locked = False
            self.db.write_lock.release()

    def close(self, *, rollback: bool = False) -> None:
        try:
            for s in (self._read, self._write):
                if s is not None:
                    if rollback:
                        s.rollback()
                    s.close()
            self._read = self._write = None
        finally:
            self._release()


async def unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """Commit after the handler returns (before the response is sent), roll back on error.
    Database I/O goes to the thread pool; a request that never touched the database
    (cached survey, group-committed intake) costs no thread hop."""
    uow = UnitOfWork(request.app.state.db)
    try:
        yield uow
        if uow.busy:
            await run_in_threadpool(uow.commit)
    except BaseException:
        await run_in_threadpool(uow.close, rollback=True)
        raise
    finally:
        if uow.busy:
            await run_in_threadpool(uow.close)
        else:
            uow.close()


Uow = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
