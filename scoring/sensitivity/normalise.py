"""Normalisations of leaf values, vectorised over runs: arrays ``(runs, provinces, leaves)``.

Definitions follow COINr (Becker et al. 2022, *JOSS* 7(78):4567) and the OECD/JRC
*Handbook on Constructing Composite Indicators* (2008, §5); docs/variance.md, "Composite indicators and sensitivity", lists them:

- ``goalposts``: PAPI's ``1 + 9 (x − L)/(U − L)`` with the fixed theoretical bounds
  (docs/method.md "Arithmetic"), so one province's value never depends on another's;
- ``minmax``: ``(x − min)/(max − min)`` across provinces, mapped onto PAPI's 1–10 range
  (``1 + 9·…``) so that geometric and generalised means stay defined;
- ``zscore``: ``(x − mean)/sd`` across provinces (sd with ``n − 1``);
- ``rank``: the rank across provinces, 1 = lowest, ties averaged (``rankdata``'s
  "average", written with one sort because scipy loops over rows holding a NaN).

The data-driven methods first orient every leaf so that higher is better (a leaf with
goalposts L > U, "lower is better", is negated). Statistics across provinces ignore missing provinces (NaN stays NaN). A leaf that takes one
value in every province carries no information: min–max and z-score give it the midpoint
(5.5, 0) rather than dividing by zero.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scoring.sensitivity.ranking import rank_average
from scoring.sensitivity.spec import Normalisation

FloatArray = NDArray[np.float64]

PROVINCE_AXIS = -2


def normalise(x: FloatArray, method: Normalisation, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Normalise ``x`` (``(..., provinces, leaves)``); ``lo``/``hi``: goalposts per leaf."""
    if method == "goalposts":
        return 1.0 + 9.0 * (x - lo) / (hi - lo)
    x = x * np.sign(hi - lo)  # a reversed indicator (L > U): higher raw values are worse
    if method == "rank":
        return rank_average(x, axis=PROVINCE_AXIS)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            mn = np.nanmin(x, axis=PROVINCE_AXIS, keepdims=True)
            rng = np.nanmax(x, axis=PROVINCE_AXIS, keepdims=True) - mn
            out = 1.0 + 9.0 * (x - mn) / np.where(rng > 0, rng, 1.0)
            return np.where(rng > 0, out, np.where(np.isnan(x), np.nan, 5.5))
        mean = np.nanmean(x, axis=PROVINCE_AXIS, keepdims=True)
        sd = np.nanstd(x, axis=PROVINCE_AXIS, ddof=1, keepdims=True)
        out = (x - mean) / np.where(sd > 0, sd, 1.0)
        return np.where(sd > 0, out, np.where(np.isnan(x), np.nan, 0.0))
