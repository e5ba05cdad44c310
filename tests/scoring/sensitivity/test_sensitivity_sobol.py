"""Our Sobol' wrapper against analytic indices (Ishigami; additive models)."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.sensitivity.aggregate import aggregate
from scoring.sensitivity.sobol import sobol_indices
from scoring.sensitivity.spec import Aggregation
from survey.errors import ScoringError

# Ishigami & Homma (1990), a = 7, b = 0.1 (Saltelli et al. 2008, Primer §4.7 / SALib docs)
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami() -> None:
    res = sobol_indices(
        ishigami, ["x1", "x2", "x3"], n=2**13, bounds=[(-np.pi, np.pi)] * 3, rng=11
    ).indices("y0")
    np.testing.assert_allclose(res["S1"], ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(res["ST"], ISHIGAMI_ST, atol=0.03)
    # the bootstrap CIs bracket the estimates and are narrow at this sample size
    assert np.all(res["S1_lci"] <= res["S1"]) and np.all(res["ST"] <= res["ST_uci"])
    assert np.all(res["ST_uci"] - res["ST_lci"] < 0.1)


def test_additive_model() -> None:
    """Σ c_j X_j with X_j ~ U(a_j, b_j): S_j = S_Tj = c_j² Var X_j / Σ c_k² Var X_k."""
    c = np.array([1.0, -2.0, 0.5, 3.0])
    bounds = [(0.0, 1.0), (0.0, 2.0), (-1.0, 3.0), (0.0, 0.5)]
    var = np.array([(b - a) ** 2 / 12 for a, b in bounds])
    expect = c**2 * var / np.sum(c**2 * var)
    res = sobol_indices(
        lambda x: x @ c, ["a", "b", "c", "d"], n=2**12, bounds=bounds, rng=3
    ).indices("y0")
    np.testing.assert_allclose(res["S1"], expect, atol=0.02)
    np.testing.assert_allclose(res["ST"], expect, atol=0.02)


def test_additive_composite_through_our_aggregator() -> None:
    """A weighted arithmetic composite of uncertain indicators is additive with
    c_j = w_j / Σ w: the indices follow c_j² Var_j / Σ c² Var."""
    w = np.array([1.0, 2.0, 3.0, 0.5])
    bounds = [(1.0, 10.0), (2.0, 4.0), (1.0, 3.0), (0.0, 10.0)]
    m = np.ones((4, 1))

    def composite(x: np.ndarray) -> np.ndarray:
        return aggregate(x[None], w[None], m, Aggregation(method="arithmetic"))[0, :, 0]

    c = w / w.sum()
    var = np.array([(b - a) ** 2 / 12 for a, b in bounds])
    expect = c**2 * var / np.sum(c**2 * var)
    res = sobol_indices(composite, list("abcd"), n=2**12, bounds=bounds, rng=5).indices("y0")
    np.testing.assert_allclose(res["S1"], expect, atol=0.02)
    np.testing.assert_allclose(res["ST"], expect, atol=0.02)


def test_groups_and_constant_outputs() -> None:
    """Grouped columns form one factor; an output that never varies gets NaN indices."""

    def model(x: np.ndarray) -> np.ndarray:
        return np.column_stack([x[:, 0] + x[:, 1] + 2 * x[:, 2], np.ones(len(x))])

    res = sobol_indices(
        model, ["a", "b", "c"], n=2**11, groups=["g", "g", "c"], outputs=["y", "flat"], rng=1
    )
    y = res.indices("y")
    assert list(y.index) == ["g", "c"]
    np.testing.assert_allclose(y["S1"], [2 / 6, 4 / 6], atol=0.03)
    assert res.indices("flat")["S1"].isna().all()
    assert res.n_runs == 2**11 * (2 + 2)


def test_reproducible() -> None:
    a = sobol_indices(ishigami, ["x1", "x2", "x3"], n=256, bounds=[(-np.pi, np.pi)] * 3, rng=9)
    b = sobol_indices(ishigami, ["x1", "x2", "x3"], n=256, bounds=[(-np.pi, np.pi)] * 3, rng=9)
    c = sobol_indices(ishigami, ["x1", "x2", "x3"], n=256, bounds=[(-np.pi, np.pi)] * 3, rng=10)
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)


def test_base_sample_must_be_a_power_of_two() -> None:
    with pytest.raises(ScoringError, match="power of 2"):
        sobol_indices(ishigami, ["x1", "x2", "x3"], n=1000)
