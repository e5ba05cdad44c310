"""Helpers shared by the simulator tests (a uniquely named module: tests/survey has its own
conftest.py, so ``from conftest import`` would be ambiguous)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import IndexScores
from survey.published import subdimensions
from survey.sampling import Frame, load_frame
from survey.simulate import SimulatedSurvey


def replicated(provinces: list[str], copies: int, year: int) -> tuple[Frame, pd.DataFrame]:
    """A frame of ``copies`` independent copies of some provinces, and their targets."""
    frame = load_frame().subset(provinces).replicated(copies)
    published = subdimensions(year).set_index("province")
    codes = frame.provinces["province"]
    targets = published.loc[[c.split(".")[0] for c in codes]]
    targets.index = pd.Index(codes.to_numpy())
    return frame, targets


def replicated_pilot(district: str, copies: int, year: int) -> tuple[Frame, pd.DataFrame]:
    """``copies`` independent pilots of one district (``Frame.pilot``, then copies), each the
    only district of its province copy, and the targets of the district's province."""
    frame = load_frame().pilot(district).replicated(copies)
    published = subdimensions(year).set_index("province")
    codes = frame.provinces["province"]
    targets = published.loc[[c.split(".")[0] for c in codes]]
    targets.index = pd.Index(codes.to_numpy())
    return frame, targets


TIERS = {"subdimensions": "subdimension", "dimensions": "dimension", "composite": None}


def covered(
    sim: SimulatedSurvey, scores: IndexScores, level: str = "province"
) -> dict[str, np.ndarray]:
    """For each tier, whether each province's CI covers the truth of ``level`` (NaN where the
    province has no estimate). ``level="district"`` suits pilots: one district per province,
    whose expected score, not the province's, is what a pilot estimates."""
    truth = sim.truth_at(level).set_index(["province", "code"])["value"]
    if truth.index.has_duplicates:
        raise ValueError(f"more than one {level} per province: its truth is not one number")
    out = {}
    for tier, key in TIERS.items():
        t = getattr(scores, tier)
        t = t.loc[t["province"].isin(sim.responses["province"].unique())]
        codes = t[key] if key else pd.Series("PAPI", index=t.index)
        want = truth.reindex(pd.MultiIndex.from_arrays([t["province"], codes])).to_numpy()
        assert not np.isnan(want).any()
        ok = (t["lci"].to_numpy() <= want) & (want <= t["uci"].to_numpy())
        out[tier] = np.where(t["est"].isna().to_numpy(), np.nan, ok)
    return out
