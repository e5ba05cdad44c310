"""A small job runner inside each API process.

Jobs live in the database. Every worker runs one thread that claims the oldest claimable job
with a compare-and-set UPDATE (queued, or running with an expired lease: its worker died),
runs it and stores the result or the error. A POST wakes the local thread at once; the
others poll every ``job_poll_seconds``. A job is tried at most ``MAX_ATTEMPTS`` times.

While a job runs, its function reports its progress through a ``ProgressWriter``, which stores
the fraction and stage in the job's row in its own short write transaction, at most every
``PROGRESS_INTERVAL`` seconds (and at once when the stage changes), so that reporting does not
slow the work or hold the writer lock. A lost progress write is logged and forgotten: the
job's result is what counts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from api.db.engine import Database
from api.jobs import repository
from api.jobs.scoring_adapter import KINDS
from api.settings import Settings
from survey.errors import PapiError

log = logging.getLogger("papi.jobs")
MAX_ATTEMPTS = 3
PROGRESS_INTERVAL = 0.5  # seconds between two stored progress reports of one stage


class ProgressWriter:
    """The ``report(fraction, stage)`` a job function gets: stores the job's progress,
    throttled (``clock`` is ``time.monotonic``; tests pass their own)."""

    def __init__(
        self,
        db: Database,
        job_id: str,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.job_id = job_id
        self.interval = interval
        self.clock = clock
        self._last: float | None = None
        self._stage: str | None = None
        self.writes = 0

    def __call__(self, fraction: float, stage: str) -> None:
        now = self.clock()
        if stage == self._stage and self._last is not None and now - self._last < self.interval:
            return
        self._last, self._stage = now, stage
        try:
            with self.db.writing() as session:
                repository.set_progress(
                    session, self.job_id, min(max(float(fraction), 0.0), 1.0), stage
                )
                session.commit()
            self.writes += 1
        except Exception:  # progress is advisory; the job goes on
            log.warning("could not store the progress of job %s", self.job_id, exc_info=True)


class JobRunner:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="papi-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and self.run_one():
                    pass
            except Exception:  # the loop must survive a database outage
                log.exception("job runner iteration failed")
            self._wake.wait(self.settings.job_poll_seconds)
            self._wake.clear()

    def run_one(self) -> bool:
        """Claim and run one job; False when there was nothing to claim."""
        now = datetime.now(UTC)
        lease = timedelta(seconds=self.settings.job_lease_seconds)
        with self.db.writing() as session:
            job_id = repository.candidate(session, now)
            if job_id is None or not repository.claim(session, job_id, now, lease):
                session.rollback()
                return job_id is not None
            survey_id, kind, params, attempts = repository.job_input(session, job_id)
            session.commit()
        result: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        try:
            if attempts > MAX_ATTEMPTS:
                raise PapiError(
                    f"the job was interrupted {attempts - 1} times; giving up",
                    code="job_abandoned",
                )
            with self.db.session() as session:
                result = KINDS[kind](session, survey_id, params, ProgressWriter(self.db, job_id))
        except PapiError as exc:
            error = {
                "code": exc.code,
                "message": exc.message,
                "errors": [p.as_dict() for p in exc.problems],
            }
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, kind)
            error = {"code": "job_failed", "message": f"{type(exc).__name__}: {exc}"}
        with self.db.writing() as session:
            repository.finish(session, job_id, datetime.now(UTC), result, error)
            session.commit()
        return True
