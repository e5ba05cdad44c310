"""Every role boundary: 401 without a valid token, 403 outside the role or the survey scope."""

from __future__ import annotations

import pytest

from tests.api.support import Api


def test_no_token_bad_scheme_unknown_token_are_401(api: Api) -> None:
    sid = api.survey()
    url = f"/api/v1/surveys/{sid}/submissions"
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer papi_nope"}):
        r = api.client.get(url, headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"


def test_tokens_are_stored_hashed(api: Api) -> None:
    from sqlalchemy import select

    from api.db.models import TokenRow

    headers = api.token("analyst")
    secret = headers["Authorization"].split()[1]
    db = api.client.app.state.db  # type: ignore[attr-defined]
    with db.session() as s:
        hashes = list(s.scalars(select(TokenRow.token_hash)))
    assert secret not in hashes
    assert all(len(h) == 64 for h in hashes)


@pytest.mark.parametrize("role", ["supervisor", "enumerator", "analyst"])
def test_only_admin_manages_questionnaires_surveys_tokens(api: Api, role: str) -> None:
    h = api.token(role)
    body = {"questionnaire": "papi-2021", "year": 2026, "name": "x"}
    assert api.client.post("/api/v1/surveys", json=body, headers=h).status_code == 403
    tok = {"name": "x", "role": "admin"}
    assert api.client.post("/api/v1/tokens", json=tok, headers=h).status_code == 403
    r = api.client.post(
        "/api/v1/questionnaires", content=b"{}", headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 403


def test_enumerators_submit_and_see_only_their_own(api: Api) -> None:
    sid = api.survey()
    a = api.token("enumerator", sid, name="enum-a")
    b = api.token("enumerator", sid, name="enum-b")
    body_a, body_b = api.interview(), api.interview()
    assert api.submit(sid, body_a, a).status_code == 201
    assert api.submit(sid, body_b, b).status_code == 201
    listed = api.client.get(f"/api/v1/surveys/{sid}/submissions", headers=a).json()["items"]
    assert [x["submission_id"] for x in listed] == [body_a["submission_id"]]
    other = f"/api/v1/surveys/{sid}/submissions/{body_b['submission_id']}"
    assert api.client.get(other, headers=a).status_code == 403
    r = api.client.get(
        f"/api/v1/surveys/{sid}/submissions", params={"submitted_by": "enum-b"}, headers=a
    )
    assert r.status_code == 403
    assert api.client.get(f"/api/v1/surveys/{sid}/export", headers=a).status_code == 403
    assert api.client.get(f"/api/v1/surveys/{sid}/progress", headers=a).status_code == 403
    review = {"status": "approved"}
    own = f"/api/v1/surveys/{sid}/submissions/{body_a['submission_id']}/review"
    assert api.client.post(own, json=review, headers=a).status_code == 403
    assert api.client.post(f"/api/v1/surveys/{sid}/scores", json={}, headers=a).status_code == 403


def test_supervisors_review_but_do_not_submit_export_or_score(api: Api) -> None:
    sid = api.survey()
    sup = api.token("supervisor", sid)
    body = api.interview()
    assert api.submit(sid, body, sup).status_code == 403
    assert api.submit(sid, body).status_code == 201
    url = f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}"
    assert api.client.get(url, headers=sup).status_code == 200
    assert (
        api.client.post(url + "/review", json={"status": "rejected"}, headers=sup).status_code
        == 200
    )
    assert api.client.get(f"/api/v1/surveys/{sid}/progress", headers=sup).status_code == 200
    assert api.client.get(f"/api/v1/surveys/{sid}/export", headers=sup).status_code == 403
    assert api.client.post(f"/api/v1/surveys/{sid}/scores", json={}, headers=sup).status_code == 403


def test_analysts_read_export_score_but_do_not_submit_review_or_edit(api: Api) -> None:
    sid = api.survey()
    ana = api.token("analyst", sid)
    body = api.interview()
    assert api.submit(sid, body, ana).status_code == 403
    assert api.submit(sid, body).status_code == 201
    url = f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}"
    assert api.client.get(url, headers=ana).status_code == 200
    assert (
        api.client.post(url + "/review", json={"status": "approved"}, headers=ana).status_code
        == 403
    )
    assert api.client.patch(url, json={"answers": {}}, headers=ana).status_code == 403
    assert api.client.get(f"/api/v1/surveys/{sid}/export", headers=ana).status_code == 200
    assert api.client.post(f"/api/v1/surveys/{sid}/scores", json={}, headers=ana).status_code == 202


@pytest.mark.parametrize("role", ["admin", "supervisor", "enumerator", "analyst"])
def test_survey_scope_is_enforced(api: Api, role: str) -> None:
    mine, other = api.survey(), api.survey()
    h = api.token(role, mine)
    assert api.client.get(f"/api/v1/surveys/{mine}", headers=h).status_code == 200
    # 404, as for a survey that does not exist (a scoped token learns nothing of the others)
    assert api.client.get(f"/api/v1/surveys/{other}", headers=h).status_code == 404
    assert api.client.get(f"/api/v1/surveys/{other}/submissions", headers=h).status_code == 404
    assert api.submit(other, api.interview(), h).status_code == 404
    listed = api.client.get("/api/v1/surveys", headers=h).json()
    assert [s["id"] for s in listed] == [mine]
    me = api.client.get("/api/v1/me", headers=h).json()
    assert me["role"] == role and me["survey_id"] == mine


def test_a_survey_scoped_admin_cannot_create_global_resources(api: Api) -> None:
    sid = api.survey()
    h = api.token("admin", sid)
    body = {"questionnaire": "papi-2021", "year": 2026, "name": "x"}
    assert api.client.post("/api/v1/surveys", json=body, headers=h).status_code == 403
    ok = api.client.post(
        "/api/v1/tokens", json={"name": "e", "role": "enumerator", "survey_id": sid}, headers=h
    )
    assert ok.status_code == 201
    unscoped = api.client.post("/api/v1/tokens", json={"name": "e", "role": "admin"}, headers=h)
    assert unscoped.status_code == 403
