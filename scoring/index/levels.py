"""Indicator means → rescaled → sub-dimensions → dimensions → aggregate, and the same map
applied to influence values.

Arithmetic (docs/method.md "Arithmetic"): ``r = 1 + 9 (x − L)/(U − L)``; a sub-dimension is the mean
of its indicators' ``r`` divided by ``k_d``; a dimension the sum of its sub-dimensions; the
aggregate the sum of the dimensions.

Missing indicators (a province with fewer than ``min_n`` respondents for it). PAPI's rule
for the levels it publishes is strict: no dimension without all its sub-dimensions, no
aggregate without all dimensions (structure.combine). One level down the method is not
published; we take the *available-case mean* of the OECD/JRC Handbook (2008, §5.1): a
sub-dimension is the mean of its available indicators when at least ``min_share`` of them
are available (default one half, so a sub-dimension is never carried by a minority of its
indicators), and missing otherwise; ``min_share=1`` gives the strict rule. Indicators with
eligibility filters (only those who applied for a land-use certificate rate it) are rare in
small provinces, which is why a strict rule would blank whole dimensions.

The weights are fixed by the full sample, so each level is still a fixed linear function
of the indicator means: per province ``sub = c + Σ_k w_dk b_k x_dk`` with
``w_dk = 1 / (m_ds k_d)`` for an available indicator (``m_ds`` available in sub-dimension s)
and 0 otherwise. Influence values combine with the same weights (docs/variance.md, "Linear
combinations"), row by row with the weights of the row's province.

``level_influence_t`` is hand-written for speed (every ``score()`` and what-if update runs it
on n × K influence values): one indicator row at a time through a reused buffer, in the
order and with the products of the plain loop (``_levels_of``), so that the numbers are the
same to the bit while no (K, n) array of weights or products is made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scoring.index.structure import IndexStructure, combine

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Levels:
    """Estimates of every level on any leading shape (…, rows, codes)."""

    x: FloatArray  # indicator means, own units
    r: FloatArray  # rescaled indicators 1..10
    sub: FloatArray  # sub-dimensions, published scale S / k
    dim: FloatArray  # dimensions 1..10
    agg: FloatArray  # aggregate 8..80 (last axis of length 1)

    def ranked_blocks(self) -> FloatArray:
        """Sub-dimensions, dimensions and aggregate side by side (rank uncertainty)."""
        return np.concatenate([self.sub, self.dim, self.agg], axis=-1)

    def all_blocks(self) -> FloatArray:
        """Indicator means, sub-dimensions, dimensions, aggregate side by side."""
        return np.concatenate([self.x, self.sub, self.dim, self.agg], axis=-1)


@dataclass(frozen=True)
class AggregationWeights:
    """Per row (province) weight of each indicator in its sub-dimension, (P, K)."""

    w: FloatArray  # 1 / (m_available · k) for available indicators of scored sub-dimensions
    scored: BoolArray  # (P, S) sub-dimension has enough available indicators

    @classmethod
    def from_available(
        cls, available: BoolArray, st: IndexStructure, min_share: float = 0.5
    ) -> AggregationWeights:
        member = st.membership()  # (K, S)
        m_all = member.sum(axis=0)
        m_avail = available.astype(np.float64) @ member  # (P, S)
        scored = (m_avail >= min_share * m_all - 1e-9) & (m_avail > 0)
        k = st.k()
        per_sub = np.where(scored, 1.0 / (np.maximum(m_avail, 1.0) * k), 0.0)  # (P, S)
        w = np.where(available, per_sub @ member.T, 0.0)
        return cls(w, scored)


def propagate(x: FloatArray, st: IndexStructure, weights: AggregationWeights) -> Levels:
    """Indicator means (…, P, K) → every level. A NaN in an available indicator (a replicate
    with no respondent for it) leaves its sub-dimension missing in that replicate."""
    a, b = st.rescale_coefficients()
    r = a + b * x
    member = st.membership()
    contrib = np.where(weights.w > 0, r, 0.0) * weights.w
    sub = np.nan_to_num(contrib, nan=0.0) @ member
    broken = (np.isnan(r) & (weights.w > 0)).astype(np.float64) @ member > 0
    sub = np.where(weights.scored & ~broken, sub, np.nan)
    dim = combine(sub, st.subdimension_to_dimension())
    agg = combine(dim, np.ones((len(st.dimensions), 1)))
    return Levels(x, r, sub, dim, agg)


def finite(u: FloatArray) -> FloatArray:
    """``u`` with NaN read as 0 (and infinities clipped, as ``np.nan_to_num``); ``u`` itself
    when every value is finite (the usual case: one check instead of a copy)."""
    if np.isfinite(u).all():
        return u
    out: FloatArray = np.nan_to_num(u)
    return out


def _levels_of(scaled_t: FloatArray, st: IndexStructure) -> FloatArray:
    """(n, S + D + 1) influence values of sub-dimensions, dimensions and the aggregate from
    the indicators' influence values already multiplied by ``b`` and the weights, given
    transposed (K, n): each sub-dimension's row is the sum of its indicators' rows, each
    dimension's the sum of its sub-dimensions' (in index order, as a sparse 0/1 product
    sums them), whole contiguous rows at a time; the aggregate the sum of the dimensions."""
    s = len(st.subdimensions)
    n = scaled_t.shape[1]
    sub_of = np.argmax(st.membership(), axis=1)
    sub_t = np.zeros((s, n))
    for k, j in enumerate(sub_of.tolist()):
        sub_t[j] += scaled_t[k]
    return _levels_from_subdimensions(sub_t, st)


def _levels_from_subdimensions(sub_t: FloatArray, st: IndexStructure) -> FloatArray:
    """:func:`_levels_of` from the sub-dimensions' rows (S, n)."""
    s, d = len(st.subdimensions), len(st.dimensions)
    n = sub_t.shape[1]
    dim_of = np.argmax(st.subdimension_to_dimension(), axis=1)
    dim_t = np.zeros((d, n))
    for k, j in enumerate(dim_of.tolist()):
        dim_t[j] += sub_t[k]
    out: FloatArray = np.empty((n, s + d + 1))
    out[:, :s] = sub_t.T
    out[:, s : s + d] = dim_t.T
    out[:, -1] = out[:, s : s + d].sum(axis=1)
    return out


