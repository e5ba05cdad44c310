"""The respondent frame of a survey in the layout of docs/data-layout.md.

Answers go through ``survey.tabular.responses_to_frame`` (one column per item, multiple
choices as ``q_<code>`` 0/1 columns); identification, location and design columns come
first. Design columns a client sent with the interview win; otherwise the survey's sample
gives the stage probabilities of the village, ``design_weight`` is the inverse of their
product (Horvitz-Thompson; Lumley 2010, ch. 1) and ``weight`` falls back to it (the
post-stratified weight needs population margins, which ``scoring`` applies).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from api.submissions.repository import Stored
from survey.schema import Questionnaire
from survey.tabular import responses_to_frame

PROBS = ("prob_district", "prob_commune", "prob_village", "prob_person")
AGE_BINS = [17, 29, 39, 49, 59, 200]
AGE_LABELS = ["18-29", "30-39", "40-49", "50-59", "60-70"]


def respondent_frame(
    q: Questionnaire, rows: Sequence[Stored], sample: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    by_village = {u["village"]: u for u in sample}
    ident = pd.DataFrame(
        {
            "submission_id": [r.submission_id for r in rows],
            "province": [r.body["location"]["province"] for r in rows],
            "district": [r.body["location"].get("district") for r in rows],
            "commune": [r.body["location"].get("commune") for r in rows],
            "village": [r.body["location"].get("village") for r in rows],
        },
        dtype=object,
    )
    design = pd.DataFrame([_design(r, by_village) for r in rows], columns=_DESIGN_COLUMNS)
    for col in (*PROBS, "design_weight", "weight"):
        design[col] = pd.to_numeric(design[col], errors="coerce").astype(float)
    product = design[list(PROBS)].prod(axis=1, min_count=len(PROBS))
    design["design_weight"] = design["design_weight"].fillna(1.0 / product)
    design["weight"] = design["weight"].fillna(design["design_weight"])
    design["stratum"] = design["stratum"].fillna(ident["province"])
    design["psu"] = design["psu"].fillna(ident["district"])
    answers = responses_to_frame(q, [r.body["answers"] for r in rows]).reset_index(drop=True)
    answers = answers.drop(columns=[c for c in answers.columns if c in ident.columns])
    meta = pd.DataFrame(
        {
            "enumerator": [r.body["paradata"].get("enumerator") for r in rows],
            "submitted_by": [r.submitted_by for r in rows],
            "review_status": [r.status for r in rows],
            "flags": [",".join(sorted({f["code"] for f in r.flags})) for r in rows],
            "version": np.array([r.version for r in rows], dtype=np.int64),
            "received_at": [r.received_at.isoformat() for r in rows],
            "duration_min": _durations(rows),
        },
    )
    out = pd.concat([ident, design, answers, meta], axis=1)
    if "age" in out.columns and "age_group" not in out.columns:
        age = pd.to_numeric(out["age"], errors="coerce")
        out.insert(
            list(out.columns).index("age") + 1,
            "age_group",
            pd.cut(age, AGE_BINS, labels=AGE_LABELS).astype(object).where(age.notna(), None),
        )
    return out


_DESIGN_COLUMNS = ["stratum", "psu", *PROBS, "design_weight", "weight"]


def _durations(rows: Sequence[Stored]) -> np.ndarray:
    """Interview length in minutes from the paradata's start and end (NaN when unknown)."""
    start = pd.to_datetime(
        [r.body["paradata"].get("start") for r in rows], utc=True, errors="coerce", format="ISO8601"
    )
    end = pd.to_datetime(
        [r.body["paradata"].get("end") for r in rows], utc=True, errors="coerce", format="ISO8601"
    )
    minutes: np.ndarray = np.asarray((end - start).total_seconds(), dtype=float) / 60.0
    return minutes


def _design(r: Stored, by_village: dict[str, dict[str, Any]]) -> dict[str, Any]:
    given = r.body.get("design") or {}
    unit = by_village.get(r.body["location"].get("village") or "", {})
    return {c: given.get(c) if given.get(c) is not None else unit.get(c) for c in _DESIGN_COLUMNS}
