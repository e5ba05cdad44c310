"""Exports (CSV, Parquet in the data layout, Stata/SPSS with labels) and scoring jobs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from survey.sampling import AGE_GROUPS, load_frame, poststratification_targets, poststratify
from survey.validation.answer_bounds import max_text_length
from tests.api.support import Api

DESIGN = ["stratum", "psu", "prob_district", "prob_commune", "prob_village", "prob_person"]


def _loc(i: int) -> dict[str, str]:
    p, d = i % 2 + 1, (i // 2) % 2 + 1
    district = f"P{p:02d}-D{d:02d}"
    return {
        "province": f"P{p:02d}",
        "district": district,
        "commune": f"{district}-C01",
        "village": f"{district}-C01-V01",
    }


@pytest.fixture(scope="module")
def scored_survey(api: Api) -> tuple[int, list[dict[str, Any]]]:
    sample = [
        {
            **_loc(i),
            "prob_district": 0.5,
            "prob_commune": 0.4,
            "prob_village": 0.25,
            "prob_person": 0.01,
            "quota": 12,
        }
        for i in range(4)
    ]
    sid = api.survey(sample=sample)
    bodies = [api.interview(location=_loc(i)) for i in range(48)]
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/batch", json={"submissions": bodies}, headers=api.admin
    )
    assert r.status_code == 200 and r.json()["created"] == 48, r.text
    return sid, bodies


def _export(api: Api, sid: int, fmt: str) -> bytes:
    r = api.client.get(f"/api/v1/surveys/{sid}/export", params={"format": fmt}, headers=api.admin)
    assert r.status_code == 200, r.text
    return r.content


def test_parquet_export_follows_the_data_layout(
    api: Api, scored_survey: tuple[int, list[dict[str, Any]]]
) -> None:
    sid, bodies = scored_survey
    df = pd.read_parquet(io.BytesIO(_export(api, sid, "parquet")))
    assert len(df) == len(bodies)
    for col in [
        "submission_id",
        "province",
        "district",
        "commune",
        "village",
        *DESIGN,
        "design_weight",
        "weight",
        "sex",
        "age",
        "age_group",
    ]:
        assert col in df.columns, col
    assert df["design_weight"].iloc[0] == pytest.approx(1 / (0.5 * 0.4 * 0.25 * 0.01))
    # weight is the design weight post-stratified to sex x age group within province (the
    # frame contract), not a copy of the design weight
    targets = poststratification_targets(load_frame(), ["P01", "P02"])
    cells = df.loc[:, ["province", "sex", "age_group", "design_weight"]].astype({"sex": int})
    np.testing.assert_allclose(df["weight"], poststratify(cells, targets), rtol=1e-12)
    assert not np.allclose(df["weight"], df["design_weight"])
    assert df["age_group"].isin(AGE_GROUPS).all()
    by_id = df.set_index("submission_id")
    first = bodies[0]
    assert by_id.loc[first["submission_id"], "age"] == first["answers"]["age"]
    assert by_id.loc[first["submission_id"], "stratum"] == first["location"]["province"]


def test_csv_export_and_rejected_are_left_out(api: Api) -> None:
    sid = api.survey()
    a, b = api.interview(), api.interview()
    for body in (a, b):
        assert api.submit(sid, body).status_code == 201
    url = f"/api/v1/surveys/{sid}/submissions/{b['submission_id']}/review"
    assert api.client.post(url, json={"status": "rejected"}, headers=api.admin).status_code == 200
    df = pd.read_csv(io.BytesIO(_export(api, sid, "csv")))
    assert list(df["submission_id"]) == [a["submission_id"]]
    r = api.client.get(
        f"/api/v1/surveys/{sid}/export", params={"include_rejected": "true"}, headers=api.admin
    )
    assert len(pd.read_csv(io.BytesIO(r.content))) == 2


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_stata_and_spss_carry_variable_and_value_labels(
    api: Api, scored_survey: tuple[int, list[dict[str, Any]]], fmt: str, tmp_path: Path
) -> None:
    sid, bodies = scored_survey
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(_export(api, sid, fmt))
    reader = pyreadstat.read_dta if fmt == "dta" else pyreadstat.read_sav
    df, meta = reader(str(path))
    assert len(df) == len(bodies)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["sex"] == api.q.item("sex").label.en
    value_labels = meta.variable_value_labels["sex"]
    choices = {float(c.code): c.label.en for c in api.q.choices_of(api.q.item("sex"))}
    assert {k: v for k, v in value_labels.items() if k in choices} == choices


def test_unknown_export_format_422(api: Api) -> None:
    sid = api.survey()
    r = api.client.get(f"/api/v1/surveys/{sid}/export", params={"format": "xls"}, headers=api.admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["parameter"] == "format"


def test_scoring_job_runs_in_the_background_and_serves_json_and_csv(
    api: Api, scored_survey: tuple[int, list[dict[str, Any]]]
) -> None:
    sid, _ = scored_survey
    r = api.client.post(f"/api/v1/surveys/{sid}/scores", json={"seed": 1}, headers=api.admin)
    assert r.status_code == 202, r.text
    assert r.json()["status"] in ("queued", "running", "succeeded")
    url = r.headers["location"]
    job = api.wait_job(url, timeout=120.0)
    assert job["status"] == "succeeded", job
    subs = pd.DataFrame(job["results"]["subdimensions"])
    assert {"P01", "P02"} <= set(subs["province"])
    # the job is scoring.score on the Parquet export, nothing more
    from scoring import score

    frame = pd.read_parquet(io.BytesIO(_export(api, sid, "parquet")))
    direct = score(frame, api.q, rng=1, replicates=200).subdimensions.reset_index(drop=True)
    est = subs["est"].astype(float).to_numpy()
    assert est == pytest.approx(direct["est"].to_numpy(dtype=float), nan_ok=True)
    assert (~pd.isna(est)).sum() >= 10
    csv = api.client.get(url, params={"format": "csv"}, headers=api.admin)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(csv.text))
    assert set(table["tier"]) == {"indicators", "subdimensions", "dimensions", "composite"}


def test_scoring_job_takes_the_design_choices_of_papi_score(
    api: Api, scored_survey: tuple[int, list[dict[str, Any]]]
) -> None:
    sid, _ = scored_survey
    params = {"seed": 2, "psu": "village", "lonely_psu": "adjust", "min_n": 5}
    r = api.client.post(f"/api/v1/surveys/{sid}/scores", json=params, headers=api.admin)
    assert r.status_code == 202, r.text
    job = api.wait_job(r.headers["location"], timeout=120.0)
    assert job["status"] == "succeeded", job
    from scoring import score

    frame = pd.read_parquet(io.BytesIO(_export(api, sid, "parquet")))
    direct = score(
        frame, api.q, rng=2, replicates=200, psu="village", lonely_psu="adjust", min_n=5
    ).indicators.reset_index(drop=True)
    got = pd.DataFrame(job["results"]["indicators"])
    for col in ("est", "se"):
        assert got[col].astype(float).to_numpy() == pytest.approx(
            direct[col].to_numpy(dtype=float), nan_ok=True
        )
    bad = api.client.post(
        f"/api/v1/surveys/{sid}/scores", json={"lonely_psu": "sometimes"}, headers=api.admin
    )
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/lonely_psu"]


def test_a_job_that_cannot_score_fails_with_a_reason(api: Api) -> None:
    sid = api.survey()
    r = api.client.post(f"/api/v1/surveys/{sid}/scores", json={}, headers=api.admin)
    job = api.wait_job(r.headers["location"], timeout=120.0)
    assert job["status"] == "failed"
    assert job["error"]["code"] and job["error"]["message"]
    csv = api.client.get(r.headers["location"], params={"format": "csv"}, headers=api.admin)
    assert csv.status_code == 409


def test_unknown_job_404(api: Api) -> None:
    sid = api.survey()
    r = api.client.get(
        f"/api/v1/surveys/{sid}/scores/00000000-0000-0000-0000-000000000000", headers=api.admin
    )
    assert r.status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "parquet", "dta", "sav"])
def test_an_empty_survey_exports_an_empty_file(api: Api, fmt: str) -> None:
    sid = api.survey()
    r = api.client.get(f"/api/v1/surveys/{sid}/export", params={"format": fmt}, headers=api.admin)
    assert r.status_code == 200, r.text
    assert r.content


def test_stata_export_of_a_very_long_text_answer_is_not_a_server_error(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    body["answers"]["commune"] = "x" * 5000  # over max_text_length: refused at intake
    r = api.submit(sid, body)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "text_too_long", r.text
    body["answers"]["commune"] = "ệ" * max_text_length(api.q)  # the longest accepted
    assert api.submit(sid, body).status_code == 201
    r = api.client.get(f"/api/v1/surveys/{sid}/export", params={"format": "dta"}, headers=api.admin)
    assert r.status_code == 200, r.text
