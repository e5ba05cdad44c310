"""The intake fast path (plain-JSON answers skip pydantic; the body is serialised once)
gives the same canonical body, content hash and errors as validating the whole model."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import orjson
import pytest
from pydantic import ValidationError

from api.canonical import digest, json_serializer, sealed
from api.settings import Settings
from api.submissions import intake
from api.submissions.schemas import SubmissionIn
from survey.questionnaire.schema import Questionnaire
from tests.api.interviews import interview


def _raws(q: Questionnaire, n: int = 20) -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    return [orjson.loads(orjson.dumps(interview(q, rng, i))) for i in range(n)]


def _full(raw: dict[str, Any]) -> dict[str, Any]:
    return intake.canonical_body(SubmissionIn.model_validate(raw))


def test_fast_body_and_hash_equal_the_full_model(q: Questionnaire) -> None:
    for raw in _raws(q):
        sub, answers = intake._validate(raw)
        assert answers is not None  # generated interviews take the fast path
        body = intake._body(sub, answers)
        assert body == _full(raw)
        sealed_body, h = sealed(body)
        assert h == digest(_full(raw)) == intake.content_digest(SubmissionIn.model_validate(raw))
        assert json_serializer(sealed_body) == json_serializer(dict(sealed_body))


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (45.0, True),
        (45, True),
        (2.5, True),
        ("x", True),
        ([1, 2], True),
        (None, True),
        (True, False),
        ({"a": 1}, False),
        ([1, "2"], False),
        ([True], False),
    ],
)
def test_answer_kinds_take_the_right_path(q: Questionnaire, value: Any, plain: bool) -> None:
    raw = copy.deepcopy(_raws(q, 1)[0])
    raw["answers"]["household_size"] = value
    assert (intake._plain_answers(raw["answers"]) is not None) is plain
    try:
        full: dict[str, Any] | None = _full(raw)
    except ValidationError:
        full = None
    try:
        sub, answers = intake._validate(raw)
    except ValidationError:
        assert full is None
        return
    assert intake._body(sub, answers) == full


def test_errors_of_envelope_and_answers_are_all_reported(q: Questionnaire) -> None:
    raw = copy.deepcopy(_raws(q, 1)[0])
    del raw["location"]
    raw["answers"]["household_size"] = {"a": 1}
    with pytest.raises(ValidationError) as fast:
        intake._validate(raw)
    with pytest.raises(ValidationError) as full:
        SubmissionIn.model_validate(raw)
    assert fast.value.errors() == full.value.errors()
    # the envelope is pydantic's; what an answer may be is response validation's, which
    # still reports the answers' problems alongside (survey.validation.response.verdict)
    assert {e["loc"][0] for e in fast.value.errors()} == {"location"}
    item = intake.prepare(q, Settings(), 1, "enum", raw, 0, intake.utcnow())
    pointers = {e["pointer"] for e in item.errors}
    assert {"/location", "/answers/household_size"} <= pointers, item.errors
