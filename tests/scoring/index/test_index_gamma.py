"""gamma_shared: every cell exactly Γ(α), cells of different rows independent, the candidates
shared along the codes axis (scoring/index/gamma.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scoring.index.gamma import GammaShapes, gamma_shared

# below 1 (standard_gamma's own method), exactly 1, small, the moderated df of a
# three-district province, and the prior df's cap
SHAPES = np.array([0.5, 0.8, 1.0, 1.3, 2.0, 3.5, 12.0, 501.0, 2.5e4])


@pytest.fixture(scope="module")
def draws() -> np.ndarray:
    # codes × rows, Fortran order as the posterior model's transposed shapes come
    shape = np.asfortranarray(np.vstack([SHAPES, SHAPES[::-1], np.roll(SHAPES, 3)]))
    return gamma_shared(np.random.default_rng(11), GammaShapes.of(shape), 60_000)


def _cells() -> list[tuple[int, int, float]]:
    rows = [SHAPES, SHAPES[::-1], np.roll(SHAPES, 3)]
    return [(c, p, float(rows[c][p])) for c in range(3) for p in range(SHAPES.size)]


@pytest.mark.parametrize(("code", "row", "alpha"), _cells())
def test_each_cell_is_gamma_of_its_shape(
    draws: np.ndarray, code: int, row: int, alpha: float
) -> None:
    x = draws[:, code, row]
    assert np.isfinite(x).all() and (x > 0).all()
    # a wrong acceptance test or a lost rejection moves these far beyond chance
    assert stats.kstest(x, stats.gamma(alpha).cdf).pvalue > 1e-4
    se_mean = np.sqrt(alpha / x.size)
    assert abs(x.mean() - alpha) < 5 * se_mean
    assert abs(x.var() / alpha - 1) < 5 * np.sqrt(2 / x.size) * (1 + 3 / alpha) ** 0.5


def test_rows_are_independent_and_codes_share_candidates(draws: np.ndarray) -> None:
    # rows: independent (what the per-code rank histograms need)
    a, b = draws[:, 0, 4], draws[:, 0, 5]
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / np.sqrt(a.size)
    # codes: the same candidates, so cells of one row and similar shapes move together
    shared = gamma_shared(
        np.random.default_rng(5), GammaShapes.of(np.array([[501.0, 501.0], [700.0, 700.0]])), 5000
    )
    assert np.corrcoef(shared[:, 0, 0], shared[:, 1, 0])[0, 1] > 0.99
    assert abs(np.corrcoef(shared[:, 0, 0], shared[:, 1, 1])[0, 1]) < 4 / np.sqrt(5000)
    # draws are independent of each other
    assert abs(np.corrcoef(draws[:-1, 0, 6], draws[1:, 0, 6])[0, 1]) < 4 / np.sqrt(a.size)


def test_same_generator_state_same_draws() -> None:
    shapes = GammaShapes.of(np.full((4, 7), 2.5))
    one = gamma_shared(np.random.default_rng(3), shapes, 50)
    two = gamma_shared(np.random.default_rng(3), shapes, 50)
    assert one.shape == (50, 4, 7) and one.flags.c_contiguous
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("bad", [np.array([[1.0, 0.0]]), np.array([[np.nan, 2.0]]), np.ones(3)])
def test_bad_shapes_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="shape"):
        GammaShapes.of(bad)
