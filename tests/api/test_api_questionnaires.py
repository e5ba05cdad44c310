"""Questionnaire upload: YAML or JSON, immutable published versions, located errors."""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml

from survey.questionnaire.loader import to_document
from tests.api.support import Api


def _doc(api: Api) -> dict[str, Any]:
    doc = to_document(api.q)
    doc["id"] = f"test-{uuid.uuid4().hex[:8]}"
    return doc


def _post(api: Api, body: bytes, media: str) -> Any:
    return api.client.post(
        "/api/v1/questionnaires", content=body, headers={**api.admin, "Content-Type": media}
    )


def test_yaml_upload_201_identical_200_changed_409(api: Api) -> None:
    doc = _doc(api)
    text = yaml.safe_dump(doc, allow_unicode=True).encode()
    r = _post(api, text, "application/yaml")
    assert r.status_code == 201, r.text
    assert r.json()["id"] == doc["id"] and r.json()["items"] == len(doc["items"])
    assert _post(api, json.dumps(doc).encode(), "application/json").status_code == 200
    doc["title"] = {"vi": "khác", "en": "changed"}
    r = _post(api, json.dumps(doc).encode(), "application/json")
    assert r.status_code == 409
    assert r.json()["code"] == "questionnaire_version_exists"
    doc["version"] = "2021.2"
    assert _post(api, json.dumps(doc).encode(), "application/json").status_code == 201


def test_uploaded_questionnaire_drives_a_survey(api: Api) -> None:
    doc = _doc(api)
    assert _post(api, json.dumps(doc).encode(), "application/json").status_code == 201
    sid = api.survey(questionnaire=doc["id"])
    assert api.submit(sid, api.interview()).status_code == 201


def test_broken_questionnaire_422_located(api: Api) -> None:
    doc = _doc(api)
    doc["items"][1]["type"] = "colour"
    doc["items"].append(dict(doc["items"][0]))
    r = _post(api, json.dumps(doc).encode(), "application/json")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    pointers = [e["pointer"] for e in r.json()["errors"]]
    assert any(p.startswith("/items/1") for p in pointers), pointers


def test_unparseable_and_wrong_type_bodies(api: Api) -> None:
    assert _post(api, b"{not json", "application/json").status_code == 422
    assert _post(api, b"a: [b", "application/yaml").status_code == 422
    assert _post(api, b"[1, 2]", "application/json").status_code == 422
    assert _post(api, b"\xff\xfe", "application/json").status_code == 422
    assert _post(api, b"id: x", "text/csv").status_code == 415


def test_unknown_questionnaire_for_a_survey_is_404(api: Api) -> None:
    body = {"questionnaire": "no-such-questionnaire", "year": 2026, "name": "x"}
    r = api.client.post("/api/v1/surveys", json=body, headers=api.admin)
    assert r.status_code == 404
