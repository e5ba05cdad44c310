"""Hypothesis properties of score(): scales, permutation invariance, CI order, monotonicity."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import score
from scoring.index.levels import AggregationWeights, propagate
from scoring.index.structure import IndexStructure
from survey import load_questionnaire
from survey.questionnaire.schema import Questionnaire
from tests.scoring.index.simdata import simulate_responses

MINI = Path(__file__).resolve().parent / "fixtures" / "index-mini.yaml"
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _q() -> Questionnaire:
    return load_questionnaire(MINI)


@cache
def _data(seed: int) -> pd.DataFrame:
    return simulate_responses(_q(), provinces=4, districts=3, villages=2, per_village=6, rng=seed)


def _scales(tier: str, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    if tier == "subdimensions":
        k = frame.groupby("dimension")["subdimension"].transform("nunique")
        return 1 / k, 10 / k
    if tier == "dimensions":
        return pd.Series(1.0, index=frame.index), pd.Series(10.0, index=frame.index)
    n_dims = 2
    return pd.Series(1.0 * n_dims, index=frame.index), pd.Series(10.0 * n_dims, index=frame.index)


@SETTINGS
@given(
    seed=st.integers(0, 50),
    weighted=st.booleans(),
    variance=st.sampled_from(["taylor", "bootstrap"]),
)
def test_scores_stay_in_scale_and_ci_brackets_the_estimate(
    seed: int, weighted: bool, variance: str
) -> None:
    s = score(
        _data(seed), _q(), weighted=weighted, variance=variance, replicates=100, rng=seed, min_n=1
    )
    for tier in ("subdimensions", "dimensions", "composite"):
        frame = s.tier(tier)
        low, high = _scales(tier, frame)
        ok = frame["est"].notna()
        assert (frame.loc[ok, "est"] >= low[ok] - 1e-12).all()
        assert (frame.loc[ok, "est"] <= high[ok] + 1e-12).all()
    long = s.to_frame().dropna(subset=["se"])
    assert (long["lci"] <= long["est"]).all() and (long["est"] <= long["uci"]).all()
    ranked = long.dropna(subset=["rank_lci"])
    assert (ranked["rank_lci"] <= ranked["rank_uci"]).all()


@SETTINGS
@given(seed=st.integers(0, 50), perm_seed=st.integers(0, 2**16))
def test_permuting_respondents_changes_nothing(seed: int, perm_seed: int) -> None:
    data = _data(seed)
    order = np.random.default_rng(perm_seed).permutation(len(data))
    a = score(data, _q(), min_n=1).to_frame()
    b = score(data.iloc[order], _q(), min_n=1).to_frame()
    cols = ["est", "se", "lci", "uci", "df", "n", "rank"]
    pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=False, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(
    x=st.lists(st.floats(0, 1), min_size=6, max_size=6),
    k=st.integers(0, 5),
    delta=st.floats(0, 1),
)
def test_raising_one_indicator_never_lowers_the_aggregate(
    x: list[float], k: int, delta: float
) -> None:
    """'Raising' = moving the indicator toward its best goalpost U (reversed indicators
    go down in their own units)."""
    structure = IndexStructure.from_questionnaire(_q())
    low = np.array([g[0] for g in structure.goalposts])
    high = np.array([g[1] for g in structure.goalposts])
    values = low + np.array(x) * (high - low)
    better = values.copy()
    better[k] = values[k] + delta * (high[k] - values[k])
    weights = AggregationWeights.from_available(np.ones((1, 6), dtype=bool), structure)
    before = propagate(values[None], structure, weights)
    after = propagate(better[None], structure, weights)
    assert after.agg[0, 0] >= before.agg[0, 0] - 1e-12
    assert (after.dim >= before.dim - 1e-12).all() and (after.sub >= before.sub - 1e-12).all()


@SETTINGS
@given(seed=st.integers(0, 50), share=st.floats(0.05, 0.5))
def test_better_answers_never_lower_a_province_aggregate(seed: int, share: float) -> None:
    """End to end: turn some 'no clean water' answers (q202 = 0) into 'yes'."""
    data = _data(seed)
    flip = (data["q202"] == 0) & (np.random.default_rng(seed).random(len(data)) < share)
    better = data.assign(q202=np.where(flip, 1.0, data["q202"]))
    a = score(data, _q(), min_n=1).composite.set_index("province")["est"]
    b = score(better, _q(), min_n=1).composite.set_index("province")["est"]
    assert (b >= a - 1e-12).all()
