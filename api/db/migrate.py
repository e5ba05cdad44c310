"""Run the Alembic history programmatically (``papi db upgrade``, the test fixtures)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from api.db.engine import normalise_url
from survey.errors import PapiError

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["database_url"] = normalise_url(database_url)
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (default: the newest). A
    PostgreSQL database that does not exist is a one-line error saying how to create it."""
    from sqlalchemy.exc import OperationalError

    try:
        command.upgrade(alembic_config(database_url), revision)
    except OperationalError as exc:
        missing = missing_database(database_url, exc)
        if missing is None:
            raise
        raise missing from None


def missing_database(database_url: str, exc: Exception) -> PapiError | None:
    """The error to show when ``exc`` says the PostgreSQL database of ``database_url`` does
    not exist (None for any other failure)."""
    from sqlalchemy.engine import make_url

    if "does not exist" not in str(exc) or "database" not in str(exc):
        return None
    url = make_url(normalise_url(database_url))
    if not url.get_backend_name().startswith("postgresql"):
        return None
    host = f" -h {url.host}" if url.host else ""
    port = f" -p {url.port}" if url.port else ""
    user = f" -U {url.username}" if url.username else ""
    return PapiError(
        f"PostgreSQL database {url.database!r} does not exist on {url.host or 'localhost'}; "
        f"create it with `createdb{host}{port}{user} {url.database}`, then run "
        "`papi db upgrade` (or `papi serve`, which upgrades first)",
        code="database_missing",
    )


def current(database_url: str) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
