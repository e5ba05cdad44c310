"""Item 6 of the hardening issue: CSV exports and ``media/manifest.csv`` neutralise cells
that a spreadsheet would run as a formula (OWASP: a leading single quote before ``= + - @``,
TAB or CR), from answers and from paradata, while Parquet keeps the raw values; a bare CR
inside a cell is quoted, so ``pandas.read_csv`` reads the rows that were written."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pandas as pd
import pytest

from tests.api.support import Api
from tests.security.openrosa_support import collect_post, enumerator, instance

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "in\rside"]


def _export(api: Api, survey: int, fmt: str) -> bytes:
    r = api.client.get(f"/api/v1/surveys/{survey}/export?format={fmt}", headers=api.admin)
    assert r.status_code == 200, r.text[:300]
    return r.content


def _submit_hostile(api: Api, survey: int) -> list[dict[str, Any]]:
    bodies = []
    for text in HOSTILE:
        body = api.interview()
        body["answers"] |= {"occupation": 10, "occupation_other": text}
        body["paradata"] |= {"enumerator": text, "device": text}
        assert api.submit(survey, body).status_code == 201
        bodies.append(body)
    return bodies


def _safe(text: str) -> str:
    return "'" + text if text[0] in "=+-@\t\r" else text


@pytest.mark.parametrize("column", ["occupation_other", "enumerator"])
def test_formula_cells_are_quoted_in_csv_and_raw_in_parquet(api: Api, column: str) -> None:
    survey = api.survey()
    _submit_hostile(api, survey)
    csv = pd.read_csv(io.BytesIO(_export(api, survey, "csv")), keep_default_na=False)
    assert len(csv) == len(HOSTILE)  # the bare CRs did not split rows
    assert sorted(csv[column]) == sorted(_safe(t) for t in HOSTILE)
    parquet = pd.read_parquet(io.BytesIO(_export(api, survey, "parquet")))
    assert sorted(parquet[column]) == sorted(HOSTILE)


def test_the_media_manifest_quotes_formula_file_names(api: Api) -> None:
    survey = api.survey()
    token = enumerator(api, survey)
    name = "=cmd.jpg"
    r = collect_post(api, survey, token, instance(api, 9), [(name, b"jpeg")])
    assert r.status_code == 201, r.text
    with zipfile.ZipFile(io.BytesIO(_export(api, survey, "zip"))) as zf:
        manifest = pd.read_csv(io.BytesIO(zf.read("media/manifest.csv")))
        survey_csv = zf.read(f"survey-{survey}.csv")
    assert list(manifest["name"]) == ["'=cmd.jpg"]
    assert survey_csv == _export(api, survey, "csv")
