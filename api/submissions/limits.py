"""Bounds on the work one submission can cause, and on the errors reported about it.

An interview can only be valid with at most one answer per item of its questionnaire, for a
multiple choice at most one of each choice code, and text answers within the questionnaire's
``max_text_bytes``: ``screen`` checks those bounds (their one home is survey.validation.answer_bounds,
which ``survey.validation.validate_response`` applies the same way) on the raw document, before the model or
the questionnaire's checks see it, so a body of a million answers or codes costs one pass
over its keys and one ``len`` per list, and is refused with one error each instead of a
million. Objects of the envelope (location,
paradata, ...) get the same treatment for keys their model does not have. ``capped``
(api/problems.py) keeps at most ``MAX_REPORTED_ERRORS`` errors and says how many more there
were: the answer to a bad request stays small whatever the request holds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.problems import MAX_REPORTED_ERRORS, capped
from api.submissions.schemas import Design, Gps, Location, Paradata, SubmissionIn
from survey.questionnaire.schema import Questionnaire
from survey.validation.answer_bounds import bound_issues, text_issues

__all__ = ["MAX_REPORTED_ERRORS", "capped", "long_texts", "screen"]
# where each object of a submission sits, and the model that reads it
_OBJECTS: tuple[tuple[tuple[str, ...], type[BaseModel]], ...] = (
    ((), SubmissionIn),
    (("location",), Location),
    (("paradata",), Paradata),
    (("paradata", "gps"), Gps),
    (("design",), Design),
)


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
    return [i.as_dict() for i in bound_issues(q, answers)]


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
    """One error per text answer longer than the questionnaire's ``max_text_bytes`` (the
    rule of survey.validation.answer_bounds), whichever way it arrived (JSON or OpenRosa)."""
    if not isinstance(answers, dict):
        return []
    return [i.as_dict() for i in text_issues(q, answers)]
