"""Random valid PAPI interviews (answers + location + paradata) for the API tests and
``bench/api_bench.py``.

The answers come from ``survey.simulate.random_response.generate_response`` (relevant items only, optional items
skipped one time in five, an allowed special answer one time in twenty), with the location
items set to the interview's location. Every generated interview is checked with
``survey.validation.validate_response``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from survey.questionnaire.schema import Questionnaire
from survey.simulate.random_response import generate_response
from survey.validation import validate_response

LOCATION_ITEMS = ("province_code", "district", "commune", "village")


def random_answers(
    q: Questionnaire, rng: np.random.Generator, location: dict[str, str]
) -> dict[str, Any]:
    fixed: dict[str, Any] = {
        "province_code": int(location["province"][1:]),
        "district": location["district"],
        "commune": location["commune"],
        "village": location["village"],
    }
    answers = generate_response(q, rng, special_rate=0.05, skip_rate=0.2)
    answers.update({k: v for k, v in fixed.items() if q.has_item(k)})
    issues = validate_response(q, answers)
    assert not issues, issues[:3]
    return answers


def location_of(i: int) -> dict[str, str]:
    p = i % 63 + 1
    d = i % 3 + 1
    c = i % 2 + 1
    v = i % 5 + 1
    district = f"P{p:02d}-D{d:02d}"
    commune = f"{district}-C{c:02d}"
    return {
        "province": f"P{p:02d}",
        "district": district,
        "commune": commune,
        "village": f"{commune}-V{v:02d}",
    }


def interview(
    q: Questionnaire,
    rng: np.random.Generator,
    i: int,
    *,
    minutes: float = 45.0,
    location: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One full interview as a client posts it (a fresh submission_id)."""
    loc = location or location_of(i)
    start = datetime(q.year, 8, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=int(rng.integers(0, 9000)))
    return {
        "submission_id": str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | i, version=4)),
        "location": loc,
        "answers": random_answers(q, rng, loc),
        "paradata": {
            "enumerator": f"enum-{i % 7:02d}",
            "device": f"tablet-{i % 11:02d}",
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=minutes)).isoformat(),
            "gps": {"lat": 21.0 + (i % 100) / 1000, "lon": 105.8, "acc": 5.0},
        },
    }
