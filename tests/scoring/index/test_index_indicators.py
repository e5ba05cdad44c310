"""Per-respondent indicator values, computed by hand on four respondents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.index.indicators import indicator_values
from survey import load_questionnaire

MINI = Path(__file__).resolve().parent / "fixtures" / "index-mini.yaml"
nan = np.nan

# A: eligible, answers everything; B: not eligible (q100 = 0), don't-know answers;
# C: eligible, special answers and missing items; D: eligible, mixed.
ROWS = {
    "q100": [1, 0, 1, 1],
    "q101": [1, nan, -8, 0],
    "q102_1": [1, 0, nan, 0],
    "q102_2": [0, 0, nan, 1],
    "q102_3": [1, 0, nan, 0],
    "q102": [nan, nan, -9, nan],
    "q103": [4, -8, nan, 2],
    "q104": [3, 2, nan, -8],
    "q105": [1, 2, nan, 3],
    "q201": [2, -8, 4, 1],
    "q202": [1, 0, nan, 1],
}
EXPECTED = {
    "SC11_01": [1, nan, nan, 0],  # share of q101 == 1 among q100 == 1 with a value
    "SC11_02": [1, 0, nan, 0],  # multiple choice: option 3 selected; C refused
    "SC12_01": [3.5, 2, nan, 2],  # mean of q103, q104 over valid values
    "SC12_02": [2, nan, nan, 0],  # checklist: q104 in (3, 4), q105 == 1; eligible only
    "SC21_01": [2, nan, 4, 1],
    "SC22_01": [1, 0, nan, 1],
}


def _frame(**overrides: list[float]) -> pd.DataFrame:
    data = {**ROWS, **overrides}
    return pd.DataFrame({"province": ["P01"] * 4, **data})


def test_every_kind_by_hand() -> None:
    q = load_questionnaire(MINI)
    codes, y, absent = indicator_values(_frame(), q)
    assert codes == tuple(EXPECTED)
    np.testing.assert_array_equal(y, np.array(list(EXPECTED.values())).T)
    assert absent == ()


def test_nullable_integer_columns_read_like_floats() -> None:
    q = load_questionnaire(MINI)
    frame = _frame()
    for col in ("q100", "q101", "q105", "q202"):
        frame[col] = frame[col].astype("Int64")
    _, y, _ = indicator_values(frame, q)
    np.testing.assert_array_equal(y, np.array(list(EXPECTED.values())).T)


def test_absent_columns_are_missing_and_reported() -> None:
    q = load_questionnaire(MINI)
    frame = _frame().drop(columns=["q201", "q102_1", "q102_2", "q102_3", "q102"])
    codes, y, absent = indicator_values(frame, q)
    assert np.isnan(y[:, codes.index("SC21_01")]).all()
    assert np.isnan(y[:, codes.index("SC11_02")]).all()
    assert set(absent) == {"q201", "q102_1", "q102_2", "q102_3"}


@pytest.mark.parametrize("special", [-8, -9])
def test_special_codes_never_count_as_values(special: int) -> None:
    q = load_questionnaire(MINI)
    _, y, _ = indicator_values(_frame(q202=[special] * 4), q)
    assert np.isnan(y[:, -1]).all()


@pytest.mark.parametrize("layout", ["as_built", "all_float", "ints"])
def test_the_frame_is_left_as_it_was(layout: str) -> None:
    # the answer columns are read as one block and the special codes removed in it: that
    # block must be our own, whatever pandas hands out for the frame's layout
    q = load_questionnaire(MINI)
    frame = _frame()
    numeric = [c for c in frame.columns if c != "province"]
    if layout == "all_float":  # one float block holding every answer column
        frame = pd.concat([frame[["province"]], frame[numeric].astype("float64")], axis=1)
    elif layout == "ints":
        frame["q201"] = frame["q201"].astype("int64")
    before = frame.copy(deep=True)
    for _ in range(2):  # the second call reads the questionnaire's cached plan
        _, y, _ = indicator_values(frame, q)
        np.testing.assert_array_equal(y, np.array(list(EXPECTED.values())).T)
    pd.testing.assert_frame_equal(frame, before)
    assert (frame["q201"] == -8).any()
