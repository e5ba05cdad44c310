"""Result frames and confidence intervals.

CIs are ``est ± q · se`` with ``q`` the ``t`` quantile on the design degrees of freedom
(PSUs − strata; for a domain, those with positive weight in it) by default, or the normal
quantile on request. R's ``confint`` defaults to the normal quantile; ``confint(x,
df=degf(design))`` gives our default (Lumley 2010, sec. 2.3; Korn & Graubard 1999, 5.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from scoring.design.structure import FloatArray
from survey.errors import DesignError

CIMethod = Literal["t", "normal"]


def quantile(level: float, df: FloatArray, ci: str) -> FloatArray:
    """Two-sided quantile per domain: t on ``df`` (NaN when df < 1) or normal."""
    if not 0 < level < 1:
        raise DesignError(f"level={level} is not a confidence level; expected 0 < level < 1.")
    p = 0.5 + level / 2
    if ci == "normal":
        return np.full(df.shape, float(stats.norm.ppf(p)))
    if ci != "t":
        raise DesignError(f"ci={ci!r} is not a CI method; expected 't' or 'normal'.")
    safe = np.where(df >= 1, df, 1.0)
    q: FloatArray = np.where(df >= 1, stats.t.ppf(p, safe), np.nan)
    return q


def frame(
    variables: Sequence[str],
    by: str | None,
    labels: Sequence[str],
    est: FloatArray,
    var: FloatArray,
    df: FloatArray,
    n: FloatArray,
    *,
    level: float,
    ci: str,
    statistic: str,
    variance: str,
    deff: FloatArray | None = None,
) -> pd.DataFrame:
    """Long frame, one row per (variable, domain): variable, [by], est, se, lci, uci, df, n."""
    d, k = est.shape
    se = np.sqrt(np.maximum(var, 0.0))
    q = quantile(level, df.astype(np.float64), ci)[:, None]
    cols: dict[str, object] = {"variable": np.repeat(np.asarray(variables, dtype=object), d)}
    if by is not None:
        cols[by] = np.tile(np.asarray(labels, dtype=object), k)
    cols["est"] = est.T.ravel()
    cols["se"] = se.T.ravel()
    cols["lci"] = (est - q * se).T.ravel()
    cols["uci"] = (est + q * se).T.ravel()
    cols["df"] = np.tile(df.astype(np.float64), k)
    cols["n"] = n.T.ravel().astype(np.int64)
    if deff is not None:
        cols["deff"] = deff.T.ravel()
    out = pd.DataFrame(cols)
    out.attrs.update({"ci": ci, "level": level, "statistic": statistic, "variance": variance})
    return out
