"""Ranks of many runs at once: 1 = best (highest), ties share the lower rank.

The rule is PAPI's (docs/method.md "Performance groups", ``rankdata(method="min")`` on the negated scores);
written as one ``argsort`` per row instead of ``scipy.stats.rankdata(nan_policy="omit")``,
which loops in Python over rows containing a missing value (ten times slower on 10,000
runs). Scores are rounded to 9 decimals first, so that two ways of summing the same numbers
(PAPI's ``Σ sub`` and our ``k · mean``) tie as they should. Missing scores stay unranked.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

DECIMALS = 9


def _sorted_rows(values: FloatArray, axis: int, descending: bool) -> tuple[FloatArray, IntArray]:
    """The rounded values with ``axis`` last (contiguous) and the order that sorts each row
    (NaN last; descending by sorting the negated values)."""
    x: FloatArray = np.ascontiguousarray(
        np.moveaxis(np.round(np.asarray(values, dtype=np.float64), DECIMALS), axis, -1)
    )
    order: IntArray = np.argsort(np.negative(x) if descending else x, axis=-1)
    return x, order


def _tie_runs(x: FloatArray, order: IntArray) -> tuple[FloatArray, FloatArray]:
    """First and last 1-based positions (same shape as ``x``, in sorted order) of the run of
    equal values each sorted position belongs to. Without a tie (the usual case) both are
    the positions themselves."""
    n = x.shape[-1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), x.shape)
    if x.size == 0:
        return pos, pos
    xs = np.take_along_axis(x, order, axis=-1)
    starts = np.ones(x.shape, dtype=bool)
    np.not_equal(xs[..., 1:], xs[..., :-1], out=starts[..., 1:])
    np.logical_or(starts, np.isnan(xs), out=starts)  # NaN != NaN already; kept explicit
    if starts.all():
        return pos, pos
    first = np.maximum.accumulate(np.where(starts, pos, 0.0), axis=-1)
    ends = np.ones(x.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    last = np.where(ends, pos, np.inf)[..., ::-1]
    last = np.minimum.accumulate(last, axis=-1)[..., ::-1]
    return first, last


def _unsorted(sorted_values: FloatArray, order: IntArray) -> FloatArray:
    """``sorted_values`` put back in each row's original order (a scatter along the rows,
    not a second argsort)."""
    out = np.empty(np.broadcast_shapes(sorted_values.shape, order.shape))
    np.put_along_axis(out, order, sorted_values, axis=-1)
    return out


def rank_desc(values: FloatArray, axis: int = -1) -> FloatArray:
    """Rank along ``axis`` (1 = highest, ties → lowest rank number, NaN → NaN)."""
    x, order = _sorted_rows(values, axis, descending=True)
    first, _ = _tie_runs(np.negative(x), order)
    out = _unsorted(first, order)
    out[np.isnan(x)] = np.nan
    return np.moveaxis(out, -1, axis)


def rank_average(values: FloatArray, axis: int = -1) -> FloatArray:
    """Ascending rank along ``axis`` (1 = lowest), ties averaged, NaN stays NaN — as
    ``scipy.stats.rankdata(method="average", nan_policy="omit")``, with one sort."""
    x, order = _sorted_rows(values, axis, descending=False)
    first, last = _tie_runs(x, order)
    out = _unsorted((first + last) / 2.0, order)
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
