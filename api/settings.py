"""Runtime settings, read from the environment through pydantic-settings.

``get_settings()`` is the one factory (cached); nothing connects at import time. Variables:
``DATABASE_URL`` (default: a SQLite file ``papi.db`` in the working directory) and
``PAPI_*`` for the rest (``PAPI_MAX_BODY_BYTES``, ``PAPI_SQLITE_SYNCHRONOUS``, ...).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the API reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="PAPI_", extra="ignore", frozen=True, populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///papi.db",
        validation_alias=AliasChoices("DATABASE_URL", "PAPI_DATABASE_URL"),
        description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://user@host/db",
    )
    # FULL: a commit is fsynced to the WAL before the client hears 201, so an acknowledged
    # interview survives power loss as well as a killed process. NORMAL (with WAL) survives a
    # killed process but may lose the last commits on power loss; it is faster on slow disks.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    sqlite_busy_timeout_ms: int = 30_000
    pool_size: int = 10
    max_body_bytes: int = 32 * 1024 * 1024
    # a request body that sends nothing for this long gets 408 (uvicorn has no such timeout;
    # a slow link still delivers a chunk every few seconds)
    body_idle_timeout_seconds: float = Field(default=60.0, gt=0)
    # `papi serve` (api/serving.py): a connection has this long to finish a request's
    # headers (from when it opens, and again after each response) ...
    header_timeout_seconds: float = Field(default=15.0, gt=0)
    # ... and an idle keep-alive connection is closed this long after its last response
    keep_alive_timeout_seconds: float = Field(default=5.0, gt=0)
    # quality flags computed on arrival
    min_interview_seconds: float = 600.0
    straightline_min_items: int = 5
    job_poll_seconds: float = 2.0
    job_lease_seconds: float = 600.0
    run_jobs: bool = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
