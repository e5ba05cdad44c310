"""Secrets never leave the server in logs or error bodies.

An OpenRosa URL carries the app user's token in its path (``/v1/key/<token>/...``), and a
bearer token may appear in a message; ``redact`` replaces both with ``[redacted]``. It is
applied to the ``instance`` of every problem+json body, to the server's own log messages and,
through ``RedactingFilter``, to uvicorn's access and error logs (installed by
``install_log_filter`` when the app is created)."""

from __future__ import annotations

import logging
import re

from api.auth.schemas import TOKEN_PREFIX

REDACTED = "[redacted]"
_KEY_PATH = re.compile(r"(/v1/key/)[^/?#\s\"']+")
_BEARER = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_\-]{8,}")
_LOGGERS = ("uvicorn.access", "uvicorn.error", "papi.api")


def redact(text: str) -> str:
    """``text`` with the token of an OpenRosa path and any bearer token replaced."""
    if "/v1/key/" in text:
        text = _KEY_PATH.sub(r"\g<1>" + REDACTED, text)
    if TOKEN_PREFIX in text:
        text = _BEARER.sub(REDACTED, text)
    return text


def _clean(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


_FORMATTER = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Redacts the message, the string arguments (uvicorn's access log passes the request
    path as one) and the traceback of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:  # formatters reuse exc_text as it is
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Add the filter to the loggers that see request paths (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
