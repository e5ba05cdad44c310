"""Rank and group histograms of draws, and the rank intervals and group probabilities
read off them: the counting half of the rank uncertainty (the draws themselves are
``scoring.index.uncertainty``'s).

Written for speed (docs/scoring.md, "Speed"): a histogram needs no rank per draw where no
two values of a row tie (``_fast_rank_counts``: the province at sorted position ``j`` has
rank ``j + 1``), and a group histogram is a sum of rank bins where the percentiles fall
between values (``_rank_groups``); otherwise every draw's ranks and groups by the rule
itself (``_exact_counts``). Both ways give the same counts
(tests/scoring/index/test_index_rank_counts.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scoring.index.groups import MIN_GROUP_UNITS, ranks_and_groups

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _inverse_cdf(counts: NDArray[np.int64], q: float) -> FloatArray:
    """Smallest rank whose cumulative share reaches ``q`` (type-1 quantile), from counts
    (..., ranks + 1) indexed by rank; NaN where no replicate ranked the unit."""
    cum = np.cumsum(counts, axis=-1)
    total = cum[..., -1:]
    hit = cum >= np.maximum(q * total, 1e-12)
    first = np.argmax(hit, axis=-1).astype(np.float64)
    return np.where(total[..., 0] > 0, first, np.nan)


BlockCounts = tuple[NDArray[np.int64], NDArray[np.int64] | None, IntArray | None]
"""A block's rank histogram, and its group histogram (``_exact_counts``) or the values per
code from which ``rank_groups`` reads it off the summed rank histograms (``_fast_rank_counts``)."""


def block_counts(values: FloatArray) -> BlockCounts:
    """The histograms of a block of draws (R, C, m): ``_fast_rank_counts`` where its shortcut
    holds for the block, else ``_exact_counts``."""
    fast = _fast_rank_counts(values)
    if fast is not None:
        return fast[0], None, fast[1]
    ranks, groups = _exact_counts(np.ascontiguousarray(values))
    return ranks, groups, None


def _exact_counts(values: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rank and group histograms (C, m, m + 1) and (C, m, 4) of draws ``values`` (R, C, m)
    (provinces last), from every draw's ranks and groups (groups.ranks_and_groups): the
    rule itself, for any values (ties, NaN, infinities)."""
    _, c, m = values.shape
    if not values.size:  # no draws, or no rows: empty histograms
        return np.zeros((c, m, m + 1), dtype=np.int64), np.zeros((c, m, 4), dtype=np.int64)
    rep_ranks, rep_groups = ranks_and_groups(values, axis=-1)  # (R, C, m)
    cell = (np.arange(c)[:, None] * m + np.arange(m)[None, :])[None]  # code-major cells
    top = m + 1
    ok = ~np.isnan(rep_ranks)
    flat = (cell * top + np.where(ok, rep_ranks, 0).astype(np.int64))[ok]
    counts = np.bincount(flat, minlength=c * m * top).reshape(c, m, top)
    g_ok = rep_groups >= 0
    g_flat = (cell * 4 + np.maximum(rep_groups, 0))[g_ok]
    g_counts = np.bincount(g_flat, minlength=c * m * 4).reshape(c, m, 4)
    return counts, g_counts


def _group_of_rank(n: IntArray, m: int) -> IntArray:
    """Group code (C, m + 1) of rank 1..m among ``n`` (C,) distinct values (-1 beyond ``n``,
    and everywhere with fewer than MIN_GROUP_UNITS): groups.py's rule, P25/P50/P75 by
    linear interpolation, where the value of rank ``r`` has ascending index ``i = n − r``
    and no value equals an interpolated percentile between two values (checked by the
    caller): ``x >= P_q`` iff ``i >= ceil(h_q)``, ``x > P_75`` iff ``i >= floor(h_75) + 1``,
    with ``h_q = (n − 1) q``."""
    nn = n[:, None]
    i = nn - np.arange(m + 1)[None, :]
    h = (nn - 1).astype(np.float64)
    codes = 3 - (i >= np.ceil(0.25 * h)) - (i >= np.ceil(0.5 * h)) - (i >= np.floor(0.75 * h) + 1)
    valid = (np.arange(m + 1)[None, :] >= 1) & (i >= 0) & (nn >= MIN_GROUP_UNITS)
    out: IntArray = np.where(valid, codes, -1)
    return out


