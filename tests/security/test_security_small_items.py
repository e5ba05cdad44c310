"""The smaller items of the hardening issue: a scoped token gets the same 404 for a survey
that exists and one that does not; ``include_rejected`` on /scores and /sensitivity takes
only JSON booleans; the method-less corners schemathesis reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.api.conftest import PG_SERVER
from tests.api.support import Api

ROOT = Path(__file__).resolve().parents[2]


def test_a_scoped_token_cannot_tell_other_surveys_from_missing_ones(api: Api) -> None:
    survey, other = api.survey(), api.survey()
    for role in ("enumerator", "analyst", "supervisor", "admin"):
        headers = api.token(role, survey)
        answers = []
        for target in (other, 2**31 - 1):
            for r in (
                api.client.get(f"/api/v1/surveys/{target}/submissions", headers=headers),
                api.client.get(f"/api/v1/surveys/{target}", headers=headers),
                api.submit(target, api.interview(), headers),
                api.client.get(f"/api/v1/surveys/{target}/export", headers=headers),
            ):
                answers.append((r.status_code, r.json()["detail"].replace(str(target), "N")))
        half = len(answers) // 2
        assert answers[:half] == answers[half:], (role, answers)
        assert {status for status, _ in answers} == {404}


@pytest.mark.parametrize("path", ["scores", "sensitivity"])
@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_include_rejected_is_a_strict_boolean(api: Api, path: str, value: object) -> None:
    survey = api.survey()
    r = api.client.post(
        f"/api/v1/surveys/{survey}/{path}", json={"include_rejected": value}, headers=api.admin
    )
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["pointer"] == "/include_rejected"


@pytest.mark.postgres
@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve", "--port", "1"]])
def test_a_missing_postgresql_database_is_one_line_saying_how_to_create_it(
    command: list[str], tmp_path: Path
) -> None:
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/papi_missing_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "DATABASE_URL": url}
    res = subprocess.run(
        [sys.executable, "-m", "api", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert res.returncode != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "does not exist" in lines[0] and "createdb" in lines[0]
    assert "papi db upgrade" in lines[0]


def test_a_405_names_the_methods_the_documented_route_takes(api: Api) -> None:
    """schemathesis: OPTIONS got an Allow header naming one method of several, and PATCH
    on /batch a 422 (read as PATCH of a submission called "batch")."""
    paths = api.client.get("/openapi.json").json()["paths"]
    checked = 0
    for template, ops in paths.items():
        documented = {
            m.upper() for m in ops if m in ("get", "head", "post", "put", "patch", "delete")
        }
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in ("OPTIONS", "PUT", "DELETE"):
            if method in documented:
                continue
            r = api.client.request(method, path, headers=api.admin)
            if r.status_code != 405:  # e.g. a GET-only path whose 1 is refused first
                continue
            assert set(r.headers["allow"].split(", ")) == documented, (method, template)
            checked += 1
    assert checked > 20
    for method in ("PATCH", "GET", "PUT"):
        r = api.client.request(method, "/api/v1/surveys/1/submissions/batch", headers=api.admin)
        assert (r.status_code, r.headers.get("allow")) == (405, "POST"), r.text
