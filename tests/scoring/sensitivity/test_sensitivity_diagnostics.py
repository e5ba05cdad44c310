"""Cronbach's alpha, PCA and correlation flags against direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.sensitivity import cronbach_alpha, diagnostics, published_input
from survey.published import subdimensions

RNG = np.random.default_rng(3)
LATENT = RNG.normal(size=(300, 1))
ITEMS = LATENT + RNG.normal(scale=[0.5, 1.0, 1.5, 2.0], size=(300, 4))


def alpha_textbook(x: np.ndarray) -> float:
    """k/(k−1) (1 − Σ var_j / var(Σ_j x_j)) on complete data (Cronbach 1951)."""
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_alpha_matches_the_textbook_formula() -> None:
    assert cronbach_alpha(ITEMS) == pytest.approx(alpha_textbook(ITEMS), rel=1e-12)
    # parallel items with unit error variance: alpha = k ρ / (1 + (k − 1) ρ), ρ = 1/2
    big = np.random.default_rng(1).normal(size=(200_000, 1))
    par = big + np.random.default_rng(2).normal(size=(200_000, 3))
    assert cronbach_alpha(par) == pytest.approx(3 * 0.5 / (1 + 2 * 0.5), abs=0.01)
    assert np.isnan(cronbach_alpha(ITEMS[:, :1]))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=300, max_size=300), st.floats(0.01, 1000))
def test_weights_act_as_frequencies_and_scale_out(counts: list[int], c: float) -> None:
    w = np.asarray(counts, dtype=float)
    expanded = np.repeat(ITEMS, counts, axis=0)
    weighted = cronbach_alpha(ITEMS, w)
    # integer weights = repeated rows (the n − 1 divisors cancel in the ratio)
    assert weighted == pytest.approx(alpha_textbook(expanded), abs=1e-9)
    assert cronbach_alpha(ITEMS, w * c) == pytest.approx(weighted, rel=1e-9)


def test_alpha_uses_pairwise_complete_items() -> None:
    x = ITEMS.copy()
    x[:100, 3] = np.nan  # not eligible for the last item
    a = cronbach_alpha(x)
    assert np.isfinite(a) and abs(a - alpha_textbook(ITEMS)) < 0.1
    assert cronbach_alpha(x[100:]) == pytest.approx(alpha_textbook(ITEMS[100:]), rel=1e-12)


def test_published_2023_diagnostics() -> None:
    sub = subdimensions(2023)
    data = published_input(sub)
    res = diagnostics(data)
    s = sub.set_index("province").dropna()
    for d in ("D1", "D3", "D6"):
        cols = [c for c in s.columns if c[2] == d[1]]
        row = res.alpha.set_index("code").loc[d]
        # alpha is scale-free: S = sub * k and sub give the same value
        assert row["alpha"] == pytest.approx(cronbach_alpha(s[cols].to_numpy()), rel=1e-10)
        assert row["k"] == len(cols) and row["n"] == 61
    pca = res.pca.set_index("dimension")
    for d, row in pca.iterrows():
        assert sum(row["variance_explained"]) == pytest.approx(1)
        assert row["variance_explained"] == sorted(row["variance_explained"], reverse=True)
        loads = np.array(list(row["pc1_loadings"].values()))
        assert row["loadings_same_sign"] == bool((loads > 0).all() or (loads < 0).all()), d
    r = s.corr()
    for d in (f"D{i}" for i in range(1, 9)):
        cols = [c for c in s.columns if c[2] == d[1]]
        block = r.loc[cols, cols].to_numpy()
        expected = int(((block > 0.9) | (block < 0))[np.triu_indices(len(cols), 1)].sum())
        assert (res.flags["dimension"] == d).sum() == expected
    flagged = res.flags.set_index(["a", "b"])
    for (a, b), row in flagged.iterrows():
        assert row["r"] == pytest.approx(r.loc[a, b])
        assert row["flag"] == ("negative" if row["r"] < 0 else "too_high")


def test_pca_detects_a_contrary_leaf() -> None:
    frame = pd.DataFrame({"province": [f"P{i:02d}" for i in range(1, 41)]})
    z = np.random.default_rng(5).normal(size=40)
    noise = np.random.default_rng(6).normal(scale=0.3, size=(40, 3))
    for j, code in enumerate(("SC11", "SC12", "SC13")):
        sign = -1 if code == "SC13" else 1
        frame[code] = (2 + sign * z + noise[:, j]) / 3 + 1
    for d in range(2, 9):
        frame[f"SC{d}1"] = np.random.default_rng(d).uniform(1, 10, 40)
    res = diagnostics(published_input(frame))
    assert not res.pca.set_index("dimension").loc["D1", "loadings_same_sign"]
    neg = res.flags[res.flags["flag"] == "negative"]
    assert {("SC11", "SC13"), ("SC12", "SC13")} <= set(zip(neg["a"], neg["b"], strict=True))
