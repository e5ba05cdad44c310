"""One rule for the distribution behind a CI: ``quantile`` (the CI's multiplier) and
``reference_draws`` (the draws behind rank intervals and group probabilities) must agree.

If they drift apart (e.g. draws normal while CIs use Student t on 2 df, the old behaviour),
rank intervals become narrower than the CIs they sit beside (docs/variance.md, "Degrees of freedom and intervals")."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.design.results import quantile, reference_draws
from survey.errors import DesignError


@pytest.mark.parametrize("ci", ["t", "normal"])
def test_draw_quantiles_are_the_ci_limits(ci: str) -> None:
    est = np.array([[40.0, 5.0], [38.0, 6.0], [45.0, 7.0], [41.0, 5.5]])
    se = np.array([[1.0, 0.2], [0.5, 0.3], [2.0, 0.1], [0.8, 0.4]])
    df = np.array([2.0, 5.0, 30.0, 1.0])
    draws = reference_draws(est, se, df[:, None], ci, 400_000, np.random.default_rng(1))
    q = quantile(0.95, df, ci)[:, None]
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    # MC error of a tail quantile of 4e5 draws: about 1% of the half-width on 1 df (Cauchy)
    np.testing.assert_allclose((high - est) / se, q * np.ones_like(se), rtol=0.03)
    np.testing.assert_allclose((est - low) / se, q * np.ones_like(se), rtol=0.03)


def test_t_draws_are_wider_than_normal_ones_on_few_df() -> None:
    """The old normal draws would fail the agreement above on 2 df: 1.96 vs 4.30."""
    est, se, df = np.zeros((1, 1)), np.ones((1, 1)), np.full((1, 1), 2.0)
    t = reference_draws(est, se, df, "t", 200_000, 0)
    z = reference_draws(est, se, df, "normal", 200_000, 0)
    assert np.quantile(t, 0.975) == pytest.approx(4.30, rel=0.03)
    assert np.quantile(z, 0.975) == pytest.approx(1.96, rel=0.03)


def test_missing_se_and_undefined_df() -> None:
    est = np.array([[1.0], [np.nan], [3.0]])
    se = np.array([[np.nan], [np.nan], [1.0]])
    df = np.array([[4.0], [4.0], [0.0]])
    d = reference_draws(est, se, df, "t", 1000, 2)
    assert (d[:, 0, 0] == 1.0).all() and np.isnan(d[:, 1, 0]).all()
    assert np.isfinite(d[:, 2, 0]).all() and np.isnan(quantile(0.95, df[:, 0], "t")[2])
    with pytest.raises(DesignError, match="CI distribution"):
        reference_draws(est, se, df, "z", 10, 0)


def test_common_columns_keep_every_cells_law_and_independent_rows() -> None:
    """score() draws one T per province shared by its codes (ranks are computed code by
    code, so only each cell's law and the rows' independence matter)."""
    est = np.array([[40.0, 5.0, 1.0], [38.0, 6.0, 2.0], [45.0, 7.0, 3.0]])
    se = np.array([[1.0, 0.2, 0.5], [0.5, 0.3, 1.0], [2.0, 0.1, 0.2]])
    df = np.array([2.0, 5.0, 1.0])
    draws = reference_draws(est, se, df[:, None], "t", 400_000, 1, common_columns=True)
    assert draws.shape == (400_000, 3, 3)
    q = quantile(0.95, df, "t")[:, None]
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    np.testing.assert_allclose((high - est) / se, q * np.ones_like(se), rtol=0.03)
    np.testing.assert_allclose((est - low) / se, q * np.ones_like(se), rtol=0.03)
    t = (draws - est) / se
    np.testing.assert_allclose(t[:, :, 0], t[:, :, 2])  # one T per row
    sign = np.sign(t[:, :, 0])  # rows independent (signs: the t on 1 df has no variance)
    assert abs(np.corrcoef(sign.T)[0, 1]) < 0.01 and abs(np.corrcoef(sign.T)[1, 2]) < 0.01
    with pytest.raises(DesignError, match="one df per row"):
        reference_draws(est, se, np.array([[2.0, 3.0, 2.0]] * 3), "t", 10, 0, common_columns=True)
