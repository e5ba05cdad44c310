"""Fixtures of the security suite: the API tests' server on SQLite and PostgreSQL
(tests/api/conftest.py), so every promise is checked on both databases."""

from __future__ import annotations

from tests.api.conftest import api, db_url, pg_database, q

__all__ = ["api", "db_url", "pg_database", "q"]
