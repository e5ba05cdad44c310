"""Group commit for SQLite: many requests' writes, one transaction, one fsync.

With ``synchronous=FULL`` every SQLite commit waits for an fsync of the WAL (milliseconds
on most disks), and SQLite admits one writer at a time, so committing each request on its
own caps a server at a few hundred interviews per second however many cores it has. Here
a writer thread takes every write job waiting in the queue, runs each in its own SAVEPOINT
of one ``BEGIN IMMEDIATE`` transaction (a failing job is rolled back alone), commits once,
and only then hands each request its result: an acknowledged interview is on disk, and the
fsync is shared by every request that arrived while the previous one was running. This is
the group commit of database servers (Gray & Reuter, *Transaction Processing*, 1993, §9.4);
PostgreSQL does the same internally, so it is used for SQLite only.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from api.db.engine import Database

T = TypeVar("T")
log = logging.getLogger("papi.db")
MAX_JOBS_PER_COMMIT = 256


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: queue.SimpleQueue[tuple[Callable[[Session], Any], Future[Any]] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run(self, job: Callable[[Session], T]) -> T:
        """Run ``job(session)`` inside a shared write transaction; return after the commit."""
        self._ensure_thread()
        future: Future[T] = Future()
        self._queue.put((job, future))
        return future.result()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._loop, name="papi-group-commit", daemon=True
                    )
                    self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            stop = False
            while len(jobs) < MAX_JOBS_PER_COMMIT:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                jobs.append(nxt)
            self._commit(jobs)
            if stop:
                return

    def _commit(self, jobs: list[tuple[Callable[[Session], Any], Future[Any]]]) -> None:
        results: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with self.db.writing() as session:
                for job, future in jobs:
                    try:
                        with session.begin_nested():
                            results.append((future, job(session), None))
                    except Exception as exc:  # the job fails alone; the others go on
                        results.append((future, None, exc))
                session.commit()
        except Exception as exc:
            log.exception("group commit of %d job(s) failed", len(jobs))
            for _job, future in jobs:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, value, error in results:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)
