"""Group commit: many requests' writes in one transaction, with one fsync and one commit.

With ``synchronous=FULL`` every SQLite commit waits for an fsync of the WAL (milliseconds
on most disks), and SQLite admits one writer at a time, so committing each request on its
own caps a server at a few hundred interviews per second however many cores it has. Here
a writer thread takes every write job waiting in the queue, runs each in its own SAVEPOINT
of one ``BEGIN IMMEDIATE`` transaction (a failing job is rolled back alone), commits once,
and only then hands each request its result: an acknowledged interview is on disk, and the
fsync is shared by every request that arrived while the previous one was running. This is
the group commit of database servers (Gray & Reuter, *Transaction Processing*, 1993, §9.4).

PostgreSQL commits concurrent transactions in parallel, but each single submission still
costs a pool checkout, several round trips and a commit of its own; merged (below), thirty
of them cost one of each, which doubled single-submission throughput on PostgreSQL
(``python bench/api_bench.py --db postgresql``: 424 → 890/s, p99 209 → 55 ms). Batches and
other writes on PostgreSQL keep their own transactions (``Database.serial_writes``).

Jobs submitted with ``submit_merged`` under one key (single interviews for one survey) are
also merged: the jobs of one commit that share a key run as one call, so thirty single
submissions cost one duplicate-respondent query, one multi-row ``INSERT`` and one SAVEPOINT,
as a batch of thirty would. If a merged call raises, every job of that group gets the error
(the group is rolled back to its SAVEPOINT; the other groups and jobs still commit).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
A = TypeVar("A")
log = logging.getLogger("papi.db")
MAX_JOBS_PER_COMMIT = 256


@dataclass(slots=True)
class _Job:
    fn: Callable[..., Any]  # fn(session) or, when merged, fn(session, [arg, ...])
    future: Future[Any]
    key: Hashable | None = None
    arg: Any = None


Writing = Callable[[], AbstractContextManager[Session]]
"""Opens a write session holding the writer lock (``Database.writing``)."""


class GroupCommit:
    def __init__(self, writing: Writing) -> None:
        self.writing = writing
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run(self, job: Callable[[Session], T]) -> T:
        """Run ``job(session)`` inside a shared write transaction; return after the commit."""
        return self.submit(job).result()

    def submit(self, job: Callable[[Session], T]) -> Future[T]:
        """Queue ``job``; the future resolves after the commit that includes it (an event
        loop awaits it with ``asyncio.wrap_future`` instead of blocking a thread)."""
        return self._put(_Job(job, _running_future()))

    def submit_merged(
        self, key: Hashable, fn: Callable[[Session, list[A]], None], arg: A
    ) -> Future[None]:
        """Queue ``arg`` for ``fn(session, [arg, ...])``, called once per commit with the
        arguments of every job queued under ``key`` (``fn`` must be the same for a key)."""
        return self._put(_Job(fn, _running_future(), key, arg))

    def _put(self, job: _Job) -> Future[Any]:
        self._ensure_thread()
        self._queue.put(job)
        return job.future

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

    def _commit(self, jobs: list[_Job]) -> None:
        units: list[list[_Job]] = []  # each runs in its own SAVEPOINT
        merged: dict[Hashable, list[_Job]] = {}
        for job in jobs:
            if job.key is None:
                units.append([job])
            elif job.key in merged:
                merged[job.key].append(job)
            else:
                merged[job.key] = [job]
                units.append(merged[job.key])
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            with self.writing() as session:
                for unit in units:
                    head = unit[0]
                    try:
                        with session.begin_nested():
                            if head.key is None:
                                value = head.fn(session)
                            else:
                                value = head.fn(session, [j.arg for j in unit])
                        results.extend((j, value, None) for j in unit)
                    except Exception as exc:  # the unit fails alone; the others go on
                        results.extend((j, None, exc) for j in unit)
                session.commit()
        except Exception as exc:
            log.exception("group commit of %d job(s) failed", len(jobs))
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        for job, value, error in results:
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(value)


def _running_future() -> Future[Any]:
    """A future marked running at once, so a waiter that goes away (a client that hung up)
    cannot cancel it: its job still runs and commits, and a resend gets 200."""
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()
    return future
