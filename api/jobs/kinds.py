"""What each kind of job does. A kind is a function ``(session, survey_id, params) ->
result`` returning JSON-ready data; the runner knows nothing else about it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.exports.service import survey_frame
from api.jobs.schemas import ScoreRequest

JobFn = Callable[[Session, int, dict[str, Any]], dict[str, Any]]

SCORE_LEVELS = ("indicators", "subdimensions", "dimensions", "composite")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows = df.reset_index(drop=df.index.name is None).to_dict(orient="records")
    return [
        {
            str(k): (None if isinstance(v, float) and not math.isfinite(v) else _plain(v))
            for k, v in r.items()
        }
        for r in rows
    ]


def _plain(v: Any) -> Any:
    if hasattr(v, "item") and callable(v.item):
        return v.item()
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def run_score(session: Session, survey_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """``scoring.score`` on the survey's respondent frame (the Parquet export)."""
    from scoring import score

    spec = ScoreRequest.model_validate(params)
    frame, q = survey_frame(session, survey_id, include_rejected=spec.include_rejected)
    scores = score(
        frame,
        q,
        weighted=spec.weighted,
        ci=spec.ci,
        replicates=spec.replicates,
        rng=spec.rng,
        level=spec.level,
    )
    return {level: _records(getattr(scores, level)) for level in SCORE_LEVELS}


KINDS: dict[str, JobFn] = {"score": run_score}
