"""Engine and session factories (created by the app factory or a command, never at import).

SQLite: WAL journal (readers never block the writer), ``synchronous`` FULL by default (see
``Settings.sqlite_synchronous``), a busy timeout, foreign keys on, and write transactions
opened with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing
with "database is locked" when a deferred read lock cannot be upgraded.

PostgreSQL: psycopg 3, a connection pool, READ COMMITTED (the default); inserts use
``ON CONFLICT DO NOTHING`` on the unique deduplication key, which waits for a concurrent
insert of the same key to commit and is therefore race-safe across workers; the rows of a
multi-row insert go in submission-id order, so two workers inserting overlapping ids wait
for each other in one order and never deadlock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.canonical import json_serializer
from api.db.group_commit import GroupCommit
from api.settings import Settings

WRITE_OPTION = "papi_write"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and route them to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def make_engine(settings: Settings) -> Engine:
    """Build the engine for ``settings.database_url`` with the durability settings above."""
    url = normalise_url(settings.database_url)
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            pool_size=settings.pool_size,
            max_overflow=2 * settings.pool_size,
            json_serializer=json_serializer,
        )
        _configure_sqlite(engine, settings)
        return engine
    return create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=2 * settings.pool_size,
        pool_pre_ping=True,
        json_serializer=json_serializer,
    )


def _configure_sqlite(engine: Engine, settings: Settings) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver: we emit BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={settings.sqlite_synchronous}")
        cur.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class WriteLock:
    """A thread lock plus, for a database file, an exclusive ``flock`` shared by processes."""

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = f"{database}.writelock" if database and database != ":memory:" else None
        self._fd: int | None = None

    def acquire(self) -> None:
        self._thread_lock.acquire()
        if self._path is not None:
            try:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except OSError:
                # an unwritable directory: fall back to SQLite's busy timeout between processes
                self._path = None

    def release(self) -> None:
        try:
            if self._fd is not None and self._path is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        """Close the lock file, and remove it when no other process holds it (a clean exit
        leaves nothing next to the database). Removing it is safe: the flock only queues
        writers; SQLite's own locking keeps writes correct if two processes end up locking
        different files for a moment."""
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                pass  # another process is writing: it keeps the file
            else:
                if self._path is not None:
                    Path(self._path).unlink(missing_ok=True)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Database:
    """The engine plus two session factories: reads, and writes (``BEGIN IMMEDIATE``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sqlite = self.engine.dialect.name == "sqlite"
        # SQLite has one writer at a time. Writers of this process (threads) and of the other
        # workers (an flock on a file next to the database) queue on this lock and are woken
        # at once, instead of polling in SQLite's busy handler, whose growing sleeps make tail
        # latency explode under concurrency. The kernel drops an flock when its process dies.
        self.write_lock = WriteLock(self.engine.url.database) if self.sqlite else None
        # Single submissions are merged into shared commits on both databases; on SQLite
        # every write goes through it (one writer), on PostgreSQL writes run in parallel.
        self.group_commit = GroupCommit(self.writing)
        self.serial_writes = self.sqlite
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, write: bool = False) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write session holding the writer lock (for work outside a request)."""
        if self.write_lock is not None:
            self.write_lock.acquire()
        try:
            with self.session(write=True) as session:
                yield session
        finally:
            if self.write_lock is not None:
                self.write_lock.release()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def revision(self) -> str | None:
        """The Alembic revision of the database (None when never migrated)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        if self.group_commit is not None:
            self.group_commit.stop()
        if self.write_lock is not None:
            self.write_lock.close()
        self.engine.dispose()
