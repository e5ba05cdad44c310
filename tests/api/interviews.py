"""Random valid PAPI interviews (answers + location + paradata) for the API tests and
``bench/api_bench.py``.

The items are walked in order as an enumerator would: an item is asked when its ``relevant``
condition holds (``survey.evaluate``), then gets a random valid value or, now and then, an
allowed special answer. Every generated interview is checked with ``q.validate_response``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from survey.evaluate import evaluate
from survey.schema import Item, Questionnaire


def _value(q: Questionnaire, it: Item, answers: dict[str, Any], rng: np.random.Generator) -> Any:
    special = list(q.allowed_special(it).values())
    if special and rng.random() < 0.05:
        return int(rng.choice(special))
    if it.type in ("single_choice", "yes_no", "rating"):
        return int(rng.choice([c.code for c in q.choices_of(it)]))
    if it.type == "multiple_choice":
        codes = [c.code for c in q.choices_of(it)]
        k = int(rng.integers(1, len(codes) + 1))
        return sorted(int(c) for c in rng.choice(codes, size=k, replace=False))
    if it.type in ("integer", "decimal"):
        lo = float(it.min) if it.min is not None else 0.0
        hi = float(it.max) if it.max is not None else lo + 100
        for _ in range(100):
            v: Any = (
                int(rng.integers(int(lo), int(hi) + 1))
                if it.type == "integer"
                else round(float(rng.uniform(lo, hi)), 2)
            )
            if not it.constraint or evaluate(
                q.condition(it.constraint), answers, special=q.special_code_values, current=v
            ):
                return v
        return int(lo)
    if it.type == "date":
        lo_d = date.fromisoformat(str(it.min)) if it.min else date(q.year, 1, 1)
        hi_d = date.fromisoformat(str(it.max)) if it.max else date(q.year, 12, 31)
        return (lo_d + timedelta(days=int(rng.integers(0, (hi_d - lo_d).days + 1)))).isoformat()
    return f"text {int(rng.integers(1000))}"


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
    answers: dict[str, Any] = {}
    for it in q.items:
        if it.relevant and not evaluate(
            q.condition(it.relevant), answers, special=q.special_code_values
        ):
            continue
        if it.id in fixed and q.has_item(it.id):
            answers[it.id] = fixed[it.id]
            continue
        if not it.required and rng.random() < 0.2:
            continue
        answers[it.id] = _value(q, it, answers, rng)
    issues = q.validate_response(answers)
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
