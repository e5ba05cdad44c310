"""Empirical-Bayes draws behind the performance-group probabilities (uncertainty.py).

The draws are the normal–normal posterior of each province's true score given every
province's estimate and SE: shrunk towards the mean by ``B = τ²/(τ² + se²)`` with variance
``B se²``; ``est + se · T`` again when the provinces lie far apart; NaN rows stay out.
"""

from __future__ import annotations

import numpy as np
import pytest

from scoring.design.results import reference_draws
from scoring.index.uncertainty import between_variance, posterior_draws
from survey.errors import DesignError


def test_between_variance_is_the_moment_estimate() -> None:
    est = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0], [np.nan, 5.0]])
    se = np.array([[0.5, 1.0], [0.5, 1.0], [1.0, 1.0], [9.0, 1.0]])
    tau2 = between_variance(est, se)
    want = np.var([1.0, 2.0, 4.0], ddof=1) - np.mean([0.25, 0.25, 1.0])  # NaN row left out
    assert tau2[0] == pytest.approx(want)
    assert 0 < tau2[1] < 1e-5  # no spread beyond the noise: floored, not 0 or negative


def test_posterior_is_the_normal_normal_one() -> None:
    """Many provinces (τ² and μ known almost exactly), normal sampling errors: mean and
    variance of each province's draws are the textbook shrinkage formulas."""
    gen = np.random.default_rng(3)
    p = 3000
    truth = gen.normal(50.0, 2.0, p)
    se = np.where(np.arange(p) % 2 == 0, 1.0, 3.0)
    est = truth + se * gen.standard_normal(p)
    draws = posterior_draws(est[:, None], se[:, None], np.full(p, np.inf), "normal", 3000, 1)
    tau2 = np.var(est, ddof=1) - np.mean(se**2)
    assert tau2 == pytest.approx(4.0, rel=0.1)
    b = tau2 / (tau2 + se**2)
    mu = np.sum(est / (tau2 + se**2)) / np.sum(1 / (tau2 + se**2))
    rows = [0, 1, 2, 3]
    got_mean = draws[:, rows, 0].mean(axis=0)
    got_var = draws[:, rows, 0].var(axis=0)
    np.testing.assert_allclose(got_mean, (mu + b * (est - mu))[rows], atol=0.1)
    np.testing.assert_allclose(got_var, (b * se**2)[rows], rtol=0.08)
    assert np.all(b[rows] < 0.9)  # the test has power: shrinkage is far from none


def test_far_apart_provinces_draw_as_the_cis() -> None:
    """When the provinces differ far more than their SEs, the posterior is the CI's own
    distribution on the moderated SEs (est + se · T, t on the moderated df): same
    quantiles."""
    from scoring.index.uncertainty import moderated_variance

    est = np.array([[0.0], [1000.0], [2000.0], [3000.0], [4000.0], [np.nan]])
    se = np.array([[1.0], [4.0], [0.2], [0.5], [9.0], [1.0]])
    df = np.array([2.0, 2.0, 4.0, 10.0, np.inf, 2.0])
    post = posterior_draws(est, se, df, "t", 200_000, 5)
    se_m, df_m = moderated_variance(se, df[:, None])
    ref = reference_draws(est, se_m, df_m, "t", 200_000, 6)
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    scaled = [(np.quantile(d[:, :5, 0], q, axis=0) - est[:5, 0]) / se_m[:5, 0] for d in (post, ref)]
    np.testing.assert_allclose(scaled[0], scaled[1], atol=0.05)
    assert np.isnan(post[:, 5]).all()


def test_posterior_draws_refuse_bad_input() -> None:
    est, se = np.zeros((3, 2)), np.ones((3, 2))
    with pytest.raises(DesignError, match="CI distribution"):
        posterior_draws(est, se, np.full(3, 2.0), "z", 10, 0)
    with pytest.raises(DesignError, match="one value per row"):
        posterior_draws(est, se, np.full(2, 2.0), "t", 10, 0)


def _limma(se: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """limma's squeezeVar by moments, written out with a root finder (the reference)."""
    from scipy import optimize, special

    z = np.log(se**2) - special.digamma(df / 2) + np.log(df / 2)
    excess = z.var(ddof=1) - special.polygamma(1, df / 2).mean()
    d0 = 2 * optimize.brentq(lambda x: special.polygamma(1, x) - excess, 1e-3, 1e6)
    s0 = np.exp(z.mean() + special.digamma(d0 / 2) - np.log(d0 / 2))
    return np.sqrt((d0 * s0 + df * se**2) / (d0 + df)), df + d0


def test_moderated_variance_is_limmas() -> None:
    """Variances that differ beyond their sampling noise: limma's prior df and posterior
    variances; variances that do not: pooled (prior df at the cap); NaN rows kept."""
    from scoring.index.uncertainty import MAX_PRIOR_DF, moderated_variance

    gen = np.random.default_rng(1)
    true_sd = np.exp(gen.normal(0, 1, 21))
    df = np.where(np.arange(21) < 3, 5.0, 2.0)
    se = np.stack([true_sd, np.ones(21)], axis=1) * np.sqrt(
        gen.chisquare(df[:, None]) / df[:, None]
    )
    se[:, 1] = 1.0  # equal SEs: nothing beyond the noise
    se = np.vstack([se, [np.nan, np.nan]])
    df = np.append(df, 2.0)
    got_se, got_df = moderated_variance(se, np.broadcast_to(df[:, None], se.shape))
    want_se, want_df = _limma(se[:21, 0], df[:21])
    np.testing.assert_allclose(got_se[:21, 0], want_se, rtol=1e-9)
    np.testing.assert_allclose(got_df[:21, 0], want_df, rtol=1e-9)
    assert 0 < want_df[5] - 2 < 50  # a finite prior: the test has power
    np.testing.assert_allclose(got_df[:21, 1], df[:21] + MAX_PRIOR_DF)
    assert np.isnan(got_se[21]).all()
