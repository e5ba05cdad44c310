"""Job request/response models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ScoreRequest(BaseModel):
    """Arguments of ``scoring.score`` (architecture.md, public contract)."""

    model_config = ConfigDict(extra="forbid")

    weighted: bool = True
    ci: Literal["taylor", "bootstrap"] = "taylor"
    replicates: int = Field(default=200, ge=10, le=5000)
    rng: int = Field(default=0, ge=0, le=2**32 - 1)
    level: float = Field(default=0.95, gt=0.5, lt=1.0)
    include_rejected: bool = False


class JobError(BaseModel):
    code: str
    message: str
    errors: list[dict[str, str]] = Field(default_factory=list)


class JobOut(BaseModel):
    id: str
    survey_id: int
    kind: str
    status: JobStatus
    params: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: JobError | None = None
    results: dict[str, list[dict[str, Any]]] | None = Field(
        default=None,
        description="when succeeded: one table per level (indicators, subdimensions, "
        "dimensions, composite), each a list of rows",
    )
