"""The request-scoped unit of work: the one place that commits or rolls back a request's
database work (routes and services never commit; tests/test_architecture.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.db.engine import Database


class UnitOfWork:
    """Lazily opened sessions of one request: ``read`` (plain BEGIN) and ``write``
    (``BEGIN IMMEDIATE`` on SQLite). Only ``commit`` makes writes durable; the dependency
    below calls it after the handler returns and before the response is sent."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._read: Session | None = None
        self._write: Session | None = None
        self._locked = False
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this request's writes are committed (never on a rollback):
        e.g. waking the job runner, which must find the new job in the database."""
        self._after_commit.append(callback)

    @property
    def read(self) -> Session:
        if self._write is not None:
            return self._write
        if self._read is None:
            self._read = self.db.session()
        return self._read

    @property
    def write(self) -> Session:
        if self._write is None:
            if self._read is not None:
                self._read.close()
                self._read = None
            if self.db.write_lock is not None and not self._locked:
                self.db.write_lock.acquire()
                self._locked = True
            self._write = self.db.session(write=True)
        return self._write

    @property
    def busy(self) -> bool:
        """True when a session holds a connection or a transaction (closing does I/O)."""
        return (
            any(s is not None and s.in_transaction() for s in (self._read, self._write))
            or self._locked
        )

    @property
    def writing(self) -> bool:
        """True once this request has opened its write transaction."""
        return self._write is not None

    def commit(self) -> None:
        try:
            if self._write is not None:
                self._write.commit()
        finally:
            self._release()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def _release(self) -> None:
        if self._locked and self.db.write_lock is not None:
            self._locked = False
            self.db.write_lock.release()

    def close(self, *, rollback: bool = False) -> None:
        try:
            for s in (self._read, self._write):
                if s is not None:
                    if rollback:
                        s.rollback()
                    s.close()
            self._read = self._write = None
            if rollback:
                self._after_commit.clear()
        finally:
            self._release()


async def unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """Commit after the handler returns (before the response is sent), roll back on error.
    Database I/O goes to the thread pool; a request that never touched the database
    (cached survey, group-committed intake) costs no thread hop."""
    uow = UnitOfWork(request.app.state.db)
    try:
        yield uow
        if uow.busy:
            await run_in_threadpool(uow.commit)
    except BaseException:
        await run_in_threadpool(uow.close, rollback=True)
        raise
    finally:
        if uow.busy:
            await run_in_threadpool(uow.close)
        else:
            uow.close()


Uow = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