def _percentiles_separate(neg: FloatArray, order: IntArray, n: IntArray) -> bool:
    """Whether each row's P25/P50/P75 (type 7, groups.py) lies where ``_group_of_rank``
    assumes. ``neg`` (R, C, m): the negated values, ``order`` the positions that sort them
    ascending (values descending), the ``n`` (C,) valid ones first, no ties among them.
    Interpolation can round a percentile onto a neighbouring value; then the shortcut does
    not hold. The three percentiles are checked at once: one gather of the nine values they
    need per row (not a sorted copy of every row)."""
    code = np.flatnonzero(n >= MIN_GROUP_UNITS)  # the others get no group whatever their values
    top = (n[code] - 1)[:, None]  # (codes, 1)
    h = top * np.array([0.25, 0.5, 0.75])  # (n - 1) q, (codes, 3)
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    # the neighbours: ascending index ceil(h) - 1 for P25 and P50, floor(h) + 1 for P75
    near = np.concatenate([hi[:, :2] - 1, lo[:, 2:] + 1], axis=1)
    asc = np.concatenate([lo, hi, near], axis=1)  # ascending indices of the values (codes, 9)
    at = order[:, code[:, None], np.clip(top - asc, 0, neg.shape[-1] - 1)]  # (R, codes, 9)
    picked = -neg[np.arange(neg.shape[0])[:, None, None], code[None, :, None], at]
    v_lo, v_hi, v_near = picked[..., :3], picked[..., 3:6], picked[..., 6:]
    p = v_lo + (h - lo) * (v_hi - v_lo)  # as groups._percentiles_last
    # x >= P exactly from ascending index ceil(h) (P25, P50)
    at_least = (v_hi[..., :2] >= p[..., :2]) & ((hi[:, :2] < 1) | (v_near[..., :2] < p[..., :2]))
    # x > P75 exactly from ascending index floor(h) + 1
    above = ((lo[:, 2:] + 1 > top) | (v_near[..., 2:] > p[..., 2:])) & (v_lo[..., 2:] <= p[..., 2:])
    return bool(at_least.all() and above.all())


KEY_BITS_MAX = 16
"""Most low bits of a sort key (:func:`_sort_keys`) given to positions: rows of up to 65,536
values; longer rows take ``argsort``."""


def _sort_keys(values: FloatArray) -> tuple[NDArray[np.int64], int] | None:
    """Sortable int64 keys of ``values`` (..., m), no NaN, no -0.0: the float's bits made
    monotone (negatives' magnitude bits flipped), the lowest ``b`` bits (``2^b ≥ m``)
    replaced by the value's position in its row. Sorting the keys sorts the values and
    carries their positions (the low bits of the sorted keys) at a third of the cost of
    ``argsort``; two values whose keys differ only in those bits (equal, or within
    ``2^b`` units in the last place) get equal truncated keys ``key >> b``, which the caller
    treats as a tie. None where the rows are too long."""
    m = values.shape[-1]
    b = max(1, (m - 1).bit_length())
    if b > KEY_BITS_MAX:
        return None
    bits = values.view(np.int64)
    keys = np.right_shift(bits, 63)  # -1 for negatives, 0 else
    keys &= np.int64(0x7FFFFFFFFFFFFFFF)
    keys ^= bits  # monotone: negatives' magnitude bits flipped
    keys &= ~np.int64((1 << b) - 1)
    keys |= np.arange(m, dtype=np.int64)
    return keys, b


def _fast_rank_counts(values: FloatArray) -> tuple[NDArray[np.int64], IntArray] | None:
    """The rank histogram (C, m, m + 1) of draws ``values`` (R, C, m; any strides) from one
    sort per row, and the number of values of each code (C,), or None where the shortcut of
    :func:`_fast_counts` does not hold; the group histogram is then
    ``rank_groups(counts, n)``, also for a sum of such histograms with the same ``n``.

    The sort is of packed keys (:func:`_sort_keys`): values and positions in one int64, so
    that one sort gives both the descending values and the provinces' order. Values too
    close for the keys to tell apart count as ties, which send the block to
    ``_exact_counts``: the counts are those of an exact sort either way."""
    r, c, m = values.shape
    if not (r and m):
        return None
    # ascending sort of the negated values = descending values; one contiguous copy, 0 − x
    # (-x exactly, and +0.0 for either zero: equal values, equal bits)
    neg = np.subtract(0.0, values, out=np.empty(values.shape))
    nan = np.isnan(neg)
    if nan.any():  # the values per row (R, C), the same in every draw
        n_row = m - nan.sum(axis=-1)
        n = n_row[0]
        if not np.array_equal(n_row, np.broadcast_to(n, n_row.shape)):
            return None
    else:  # the usual block: no row sums (0.17 of a block's 1.6 ms)
        n = np.full(c, m)
    gaps = n < m
    if gaps.any():  # missing last
        if np.isinf(neg).any():
            return None
        np.copyto(neg, np.inf, where=nan)
    packed = _sort_keys(neg)
    if packed is None:
        order = np.argsort(neg, axis=-1)
        ascending = np.take_along_axis(neg, order, axis=-1)
        same = ascending[..., 1:] == ascending[..., :-1]
    else:
        keys, b = packed
        keys.sort(axis=-1)
        order = np.bitwise_and(keys, (1 << b) - 1).astype(np.intp, copy=False)
        keys >>= b
        same = keys[..., 1:] == keys[..., :-1]
    # equal neighbours among the valid values (the +inf fill of a gap repeats m - n times)
    fill_pairs = r * int(np.maximum(m - n - 1, 0).sum())
    if m > 1 and np.count_nonzero(same) > fill_pairs:
        return None
    if not _percentiles_separate(neg, order, n):
        return None
    top = m + 1
    position = np.arange(m)
    # cell (code, province at position j, rank j + 1) = province * top + offset[code, j]
    offset = (np.arange(c) * (m * top))[:, None] + position[None, :] + 1
    cells = c * m * top
    if gaps.any():  # positions beyond n hold no value: spare bins past the end
        offset = np.where(position[None, :] < n[:, None], offset, cells)
    flat = order  # in place
    flat *= top
    flat += offset
    counts = np.bincount(flat.ravel(), minlength=cells)[:cells]
    return counts.reshape(c, m, top), n


