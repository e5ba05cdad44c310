"""Canonical JSON and content hashes (what "the same content" means for deduplication).

Keys are sorted, separators fixed, text kept as UTF-8, and a float with an integral value is
written as an integer (so a client re-serialising ``1`` as ``1.0`` is not a conflict).
orjson does the encoding (several times faster than the standard library on interview-sized
documents); integers beyond 64 bits, which orjson refuses, fall back to ``json``.

A submission's body is serialised once: :func:`sealed` returns it as a :class:`Canonical`
dict carrying its canonical text, which both the content hash and the database's JSON
column (:func:`json_serializer`) use.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

from survey.validation.answer_rules import integral

# An integral float is that integer: the rule of response validation, so that what is
# hashed and stored is what was validated.
_num = integral


def normalise_float(value: float) -> int | float:
    """An integral float as an int (``45.0`` → ``45``), any other float unchanged."""
    return _num(value)


def normalise(value: Any) -> Any:
    """``value`` with every integral float turned into an int (recursively)."""
    t = type(value)
    if t is float:
        return _num(value)
    if t is dict:
        return {
            str(k): (
                v
                if type(v) in (str, int, bool) or v is None
                else _num(v)
                if type(v) is float
                else normalise(v)
            )
            for k, v in value.items()
        }
    if t is list or t is tuple:
        return [normalise(v) for v in value]
    return value


def normalise_flat(mapping: dict[str, Any]) -> dict[str, Any]:
    """``normalise`` for a flat mapping whose values are scalars or lists of integers
    (validated answers): only a float value can change."""
    return {k: _num(v) if type(v) is float else v for k, v in mapping.items()}


def dumps(value: Any) -> bytes:
    """Canonical UTF-8 JSON bytes of an already normalised value."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


class Canonical(dict[str, Any]):
    """A normalised JSON object together with its canonical text (``text``), computed once.
    Treat it as read-only: the text is not recomputed after a change."""

    __slots__ = ("text",)

    text: str


def sealed(normalised: dict[str, Any]) -> tuple[Canonical, str]:
    """(the object with its canonical text, its content hash) from one serialisation."""
    raw = dumps(normalised)
    out = Canonical(normalised)
    out.text = raw.decode("utf-8")
    return out, hashlib.sha256(raw).hexdigest()


def canonical_json(value: Any) -> str:
    return dumps(normalise(value)).decode("utf-8")


def content_hash(value: Any) -> str:
    return hashlib.sha256(dumps(normalise(value))).hexdigest()


def digest(normalised: Any) -> str:
    """``content_hash`` of a value already passed through ``normalise``."""
    return hashlib.sha256(dumps(normalised)).hexdigest()


def json_serializer(value: Any) -> str:
    """The engines' JSON column serializer (a :class:`Canonical` object is not serialised
    again)."""
    if type(value) is Canonical:
        return value.text
    return dumps(value).decode("utf-8")
