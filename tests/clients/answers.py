"""Random valid responses to a questionnaire, for driving the form engines.

``survey.simulate.random_response.generate_response`` walks the items in order as an enumerator would: an item
is asked when its ``relevant`` condition holds under our semantics, then gets a random valid
value, an allowed special answer (here 15% of the time, so the engines see many of them) or,
if optional, no answer (20%). The result is checked again with ``survey.validation.validate_response`` so a
test never starts from an invalid response.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from survey.forms.xlsform import special_question
from survey.questionnaire.schema import Questionnaire
from survey.simulate.random_response import generate_response
from survey.validation import validate_response


def random_response(q: Questionnaire, rng: np.random.Generator) -> dict[str, Any]:
    answers = generate_response(q, rng, special_rate=0.15, skip_rate=0.2)
    issues = validate_response(q, answers)
    assert not issues, issues
    return answers


def engine_answers(answers: dict[str, Any], q: Questionnaire | None = None) -> dict[str, Any]:
    """The answer map for the fillers: codes as strings, multiple choices as lists; with
    ``q``, a special answer to a date goes to its companion question
    (``survey.forms.xlsform.special_question``)."""
    out: dict[str, Any] = {}
    for k, v in answers.items():
        companion = special_question(q.item(k)) if q is not None and q.has_item(k) else None
        if companion is not None and type(v) is int:
            out[companion] = str(v)
        else:
            out[k] = [str(c) for c in v] if isinstance(v, list) else str(v)
    return out
