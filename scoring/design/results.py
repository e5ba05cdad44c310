"""Result frames and confidence intervals.

CIs are ``est ± q · se`` with ``q`` the ``t`` quantile on the design degrees of freedom
(PSUs − strata; for a domain, those with positive weight in it) by default
(``ci_dist="t"``), or the normal quantile on request (``ci_dist="normal"``); ``confidence``
is the confidence level (0.95). R's ``confint`` defaults to the normal quantile; ``confint(x,
df=degf(design))`` gives our default (Lumley 2010, sec. 2.3; Korn & Graubard 1999, 5.2).

This module is the one home of "which distribution a CI uses": ``quantile`` gives the CI's
multiplier and ``reference_draws`` draws ``est + se · T`` from the same distribution (``T``
Student t on the same df, or standard normal), so that anything computed from draws (rank
intervals, performance-group probabilities) is as wide as the CIs beside it: the
``(1 ± confidence)/2`` quantiles of the draws are the CI's limits (tests/scoring/design checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from scoring.design.structure import FloatArray
from survey.errors import DesignError
from survey.rng import RngLike, as_generator

CIDist = Literal["t", "normal"]
CI_DISTS: tuple[str, ...] = ("t", "normal")


def check_ci_dist(ci_dist: str) -> None:
    """Refuse a CI distribution other than ``t`` or ``normal``."""
    if ci_dist not in CI_DISTS:
        raise DesignError(
            f"ci_dist={ci_dist!r} is not a CI distribution; expected 't' (Student t on the "
            "design df) or 'normal'."
        )


def check_confidence(confidence: float) -> None:
    """Refuse a confidence level outside (0, 1)."""
    if not 0 < confidence < 1:
        raise DesignError(
            f"confidence={confidence} is not a confidence level; expected 0 < confidence < 1, "
            "e.g. 0.95."
        )


def quantile(confidence: float, df: FloatArray, ci_dist: str) -> FloatArray:
    """Two-sided quantile per domain: t on ``df`` (NaN when df < 1) or normal."""
    check_confidence(confidence)
    check_ci_dist(ci_dist)
    p = 0.5 + confidence / 2
    if ci_dist == "normal":
        return np.full(df.shape, float(stats.norm.ppf(p)))
    safe = np.where(df >= 1, df, 1.0)
    q: FloatArray = np.where(df >= 1, stats.t.ppf(p, safe), np.nan)
    return q


def reference_draws(
    est: FloatArray,
    se: FloatArray,
    df: FloatArray,
    ci_dist: str,
    draws: int,
    rng: RngLike,
    *,
    common_columns: bool = False,
) -> FloatArray:
    """``draws`` values of ``est + se · T`` per cell, shape ``(draws, *est.shape)``.

    ``T`` follows the distribution whose quantile ``quantile(confidence, df, ci_dist)`` gives the
    CIs: Student t on ``df`` (``ci_dist="t"``; ``df`` broadcasts against ``est``, e.g. ``(D, 1)`` for
    one df per domain; an infinite df is the normal limit) or standard normal
    (``ci_dist="normal"``). Cells are drawn independently:
    right for domains that are separate strata. Where ``df < 1`` the CI is undefined (NaN);
    the draws then use one degree of freedom (a Cauchy ``T``), the widest t, rather than
    pretending to know the spread. A NaN ``se`` draws ``est`` itself (NaN ``est`` stays NaN).

    ``common_columns=True`` (``est`` of shape (rows, columns), ``df`` constant along a row):
    one ``T`` per row and draw, shared by the row's columns. Every cell keeps exactly the
    law above and rows stay independent, so any statistic computed column by column (the
    ranks of each code across provinces) has the same distribution as with independent
    cells, from ``columns`` times fewer t variates (the t draws dominated ``score``'s time).
    """
    gen = as_generator(rng)
    if common_columns:
        if est.ndim != 2:
            raise DesignError("common_columns needs est of shape (rows, columns).")
        dfa = np.broadcast_to(np.asarray(df, dtype=np.float64), est.shape)
        if not np.array_equal(dfa, np.broadcast_to(dfa[:, :1], dfa.shape), equal_nan=True):
            raise DesignError("common_columns needs one df per row.")
        one = reference_draws(
            np.zeros((est.shape[0], 1)), np.ones((est.shape[0], 1)), dfa[:, :1], ci_dist, draws, gen
        )
        shared: FloatArray = np.nan_to_num(se)[None] * one
        np.add(est[None], shared, out=shared)  # est + se · T, written in place
        return shared
    check_ci_dist(ci_dist)
    shape = (draws, *est.shape)
    if ci_dist == "normal":
        t = gen.standard_normal(shape)
    else:
        nu = np.broadcast_to(np.where(np.asarray(df) >= 1, df, 1.0), est.shape)
        finite = np.isfinite(nu)  # infinite df (a known, large-sample SE): the normal limit
        t = gen.standard_t(np.broadcast_to(np.where(finite, nu, 1.0), shape))
        if not finite.all():
            t = np.where(np.broadcast_to(finite, shape), t, gen.standard_normal(shape))
    out: FloatArray = est[None] + np.nan_to_num(se)[None] * t
    return out


def frame(
    variables: Sequence[str],
    domains: pd.DataFrame,
    est: FloatArray,
    var: FloatArray,
    df: FloatArray,
    n: FloatArray,
    *,
    confidence: float,
    ci_dist: str,
    statistic: str,
    variance: str,
    deff: FloatArray | None = None,
) -> pd.DataFrame:
    """Long frame, one row per (variable, domain): variable, [by columns], est, se, lci, uci,
    df, n. ``domains`` has one row per domain and one column per ``by`` column (none without
    ``by``); those columns keep their dtype in the result."""
    d, k = est.shape
    se = np.sqrt(np.maximum(var, 0.0))
    q = quantile(confidence, df.astype(np.float64), ci_dist)[:, None]
    cols: dict[str, object] = {"variable": np.repeat(np.asarray(variables, dtype=object), d)}
    repeated = domains.iloc[np.tile(np.arange(d), k)].reset_index(drop=True)
    for name in domains.columns:
        cols[str(name)] = repeated[name]
    cols["est"] = est.T.ravel()
    cols["se"] = se.T.ravel()
    cols["lci"] = (est - q * se).T.ravel()
    cols["uci"] = (est + q * se).T.ravel()
    cols["df"] = np.tile(df.astype(np.float64), k)
    cols["n"] = n.T.ravel().astype(np.int64)
    if deff is not None:
        cols["deff"] = deff.T.ravel()
    out = pd.DataFrame(cols)
    out.attrs.update(
        {"ci_dist": ci_dist, "confidence": confidence, "statistic": statistic, "variance": variance}
    )
    return out
