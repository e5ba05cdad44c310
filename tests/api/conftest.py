"""Fixtures of the API tests: every test runs against SQLite and PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, database test); each test session
creates a fresh database and drops it at the end. Outside CI an unreachable server skips the
PostgreSQL half with the reason; with ``CI=true`` it fails the run instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db.migrate import upgrade
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from tests.api.support import Api, admin_token, make_settings

PG_SERVER = os.environ.get("PAPI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if _in_ci():
            pytest.fail(f"PostgreSQL at {PG_SERVER} is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable (set CI=true to fail): {exc}")
    name = f"papi_test_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    with fresh_pg_database() as url:
        yield url


def database_url(backend: str, request: pytest.FixtureRequest, tmp: Path) -> str:
    if backend == "postgresql":
        url: str = request.getfixturevalue("pg_database")
        return url
    return f"sqlite:///{tmp / 'papi.db'}"


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = database_url(request.param, request, tmp_path_factory.mktemp(request.param))
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire("papi-2021")


@pytest.fixture(scope="session")
def api(db_url: str, q: Questionnaire) -> Iterator[Api]:
    settings = make_settings(db_url)
    token = admin_token(settings)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, {"Authorization": f"Bearer {token}"}, q)
