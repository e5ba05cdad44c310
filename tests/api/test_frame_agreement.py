"""Agreement test of the respondent-frame contract (survey/respondents/analysis_frame.py; ARCHITECTURE.md, "Where each rule lives").

The same simulated interviews (a) taken straight from the simulator and (b) posted through the
HTTP API (batch endpoint) and exported as Parquet give equal frames (every contract column:
design, weights, age groups, defaults; every answer) and equal scores to 1e-12. Both paths
build the frame through ``survey.respondents.analysis_frame.conform``; this fails when they drift apart
(for instance the export copying the design weight instead of post-stratifying it).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from api.demo import survey_sample
from scoring import IndexScores, score
from scoring.index.results import TIERS
from survey.respondents.analysis_frame import CONTRACT_COLUMNS
from survey.simulate import SimulatedSurvey, simulate
from survey.simulate.submissions import submissions
from tests.api.support import Api

PROVINCES = ["P01", "P02", "P03"]


@pytest.fixture(scope="module")
def posted(api: Api) -> tuple[SimulatedSurvey, pd.DataFrame, int]:
    sim = simulate(2021, rng=11, provinces=PROVINCES, respondents_per_village=4)
    sid = api.survey(sample=survey_sample(sim), year=2021)
    docs = list(submissions(sim, rng=11))
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/batch", json={"submissions": docs}, headers=api.admin
    )
    assert r.status_code == 200 and r.json()["created"] == len(docs), r.text[:2000]
    e = api.client.get(
        f"/api/v1/surveys/{sid}/export", params={"format": "parquet"}, headers=api.admin
    )
    assert e.status_code == 200, e.text
    exported = pd.read_parquet(io.BytesIO(e.content))
    # in the simulator's row order (the database may return another order)
    by_id = exported.set_index("submission_id", drop=False)
    return sim, by_id.loc[sim.responses["submission_id"]].reset_index(drop=True), sid


def test_simulator_and_api_export_give_the_same_frame(
    posted: tuple[SimulatedSurvey, pd.DataFrame, int],
) -> None:
    sim, exported, _ = posted
    direct = sim.responses
    assert len(exported) == len(direct)
    contract = [c for c in CONTRACT_COLUMNS if c in direct.columns]
    assert contract == [c for c in CONTRACT_COLUMNS if c in exported.columns]
    assert list(exported.columns[: len(contract)]) == contract  # contract columns first
    pd.testing.assert_frame_equal(
        exported.loc[:, contract], direct.loc[:, contract], check_exact=False, rtol=1e-12
    )
    # the weight is post-stratified (not the design weight) on both paths
    assert not np.allclose(exported["weight"], exported["design_weight"])
    assert exported["age_group"].notna().all()
    # every answer column holds the same values (Int64 in the export, float in the simulator)
    answers = [c for c in direct.columns if c not in contract]
    assert set(answers) <= set(exported.columns)
    for col in answers:
        a, b = direct[col], exported[col]
        if pd.api.types.is_numeric_dtype(a) or pd.api.types.is_numeric_dtype(b):
            np.testing.assert_allclose(
                b.to_numpy(np.float64, na_value=np.nan),
                a.to_numpy(np.float64, na_value=np.nan),
                rtol=1e-12,
                err_msg=col,
            )
        else:
            assert b.fillna("<NA>").astype(str).tolist() == a.fillna("<NA>").astype(str).tolist()


@pytest.mark.parametrize("weighted", [True, False])
def test_simulator_and_api_export_give_the_same_scores(
    posted: tuple[SimulatedSurvey, pd.DataFrame, int], weighted: bool
) -> None:
    sim, exported, _ = posted
    kw = {"weighted": weighted, "rng": 3, "replicates": 50, "min_n": 5}
    a = score(sim.responses, sim.questionnaire, **kw)  # type: ignore[arg-type]
    b = score(exported, sim.questionnaire, **kw)  # type: ignore[arg-type]
    for tier in TIERS:
        x, y = a.tier(tier), b.tier(tier)
        pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12, atol=1e-12)
        assert x["est"].notna().sum() > 0


def test_a_scoring_job_fetched_over_http_loads_back_as_an_equal_index_scores(
    api: Api, posted: tuple[SimulatedSurvey, pd.DataFrame, int]
) -> None:
    """One serialisation (IndexScores.to_dict): the job's results are the document that
    ``papi score`` writes, and loading them gives the result ``score`` returns directly."""
    sim, exported, sid = posted
    # the JSON fields are scoring.score's names (docs/glossary.md); seed is its rng
    body = {
        "seed": 4,
        "replicates": 30,
        "min_n": 5,
        "variance": "bootstrap",
        "confidence": 0.9,
        "ci_dist": "normal",
    }
    r = api.client.post(f"/api/v1/surveys/{sid}/scores", json=body, headers=api.admin)
    assert r.status_code == 202, r.text
    job = api.wait_job(r.headers["location"], timeout=300.0)
    assert job["status"] == "succeeded", job
    fetched = IndexScores.from_dict(job["results"])
    assert IndexScores.from_json(json.dumps(job["results"])).equals(fetched)
    # the job scores the export in the database's row order: score the same file
    e = api.client.get(
        f"/api/v1/surveys/{sid}/export", params={"format": "parquet"}, headers=api.admin
    )
    as_exported = pd.read_parquet(io.BytesIO(e.content))
    assert sorted(as_exported["submission_id"]) == sorted(exported["submission_id"])
    direct = score(
        as_exported,
        sim.questionnaire,
        rng=4,
        replicates=30,
        min_n=5,
        variance="bootstrap",
        confidence=0.9,
        ci_dist="normal",
    )
    assert fetched.equals(direct)
    prov = fetched.provenance
    assert prov is not None
    assert (fetched.method, fetched.replicates, prov.seed, prov.min_n) == ("bootstrap", 30, 4, 5)
    assert (fetched.confidence, prov.ci_dist) == (0.9, "normal")
    assert prov.questionnaire_version == sim.questionnaire.full_version
    assert (prov.strata, prov.psu, prov.weights, prov.lonely_psu) == (
        "stratum",
        "psu",
        "weight",
        "fail",
    )


def test_the_job_csv_is_the_results_stacked_by_scoring(
    api: Api, posted: tuple[SimulatedSurvey, pd.DataFrame, int]
) -> None:
    """``?format=csv`` is ``IndexScores.to_frame()`` of the same result (one layout, scoring's):
    every column and value, read back from the text, equals the table of the loaded result."""
    _, _, sid = posted
    body = {"seed": 5, "replicates": 30, "min_n": 5}
    r = api.client.post(f"/api/v1/surveys/{sid}/scores", json=body, headers=api.admin)
    assert r.status_code == 202, r.text
    job = api.wait_job(r.headers["location"], timeout=300.0)
    assert job["status"] == "succeeded", job
    want = IndexScores.from_dict(job["results"]).to_frame()
    c = api.client.get(r.headers["location"], params={"format": "csv"}, headers=api.admin)
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    got = pd.read_csv(io.StringIO(c.text), dtype=str, keep_default_na=False)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) and set(got["tier"]) == set(TIERS)
    for col in want.columns:
        if pd.api.types.is_numeric_dtype(want[col]):
            read = pd.to_numeric(got[col].replace("", np.nan)).to_numpy(np.float64)
            np.testing.assert_array_equal(
                read, want[col].to_numpy(np.float64, na_value=np.nan), err_msg=col
            )
        else:
            assert got[col].tolist() == want[col].fillna("").astype(str).tolist(), col
