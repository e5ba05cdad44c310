"""Confidence intervals: ``est ± q · se`` everywhere, Korn–Graubard for share indicators.

Wald intervals of a proportion fail near 0 and 1: a province where none of the 15 eligible
respondents reports a written reply has ``p = 0`` and ``se = 0``, so a zero-width interval
(simulated coverage of such cells was about 50%). For ``share`` indicators we use the
Korn & Graubard (1998) interval, exactly as R's ``svyciprop(method = "beta")``:
Clopper–Pearson limits on the effective sample size ``n* = p (1 − p) / v``, rescaled by
``(t_{n−1} / t_df)²`` for the design degrees of freedom,

    lower = Beta⁻¹(α/2; n* p, n* (1 − p) + 1),   upper = Beta⁻¹(1 − α/2; n* p + 1, n* (1 − p)).

Where R's ``n*`` is undefined (``v = 0``, e.g. ``p`` = 0 or 1, or all PSU totals equal) we
use the number of respondents with a value (a design effect of 1), as Korn & Graubard recommend, which gives
the exact binomial interval. Sub-dimensions and higher levels are sums of many indicators:
``est ± t_df · se``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


def _t_quantile(q: float, df: FloatArray) -> FloatArray:
    """``stats.t.ppf(q, df)`` computed once per distinct df (counts and design df repeat)."""
    values, inverse = np.unique(np.asarray(df, dtype=np.float64), return_inverse=True)
    out: FloatArray = np.asarray(stats.t.ppf(q, values), dtype=np.float64)[inverse]
    return out.reshape(np.shape(df))


def korn_graubard(
    p: FloatArray, var: FloatArray, n: FloatArray, df: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Korn–Graubard (R ``svyciprop(method="beta")``) limits; arrays broadcast together."""
    alpha = 1.0 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        # v = 0 (or rounding noise around 0, n* beyond 1e10): no design effect to estimate
        defined = var > 1e-10 * p * (1.0 - p)
        n_eff = np.where(defined, p * (1.0 - p) / var, n)
        t_n = _t_quantile(alpha / 2, np.maximum(n - 1, 1))
        t_df = _t_quantile(alpha / 2, np.maximum(df, 1))
        n_eff = n_eff * (t_n / t_df) ** 2
        ok = np.broadcast_to(~np.isnan(p) & (n > 0), n_eff.shape)
        pp = np.broadcast_to(p, n_eff.shape)
        # the beta quantiles (the costly part) only where a limit uses them
        lower = _beta_ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1, ok & (pp > 0))
        upper = _beta_ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p), ok & (pp < 1))
    lower = np.where(p <= 0, 0.0, np.minimum(lower, p))
    upper = np.where(p >= 1, 1.0, np.maximum(upper, p))
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def _beta_ppf(q: float, a: FloatArray, b: FloatArray, cells: NDArray[np.bool_]) -> FloatArray:
    """``stats.beta.ppf(q, a, b)`` on ``cells``, NaN elsewhere."""
    out: FloatArray = np.full(cells.shape, np.nan)
    out[cells] = stats.beta.ppf(q, a[cells], b[cells])
    return out
