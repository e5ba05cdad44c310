"""Shared fixtures of the survey tests: the small questionnaire of tests/survey/fixtures."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey import Questionnaire, load_questionnaire

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"


@pytest.fixture(scope="session")
def mini_doc_master() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def mini_doc(mini_doc_master: dict[str, Any]) -> dict[str, Any]:
    """A fresh, mutable copy of the mini questionnaire document."""
    return copy.deepcopy(mini_doc_master)


@pytest.fixture(scope="session")
def mini() -> Questionnaire:
    return load_questionnaire(MINI)


@pytest.fixture(scope="session")
def papi2021() -> Questionnaire:
    return load_questionnaire("papi-2021")
