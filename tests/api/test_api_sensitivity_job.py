"""The sensitivity audit as a background job (docs/sensitivity.md): POST .../sensitivity, GET its result.

On a small simulated survey (three provinces) submitted through the API, the job's document
is ``scoring.run_sensitivity`` on the survey's Parquet export with the same seed, exactly as
``papi sensitivity --responses ... --out`` writes it. A bad spec is refused before any job
exists, with the pointer of the bad choice in the request body.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from api.db.models import JobRow
from api.demo import survey_sample
from scoring.sensitivity import Spec, default_audit, microdata_input, run_sensitivity
from survey.published import provinces
from survey.simulate import simulate
from survey.simulate.submissions import submissions
from tests.api.support import Api, make_settings

PROVINCES = ["P01", "P02", "P03"]
BODY = {"runs": 40, "sobol_n": 8, "replicates": 10, "seed": 5}


@pytest.fixture(scope="module")
def sim_survey(api: Api) -> int:
    sim = simulate(2021, rng=3, provinces=PROVINCES, respondents_per_village=3)
    sid = api.survey(sample=survey_sample(sim))
    docs = list(submissions(sim, rng=3))
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/batch", json={"submissions": docs}, headers=api.admin
    )
    assert r.status_code == 200 and r.json()["created"] == len(docs), r.text[:2000]
    return sid


def _export(api: Api, sid: int) -> pd.DataFrame:
    r = api.client.get(
        f"/api/v1/surveys/{sid}/export", params={"format": "parquet"}, headers=api.admin
    )
    assert r.status_code == 200, r.text
    return pd.read_parquet(io.BytesIO(r.content))


def _assert_same(a: Any, b: Any, at: str = "") -> None:
    """Equal JSON documents, floats to 1e-12 (the job's went through the database)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), at
        for k in a:
            _assert_same(a[k], b[k], f"{at}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), at
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{at}/{i}")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), at
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (at, a, b)
    else:
        assert a == b, (at, a, b)


def _jobs(db_url: str, survey_id: int) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as c:
            n = c.scalar(
                sa.select(sa.func.count())
                .select_from(JobRow)
                .where(JobRow.survey_id == survey_id, JobRow.kind == "sensitivity")
            )
    finally:
        engine.dispose()
    return int(n or 0)


def test_the_job_is_run_sensitivity_on_the_survey_data(api: Api, sim_survey: int) -> None:
    sid = sim_survey
    r = api.client.post(f"/api/v1/surveys/{sid}/sensitivity", json=BODY, headers=api.admin)
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "sensitivity"
    url = r.headers["location"]
    assert url == f"/api/v1/surveys/{sid}/sensitivity/{r.json()['id']}"
    job = api.wait_job(url, timeout=300.0)
    assert job["status"] == "succeeded", job
    doc = job["results"]
    assert sorted(p["province"] for p in doc["provinces"]) == PROVINCES
    for row in doc["provinces"]:
        assert 1 <= row["rank_q05"] <= row["median_rank"] <= row["rank_q95"] <= len(PROVINCES)
    assert doc["input"] == {
        "survey": sid,
        "questionnaire": "papi-2021",
        "replicates": 10,
        "seed": BODY["seed"],
    }
    # the same analysis called directly on the survey's export with the same seed
    names = dict(zip(provinces()["province"], provinces()["name"], strict=True))
    data = microdata_input(_export(api, sid), api.q, replicates=10, rng=5, names=names)
    direct = run_sensitivity(
        data, default_audit(microdata=True), runs=40, sobol_n=8, rng=5
    ).to_json()
    _assert_same({k: v for k, v in doc.items() if k != "input"}, direct)


def test_a_given_spec_is_used(api: Api, sim_survey: int) -> None:
    spec = {"normalisation": ["goalposts", "rank"], "estimates": ["unweighted", "weighted"]}
    body = {**BODY, "spec": spec}
    r = api.client.post(f"/api/v1/surveys/{sim_survey}/sensitivity", json=body, headers=api.admin)
    assert r.status_code == 202, r.text
    job = api.wait_job(r.headers["location"], timeout=300.0)
    assert job["status"] == "succeeded", job
    assert job["results"]["factors"] == ["normalisation", "estimates"]
    assert Spec.parse(job["results"]["spec"]) == Spec.parse(spec)


@pytest.mark.parametrize(
    ("spec", "pointer"),
    [
        ({"normalisation": ["goalposts", "logistic"]}, "/spec/normalisation/1"),
        ({"colour": "red"}, "/spec/colour"),
        ({"weights": {"schemes": ["user"], "user": {"XX9": 2.0}}}, "/spec/weights/user/XX9"),
        (
            {"normalisation": ["zscore"], "aggregation": {"dimension": ["geometric"]}},
            "/spec/aggregation/dimension/0",
        ),
    ],
)
def test_a_bad_spec_is_a_located_422_and_no_job(
    api: Api, db_url: str, spec: dict[str, Any], pointer: str
) -> None:
    sid = api.survey()
    r = api.client.post(
        f"/api/v1/surveys/{sid}/sensitivity", json={**BODY, "spec": spec}, headers=api.admin
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"].startswith("spec_")
    assert pointer in [e["pointer"] for e in problem["errors"]], problem
    assert _jobs(db_url, sid) == 0


def test_sobol_n_must_be_a_power_of_two(api: Api, db_url: str) -> None:
    sid = api.survey()
    r = api.client.post(
        f"/api/v1/surveys/{sid}/sensitivity", json={**BODY, "sobol_n": 12}, headers=api.admin
    )
    assert r.status_code == 422
    assert _jobs(db_url, sid) == 0


def test_roles_are_those_of_scoring(api: Api) -> None:
    sid = api.survey()
    analyst = api.token("analyst", sid)
    r = api.client.post(f"/api/v1/surveys/{sid}/sensitivity", json=BODY, headers=analyst)
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    assert api.client.get(url, headers=analyst).status_code == 200
    enumerator = api.token("enumerator", sid)
    r = api.client.post(f"/api/v1/surveys/{sid}/sensitivity", json=BODY, headers=enumerator)
    assert r.status_code == 403
    assert api.client.get(url, headers=enumerator).status_code == 403


def test_an_empty_survey_fails_with_a_reason_and_jobs_do_not_cross_kinds(api: Api) -> None:
    sid = api.survey()
    r = api.client.post(f"/api/v1/surveys/{sid}/sensitivity", json=BODY, headers=api.admin)
    job = api.wait_job(r.headers["location"], timeout=300.0)
    assert job["status"] == "failed"
    assert job["error"]["code"] and job["error"]["message"]
    # a sensitivity job is not a scoring job, and an unknown id is 404
    assert (
        api.client.get(f"/api/v1/surveys/{sid}/scores/{job['id']}", headers=api.admin).status_code
        == 404
    )
    missing = f"/api/v1/surveys/{sid}/sensitivity/00000000-0000-0000-0000-000000000000"
    assert api.client.get(missing, headers=api.admin).status_code == 404


def test_a_job_reports_its_progress_up_to_one(api: Api, db_url: str, sim_survey: int) -> None:
    """The runner gives the job a progress report; the API shows it (JobOut.progress,
    .stage): 1.0 and ``done`` once finished, rising stage by stage on the way."""
    from api.db.engine import Database
    from api.jobs.scoring_adapter import STAGES, run_sensitivity_job

    r = api.client.post(f"/api/v1/surveys/{sim_survey}/sensitivity", json=BODY, headers=api.admin)
    assert r.status_code == 202, r.text
    assert (r.json()["progress"], r.json()["stage"]) in ((None, None), (1.0, "done"))
    job = api.wait_job(r.headers["location"], timeout=300.0)
    assert job["status"] == "succeeded", job
    assert (job["progress"], job["stage"]) == (1.0, "done")
    # what the job function reports on the way, in order
    seen: list[tuple[float, str]] = []
    db = Database(make_settings(db_url))
    try:
        with db.session() as session:
            run_sensitivity_job(session, sim_survey, BODY, lambda f, s: seen.append((f, s)))
    finally:
        db.dispose()
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] < 1.0
    stages = list(dict.fromkeys(s for _, s in seen))
    # (8 Sobol' base points are one chunk: its only report is its last, "finishing")
    assert stages[:3] == ["reading", "preparing", "monte_carlo"] and stages[-1] == "finishing"
    assert stages == sorted(stages, key=STAGES.index)
    # Monte Carlo runs report up to their band's end, exactly
    assert max(f for f, s in seen if s == "monte_carlo") == pytest.approx(0.5)


def test_the_progress_writer_stores_at_most_one_report_per_interval(
    api: Api, db_url: str, sim_survey: int
) -> None:
    """Reports within ``interval`` of the last stored one are dropped unless the stage
    changes; a stored one is in the job's row at once (its own transaction)."""
    from api.db.engine import Database
    from api.jobs.runner import ProgressWriter

    r = api.client.post(f"/api/v1/surveys/{sim_survey}/sensitivity", json=BODY, headers=api.admin)
    job = api.wait_job(r.headers["location"], timeout=300.0)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as c:  # back to running, as while the runner works on it
            c.execute(sa.update(JobRow).where(JobRow.id == job["id"]).values(status="running"))
        now = [100.0]
        db = Database(make_settings(db_url))
        try:
            writer = ProgressWriter(db, job["id"], interval=0.5, clock=lambda: now[0])
            writer(0.1, "monte_carlo")
            now[0] += 0.2
            writer(0.2, "monte_carlo")  # dropped: too soon
            assert writer.writes == 1
            with engine.connect() as c:
                row = c.execute(
                    sa.select(JobRow.progress, JobRow.stage).where(JobRow.id == job["id"])
                ).one()
            assert row[0] == pytest.approx(0.1) and row[1] == "monte_carlo"
            writer(0.5, "sobol")  # a new stage: stored at once
            now[0] += 0.5
            writer(0.7, "sobol")  # the interval has passed
            writer(1.7, "sobol")  # too soon again
            assert writer.writes == 3
        finally:
            db.dispose()
        with engine.connect() as c:
            row = c.execute(
                sa.select(JobRow.progress, JobRow.stage).where(JobRow.id == job["id"])
            ).one()
        assert row[0] == pytest.approx(0.7) and row[1] == "sobol"
    finally:
        engine.dispose()
