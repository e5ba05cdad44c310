"""Quality flags on arrival, and the error contract (problem+json, 413, 415, no 500)."""

from __future__ import annotations

import copy
import uuid

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.support import Api, admin_token, make_settings


def _flags(r: object) -> set[str]:
    return {f["code"] for f in r.json()["flags"]}  # type: ignore[attr-defined]


def test_a_clean_interview_has_no_flags_and_is_received(api: Api) -> None:
    sid = api.survey()
    r = api.submit(sid, api.interview())
    assert r.status_code == 201
    assert r.json()["flags"] == [] or _flags(r) <= {"straight_lining"}


def test_too_fast(api: Api) -> None:
    sid = api.survey()
    r = api.submit(sid, api.interview(minutes=4))
    assert "too_fast" in _flags(r)
    assert r.json()["status"] == "has_issues"


def test_mixed_naive_and_zoned_paradata_times_are_compared(api: Api) -> None:
    sid = api.survey()
    body = api.interview(minutes=3)
    body["paradata"]["start"] = body["paradata"]["start"].replace("+00:00", "")
    r = api.submit(sid, body)
    assert r.status_code == 201, r.text
    assert "too_fast" in _flags(r)


def test_straight_lining(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    sections: dict[str | None, list[str]] = {}
    for item in api.q.items:
        if item.type == "rating" and item.id in body["answers"]:
            sections.setdefault(item.section, []).append(item.id)
    _section, ids = max(sections.items(), key=lambda kv: len(kv[1]))
    assert len(ids) >= 5
    for i in ids:
        body["answers"][i] = 1
    r = api.submit(sid, body)
    assert r.status_code == 201, r.text
    assert "straight_lining" in _flags(r)


def test_duplicate_respondent_in_a_village(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    assert "duplicate_respondent" not in _flags(api.submit(sid, body))
    twin = copy.deepcopy(body)
    twin["submission_id"] = str(uuid.uuid4())
    r = api.submit(sid, twin)
    assert r.status_code == 201
    assert "duplicate_respondent" in _flags(r)
    listed = api.client.get(
        f"/api/v1/surveys/{sid}/submissions",
        params={"flag": "duplicate_respondent"},
        headers=api.admin,
    ).json()["items"]
    assert [x["submission_id"] for x in listed] == [twin["submission_id"]]


def test_answer_outside_constraints_is_kept_and_flagged(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    body["answers"]["household_size"] = 2
    body["answers"]["household_adults"] = 5  # constraint: . <= household_size
    body["answers"]["age"] = 95  # max 70
    r = api.submit(sid, body)
    assert r.status_code == 201, r.text
    flagged = {f["pointer"] for f in r.json()["flags"] if f["code"] == "outside_constraints"}
    assert flagged == {"/answers/household_adults", "/answers/age"}
    assert r.json()["status"] == "has_issues"


def test_a_location_the_answers_contradict_is_kept_and_flagged(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    answers = body["answers"]
    assert body["location"]["province"] == f"P{answers['province_code']:02d}"
    body["location"] = {**body["location"], "province": "P99", "village": "P99-D01-C01-V09"}
    r = api.submit(sid, body)
    assert r.status_code == 201, r.text
    flags = {f["pointer"]: f for f in r.json()["flags"] if f["code"] == "location_mismatch"}
    assert set(flags) == {"/location/province", "/location/village"}
    assert (
        f"answer province_code is {answers['province_code']}"
        in flags["/location/province"]["message"]
    )
    assert r.json()["status"] == "has_issues"
    # the supervisor puts the answers' location back: the flag goes with the next version
    fixed = {k: answers[k] for k in ("district", "commune", "village")}
    fixed["province"] = f"P{answers['province_code']:02d}"
    edit = api.client.patch(
        f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}",
        json={"answers": {}, "location": fixed, "comment": "assignment corrected"},
        headers=api.admin,
    )
    assert edit.status_code == 200, edit.text
    assert "location_mismatch" not in {f["code"] for f in edit.json()["flags"]}


def test_body_over_the_limit_is_413(db_url: str) -> None:
    settings = make_settings(db_url, max_body_bytes=2000, run_jobs=False)
    token = admin_token(settings)
    with TestClient(create_app(settings)) as c:
        h = {"Authorization": f"Bearer {token}"}
        r = c.post(
            "/api/v1/surveys/1/submissions",
            content=b"x" * 5000,
            headers={**h, "Content-Type": "application/json"},
        )
        assert r.status_code == 413
        assert r.headers["content-type"] == "application/problem+json"

        def chunks() -> object:
            for _ in range(10):
                yield b"y" * 500

        r = c.post(
            "/api/v1/surveys/1/submissions",
            content=chunks(),  # type: ignore[arg-type]
            headers={**h, "Content-Type": "application/json"},
        )
        assert r.status_code == 413


def test_unknown_route_and_method_are_problems(api: Api) -> None:
    r = api.client.get("/api/v1/nothing-here", headers=api.admin)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = api.client.delete("/api/v1/surveys", headers=api.admin)
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


def test_an_unexpected_exception_is_a_500_problem_without_internals(db_url: str) -> None:
    settings = make_settings(db_url, run_jobs=False)
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and r.json()["code"] == "internal_error"


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["revision"]


def test_readyz_503_on_an_unmigrated_database(tmp_path: object) -> None:
    settings = make_settings(f"sqlite:///{tmp_path}/empty.db", run_jobs=False)
    with TestClient(create_app(settings)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["code"] == "database_not_migrated"


def test_openapi_is_complete(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/questionnaires", "post"),
        ("/api/v1/surveys", "post"),
        ("/api/v1/surveys/{survey_id}/progress", "get"),
        ("/api/v1/surveys/{survey_id}/submissions", "post"),
        ("/api/v1/surveys/{survey_id}/submissions", "get"),
        ("/api/v1/surveys/{survey_id}/submissions/batch", "post"),
        ("/api/v1/surveys/{survey_id}/submissions/{submission_id}", "get"),
        ("/api/v1/surveys/{survey_id}/submissions/{submission_id}", "patch"),
        ("/api/v1/surveys/{survey_id}/submissions/{submission_id}/review", "post"),
        ("/api/v1/surveys/{survey_id}/submissions/{submission_id}/history", "get"),
        ("/api/v1/surveys/{survey_id}/export", "get"),
        ("/api/v1/surveys/{survey_id}/scores", "post"),
        ("/api/v1/surveys/{survey_id}/scores/{job_id}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ]:
        assert method in paths[path], (path, method)
    post = paths["/api/v1/surveys/{survey_id}/submissions"]["post"]["responses"]
    assert {"200", "201", "401", "403", "404", "409", "413", "415", "422"} <= set(post)
    assert "application/problem+json" in post["409"]["content"]
    assert "ProblemDetail" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]
