"""One Alembic history for both databases, matching the models exactly."""

from __future__ import annotations

from alembic import command

from api.db.migrate import alembic_config, current


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
