"""Comparison helpers for the golden tests: agreement with R to 1e-6 (relative)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

RTOL = 1e-6


def close(actual: object, expected: object, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rtol
    )


def check(frame: pd.DataFrame, ref: dict[str, Any]) -> None:
    close(frame["est"], ref["est"])
    close(frame["se"], ref["se"])
