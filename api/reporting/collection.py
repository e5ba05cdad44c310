"""The data-collection summary of a report: completion per province against the quota,
quality flags and interview durations, from a survey's export and its progress."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from api.reporting.report import CollectionSummary


def collection_summary(frame: pd.DataFrame, progress: dict[str, Any]) -> CollectionSummary:
    """``frame``: the survey's export (``flags``, ``duration_min`` columns);
    ``progress``: the document of ``GET /surveys/{id}/progress``."""
    prog = pd.DataFrame(
        [
            {
                "province": row["province"],
                "target": row.get("quota") or 0,
                "completed": row.get("submitted", 0) - row.get("rejected", 0),
            }
            for row in progress.get("provinces", [])
        ],
        columns=["province", "target", "completed"],
    )
    flags: Counter[str] = Counter()
    if "flags" in frame.columns:
        for cell in frame["flags"].dropna():
            flags.update(code for code in str(cell).split(",") if code)
    durations: list[float] = []
    if "duration_min" in frame.columns:
        d = pd.to_numeric(frame["duration_min"], errors="coerce").to_numpy(dtype=float)
        durations = [float(x) for x in d[np.isfinite(d)]]
    return CollectionSummary(
        progress=prog,
        flags=dict(flags),
        durations_min=durations,
        districts=_districts(progress),
    )


def _districts(progress: dict[str, Any]) -> dict[str, list[str]]:
    """Province -> the districts of its sampled villages (village ids are hierarchical,
    ``P01-D03-C02-V01``); provinces whose villages are not named so are left out."""
    out: dict[str, list[str]] = {}
    for row in progress.get("provinces", []):
        codes = {
            "-".join(parts[:2])
            for v in row.get("villages") or []
            if len(parts := str(v.get("village", "")).split("-")) >= 3
        }
        if codes:
            out[str(row["province"])] = sorted(codes)
    return out


def collection_from_database(database_url: str, survey_id: int) -> CollectionSummary:
    """Read a survey's progress and export straight from the collection database."""
    from api.db.engine import Database
    from api.exports.service import survey_frame
    from api.settings import Settings
    from api.surveys.service import survey_progress

    db = Database(Settings(database_url=database_url, run_jobs=False))
    try:
        with db.session() as session:
            progress = survey_progress(session, survey_id).model_dump(mode="json")
            frame, _ = survey_frame(session, survey_id)
    finally:
        db.dispose()
    return collection_summary(frame, progress)
