"""Helpers shared by the simulator tests (a uniquely named module: tests/survey has its own
conftest.py, so ``from conftest import`` would be ambiguous)."""

from __future__ import annotations

import pandas as pd

from survey.published import subdimensions
from survey.sampling import Frame, load_frame


def replicated(provinces: list[str], copies: int, year: int) -> tuple[Frame, pd.DataFrame]:
    """A frame of ``copies`` independent copies of some provinces, and their targets."""
    frame = load_frame().subset(provinces).replicated(copies)
    published = subdimensions(year).set_index("province")
    codes = frame.provinces["province"]
    targets = published.loc[[c.split(".")[0] for c in codes]]
    targets.index = pd.Index(codes.to_numpy())
    return frame, targets
