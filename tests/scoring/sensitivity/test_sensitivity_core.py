"""Normalisation, aggregation and ranking against direct definitions and library results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import gmean, pmean, rankdata

from scoring.sensitivity.aggregate import aggregate
from scoring.sensitivity.normalise import normalise
from scoring.sensitivity.ranking import quantiles, rank_average, rank_desc
from scoring.sensitivity.spec import Aggregation

RNG = np.random.default_rng(7)
X = RNG.uniform(1, 10, size=(3, 12, 5))  # runs, provinces, children
W = RNG.uniform(0.5, 2, size=(3, 5))
M = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)  # children 0-2 | 3-4


def agg(method: str, p: float | None = None) -> np.ndarray:
    return aggregate(X, W, M, Aggregation(method=method, p=p))  # type: ignore[arg-type]


def test_normalisations() -> None:
    lo, hi = np.zeros(5), np.full(5, 20.0)
    np.testing.assert_allclose(normalise(X, "goalposts", lo, hi), 1 + 9 * X / 20)
    mm = normalise(X, "minmax", lo, hi)
    np.testing.assert_allclose(mm.min(axis=1), 1)
    np.testing.assert_allclose(mm.max(axis=1), 10)
    z = normalise(X, "zscore", lo, hi)
    np.testing.assert_allclose(z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1, ddof=1), 1)
    np.testing.assert_array_equal(normalise(X, "rank", lo, hi), rankdata(X, axis=1))


def test_normalisation_ignores_missing_provinces() -> None:
    x = X.copy()
    x[:, 4, 2] = np.nan
    mm = normalise(x, "minmax", np.zeros(5), np.ones(5))
    assert np.isnan(mm[:, 4, 2]).all() and not np.isnan(np.delete(mm, 4, axis=1)).any()
    r = normalise(x, "rank", np.zeros(5), np.ones(5))
    assert np.nanmax(r[:, :, 2]) == 11


def test_aggregations_match_scipy() -> None:
    for g, cols in enumerate(([0, 1, 2], [3, 4])):
        x, w = X[:, :, cols], W[:, None, cols]
        np.testing.assert_allclose(agg("arithmetic")[..., g], (x * w).sum(-1) / w.sum(-1))
        np.testing.assert_allclose(
            agg("geometric")[..., g], gmean(x, axis=-1, weights=np.broadcast_to(w, x.shape))
        )
        np.testing.assert_allclose(
            agg("generalised", 0.5)[..., g],
            pmean(x, 0.5, axis=-1, weights=np.broadcast_to(w, x.shape)),
        )
    np.testing.assert_allclose(agg("generalised", 1.0), agg("arithmetic"))


def test_copeland_against_the_definition() -> None:
    out = agg("copeland")
    for r in range(X.shape[0]):
        for g, cols in enumerate(([0, 1, 2], [3, 4])):
            w = W[r, cols] / W[r, cols].sum()
            x = X[r][:, cols]
            for a in range(X.shape[1]):
                score = 0
                for b in range(X.shape[1]):
                    if a == b:
                        continue
                    o = w[x[a] > x[b]].sum() + 0.5 * w[x[a] == x[b]].sum()
                    score += np.sign(o - 0.5)
                assert out[r, a, g] == score


def test_missing_child_suppresses_only_its_parent_unless_dropped() -> None:
    x = X.copy()
    x[:, 2, 4] = np.nan
    out = aggregate(x, W, M, Aggregation(method="arithmetic"))
    assert np.isnan(out[:, 2, 1]).all() and not np.isnan(out[:, 2, 0]).any()
    w = W.copy()
    w[:, 4] = 0
    out = aggregate(x, w, M, Aggregation(method="geometric"))
    np.testing.assert_allclose(out[:, 2, 1], X[:, 2, 3])


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (4, 5), elements=st.floats(1, 10)),
    arrays(np.float64, (1, 5), elements=st.floats(0.1, 5)),
    st.floats(0.1, 100),
    st.sampled_from(["arithmetic", "geometric", "copeland"]),
)
def test_weights_are_renormalised(x: np.ndarray, w: np.ndarray, c: float, method: str) -> None:
    how = Aggregation(method=method)  # type: ignore[arg-type]
    a = aggregate(x[None], w, M, how)
    b = aggregate(x[None], w * c, M, how)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    if method != "copeland":  # a mean lies between its inputs
        assert np.all(a[0, :, 0] <= x[:, :3].max(axis=1) + 1e-9)
        assert np.all(a[0, :, 0] >= x[:, :3].min(axis=1) - 1e-9)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 9), elements=st.sampled_from([np.nan, 1.0, 2.0, 2.5, 3.0, 7.0])))
def test_ranks_match_scipy_min_method(x: np.ndarray) -> None:
    ours = rank_desc(x, axis=1)
    ref = rankdata(-x, method="min", axis=1, nan_policy="omit")
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(x))
    np.testing.assert_array_equal(ours[~np.isnan(x)], ref[~np.isnan(x)])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 9), elements=st.sampled_from([np.nan, 1.0, 2.0, 2.5, 3.0, 7.0])))
def test_average_ranks_match_scipy(x: np.ndarray) -> None:
    ours = rank_average(x.T, axis=0)  # along a first axis too
    ref = rankdata(x, method="average", axis=1, nan_policy="omit")
    np.testing.assert_array_equal(np.isnan(ours.T), np.isnan(x))
    np.testing.assert_array_equal(ours.T[~np.isnan(x)], ref[~np.isnan(x)])


def test_ranks_without_ties_are_the_sorted_positions() -> None:
    x = RNG.normal(size=(4, 7, 30))  # no tie: the shortcut that skips the tie runs
    np.testing.assert_array_equal(rank_average(x, axis=2), rankdata(x, axis=2))
    np.testing.assert_array_equal(rank_desc(x, axis=1), rankdata(-x, method="min", axis=1))


def test_ranks_tie_through_rounding() -> None:
    a = 0.1 + 0.2
    assert rank_desc(np.array([a, 0.3, 0.1])).tolist() == [1, 1, 3]


@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_quantiles_match_numpy() -> None:
    x = RNG.normal(size=(101, 4, 3))
    x[::3, 1, 2] = np.nan
    x[:, 0, 0] = np.nan
    np.testing.assert_allclose(
        quantiles(x, (0.05, 0.5, 0.95)), np.nanquantile(x, [0.05, 0.5, 0.95], axis=0)
    )
