"""The library and the server give the same verdict on a response.

``verdict(q, answers)`` (survey.validation.response) and the HTTP intake (the batch endpoint) judge
the same 10,800 responses, valid random fills and hostile mutations of them
(tests/survey/hostile.py), of the three bundled PAPI questionnaires: each must be accepted
by both or refused by both, with the same error pointers in the same order; an accepted one
carries an ``outside_constraints`` flag exactly at the pointers the library flags.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from survey.questionnaire.loader import load_questionnaire
from survey.validation import verdict
from tests.api.support import Api
from tests.survey.hostile import responses

PER_QUESTIONNAIRE = 3600
BATCH = 1000
LOCATION = {"province": "P01", "district": "P01-D01", "commune": "P01-D01-C01", "village": "V1"}


def _library(q: Any, answers: dict[str, Any]) -> tuple[bool, list[str], list[str]]:
    v = verdict(q, answers)
    # a refused interview is not stored, so it carries no flags
    flagged = [i.pointer for i in v.flagged] if v.accepted else []
    return v.accepted, [i.pointer for i in v.rejected], flagged


def _server(result: dict[str, Any]) -> tuple[bool, list[str], list[str]]:
    accepted = result["status"] == 201
    assert result["status"] in (201, 422), result
    flagged = [f["pointer"] for f in result["flags"] if f["code"] == "outside_constraints"]
    return accepted, [e["pointer"] for e in result["errors"]], flagged


@pytest.mark.slow
@pytest.mark.parametrize("name", ["papi-2018", "papi-2019", "papi-2021"])
def test_library_and_http_intake_agree(api: Api, name: str) -> None:
    q = load_questionnaire(name)
    survey = api.survey(questionnaire=name, year=q.year, name=f"agree-{name}")
    # what the server receives is JSON: the library judges the same decoded values
    generated = [json.loads(json.dumps(a)) for a in responses(q, PER_QUESTIONNAIRE, seed=22)]
    verdicts = {"accepted": 0, "refused": 0}
    for start in range(0, len(generated), BATCH):
        chunk = generated[start : start + BATCH]
        body = {
            "submissions": [
                {"submission_id": str(uuid.uuid4()), "location": LOCATION, "answers": a}
                for a in chunk
            ]
        }
        r = api.client.post(
            f"/api/v1/surveys/{survey}/submissions/batch", json=body, headers=api.admin
        )
        assert r.status_code == 200, r.text[:500]
        for answers, result in zip(chunk, r.json()["results"], strict=True):
            lib = _library(q, answers)
            assert _server(result) == lib, (answers, result)
            verdicts["accepted" if lib[0] else "refused"] += 1
    # both kinds are well represented, so agreement is not trivially on one side
    assert min(verdicts.values()) > PER_QUESTIONNAIRE // 5, verdicts
