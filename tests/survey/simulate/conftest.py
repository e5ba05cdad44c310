"""Fixtures of the simulator tests."""

from __future__ import annotations

import pytest
from sim_helpers import flat_questionnaire

from survey.schema import Questionnaire


@pytest.fixture(scope="session")
def flat_2021() -> Questionnaire:
    return flat_questionnaire("papi-2021")
