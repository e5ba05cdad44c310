"""Ranks and PAPI performance groups, vectorised over provinces, codes and replicates.

Rule (docs/method.md "Performance groups", checked on every published province-year 2018–2024): among the
*scored* provinces (a missing value takes no rank and no group), P25, P50 and P75 by linear
interpolation (numpy's default percentile, Hyndman & Fan type 7), then

    high          x > P75
    high-average  P50 <= x <= P75
    low-average   P25 <= x < P50
    low           x < P25

Quartiles of fewer than ``MIN_GROUP_UNITS`` (4) scored provinces say nothing (one province
would always be "high-average"), so then no province gets a group: a pilot of one or two
provinces has scores, CIs and ranks but no performance group.

Ranks: 1 = best (the highest score); ties share the lower rank (``rankdata(method="min")``).

Every function takes an array whose **province axis** is ``axis`` (default -2, so that
``(provinces, codes)`` and ``(replicates, provinces, codes)`` both work) and computes the
statistic independently for every other index.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

GROUP_LABELS: tuple[str, str, str, str] = ("high", "high-average", "low-average", "low")
"""Performance group labels, best first; group codes index this tuple (-1 = no group)."""

MIN_GROUP_UNITS = 4
"""Fewest scored provinces for performance groups (quartiles) to be assigned."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _sorted_desc(x: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
    """Along the last axis: descending order (NaN last), sorted values, valid counts."""
    order = np.argsort(-x, axis=-1, kind="stable")  # -NaN is NaN: sorts last
    xs = np.take_along_axis(x, order, axis=-1)
    n = (~np.isnan(x)).sum(axis=-1, keepdims=True)
    return order, xs, n


def _ranks_last(x: FloatArray, order: IntArray, xs: FloatArray) -> FloatArray:
    pos = np.broadcast_to(np.arange(1, x.shape[-1] + 1, dtype=np.float64), x.shape)
    new = np.ones(x.shape, dtype=bool)
    new[..., 1:] = xs[..., 1:] != xs[..., :-1]
    rank_sorted = np.maximum.accumulate(np.where(new, pos, 0.0), axis=-1)
    rank_sorted = np.where(np.isnan(xs), np.nan, rank_sorted)
    out = np.empty_like(rank_sorted)
    np.put_along_axis(out, order, rank_sorted, axis=-1)
    return out


def ranks(values: FloatArray, axis: int = -2) -> FloatArray:
    """Rank 1 = highest along ``axis``; ties share the lower rank; NaN stays NaN (unranked).

    Written out (one argsort, ties carried forward) because ``scipy.stats.rankdata`` with
    ``nan_policy="omit"`` loops over slices in Python (seconds on replicate arrays).
    """
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    order, xs, _ = _sorted_desc(x)
    return np.moveaxis(_ranks_last(x, order, xs), -1, axis)


def _percentiles_last(xs: FloatArray, n: IntArray, q: float) -> FloatArray:
    """Type-7 percentile from values sorted descending (NaN last) with ``n`` valid."""
    h = (n - 1) * q
    lo = np.clip(np.floor(h), 0, None).astype(np.int64)
    hi = np.clip(np.ceil(h), 0, None).astype(np.int64)
    top = np.maximum(n - 1, 0)
    v_lo = np.take_along_axis(xs, top - lo, axis=-1)  # ascending index j is n-1-j descending
    v_hi = np.take_along_axis(xs, top - hi, axis=-1)
    with np.errstate(invalid="ignore"):  # inf − inf is NaN, as in np.percentile
        out = v_lo + (h - lo) * (v_hi - v_lo)
    return np.where(n > 0, out, np.nan)


def group_codes(values: FloatArray, axis: int = -2) -> IntArray:
    """Performance group code (0 high … 3 low, -1 for a missing value) along ``axis``.

    Percentiles are written out (one sort) rather than ``np.nanpercentile``, which falls
    back to a Python loop over slices as soon as one value is NaN.
    """
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    _, xs, n = _sorted_desc(x)
    return np.moveaxis(_codes_last(x, xs, n), -1, axis)


def _codes_last(x: FloatArray, xs: FloatArray, n: IntArray) -> IntArray:
    p25, p50, p75 = (_percentiles_last(xs, n, q) for q in (0.25, 0.50, 0.75))
    # 3 low, 2 low-average, 1 high-average, 0 high (p25 <= p50 <= p75); a NaN counts as
    # low here and is set to -1 below
    codes = np.full(x.shape, 3, dtype=np.int64)
    codes -= x >= p25
    codes -= x >= p50
    codes -= x > p75
    codes[np.isnan(x) | (n < MIN_GROUP_UNITS)] = -1  # n keeps its axis: broadcasts
    return codes


def ranks_and_groups(values: FloatArray, axis: int = -2) -> tuple[FloatArray, IntArray]:
    """:func:`ranks` and :func:`group_codes` from one sort (replicate arrays)."""
    x = np.ascontiguousarray(np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1))
    order, xs, n = _sorted_desc(x)
    r = _ranks_last(x, order, xs)
    return np.moveaxis(r, -1, axis), np.moveaxis(_codes_last(x, xs, n), -1, axis)


def group_labels(codes: IntArray) -> NDArray[np.object_]:
    """Map group codes to their labels (``None`` for -1)."""
    lookup = np.array([*GROUP_LABELS, None], dtype=object)
    return np.asarray(lookup[np.asarray(codes)], dtype=object)
