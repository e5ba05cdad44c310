"""Fixtures: the api data sets and R's golden values (tests/golden/make_golden.R)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    out: dict[str, Any] = json.loads((GOLDEN / "survey_golden.json").read_text())
    return out


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / f"{name}.csv")


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return _csv("apiclus1")


@pytest.fixture(scope="session")
def apiclus2() -> pd.DataFrame:
    return _csv("apiclus2")


@pytest.fixture(scope="session")
def apistrat() -> pd.DataFrame:
    return _csv("apistrat")


@pytest.fixture(scope="session")
def lonely() -> pd.DataFrame:
    return _csv("lonely")


@pytest.fixture(scope="session")
def paired() -> pd.DataFrame:
    return _csv("paired")
