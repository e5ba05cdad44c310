"""Group commit: concurrent jobs share a transaction, each fails alone (SQLite, where every
write goes through it, and PostgreSQL, where single submissions are merged through it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.settings import Settings
from api.submissions import intake, repository
from tests.api.conftest import database_url
from tests.api.support import Api, make_settings


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_jobs_from_many_threads_commit_and_a_failing_job_fails_alone(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = database_url(backend, request, tmp_path)
    db = Database(Settings(database_url=url))
    assert db.group_commit is not None
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS group_commit_t")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE group_commit_t (k INTEGER PRIMARY KEY)")
    errors: list[BaseException] = []

    def job(k: int) -> None:
        def run(session: Session) -> int:
            session.execute(text("INSERT INTO group_commit_t (k) VALUES (:k)"), {"k": k})
            if k % 10 == 0:
                raise ValueError(f"job {k} fails")
            return k

        try:
            assert db.group_commit is not None
            assert db.group_commit.run(run) == k
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(k,)) for k in range(1, 101)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.engine.connect() as conn:
        stored = {r[0] for r in conn.exec_driver_sql("SELECT k FROM group_commit_t")}
        if backend == "postgresql":  # the session's database is shared with other tests
            conn.exec_driver_sql("DROP TABLE group_commit_t")
            conn.commit()
    db.dispose()
    assert len(errors) == 10
    assert stored == {k for k in range(1, 101) if k % 10}


@pytest.mark.postgres
def test_postgresql_merges_single_submissions_but_writes_in_parallel(pg_database: str) -> None:
    db = Database(Settings(database_url=pg_database))
    try:
        assert db.group_commit is not None and not db.serial_writes and db.write_lock is None
    finally:
        db.dispose()


@pytest.mark.parametrize("bad", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_are_routed_to_psycopg3(bad: str) -> None:
    from api.db.engine import normalise_url

    assert normalise_url(bad) == "postgresql+psycopg://u@h/db"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_overlapping_inserts_wait_in_one_order_and_never_deadlock(
    api: Api, db_url: str
) -> None:
    """Worker A has inserted x and will insert y; worker B inserts [y, x] meanwhile. Rows
    go in submission-id order, so B waits on x before touching y and A finishes; in
    arrival order B would hold y while waiting on x, and PostgreSQL would abort one of
    them with a deadlock."""
    survey = api.survey(name="lock order")
    settings = make_settings(db_url)
    db = Database(settings)
    now = intake.utcnow()

    def row(sid: str) -> dict[str, Any]:
        body = {**api.interview(), "submission_id": sid}
        item = intake.prepare(api.q, settings, survey, "admin", body, 0, now)
        assert item.outcome is None, item.errors
        intake.finish_row(item.row)
        return item.row

    x = row("00000000-0000-4000-8000-000000000001")
    y = row("ffffffff-ffff-4fff-bfff-fffffffffffe")
    inserted_b: set[str] = set()
    errors: list[BaseException] = []

    def worker_b() -> None:
        try:
            with db.session(write=True) as sb:
                inserted_b.update(repository.insert_new(sb, [y, x]))
                sb.commit()
        except BaseException as exc:
            errors.append(exc)

    try:
        with db.session(write=True) as sa:
            assert repository.insert_new(sa, [x]) == {x["submission_id"]}
            b = threading.Thread(target=worker_b)
            b.start()
            deadline = time.monotonic() + 10
            while True:  # until B waits on a lock held by A
                with db.engine.connect() as conn:
                    waiting = conn.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    ).scalar_one()
                if waiting or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            assert waiting, "worker B never waited on worker A's insert"
            assert repository.insert_new(sa, [y]) == {y["submission_id"]}
            sa.commit()
        b.join(timeout=30)
    finally:
        db.dispose()
    assert not errors, errors
    assert inserted_b == set()
