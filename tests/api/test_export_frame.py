"""The export's respondent frame goes through the frame contract (survey.respondents.analysis_frame):
an age outside 18-70 has no age group (the export used to call 71+ "60-70") and no
post-stratified weight, and the weight is never a copy of the design weight."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from api.exports.frame import respondent_frame
from api.submissions.records import Stored
from survey.questionnaire.loader import load_questionnaire


def _stored(i: int, age: int, sex: int) -> Stored:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    body: dict[str, Any] = {
        "location": {
            "province": "P01",
            "district": "P01-D01",
            "commune": "P01-D01-C01",
            "village": "P01-D01-C01-V01",
        },
        "answers": {"age": age, "sex": sex},
        "paradata": {},
    }
    return Stored(i, 1, f"id-{i}", "h", "admin", "accepted", [], 1, now, now, body)


def test_export_age_groups_and_weights_follow_the_contract() -> None:
    q = load_questionnaire("papi-2021")
    rows = [_stored(0, 45, 1), _stored(1, 71, 2), _stored(2, 88, 1), _stored(3, 65, 2)]
    sample = [
        {
            "village": "P01-D01-C01-V01",
            "prob_district": 0.5,
            "prob_commune": 0.5,
            "prob_village": 0.5,
            "prob_person": 0.05,
        }
    ]
    frame = respondent_frame(q, rows, sample)
    groups = frame["age_group"].tolist()
    assert groups[0] == "40-49" and groups[3] == "60-70"
    assert pd.isna(groups[1]) and pd.isna(groups[2])
    assert np.allclose(frame["design_weight"], 160.0)
    assert frame["weight"].isna().tolist() == [False, True, True, False]
    assert not np.allclose(frame.loc[[0, 3], "weight"], 160.0)
    assert (frame["stratum"] == "P01").all() and (frame["psu"] == "P01-D01").all()
