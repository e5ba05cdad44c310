"""Job request/response models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from survey.rng import DEFAULT_REPLICATES, DEFAULT_SEED


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ScoreRequest(BaseModel):
    """Arguments of ``scoring.score`` (ARCHITECTURE.md, "The public contract")."""

    model_config = ConfigDict(extra="forbid")

    weighted: bool = True
    variance: Literal["taylor", "bootstrap"] = Field(
        default="taylor", description="variance method (scoring.score's `variance`)"
    )
    replicates: int = Field(
        default=DEFAULT_REPLICATES,
        ge=10,
        le=5000,
        description="bootstrap replicates, and draws behind rank intervals",
    )
    seed: int = Field(
        default=DEFAULT_SEED,
        ge=0,
        le=2**32 - 1,
        description="seed of the replicates and draws (scoring.score's `rng`)",
    )
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0, description="confidence level")
    ci_dist: Literal["t", "normal"] = Field(
        default="t", description="CI quantile: Student t on the province's design df, or normal"
    )
    min_n: int = Field(
        default=10, ge=1, description="fewest respondents for a province's indicator"
    )
    psu: Literal["psu", "district", "commune", "village"] = Field(
        default="psu",
        description="first-stage cluster column for variances (a pilot in one district: commune)",
    )
    lonely_psu: Literal["fail", "adjust", "remove", "certainty"] = Field(
        default="fail",
        description="a stratum with one PSU: fail (as R), or R's survey.lonely.psu options",
    )
    include_rejected: StrictBool = False

    def score_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``scoring.score`` these settings stand for: the one
        mapping of the request's names onto the library's (the job runner and the console's
        what-if both call ``score`` through it)."""
        return {
            "weighted": self.weighted,
            "variance": self.variance,
            "replicates": self.replicates,
            "rng": self.seed,
            "confidence": self.confidence,
            "ci_dist": self.ci_dist,
            "min_n": self.min_n,
            "psu": self.psu,
            "lonely_psu": self.lonely_psu,
        }


class SensitivityRequest(BaseModel):
    """Arguments of ``papi sensitivity --responses`` on the survey's data (docs/sensitivity.md).

    ``spec`` is the audit's uncertain choices (``scoring.sensitivity.Spec``, the YAML of
    ``--spec`` as JSON); without it the JRC-style default audit for microdata."""

    model_config = ConfigDict(extra="forbid")

    runs: int = Field(default=1000, ge=1, le=100_000, description="Monte Carlo runs")
    sobol_n: int = Field(
        default=512, ge=2, le=8192, description="Sobol' base sample (a power of 2)"
    )
    replicates: int = Field(
        default=DEFAULT_REPLICATES,
        ge=2,
        le=5000,
        description="bootstrap replicates for sampling error",
    )
    seed: int = Field(default=DEFAULT_SEED, ge=0, le=2**32 - 1)
    spec: dict[str, Any] | None = Field(
        default=None, description="uncertain choices (docs/sensitivity.md); default: JRC audit"
    )
    include_rejected: StrictBool = False

    @field_validator("sobol_n")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            raise ValueError(f"sobol_n={n} is not a power of 2; expected 2, 4, …, 512, 1024")
        return n


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
    progress: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="fraction done, 0–1, stored by the runner at most every 0.5 s while the "
        "job runs; 1 once it has succeeded; null while queued (or for a job older than this "
        "field)",
    )
    stage: str | None = Field(
        default=None,
        description="what the job is doing: started, reading, scoring, preparing, "
        "monte_carlo, sobol, finishing, done (a failed job keeps the stage it failed in)",
    )
    error: JobError | None = None
    results: dict[str, Any] | None = Field(
        default=None,
        description="when succeeded. Scoring: the IndexScores document (scoring."
        "IndexScores.to_dict; load it with IndexScores.from_dict): `meta` (method, confidence, "
        "weighted, notes, provenance with the seed) and one table per level (indicators, subdimensions, "
        "dimensions, composite), each a list of rows. Sensitivity: the "
        "document of `papi sensitivity --out` (provinces, sobol, oat, diagnostics, ...)",
    )
