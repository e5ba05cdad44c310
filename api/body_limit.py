"""The body-limit middleware: the size, encoding and storability checks every request body
passes before any route sees it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_MEDIA_TYPE, ErrorRenderer, renderer_for
from api.redact import redact
from api.storable_text import not_utf8_json, unstorable_text

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_NUL_IN_QUERY = re.compile(rb"%00|\x00")


class BodyLimitMiddleware:
    """Answer 413 (problem+json) when a request body exceeds ``limit`` bytes, and 422 when
    a JSON body is not UTF-8 (``not_utf8_json``) or the path, the query or a JSON body holds
    text no database column takes (U+0000, a lone surrogate): caught here, once, instead of
    failing in the driver as a 500.

    The declared ``Content-Length`` is checked first; a chunked body is read up to the limit
    and replayed to the application, so a handler never sees a truncated body. A body that
    stalls (no data for ``idle_timeout`` seconds, e.g. a client that declared more than it
    sends) gets 408 and the connection is closed, instead of holding it forever.

    Every refusal is problem+json, or the error format ``renderers`` registers for the
    path's prefix (the same registry as the app's error handlers, ``api.problems``).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        idle_timeout: float = 60.0,
        renderers: Mapping[str, ErrorRenderer] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.renderers = dict(renderers or {})

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

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        status: int,
        code: str,
        detail: str,
        errors: list[dict[str, Any]],
    ) -> None:
        path = scope.get("path", "")
        own = renderer_for(self.renderers, path)
        if own is not None:
            answer = own(path, status, detail, errors, None)
            headers = [
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()
            ]
            headers = [h for h in headers if h[0] != b"content-length"]
            await _send(send, status, bytes(answer.body), headers)
            return
        payload = orjson.dumps(
            {
                "type": f"urn:papi-engine:problem:{code}",
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": detail,
                "instance": redact(path.replace("\x00", "%00")),
                "code": code,
                "errors": errors,
            }
        )
        await _send(send, status, payload, [(b"content-type", PROBLEM_MEDIA_TYPE.encode())])

    async def _unstorable(
        self, scope: Scope, send: Send, pointer: str, code: str, message: str
    ) -> None:
        detail = f"the request has 1 invalid field(s): {message}"
        errors = [{"pointer": pointer, "code": code, "message": message}]
        await self._refuse(scope, send, 422, "request_invalid", detail, errors)

    async def _stalled(self, scope: Scope, send: Send) -> None:
        detail = (
            f"the request body stalled: nothing arrived for {self.idle_timeout:g} s; send it "
            "again (an identical resend is stored once)"
        )
        await self._refuse(scope, send, 408, "body_timeout", detail, [])

    async def _reject(self, scope: Scope, send: Send) -> None:
        detail = (
            f"the request body exceeds {self.limit} bytes; split it (a batch of the JSON API "
            "takes at most 1,000 submissions, a device splits its upload)"
        )
        await self._refuse(scope, send, 413, "payload_too_large", detail, [])


async def _send(
    send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    length = [(b"content-length", str(len(payload)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers + length})
    await send({"type": "http.response.body", "body": payload})
