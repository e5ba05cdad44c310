"""Items 7 and 8 of the hardening issue: "own submissions" are matched on the token's id,
never on its name (two enumerator tokens called ``enumerator`` read and edited each other's
interviews), token names are unique among a survey's working tokens, and an enumerator
cannot add files to another's OpenRosa submission by re-posting its byte-identical XML."""

from __future__ import annotations

import uuid

from tests.api.support import Api
from tests.security.openrosa_support import assert_envelope, collect_post, enumerator, instance


def test_same_named_enumerators_of_two_surveys_do_not_see_each_other(api: Api) -> None:
    s1, s2 = api.survey(), api.survey()
    a = api.token("enumerator", s1, name="enumerator")
    b = api.token("enumerator", None, name="enumerator")  # unscoped, the same name
    body = api.interview()
    assert api.submit(s1, body, a).status_code == 201
    one = f"/api/v1/surveys/{s1}/submissions/{body['submission_id']}"
    assert api.client.get(one, headers=a).status_code == 200
    assert api.client.get(one, headers=b).status_code == 403
    r = api.client.patch(one, json={"comment": "mine now"}, headers=b)
    assert r.status_code == 403
    listing = api.client.get(f"/api/v1/surveys/{s1}/submissions", headers=b).json()
    assert listing["items"] == []
    mine = api.client.get(f"/api/v1/surveys/{s1}/submissions", headers=a).json()
    assert [i["submission_id"] for i in mine["items"]] == [body["submission_id"]]
    del s2


def test_token_names_are_unique_per_survey(api: Api) -> None:
    survey = api.survey()
    api.token("enumerator", survey, name="enum-07")
    r = api.client.post(
        "/api/v1/tokens",
        json={"name": "enum-07", "role": "enumerator", "survey_id": survey},
        headers=api.admin,
    )
    assert r.status_code == 409 and r.json()["code"] == "token_name_taken", r.text
    other = api.survey()
    api.token("enumerator", other, name="enum-07")  # another survey: fine


def test_an_enumerator_cannot_add_files_to_another_s_instance(api: Api) -> None:
    survey = api.survey()
    e1, e2 = enumerator(api, survey), enumerator(api, survey)
    sid = str(uuid.uuid4())
    xml = instance(api, 5, iid=f"uuid:{sid}")
    assert collect_post(api, survey, e1, xml, [("a.jpg", b"one")]).status_code == 201
    r = collect_post(api, survey, e2, xml, [("b.jpg", b"two")])
    assert_envelope(r, 403, "another app user")
    # the submitter completes its own upload
    assert collect_post(api, survey, e1, xml, [("c.jpg", b"three")]).status_code == 201
    files = api.client.get(
        f"/api/v1/surveys/{survey}/submissions/{sid}/attachments", headers=api.admin
    ).json()["items"]
    assert sorted(f["name"] for f in files) == ["a.jpg", "c.jpg"]
