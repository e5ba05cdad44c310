"""Bounds on the work one submission can cause, and on the errors reported about it.

An interview can only be valid with at most one answer per item of its questionnaire and,
for a multiple choice, at most one of each choice code; ``screen`` checks those two bounds on
the raw document (before the model or the questionnaire's checks see it), so a body of a
million answers or codes costs one pass over its keys and one ``len`` per list, and is
refused with one error each instead of a million. Objects of the envelope (location,
paradata, ...) get the same treatment for keys their model does not have. ``capped``
(api/problems.py) keeps at most ``MAX_REPORTED_ERRORS`` errors and says how many more there
were: the answer to a bad request stays small whatever the request holds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.problems import MAX_REPORTED_ERRORS, capped
from api.submissions.schemas import Design, Gps, Location, Paradata, SubmissionIn
from survey.schema import Questionnaire

__all__ = ["MAX_REPORTED_ERRORS", "capped", "long_texts", "screen"]
# where each object of a submission sits, and the model that reads it
_OBJECTS: tuple[tuple[tuple[str, ...], type[BaseModel]], ...] = (
    ((), SubmissionIn),
    (("location",), Location),
    (("paradata",), Paradata),
    (("paradata", "gps"), Gps),
    (("design",), Design),
)

_CODES_KEY = "limits:codes_per_item"


def _codes_per_item(q: Questionnaire) -> dict[str, int]:
    """Item id → how many codes its answer may hold as a list (multiple choice: its
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


def screen(q: Questionnaire, raw: Any) -> list[dict[str, Any]]:
    """Errors of a raw submission that no valid one can have: more answers than the
    questionnaire has items, or a list longer than the item's choices. Empty when within
    the bounds (the model and the questionnaire's checks then report the rest)."""
    if not isinstance(raw, dict):
        return []
    unknown = _unknown_keys(raw)
    if unknown:
        return unknown
    answers = raw.get("answers")
    if not isinstance(answers, dict):
        return []
    bounds = _codes_per_item(q)
    if len(answers) > len(bounds):
        return [
            {
                "pointer": "/answers",
                "code": "too_many_answers",
                "message": f"{len(answers):,} answers; questionnaire {q.id!r} has "
                f"{len(bounds)} items, so at most {len(bounds)} answers",
            }
        ]
    errors = long_texts(q, answers)
    for key, value in answers.items():
        if type(value) is not list:
            continue
        most = bounds.get(key, 0) if type(key) is str else 0
        if len(value) > most:
            pointer = "/answers/" + _escape(str(key))
            why = (
                f"item {key!r} has {most} choices, so at most {most} distinct codes"
                if most
                else f"{key!r} is not a multiple-choice item, so a list is not an answer"
            )
            errors.append(
                {
                    "pointer": pointer,
                    "code": "too_many_codes",
                    "message": f"{len(value):,} codes; {why}",
                }
            )
    return errors


def _unknown_keys(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """One error per key of an envelope object that its model does not have (the model
    would report them too, but builds every error first; this stops at the cap)."""
    errors: list[dict[str, Any]] = []
    for path, model in _OBJECTS:
        obj: Any = raw
        for part in path:
            obj = obj.get(part) if isinstance(obj, dict) else None
        if not isinstance(obj, dict) or len(obj.keys() - model.model_fields.keys()) == 0:
            continue
        for key in obj.keys() - model.model_fields.keys():
            pointer = "".join(f"/{p}" for p in path) + "/" + _escape(str(key))
            errors.append(
                {"pointer": pointer, "code": "extra_forbidden", "message": "not a known field"}
            )
            if len(errors) > MAX_REPORTED_ERRORS:
                return capped(errors)
    return errors


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def long_texts(q: Questionnaire, answers: Any) -> list[dict[str, Any]]:
    """One error per text answer longer than the questionnaire's ``max_text_bytes`` (UTF-8
    bytes), whichever way it arrived (JSON or OpenRosa): what a survey accepts, its .dta
    and .sav exports can hold."""
    if not isinstance(answers, dict):
        return []
    limit = q.max_text_bytes
    errors = []
    for key, value in answers.items():
        if type(value) is not str or len(value) * 4 <= limit:
            continue  # at most 4 UTF-8 bytes per character
        size = len(value) if len(value) > limit else len(value.encode("utf-8", "surrogatepass"))
        if size > limit:
            errors.append(
                {
                    "pointer": "/answers/" + _escape(str(key)),
                    "code": "text_too_long",
                    "message": f"{size:,} bytes or more; a text answer of questionnaire "
                    f"{q.id!r} holds at most {limit:,} bytes (UTF-8)",
                }
            )
    return errors
