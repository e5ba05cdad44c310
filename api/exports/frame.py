"""The respondent frame of a survey in the layout of docs/data-layout.md.

Answers go through ``survey.respondents.table.responses_to_frame`` (one column per item, multiple
choices as ``q_<code>`` 0/1 columns); identification, location and design columns come
first. Design inputs a client sent with the interview (stratum, psu, stage probabilities,
design weight) win; otherwise the survey's sample gives those of the village. Everything
derived from them (defaults, ``design_weight``, ``age_group``, the post-stratified
``weight``) and the checks are the frame contract's, ``survey.respondents.analysis_frame.conform``: the
same function builds the simulator's frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from api.submissions.records import Stored
from survey.questionnaire.schema import Questionnaire
from survey.respondents.analysis_frame import DESIGN_INPUTS, conform
from survey.respondents.table import responses_to_frame
from survey.sampling.weights import PROB_COLUMNS


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
    design = pd.DataFrame([_design(r, by_village) for r in rows], columns=list(DESIGN_INPUTS))
    for col in (*PROB_COLUMNS, "design_weight"):
        design[col] = pd.to_numeric(design[col], errors="coerce").astype(float)
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
    return conform(pd.concat([ident, design, answers, meta], axis=1))


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
    return {
        c: given.get(c) if given.get(c) is not None else unit.get(c) for c in list(DESIGN_INPUTS)
    }
