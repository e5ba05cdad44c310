"""Helpers of the API tests: a client wrapper that makes tokens, surveys and interviews."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from api.auth.schemas import Role, TokenCreate
from api.auth.service import create_token
from api.settings import Settings
from survey.questionnaire.schema import Questionnaire
from tests.api.interviews import interview


@dataclass
class Api:
    """A TestClient on one backend with helpers to make tokens, surveys and interviews."""

    client: TestClient
    admin: dict[str, str]
    q: Questionnaire
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(7))
    counter: int = 0

    def token(
        self, role: str, survey: int | None = None, name: str | None = None
    ) -> dict[str, str]:
        r = self.client.post(
            "/api/v1/tokens",
            json={
                "name": name or f"{role}-{uuid.uuid4().hex[:6]}",
                "role": role,
                "survey_id": survey,
            },
            headers=self.admin,
        )
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def survey(self, **extra: Any) -> int:
        body = {"questionnaire": "papi-2021", "year": 2026, "name": "test", **extra}
        r = self.client.post("/api/v1/surveys", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        survey_id: int = r.json()["id"]
        return survey_id

    def interview(self, **kw: Any) -> dict[str, Any]:
        self.counter += 1
        return interview(self.q, self.rng, self.counter, **kw)

    def submit(
        self, survey: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        return self.client.post(
            f"/api/v1/surveys/{survey}/submissions", json=body, headers=headers or self.admin
        )

    def wait_job(self, url: str, timeout: float) -> dict[str, Any]:
        """Poll a job's status URL until it has succeeded or failed (or ``timeout`` s pass)."""
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.client.get(url, headers=self.admin).json()
            if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return job
            time.sleep(0.2)


def make_settings(url: str, **kw: Any) -> Settings:
    return Settings(database_url=url, job_poll_seconds=0.2, **kw)


def admin_token(settings: Settings) -> str:
    from api.db.engine import Database

    db = Database(settings)
    try:
        with db.session(write=True) as s:
            token = create_token(s, TokenCreate(name="root", role=Role.admin)).token
            s.commit()
    finally:
        db.dispose()
    return token
