"""Item 4 of the hardening issue: one request's work and answer are bounded. A multiple
choice holds at most its item's choices, an interview at most one answer per item, and an
error answer lists at most ``MAX_REPORTED_ERRORS`` errors and counts the rest (a 5 MB body
of a million invalid codes got a 115 MB answer after 12-17 s). The time bound itself is
measured by bench/hostile_bench.py, not here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.problems import MAX_REPORTED_ERRORS
from tests.api.support import Api

MULTI = "q14_02"  # a multiple choice of papi-2021 with 4 choices


def _post(api: Api, survey: int, body: Any, batch: bool = False) -> Any:
    path = f"/api/v1/surveys/{survey}/submissions" + ("/batch" if batch else "")
    headers = {**api.admin, "Content-Type": "application/json"}
    return api.client.post(path, content=json.dumps(body).encode(), headers=headers)


@pytest.mark.parametrize("code", [99999, 1, "x"], ids=["invalid", "repeated", "string"])
def test_a_multiple_choice_longer_than_its_choices_is_one_error(api: Api, code: object) -> None:
    survey = api.survey()
    body = api.interview()
    body["answers"][MULTI] = [code] * 200_000
    r = _post(api, survey, body)
    assert r.status_code == 422, r.text[:500]
    (error,) = r.json()["errors"]
    assert (error["pointer"], error["code"]) == (f"/answers/{MULTI}", "too_many_codes")
    assert "4 choices" in error["message"]
    assert len(r.content) < 5_000


def test_a_list_on_an_item_that_is_no_multiple_choice_is_refused(api: Api) -> None:
    survey = api.survey()
    body = api.interview()
    body["answers"]["age"] = [1, 2]
    r = _post(api, survey, body)
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["too_many_codes"]


@pytest.mark.parametrize(
    "where",
    ["answers", "envelope", "location", "paradata", "batch"],
)
def test_errors_are_capped_and_the_rest_counted(api: Api, where: str) -> None:
    survey = api.survey()
    body = api.interview()
    many = {f"k{i}": {"nested": i} for i in range(20_000)}
    if where == "answers":
        body["answers"] = {item.id: "not valid" for item in api.q.items}  # 188 wrong types
    elif where == "envelope":
        body |= many
    else:
        target = body["location"] if where == "location" else body["paradata"]
        target |= many
    if where == "batch":
        body["answers"] |= {f"x{i}": 1 for i in range(10_000)}
        r = _post(api, survey, {"submissions": [body] * 5}, batch=True)
        assert r.status_code == 200, r.text[:500]
        for result in r.json()["results"]:
            assert len(result["errors"]) <= MAX_REPORTED_ERRORS
    else:
        r = _post(api, survey, body)
        assert r.status_code == 422, r.text[:500]
        errors = r.json()["errors"]
        assert len(errors) <= MAX_REPORTED_ERRORS
        if where != "answers" or len(api.q.items) > MAX_REPORTED_ERRORS:
            assert errors[-1]["code"] in ("more_errors", "too_many_answers"), errors[-1]
    assert len(r.content) < 60_000


def test_a_valid_interview_still_goes_through_the_single_route(api: Api) -> None:
    survey = api.survey()
    body = api.interview()
    assert _post(api, survey, body).status_code == 201
    assert _post(api, survey, body).status_code == 200  # the replay


@pytest.mark.parametrize(
    "answers",
    [
        {f"k{i}": {"wrong": i} for i in range(50_000)},
        {"q14_02": ["x"] * 200_000},
    ],
    ids=["many-answers", "long-list"],
)
def test_an_edit_with_a_huge_answers_mapping_is_one_error(
    api: Api, answers: dict[str, Any]
) -> None:
    survey = api.survey()
    body = api.interview()
    assert api.submit(survey, body).status_code == 201
    r = api.client.patch(
        f"/api/v1/surveys/{survey}/submissions/{body['submission_id']}",
        content=json.dumps({"answers": answers}).encode(),
        headers={**api.admin, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text[:300]
    (error,) = r.json()["errors"]
    assert error["pointer"] == "/answers"
    assert len(r.content) < 2_000
