"""The OpenRosa routes' own error format: every error under ``/v1/key/`` (a domain error, a
refused parameter, an unknown path, a body the body-limit middleware stops, a 500) is an
``OpenRosaResponse`` envelope whose message Collect shows the enumerator. ``api.app``
registers ``renderer`` for ``OPENROSA_PATH``; the generic error handlers and middleware
call it without knowing about OpenRosa."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from api.openrosa.envelope import OPENROSA_HEADERS, XML_MEDIA_TYPE, envelope_bytes
from api.problems import ErrorRenderer


def renderer(accept_length: int) -> ErrorRenderer:
    """The envelope renderer. Answers of the submission endpoint carry
    ``X-OpenRosa-Accept-Content-Length`` (``accept_length``), errors included; no answer
    carries ``WWW-Authenticate``: the token is in the URL, there is nothing to challenge
    (Collect would open a credentials dialog)."""

    def render(
        path: str,
        status: int,
        detail: str,
        errors: list[dict[str, Any]],
        headers: dict[str, str] | None,
    ) -> Response:
        located = [
            f"{where}: {e['message']}"
            if (where := e.get("pointer") or e.get("parameter"))
            else e["message"]
            for e in errors[:10]
        ]
        where = "; ".join(located)
        message = f"{detail} — {where}" if where and not detail.endswith(where) else detail
        extra = {k: v for k, v in (headers or {}).items() if k.lower() != "www-authenticate"}
        if path.rstrip("/").endswith("/submission"):
            extra["X-OpenRosa-Accept-Content-Length"] = str(accept_length)
        return Response(
            envelope_bytes(message), status, {**OPENROSA_HEADERS, **extra}, XML_MEDIA_TYPE
        )

    return render
