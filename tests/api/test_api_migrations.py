"""One Alembic history for both databases, matching the models exactly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command

from api.db.migrate import alembic_config, current
from tests.api.conftest import BACKENDS, fresh_pg_database


def test_migrated_database_matches_the_models(db_url: str) -> None:
    command.check(alembic_config(db_url))  # raises when autogenerate would find a difference
    assert current(db_url) is not None


def test_sqlite_runs_in_wal_mode_with_the_chosen_synchronous(tmp_path: object) -> None:
    from api.db.engine import Database
    from api.settings import Settings

    db = Database(Settings(database_url=f"sqlite:///{tmp_path}/x.db"))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        db.dispose()


def test_console01_fills_the_duration_of_existing_interviews(tmp_path: object) -> None:
    """Interviews stored before ``duration_seconds`` existed get it from their paradata."""
    import json
    from pathlib import Path

    from sqlalchemy import create_engine, text

    from api.db.migrate import upgrade

    url = f"sqlite:///{Path(str(tmp_path)) / 'old.db'}"
    upgrade(url, "openrosa01")
    engine = create_engine(url)
    now = "2026-08-01 10:00:00.000000"
    bodies = [
        {"paradata": {"start": "2026-08-01T08:00:00+00:00", "end": "2026-08-01T08:45:30+00:00"}},
        {"paradata": {"start": "2026-08-01T08:00:00Z", "end": "2026-08-01T08:00:00+07:00"}},
        {"paradata": {"start": "2026-08-01T08:00:00+00:00"}},
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO questionnaires (id, qid, version, year, document, content_hash, "
                "created_at, created_by) VALUES (1, 'q', '1', 2026, '{}', 'h', :now, 't')"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO surveys (id, name, year, questionnaire_pk, sample, quotas, "
                "created_at, created_by) VALUES (1, 's', 2026, 1, '[]', '{}', :now, 't')"
            ),
            {"now": now},
        )
        for i, body in enumerate(bodies, start=1):
            conn.execute(
                text(
                    "INSERT INTO submissions (id, survey_id, submission_id, content_hash, "
                    "submitted_by, province, body, status, flags, flag_codes, version, "
                    "received_at, updated_at) VALUES (:i, 1, :sid, 'h', 'e', 'P01', :body, "
                    "'received', '[]', '', 1, :now, :now)"
                ),
                {"i": i, "sid": f"s{i}", "body": json.dumps(body), "now": now},
            )
    upgrade(url)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT id, duration_seconds FROM submissions ORDER BY id")).all()
    engine.dispose()
    assert got == [(1, 2730.0), (2, -25200.0), (3, None)]


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    with fresh_pg_database() as url:
        yield url


def test_progress01_adds_the_job_progress_and_takes_it_away(fresh_url: str) -> None:
    """Up: a job stored before keeps its row, with no progress known; down: the columns go,
    the job stays; up again works."""
    from sqlalchemy import create_engine, inspect, text

    from api.db.migrate import upgrade

    upgrade(fresh_url, "hardening01")
    engine = create_engine(fresh_url.replace("postgresql://", "postgresql+psycopg://"))
    now = "2026-01-01 00:00:00+00:00"

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("jobs")}

    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO questionnaires (id, qid, version, year, document, "
                    "content_hash, created_at, created_by) VALUES (1, 'q', '1', 2026, '{}', "
                    "'h', :now, 'x')"
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
            conn.execute(
                text(
                    "INSERT INTO jobs (id, survey_id, kind, status, params, created_by, "
                    "created_at, attempts) VALUES ('j1', 1, 'score', 'queued', '{}', 'x', "
                    ":now, 0)"
                ),
                {"now": now},
            )
        assert not {"progress", "stage"} & columns()
        upgrade(fresh_url, "progress01")
        assert {"progress", "stage"} <= columns()
        with engine.connect() as conn:
            got = conn.execute(text("SELECT id, progress, stage FROM jobs")).all()
        assert [tuple(r) for r in got] == [("j1", None, None)]
        engine.dispose()  # PostgreSQL's ALTER TABLE waits for open connections
        command.downgrade(alembic_config(fresh_url), "hardening01")
        assert not {"progress", "stage"} & columns()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM jobs")).scalars().all() == ["j1"]
        engine.dispose()
        upgrade(fresh_url)
        assert current(fresh_url) == "progress01"
    finally:
        engine.dispose()