def influence(u: FloatArray, row_weights: FloatArray, st: IndexStructure) -> FloatArray:
    """Influence values of [x, sub, dim, agg] (n, K + S + D + 1) from those of the indicator
    means ``u`` (n, K); ``row_weights`` (n, K) are the weights of each row's province."""
    _, b = st.rescale_coefficients()
    scaled = np.nan_to_num(u)  # our own copy, scaled in place
    scaled *= b * row_weights
    k = u.shape[1]
    out: FloatArray = np.empty((u.shape[0], k + len(st.subdimensions) + len(st.dimensions) + 1))
    out[:, :k] = u
    out[:, k:] = _levels_of(np.ascontiguousarray(scaled.T), st)
    return out


def level_influence(
    u: FloatArray, weights: FloatArray, domain: NDArray[np.intp] | None, st: IndexStructure
) -> FloatArray:
    """The level columns of :func:`influence` (n, S + D + 1), the same numbers, without
    materialising each row's weights: ``weights`` (P, K) holds one row per province and
    ``domain`` the province of each row of ``u``; ``domain=None``: the last row of
    ``weights`` applies to every row (the national estimate)."""
    return level_influence_t(np.ascontiguousarray(finite(u).T), weights, domain, st)


def level_influence_t(
    u_t: FloatArray,
    weights: FloatArray,
    domain: NDArray[np.intp] | None,
    st: IndexStructure,
    rows: NDArray[np.intp] | None = None,
) -> FloatArray:
    """:func:`level_influence` from the influence values transposed, (K, n), with no NaN
    (``finite``): the layout its sums run over (a prepared frame keeps it,
    ``Prepared.influence_t``). ``rows``: the rows of ``u_t`` that are the indicators of
    ``st`` in order (a reduced index, ``Prepared.score(drop=...)``); ``None``: all of them.

    Written for speed, with the numbers of :func:`_levels_of`: one indicator at a time, its
    row times its weights (its province's, per respondent) goes into one reused buffer and
    is added to its sub-dimension, in index order from 0.0, so that no (K, n) array of
    weights or products is made and a reduced index reads its rows of ``u_t`` in place (a
    copy of them cost as much as the sums).
    """
    _, b = st.rescale_coefficients()
    coef_t = np.ascontiguousarray((b * weights).T)  # (K, P): the same products as b · w
    s = len(st.subdimensions)
    n = u_t.shape[1]
    sub_of = np.argmax(st.membership(), axis=1).tolist()
    source = range(len(sub_of)) if rows is None else np.asarray(rows).tolist()
    # respondents sorted by province (the usual frame): a province's weight repeated over
    # its run of rows, which is 4 times faster than gathering it row by row
    runs = (
        np.bincount(domain, minlength=coef_t.shape[1])
        if domain is not None and bool((domain[1:] >= domain[:-1]).all())
        else None
    )
    sub_t = np.zeros((s, n))
    scaled = np.empty(n)
    for k, (j, row) in enumerate(zip(sub_of, source, strict=True)):
        if domain is None:  # the national row's weights for every respondent
            np.multiply(u_t[row], coef_t[k, -1], out=scaled)
        elif runs is not None:
            np.multiply(np.repeat(coef_t[k], runs), u_t[row], out=scaled)
        else:
            np.take(coef_t[k], domain, out=scaled)
            scaled *= u_t[row]
        sub_t[j] += scaled
    return _levels_from_subdimensions(sub_t, st)
