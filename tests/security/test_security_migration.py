"""Migration ``hardening01`` on both databases: rows stored before it get the id of the
token that sent them when their ``submitted_by`` name matches exactly one token of the
survey (or an unscoped one), and none when the name is ambiguous (then only a supervisor or
an admin sees the row: an enumerator sees what provably is its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from api.db.migrate import upgrade
from tests.api.conftest import BACKENDS, fresh_pg_database


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    with fresh_pg_database() as url:
        yield url


def test_existing_rows_get_their_token_when_the_name_is_unambiguous(fresh_url: str) -> None:
    upgrade(fresh_url, "openrosa01")
    engine = create_engine(fresh_url.replace("postgresql://", "postgresql+psycopg://"))
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO questionnaires (id, qid, version, year, document, content_hash, "
                "created_at, created_by) VALUES (1, 'q', '1', 2026, '{}', 'h', :now, 'x')"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO surveys (id, name, year, questionnaire_pk, sample, quotas, "
                "created_at, created_by) VALUES (1, 's', 2026, 1, '[]', '{}', :now, 'x')"
            ),
            {"now": now},
        )
        tokens = [(1, "alice", 1), (2, "bob", 1), (3, "bob", None)]
        for pk, name, survey in tokens:
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, token_hash, name, role, survey_id, created_at) "
                    "VALUES (:pk, :h, :name, 'enumerator', :survey, :now)"
                ),
                {"pk": pk, "h": f"h{pk}", "name": name, "survey": survey, "now": now},
            )
        for pk, who in ((1, "alice"), (2, "bob"), (3, "carol")):
            conn.execute(
                text(
                    "INSERT INTO submissions (id, survey_id, submission_id, content_hash, "
                    "submitted_by, province, body, status, flags, flag_codes, version, "
                    "received_at, updated_at) VALUES (:pk, 1, :sid, 'c', :who, 'P01', '{}', "
                    "'received', '[]', '', 1, :now, :now)"
                ),
                {"pk": pk, "sid": f"s{pk}", "who": who, "now": now},
            )
    upgrade(fresh_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT submitted_by, submitted_by_token_id FROM submissions"))
        got = {str(row[0]): row[1] for row in rows}
    engine.dispose()
    assert got == {"alice": 1, "bob": None, "carol": None}
