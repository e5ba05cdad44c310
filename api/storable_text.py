"""What text a database column takes, and the one encoding rule of JSON bodies: checks the
body-limit middleware applies to every request and services apply to parsed documents."""

from __future__ import annotations

import json
import re

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
