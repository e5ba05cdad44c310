"""Ranks of many runs at once: 1 = best (highest), ties share the lower rank.

The rule is PAPI's (docs/method.md "Performance groups", ``rankdata(method="min")`` on the negated scores);
written as two ``argsort`` per row instead of ``scipy.stats.rankdata(nan_policy="omit")``,
which loops in Python over rows containing a missing value (ten times slower on 10,000
runs). Scores are rounded to 9 decimals first, so that two ways of summing the same numbers
(PAPI's ``Σ sub`` and our ``k · mean``) tie as they should. Missing scores stay unranked.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DECIMALS = 9


def rank_desc(values: FloatArray, axis: int = -1) -> FloatArray:
    """Rank along ``axis`` (1 = highest, ties → lowest rank number, NaN → NaN)."""
    x = np.ascontiguousarray(
        np.moveaxis(np.round(np.asarray(values, dtype=np.float64), DECIMALS), axis, -1)
    )
    order = np.argsort(-x, axis=-1)  # NaN sort last
    sorted_x = np.take_along_axis(x, order, axis=-1)
    n = x.shape[-1]
    new = np.ones(x.shape, dtype=bool)
    new[..., 1:] = sorted_x[..., 1:] != sorted_x[..., :-1]
    pos = np.where(new, np.arange(n), 0)
    sorted_rank = np.maximum.accumulate(pos, axis=-1) + 1.0
    out = np.take_along_axis(sorted_rank, np.argsort(order, axis=-1), axis=-1)
    out[np.isnan(x)] = np.nan
    return np.moveaxis(out, -1, axis)


def rank_average(values: FloatArray, axis: int = -1) -> FloatArray:
    """Ascending rank along ``axis`` (1 = lowest), ties averaged, NaN stays NaN — as
    ``scipy.stats.rankdata(method="average", nan_policy="omit")``, with one sort."""
    x = np.ascontiguousarray(
        np.moveaxis(np.round(np.asarray(values, dtype=np.float64), DECIMALS), axis, -1)
    )
    order = np.argsort(x, axis=-1)  # NaN sort last
    xs = np.take_along_axis(x, order, axis=-1)
    n = x.shape[-1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), x.shape)
    starts = np.ones(x.shape, dtype=bool)
    starts[..., 1:] = xs[..., 1:] != xs[..., :-1]
    ends = np.ones(x.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    first = np.maximum.accumulate(np.where(starts, pos, 0.0), axis=-1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, np.inf), -1), axis=-1), -1)
    out = np.take_along_axis((first + last) / 2.0, np.argsort(order, axis=-1), axis=-1)
    out[np.isnan(x)] = np.nan
    return np.moveaxis(out, -1, axis)


def quantiles(x: FloatArray, qs: tuple[float, ...], axis: int = 0) -> FloatArray:
    """Type-7 (linear) quantiles over the non-missing values along ``axis``; stacked first.

    ``np.nanquantile`` loops in Python over slices with a NaN; this sorts once.
    """
    xs = np.sort(np.moveaxis(x, axis, 0), axis=0)
    n = (~np.isnan(xs)).sum(axis=0)
    out = []
    for q in qs:
        h = np.maximum(n - 1, 0) * q
        lo = np.floor(h).astype(np.int64)
        hi = np.ceil(h).astype(np.int64)
        v_lo = np.take_along_axis(xs, lo[None], axis=0)[0]
        v_hi = np.take_along_axis(xs, hi[None], axis=0)[0]
        out.append(np.where(n > 0, v_lo + (h - lo) * (v_hi - v_lo), np.nan))
    return np.stack(out)
