"""Item 5 of the hardening issue: a text answer holds at most a third of the questionnaire's
``max_text_bytes`` in characters (default 2,045 UTF-8 bytes, Stata's widest fixed string, so
681 characters, counted as the ODK form's ``string-length`` counts them:
survey.validation.answer_bounds), through JSON and OpenRosa alike, so that every survey the server accepted exports to .dta and .sav (a 30 MB
answer used to be stored, and the .dta export then failed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from survey.questionnaire.schema import MAX_TEXT_BYTES
from survey.validation.answer_bounds import max_text_length
from tests.api.support import Api
from tests.security.openrosa_support import assert_envelope, collect_post, enumerator, instance

ITEM = "occupation_other"  # papi-2021's free text, relevant when occupation == 10


def _with_text(body: dict[str, Any], text: str) -> dict[str, Any]:
    body["answers"] |= {"occupation": 10, ITEM: text}
    return body


def test_the_default_limit_is_stata_s_widest_fixed_string(api: Api) -> None:
    assert api.q.max_text_bytes == MAX_TEXT_BYTES == 2045
    assert max_text_length(api.q) == 681


def test_a_text_at_the_limit_is_accepted_and_one_more_character_refused(api: Api) -> None:
    survey = api.survey()
    assert api.submit(survey, _with_text(api.interview(), "x" * 681)).status_code == 201
    r = api.submit(survey, _with_text(api.interview(), "x" * 682))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "text_too_long"
    # a character outside the Basic Multilingual Plane counts twice, as in the ODK form
    r = api.submit(survey, _with_text(api.interview(), "\U0001f600" * 341))
    assert r.status_code == 422, r.text[:300]


@pytest.mark.parametrize(
    "text", ["x" * 2046, "ệ" * 682, "x" * 3_000_000], ids=["2046", "utf8", "3MB"]
)
def test_a_text_answer_over_the_limit_is_a_422_with_its_pointer(api: Api, text: str) -> None:
    survey = api.survey()
    body = api.interview()
    r = api.submit(survey, _with_text(body, text))
    assert r.status_code == 422, r.text[:300]
    (error,) = r.json()["errors"]
    assert (error["pointer"], error["code"]) == (f"/answers/{ITEM}", "text_too_long")


def test_an_edit_cannot_grow_a_text_past_the_limit(api: Api) -> None:
    survey = api.survey()
    body = api.interview()
    assert api.submit(survey, _with_text(body, "short")).status_code == 201
    r = api.client.patch(
        f"/api/v1/surveys/{survey}/submissions/{body['submission_id']}",
        json={"answers": {ITEM: "y" * 5000}},
        headers=api.admin,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "text_too_long"


def test_a_long_text_through_openrosa_is_a_422_envelope(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    xml = instance(api, 3, occupation="10", **{ITEM: "z" * 20_000})
    assert_envelope(collect_post(api, survey, token, xml), 422, f"/answers/{ITEM}")


@pytest.mark.parametrize("fmt", ["dta", "sav", "csv"])
def test_texts_at_the_limit_export_to_every_format(api: Api, fmt: str, tmp_path: Path) -> None:
    survey = api.survey()
    longest = "ệ" * 681  # the most characters, each of 3 UTF-8 bytes: 2,043 bytes
    assert len(longest.encode()) == 2043 <= MAX_TEXT_BYTES
    for _ in range(3):
        assert api.submit(survey, _with_text(api.interview(), longest)).status_code == 201
    r = api.client.get(f"/api/v1/surveys/{survey}/export?format={fmt}", headers=api.admin)
    assert r.status_code == 200, r.text[:300]
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(r.content)
    frame = {"dta": pd.read_stata, "sav": pd.read_spss, "csv": pd.read_csv}[fmt](path)
    assert (frame == longest).to_numpy().sum() == 3
    assert len(r.content) < 3 * 2045 * 10 + 2_000_000
