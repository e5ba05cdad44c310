"""Ranks and PAPI performance groups, vectorised over provinces, codes and replicates.

Rule (papi-method.md §2, checked on every published province-year 2018–2024): among the
*scored* provinces (a missing value takes no rank and no group), P25, P50 and P75 by linear
interpolation (numpy's default percentile, Hyndman & Fan type 7), then

    high          x > P75
    high-average  P50 <= x <= P75
    low-average   P25 <= x < P50
    low           x < P25

Ranks: 1 = best (the highest score); ties share the lower rank (``rankdata(method="min")``).

Every function takes an array whose **province axis** is ``axis`` (default -2, so that
``(provinces, codes)`` and ``(replicates, provinces, codes)`` both work) and computes the
statistic independently for every other index.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

GROUP_LABELS: tuple[str, str, str, str] = ("high", "high-average", "low-average", "low")
"""Performance group labels, best first; group codes index this tuple (-1 = no group)."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def ranks(values: FloatArray, axis: int = -2) -> FloatArray:
    """Rank 1 = highest along ``axis``; ties share the lower rank; NaN stays NaN (unranked)."""
    x = np.asarray(values, dtype=np.float64)
    if x.shape[axis] == 0:
        return x.copy()
    out = rankdata(-x, method="min", axis=axis, nan_policy="omit")
    return np.asarray(out, dtype=np.float64)


def group_codes(values: FloatArray, axis: int = -2) -> IntArray:
    """Performance group code (0 high … 3 low, -1 for a missing value) along ``axis``."""
    x = np.asarray(values, dtype=np.float64)
    codes = np.full(x.shape, -1, dtype=np.int64)
    if x.shape[axis] == 0:
        return codes
    scored = ~np.isnan(x)
    p25, p50, p75 = (_percentile(x, q, axis) for q in (0.25, 0.50, 0.75))
    codes = np.where(x < p50, np.where(x < p25, 3, 2), np.where(x > p75, 0, 1))
    return np.where(scored, codes, -1).astype(np.int64)


def _percentile(x: FloatArray, q: float, axis: int) -> FloatArray:
    """Type-7 (linear) percentile over the non-missing values along ``axis``, keepdims.

    Written out (sort + interpolate) rather than ``np.nanpercentile``, which falls back to a
    Python loop over slices as soon as one value is NaN (replicate arrays have many slices).
    """
    xs = np.sort(x, axis=axis)  # NaN sort last
    n = (~np.isnan(x)).sum(axis=axis, keepdims=True)
    h = (n - 1) * q
    lo = np.clip(np.floor(h), 0, None).astype(np.int64)
    hi = np.clip(np.ceil(h), 0, None).astype(np.int64)
    v_lo = np.take_along_axis(xs, lo, axis=axis)
    v_hi = np.take_along_axis(xs, hi, axis=axis)
    out = v_lo + (h - lo) * (v_hi - v_lo)
    return np.where(n > 0, out, np.nan)


def group_labels(codes: IntArray) -> NDArray[np.object_]:
    """Map group codes to their labels (``None`` for -1)."""
    lookup = np.array([*GROUP_LABELS, None], dtype=object)
    return np.asarray(lookup[np.asarray(codes)], dtype=object)


def group_probabilities(replicate_codes: IntArray) -> FloatArray:
    """Share of replicates (axis 0) in each group: shape ``(*rest, 4)``.

    Replicates in which the unit is not scored (code -1) are left out of the denominator;
    a unit never scored gets NaN.
    """
    c = np.asarray(replicate_codes)
    valid = (c >= 0).sum(axis=0)
    counts = np.stack([(c == g).sum(axis=0) for g in range(len(GROUP_LABELS))], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid[..., None] > 0, counts / valid[..., None], np.nan)
