"""Random valid responses to a questionnaire, for driving the form engines.

Walks the items in order as an enumerator would: an item is asked when its ``relevant``
condition holds under our semantics (survey.evaluate), then gets a random valid value, a
special answer now and then, or (if optional) no answer. The result is checked with
``q.validate_response`` so a test never starts from an invalid response.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from survey.evaluate import evaluate
from survey.schema import Item, Questionnaire


def _value(q: Questionnaire, it: Item, answers: dict[str, Any], rng: np.random.Generator) -> Any:
    special = list(q.allowed_special(it).values())
    if special and rng.random() < 0.15:
        return int(rng.choice(special))
    if it.type in ("single_choice", "yes_no", "rating"):
        return int(rng.choice([c.code for c in q.choices_of(it)]))
    if it.type == "multiple_choice":
        codes = [c.code for c in q.choices_of(it)]
        k = int(rng.integers(1, len(codes) + 1))
        return sorted(int(c) for c in rng.choice(codes, size=k, replace=False))
    if it.type in ("integer", "decimal"):
        lo = float(it.min) if it.min is not None else 0.0  # type: ignore[arg-type]
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


def random_response(q: Questionnaire, rng: np.random.Generator) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for it in q.items:
        if it.relevant and not evaluate(
            q.condition(it.relevant), answers, special=q.special_code_values
        ):
            continue
        if not it.required and rng.random() < 0.2:
            continue
        answers[it.id] = _value(q, it, answers, rng)
    issues = q.validate_response(answers)
    assert not issues, issues
    return answers


def engine_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answer map for the fillers: codes as strings, multiple choices as lists."""
    return {k: [str(c) for c in v] if isinstance(v, list) else str(v) for k, v in answers.items()}
