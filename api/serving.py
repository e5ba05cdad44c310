"""How ``papi serve`` runs uvicorn: connection timeouts a hostile or broken client cannot
stretch.

uvicorn closes an idle keep-alive connection ``timeout_keep_alive`` seconds after a response,
but it starts no clock for a connection that has not finished sending a request's headers
(one that sends nothing, or a few header bytes now and then): such a connection stayed open
indefinitely. ``BoundedH11Protocol`` gives every connection ``header_timeout_seconds`` to
finish a request's headers, from the moment it opens and again after each response; the
request body has its own idle limit (``BodyLimitMiddleware``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import get_settings


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = get_settings().header_timeout_seconds
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._deadline_passed)

    def _deadline_passed(self) -> None:
        self._header_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request's headers arrived in time; it is being answered
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The options ``papi serve`` passes to ``uvicorn.run`` (besides host, port, ...)."""
    settings = get_settings()
    return {
        "http": BoundedH11Protocol,
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
    }
