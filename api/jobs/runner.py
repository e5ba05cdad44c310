"""A small job runner inside each API process.

Jobs live in the database. Every worker runs one thread that claims the oldest claimable job
with a compare-and-set UPDATE (queued, or running with an expired lease: its worker died),
runs it and stores the result or the error. A POST wakes the local thread at once; the
others poll every ``job_poll_seconds``. A job is tried at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from api.db.engine import Database
from api.jobs import repository
from api.jobs.scoring_adapter import KINDS
from api.settings import Settings
from survey.errors import PapiError

log = logging.getLogger("papi.jobs")
MAX_ATTEMPTS = 3


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
                result = KINDS[kind](session, survey_id, params)
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
