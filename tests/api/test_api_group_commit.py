"""Group commit (SQLite): concurrent jobs share a transaction, each fails alone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.settings import Settings


def test_jobs_from_many_threads_commit_and_a_failing_job_fails_alone(tmp_path: Path) -> None:
    db = Database(Settings(database_url=f"sqlite:///{tmp_path}/g.db"))
    assert db.group_commit is not None
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    errors: list[BaseException] = []

    def job(k: int) -> None:
        def run(session: Session) -> int:
            session.execute(text("INSERT INTO t (k) VALUES (:k)"), {"k": k})
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
        stored = {r[0] for r in conn.exec_driver_sql("SELECT k FROM t")}
    db.dispose()
    assert len(errors) == 10
    assert stored == {k for k in range(1, 101) if k % 10}


def test_postgresql_has_no_group_commit() -> None:
    db = Database(Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    try:
        assert db.group_commit is None and db.write_lock is None
    finally:
        db.dispose()


@pytest.mark.parametrize("bad", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_are_routed_to_psycopg3(bad: str) -> None:
    from api.db.engine import normalise_url

    assert normalise_url(bad) == "postgresql+psycopg://u@h/db"
