"""Fixtures of the simulator tests."""

from __future__ import annotations

import pytest

from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.schema import Questionnaire


@pytest.fixture(scope="session")
def papi_2021() -> Questionnaire:
    """The bundled papi-2021 questionnaire, skip logic and eligibility included."""
    return load_questionnaire("papi-2021")