def rank_groups(counts: NDArray[np.int64], n: IntArray) -> NDArray[np.int64]:
    """The group histogram (C, m, 4) of a rank histogram (C, m, m + 1) whose draws had ``n``
    (C,) distinct values per code and percentiles between values (``_fast_rank_counts``):
    each group's sum of rank bins (``_group_of_rank``)."""
    group = _group_of_rank(n, counts.shape[1])  # (C, m + 1)
    one_hot = (group[:, :, None] == np.arange(4)[None, None, :]).astype(np.float64)
    if counts.size and int(counts.sum(axis=-1).max()) >= 2**53:  # beyond exact doubles
        exact: NDArray[np.int64] = np.einsum("cpr,crg->cpg", counts, one_hot.astype(np.int64))
        return exact
    # sums of whole numbers below 2⁵³ are exact in float64: BLAS's matmul instead of an
    # integer einsum (0.05 against 1.3 ms on the bench survey)
    g_counts: NDArray[np.int64] = np.matmul(counts.astype(np.float64), one_hot).astype(np.int64)
    return g_counts


def _fast_counts(values: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """``_exact_counts`` of ``values`` (R, C, m; any strides) from one sort per row, or None
    where the shortcut does not hold.

    With no two equal values in a row (ties share a rank) the value at sorted position
    ``j`` has rank ``j + 1``, so the rank histogram is one ``bincount`` of (code, province
    at position ``j``, ``j + 1``) and needs no rank per draw; with every code's missing
    provinces the same in every draw (as in ``est + se · T``) and the percentiles strictly
    between values, a province's group is a function of its rank (``_group_of_rank``), so
    the group histogram is a sum of rank-histogram bins. Anything else (ties, infinities
    beside missing values, missing values that vary across draws) returns None: the caller
    takes ``_exact_counts``.
    """
    fast = _fast_rank_counts(values)
    if fast is None:
        return None
    counts, n = fast
    return counts, rank_groups(counts, n)


def _counts_of(values: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rank and group histograms of draws ``values`` (R, C, m): ``_fast_counts`` where its
    shortcut holds, else ``_exact_counts``."""
    fast = _fast_counts(values)
    return fast if fast is not None else _exact_counts(np.ascontiguousarray(values))


def _ranked_block(draws: FloatArray, rows: IntArray) -> FloatArray:
    """The ranked rows of draws (R, P, C), provinces last (a view when they come first)."""
    first = np.array_equal(rows, np.arange(rows.size))
    block = draws[:, : rows.size] if first else draws[:, rows]
    return np.moveaxis(block, 1, -1)


def rank_uncertainty(
    reps: FloatArray,
    ranked: NDArray[np.bool_],
    confidence: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """From replicate values (R, P, C): rank_lci, rank_uci (P, C) and group shares (P, C, 4).

    Only rows with ``ranked`` take part (the national row does not); a unit missing in a
    replicate takes no rank there. The rank interval is the ``(1 − confidence)/2`` and
    ``(1 + confidence)/2`` quantiles of the replicate ranks, read off their histogram (ranks are
    whole numbers: one ``bincount`` instead of a sort per unit). The histograms come from
    ``_fast_counts`` where its shortcut holds, else from every draw's ranks and groups
    (``_exact_counts``); both give the same counts (tests/scoring/index/test_index_rank_counts.py).
    score() takes :func:`posterior_rank_uncertainty`, the same numbers from the posterior
    draws without keeping them (tests/scoring/index/test_index_posterior_blocks.py).
    """
    _, p, c = reps.shape
    rows = np.flatnonzero(ranked)
    counts, g_counts = _counts_of(_ranked_block(reps, rows))
    return read_intervals(counts, g_counts, rows, (p, c), confidence)


def read_intervals(
    counts: NDArray[np.int64],
    g_counts: NDArray[np.int64],
    rows: IntArray,
    shape: tuple[int, int],
    confidence: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rank intervals (P, C) and group shares (P, C, 4) from the histograms (C, m, m + 1)
    and (C, m, 4) of the ``rows`` (m,) ranked among the P; NaN for the other rows."""
    tail = (1.0 - confidence) / 2.0
    low = np.full(shape, np.nan)
    high = np.full(shape, np.nan)
    low[rows] = _inverse_cdf(counts, tail).T
    high[rows] = _inverse_cdf(counts, 1.0 - tail).T
    g = g_counts.astype(np.float64)
    g_total = g.sum(axis=-1, keepdims=True)
    probs = np.full((*shape, 4), np.nan)
    probs[rows] = np.transpose(
        np.divide(g, g_total, out=np.full_like(g, np.nan), where=g_total > 0), (1, 0, 2)
    )
    return low, high, probs
