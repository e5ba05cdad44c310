"""Item 2 of the hardening issue: one encoding rule for every JSON route. JSON is UTF-8
without a byte-order mark (RFC 8259 §8.1); UTF-16 and UTF-32 bodies (which the framework's
parser used to guess, letting a lone surrogate through as a 500 and U+0000 into SQLite) and
byte-order marks are a 422 ``json_invalid`` on every route that reads JSON, both databases."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.api.support import Api

ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"]


def _json_routes(api: Api) -> list[tuple[str, str]]:
    """(method, path template) of every route whose documented body is JSON."""
    schema = api.client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    ]


def _post(api: Api, method: str, path: str, body: bytes) -> Any:
    headers = {**api.admin, "Content-Type": "application/json"}
    return api.client.request(method, path, content=body, headers=headers)


def _assert_refused(r: Any) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert (error["pointer"], error["code"]) == ("", "json_invalid"), error


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_json_route_refuses_bodies_that_are_not_plain_utf8(api: Api, encoding: str) -> None:
    survey = api.survey()
    stored = api.interview()
    assert api.submit(survey, stored).status_code == 201
    values = {"survey_id": str(survey), "submission_id": stored["submission_id"]}
    routes = _json_routes(api)
    assert len(routes) >= 8, routes
    body = json.dumps({"questionnaire": "papi-2021", "year": 2026, "name": "u16"})
    for method, template in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), template)
        _assert_refused(_post(api, method, path, body.encode(encoding)))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32-le"])
@pytest.mark.parametrize("text", ["\ud800", "\x00", "plain"], ids=["surrogate", "nul", "plain"])
def test_a_utf16_submission_is_refused_whatever_it_holds(
    api: Api, encoding: str, text: str
) -> None:
    survey = api.survey()
    body = api.interview()
    body["paradata"]["device"] = text
    raw = json.dumps(body, ensure_ascii=False).encode(encoding, errors="surrogatepass")
    _assert_refused(_post(api, "POST", f"/api/v1/surveys/{survey}/submissions", raw))
    batch = json.dumps({"submissions": [body]}, ensure_ascii=False)
    raw = batch.encode(encoding, errors="surrogatepass")
    _assert_refused(_post(api, "POST", f"/api/v1/surveys/{survey}/submissions/batch", raw))
    listing = api.client.get(f"/api/v1/surveys/{survey}/submissions", headers=api.admin)
    assert listing.json()["items"] == []


def test_the_same_interview_in_utf8_is_stored(api: Api) -> None:
    survey = api.survey()
    body = api.interview()
    body["paradata"]["device"] = "thiết bị ✓"
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    r = _post(api, "POST", f"/api/v1/surveys/{survey}/submissions", raw)
    assert r.status_code == 201, r.text
    assert r.json()["paradata"]["device"] == "thiết bị ✓"
    sid = str(uuid.uuid4())
    r = _post(
        api,
        "POST",
        f"/api/v1/surveys/{survey}/submissions/batch",
        json.dumps({"submissions": [{**body, "submission_id": sid}]}).encode(),
    )
    assert r.json()["created"] == 1, r.text
