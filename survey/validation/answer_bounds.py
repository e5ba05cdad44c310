"""Bounds that no valid response can exceed, checked before anything else about it.

One home for three rules that the library (``survey.validation.validate_response``, ``survey.validation.verdict``) and the
server's intake (api/submissions/limits.py, for JSON and OpenRosa alike) both apply:

- ``too_many_answers``: more answers than the questionnaire has items plus
  ``MAX_UNKNOWN_ANSWERS`` (up to that many unknown items are each reported by name, as
  ``unknown_item``, by the ordinary checks);
- ``too_many_codes``: a list longer than the item's choices (a multiple choice holds each
  code at most once; any other item takes no list at all);
- ``text_too_long``: a text answer longer than :func:`max_text_length` characters, a third of
  the questionnaire's ``max_text_bytes`` (2,045 UTF-8 bytes by default, Stata's widest
  fixed-width string, so that every accepted survey exports to .dta and .sav:
  docs/questionnaire-format.md), hence 681 characters. Characters are counted as the ODK form
  engines' ``string-length`` counts them (UTF-16 code units: a character of the Basic
  Multilingual Plane, every Vietnamese letter included, is one unit and at most 3 UTF-8 bytes;
  any other is two units and 4 bytes), so the XLSForm's constraint
  ``string-length(.) <= 681`` (survey/forms/xlsform.py) refuses exactly what the server refuses, and
  an accepted text never exceeds ``max_text_bytes`` bytes.

When any bound is exceeded these are the only problems reported: checking them costs one pass
over the keys and one ``len`` per value, so a body of a million codes is refused with one
error instead of a million, and the library and the server give the same pointers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.questionnaire.schema import Questionnaire
from survey.validation.item_checks import ValidationIssue, _ptr

_CODES_KEY = "bounds:codes_per_item"
MAX_UNKNOWN_ANSWERS = 100
"""Answers beyond the questionnaire's items that are still reported one by one."""


def codes_per_item(q: Questionnaire) -> dict[str, int]:
    """Item id → how many codes its answer may hold as a list (a multiple choice: its
    choices; any other item: none)."""
    cached = q.cached(_CODES_KEY)
    if isinstance(cached, dict):
        return cached
    out = {
        item.id: len(q.choices_of(item)) if item.type == "multiple_choice" else 0
        for item in q.items
    }
    q.store(_CODES_KEY, out)
    return out


def max_text_length(q: Questionnaire) -> int:
    """The most characters (UTF-16 code units, as ODK's ``string-length`` counts them) a text
    answer of ``q`` may hold: ``max_text_bytes // 3`` (module docstring)."""
    return q.max_text_bytes // 3


def text_length(text: str) -> int:
    """``text``'s length as ODK's ``string-length`` counts it (UTF-16 code units)."""
    if len(text) > 1_000_000 or text.isascii():
        return len(text)  # a lower bound is enough to refuse a huge text without encoding it
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def text_issues(q: Questionnaire, answers: Mapping[Any, Any]) -> list[ValidationIssue]:
    """One issue per text answer longer than :func:`max_text_length` characters."""
    limit = max_text_length(q)
    out = []
    for key, value in answers.items():
        if type(value) is not str or len(value) <= limit // 2:
            continue  # at most 2 code units per character
        size = text_length(value)
        if size > limit:
            out.append(
                ValidationIssue(
                    _ptr(str(key)),
                    "text_too_long",
                    f"{size:,} characters; a text answer of questionnaire {q.id!r} holds at "
                    f"most {limit:,} (so that it fits {q.max_text_bytes:,} UTF-8 bytes)",
                    str(key),
                )
            )
    return out


def bound_issues(q: Questionnaire, answers: Mapping[Any, Any]) -> list[ValidationIssue]:
    """The bounds a response exceeds (module docstring); empty when within them."""
    bounds = codes_per_item(q)
    if len(answers) > len(bounds) + MAX_UNKNOWN_ANSWERS:
        return [
            ValidationIssue(
                "/answers",
                "too_many_answers",
                f"{len(answers):,} answers; questionnaire {q.id!r} has {len(bounds)} items, so "
                f"at most {len(bounds)} answers",
            )
        ]
    issues = text_issues(q, answers)
    for key, value in answers.items():
        if type(value) is not list:
            continue
        most = bounds.get(key, 0) if type(key) is str else 0
        if len(value) > most:
            why = (
                f"item {key!r} has {most} choices, so at most {most} distinct codes"
                if most
                else f"{key!r} is not a multiple-choice item, so a list is not an answer"
            )
            issues.append(
                ValidationIssue(
                    _ptr(str(key)), "too_many_codes", f"{len(value):,} codes; {why}", str(key)
                )
            )
    return issues
