"""``papi token list`` and ``papi token revoke`` (subprocesses), on SQLite and PostgreSQL:
a lost tablet is cut off from the command line, and a listing never shows a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import BACKENDS, database_url
from tests.api.support import make_settings
from tests.cli_runner import papi_db


@pytest.mark.parametrize("backend", BACKENDS)
def test_list_then_revoke_cuts_the_token_off(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = database_url(backend, request, tmp_path)
    made = papi_db(tmp_path, url, "token", "create", "--role", "analyst", "--json")
    assert made.returncode == 0, made.stderr
    created = json.loads(made.stdout)
    listed = papi_db(tmp_path, url, "token", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert created["token"] not in listed.stdout
    (row,) = [t for t in json.loads(listed.stdout) if t["id"] == created["id"]]
    assert row["active"] and row["name"].startswith("analyst-")
    headers = {"Authorization": f"Bearer {created['token']}"}
    with TestClient(create_app(make_settings(url, run_jobs=False))) as client:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        revoked = papi_db(tmp_path, url, "token", "revoke", str(created["id"]))
        assert revoked.returncode == 0, revoked.stderr
        assert "revoked" in revoked.stdout
        # the server learns it from the database within PRINCIPAL_TTL_SECONDS (1 s)
        import time

        time.sleep(1.1)
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    text = papi_db(tmp_path, url, "token", "list", "--include-revoked")
    assert "revoked" in text.stdout
    missing = papi_db(tmp_path, url, "token", "revoke", "999999")
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1
