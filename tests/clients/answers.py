"""Random valid responses to a questionnaire, for driving the form engines.

``survey.tabular.generate_response`` walks the items in order as an enumerator would: an item
is asked when its ``relevant`` condition holds under our semantics, then gets a random valid
value, an allowed special answer (here 15% of the time, so the engines see many of them) or,
if optional, no answer (20%). The result is checked again with ``q.validate_response`` so a
test never starts from an invalid response.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from survey.schema import Questionnaire
from survey.tabular import generate_response


def random_response(q: Questionnaire, rng: np.random.Generator) -> dict[str, Any]:
    answers = generate_response(q, rng, special_rate=0.15, skip_rate=0.2)
    issues = q.validate_response(answers)
    assert not issues, issues
    return answers


def engine_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answer map for the fillers: codes as strings, multiple choices as lists."""
    return {k: [str(c) for c in v] if isinstance(v, list) else str(v) for k, v in answers.items()}
