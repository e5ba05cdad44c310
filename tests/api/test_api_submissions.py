"""Submissions: exactly once, conflicts, validation errors, batches, paging, review, edits."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

from tests.api.support import Api

PROBLEM = "application/problem+json"
ROOT = Path(__file__).resolve().parents[2]


def test_first_post_201_identical_replay_200_with_the_stored_record(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    first = api.submit(sid, body)
    assert first.status_code == 201, first.text
    again = api.submit(sid, body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["answers"] == body["answers"]


def test_replay_serialised_differently_is_still_a_replay(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    assert api.submit(sid, body).status_code == 201
    shuffled = copy.deepcopy(body)
    shuffled["answers"] = dict(reversed(list(body["answers"].items())))
    shuffled["answers"]["age"] = float(body["answers"]["age"])  # 45 and 45.0 are one value
    shuffled["paradata"]["start"] = body["paradata"]["start"].replace("+00:00", "Z")
    assert api.submit(sid, shuffled).status_code == 200


def test_same_id_different_content_409_and_the_stored_record_is_unchanged(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    stored = api.submit(sid, body).json()
    changed = copy.deepcopy(body)
    changed["answers"]["age"] = 18 if body["answers"]["age"] != 18 else 19
    r = api.submit(sid, changed)
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "submission_conflict"
    got = api.client.get(
        f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}", headers=api.admin
    )
    assert got.json() == stored


def test_invalid_422_lists_every_error_with_its_pointer_and_stores_nothing(api: Api) -> None:
    sid = api.survey()
    body = api.interview()
    body["answers"]["sex"] = 7  # not a choice
    body["answers"]["no_such_item"] = 1
    del body["answers"]["ethnicity"]  # required
    r = api.submit(sid, body)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    pointers = {(e["pointer"], e["code"]) for e in r.json()["errors"]}
    assert ("/answers/sex", "unknown_code") in pointers
    assert ("/answers/no_such_item", "unknown_item") in pointers
    assert ("/answers/ethnicity", "required") in pointers
    got = api.client.get(
        f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}", headers=api.admin
    )
    assert got.status_code == 404


def test_schema_errors_are_422_with_pointers(api: Api) -> None:
    sid = api.survey()
    r = api.submit(sid, {"submission_id": "not-a-uuid", "location": {}, "answers": []})
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert {"/submission_id", "/location/province", "/answers"} <= pointers


def test_unknown_survey_404(api: Api) -> None:
    r = api.submit(999_999, api.interview())
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert api.client.get("/api/v1/surveys/999999/progress", headers=api.admin).status_code == 404


def test_wrong_content_type_415(api: Api) -> None:
    sid = api.survey()
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions",
        content=b"submission_id=1",
        headers={**api.admin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415
    assert r.headers["content-type"] == PROBLEM


def test_batch_results_per_item_and_each_valid_item_stored(api: Api) -> None:
    sid = api.survey()
    good = [api.interview() for _ in range(5)]
    assert api.submit(sid, good[0]).status_code == 201
    conflict = copy.deepcopy(good[0])
    conflict["answers"]["age"] = 70 if good[0]["answers"]["age"] != 70 else 69
    bad = api.interview()
    bad["answers"]["sex"] = 9
    broken = {"submission_id": str(uuid.uuid4()), "answers": {}}
    items = [good[0], good[1], conflict, bad, good[2], broken, good[3], good[3], good[4]]
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/batch", json={"submissions": items}, headers=api.admin
    )
    assert r.status_code == 200, r.text
    out = r.json()
    statuses = [x["status"] for x in out["results"]]
    assert statuses == [200, 201, 409, 422, 201, 422, 201, 200, 201]
    assert out["results"][3]["errors"][0]["pointer"] == "/answers/sex"
    assert {e["pointer"] for e in out["results"][5]["errors"]} >= {"/location"}
    assert (out["created"], out["replayed"], out["conflicts"], out["invalid"]) == (4, 2, 1, 2)
    page = api.client.get(f"/api/v1/surveys/{sid}/submissions", headers=api.admin).json()
    assert {x["submission_id"] for x in page["items"]} == {g["submission_id"] for g in good}


def test_batch_over_1000_is_refused(api: Api) -> None:
    sid = api.survey()
    one = api.interview()
    r = api.client.post(
        f"/api/v1/surveys/{sid}/submissions/batch",
        json={"submissions": [one] * 1001},
        headers=api.admin,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "/submissions"


def test_list_filters_and_cursor_paging(api: Api) -> None:
    sid = api.survey()
    bodies = [api.interview() for _ in range(7)]
    for b in bodies:
        assert api.submit(sid, b).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get(
            f"/api/v1/surveys/{sid}/submissions", params=params, headers=api.admin
        ).json()
        seen += [x["submission_id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [b["submission_id"] for b in bodies]
    prov = bodies[2]["location"]["province"]
    filtered = api.client.get(
        f"/api/v1/surveys/{sid}/submissions", params={"province": prov}, headers=api.admin
    ).json()["items"]
    assert {x["location"]["province"] for x in filtered} == {prov}
    bad = api.client.get(
        f"/api/v1/surveys/{sid}/submissions", params={"cursor": "%%%"}, headers=api.admin
    )
    assert bad.status_code == 422


def test_review_states_and_versioned_edits_with_audit_trail(api: Api) -> None:
    sid = api.survey()
    enum = api.token("enumerator", sid, name="enum-a")
    sup = api.token("supervisor", sid, name="sup-a")
    body = api.interview()
    assert api.submit(sid, body, enum).status_code == 201
    url = f"/api/v1/surveys/{sid}/submissions/{body['submission_id']}"
    r = api.client.post(
        url + "/review", json={"status": "has_issues", "comment": "age?"}, headers=sup
    )
    assert r.status_code == 200 and r.json()["status"] == "has_issues"
    new_age = 30 if body["answers"]["age"] != 30 else 31
    r = api.client.patch(
        url,
        json={"answers": {"age": new_age}, "expected_version": 1, "comment": "fix"},
        headers=sup,
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["answers"]["age"] == new_age
    stale = api.client.patch(url, json={"answers": {"age": 40}, "expected_version": 1}, headers=sup)
    assert stale.status_code == 409
    invalid = api.client.patch(url, json={"answers": {"sex": 5}}, headers=sup)
    assert invalid.status_code == 422
    r = api.client.post(url + "/review", json={"status": "approved"}, headers=sup)
    assert r.json()["status"] == "approved"
    hist = api.client.get(url + "/history", headers=sup).json()
    assert hist["current_version"] == 2
    assert [v["version"] for v in hist["versions"]] == [1]
    assert hist["versions"][0]["answers"]["age"] == body["answers"]["age"]
    actions = [(e["action"], e["actor"]) for e in hist["events"]]
    assert actions == [
        ("create", "enum-a"),
        ("review", "sup-a"),
        ("edit", "sup-a"),
        ("review", "sup-a"),
    ]
    edit = hist["events"][2]["detail"]["changes"]
    assert edit == [{"pointer": "/answers/age", "old": body["answers"]["age"], "new": new_age}]
    # the tablet resending its original interview after the edit is a replay, not a conflict
    assert api.submit(sid, body, enum).status_code == 200
    # an approved interview is no longer the enumerator's to edit
    assert api.client.patch(url, json={"answers": {"age": 41}}, headers=enum).status_code == 403


def test_progress_against_quotas(api: Api) -> None:
    b1, b2 = api.interview(), api.interview()
    sample = [
        {
            **b["location"],
            "prob_district": 0.5,
            "prob_commune": 0.5,
            "prob_village": 0.5,
            "quota": 2,
        }
        for b in (b1, b2)
    ]
    sid = api.survey(sample=sample, quotas={b1["location"]["province"]: 10})
    assert api.submit(sid, b1).status_code == 201
    prog = api.client.get(f"/api/v1/surveys/{sid}/progress", headers=api.admin).json()
    assert prog["total"]["submitted"] == 1
    p1 = next(p for p in prog["provinces"] if p["province"] == b1["location"]["province"])
    assert p1["quota"] == 10 and p1["submitted"] == 1
    v1 = next(v for v in p1["villages"] if v["village"] == b1["location"]["village"])
    assert v1["quota"] == 2 and v1["complete"] == 0.5


def test_the_documented_interview_is_accepted_then_replayed(api: Api) -> None:
    """docs/api-interview.json is what the README's and docs/api.md's curl session posts:
    it must stay valid for the bundled questionnaire (regenerate it with
    ``tests.api.interviews.interview`` when papi-2021 changes)."""
    body = json.loads((ROOT / "docs" / "api-interview.json").read_text(encoding="utf-8"))
    sid = api.survey()
    first = api.submit(sid, body)
    assert first.status_code == 201, first.text
    assert first.json()["flags"] == []
    assert first.json()["answers"] == body["answers"]
    assert api.submit(sid, body).status_code == 200


def test_lean_record_json_equals_the_validated_model(api: Api) -> None:
    """The hot path serialises records with orjson; it must write what SubmissionOut does
    (times with an offset, a UTC time, microseconds or none, a design block or none)."""
    from datetime import UTC, datetime, timedelta, timezone

    from api.submissions.intake import canonical_body
    from api.submissions.records import Stored
    from api.submissions.schemas import SubmissionIn
    from api.submissions.service import record_json, to_out

    body = api.interview()
    body["paradata"]["start"] = "2021-08-06T15:46:00+07:00"
    body["design"] = {"stratum": "north", "prob_village": 0.25}
    for design in (body["design"], None):
        for at in (
            datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=7))),
        ):
            stored = Stored(
                pk=1,
                survey_id=1,
                submission_id=body["submission_id"],
                content_hash="0" * 64,
                submitted_by="enum",
                status="received",
                flags=[{"code": "too_fast", "message": "m", "pointer": "/paradata/end"}],
                version=1,
                received_at=at,
                updated_at=at,
                body=canonical_body(SubmissionIn.model_validate({**body, "design": design})),
            )
            canonical = json.loads(to_out(stored).model_dump_json())
            assert json.loads(record_json(stored)) == canonical
