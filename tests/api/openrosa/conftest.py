"""Fixtures of the OpenRosa tests: a server per backend (SQLite and PostgreSQL, from
tests/api/conftest.py's ``db_url``) with a small body limit so that uploads split, a
papi-2021 survey, an enumerator's app-user token and a Collect client pointed at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.schemas import Role, TokenCreate
from api.auth.service import create_token
from api.db.engine import Database
from api.settings import Settings
from survey.forms.xform import to_xform
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from tests.clients.answers import engine_answers, random_response
from tests.clients.collect import CollectClient
from tests.clients.engines import Filled, fill_javarosa, fill_webforms

MAX_BODY = 256_000  # small, so a submission with a few 100 kB photos is split


@dataclass
class Server:
    client: TestClient
    admin: dict[str, str]
    q: Questionnaire
    settings: Settings

    def survey(self, questionnaire: str = "papi-2021") -> int:
        body = {
            "questionnaire": questionnaire,
            "year": 2026,
            "name": f"odk-{uuid.uuid4().hex[:6]}",
        }
        r = self.client.post("/api/v1/surveys", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        survey_id: int = r.json()["id"]
        return survey_id

    def token(self, survey: int, role: str = "enumerator") -> str:
        body = {"name": f"{role}-{uuid.uuid4().hex[:6]}", "role": role, "survey_id": survey}
        r = self.client.post("/api/v1/tokens", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        token: str = r.json()["token"]
        return token

    def collect(self, survey: int, token: str | None = None) -> CollectClient:
        key = token or self.token(survey)
        return CollectClient(self.client, f"http://testserver/v1/key/{key}/projects/{survey}")

    def get(self, path: str) -> dict:  # type: ignore[type-arg]
        r = self.client.get(f"/api/v1{path}", headers=self.admin)
        assert r.status_code == 200, r.text
        out: dict = r.json()  # type: ignore[type-arg]
        return out


@pytest.fixture(scope="session")
def server(db_url: str) -> Iterator[Server]:
    settings = Settings(database_url=db_url, max_body_bytes=MAX_BODY, run_jobs=False)
    db = Database(settings)
    try:
        with db.session(write=True) as s:
            token = create_token(s, TokenCreate(name="odk-root", role=Role.admin)).token
            s.commit()
    finally:
        db.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Server(
            client, {"Authorization": f"Bearer {token}"}, load_questionnaire("papi-2021"), settings
        )


@dataclass(frozen=True)
class Fill:
    engine: str
    answers: dict  # type: ignore[type-arg]
    filled: Filled


@pytest.fixture(scope="session")
def papi_xform() -> bytes:
    return to_xform(load_questionnaire("papi-2021")).encode("utf-8")


@pytest.fixture(scope="session")
def fills(papi_xform: bytes) -> dict[str, list[Fill]]:
    """Two papi-2021 interviews filled by each real engine (shared by both backends)."""
    q = load_questionnaire("papi-2021")
    rng = np.random.default_rng(2021)
    out: dict[str, list[Fill]] = {"javarosa": [], "webforms": []}
    for k in range(2):
        for engine, fill in (("javarosa", fill_javarosa), ("webforms", fill_webforms)):
            answers = random_response(q, rng)
            kwargs = {"device_id": f"collect:test{k}"} if engine == "javarosa" else {}
            out[engine].append(
                Fill(engine, answers, fill(papi_xform, engine_answers(answers, q), **kwargs))
            )
    return out
