"""Hájek means, totals and ratios by domain with their influence values.

For a domain ``d`` and variable ``y`` with item non-response (Lumley 2010 sec. 2.3, 3.4;
Särndal, Swensson & Wretman 1992, sec. 5.6-5.8, 10.3):

- mean ``ȳ_d = Σ_{k∈d} w_k m_k y_k / N̂_d`` with ``N̂_d = Σ_{k∈d} w_k m_k`` and ``m_k = 1``
  when ``y_k`` is observed; influence ``u_k = m_k (y_k − ȳ_d) / N̂_d`` (zero elsewhere);
- total ``Ŷ_d = Σ w m y``, influence ``u_k = m_k y_k``;
- ratio ``R̂_d = Σ w y / Σ w x`` over rows where both are observed, influence
  ``u_k = (y_k − R̂ x_k) / X̂_d``.

Missing values are available cases *within the full design* (R's ``na.rm=TRUE`` sets the
weight to zero and keeps every PSU); a missing value is never read as zero. Influence values
are returned *unweighted*: ``taylor.stratified_variance`` multiplies them by the weights.
Everything is a sparse domain-indicator product over all columns at once.

Written by hand for speed (the index scorer's 132 indicators × 15,000 respondents, where
the time is memory traffic, docs/scoring.md "Speed"): ``means`` makes the influence values
in place, a block of rows at a time, and ``means_and_overall`` gives the domains and the
overall from one pass (the overall is one more row of the indicator). Both keep every sum
in the order of the plain formulas, so the numbers are the same bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from scoring.design.structure import FloatArray, IntArray


def domain_indicator(
    domain: IntArray, n_domains: int, weights: FloatArray | None = None
) -> sp.csr_matrix:
    """Sparse (D x n) indicator; rows with a negative code belong to no domain. With
    ``weights``, row ``i`` enters with its weight instead of 1 (``ind @ x`` then sums
    ``w · x`` per domain without forming ``w · x``)."""
    rows = np.flatnonzero(domain >= 0)
    data = np.ones(rows.shape[0]) if weights is None else weights[rows]
    return sp.csr_matrix((data, (domain[rows], rows)), shape=(n_domains, domain.shape[0]))


def _per_row(stat: FloatArray, domain: IntArray) -> FloatArray:
    """Broadcast a (D, K) statistic back to rows (rows outside every domain get 0)."""
    outside = domain < 0
    if not outside.any():
        gathered: FloatArray = np.take(stat, domain, axis=0)
        return gathered
    out: FloatArray = np.where(outside[:, None], 0.0, stat[np.maximum(domain, 0)])
    return out


def _observed(y: FloatArray, domain: IntArray) -> NDArray[np.bool_]:
    observed: NDArray[np.bool_] = ~np.isnan(y)
    outside = domain < 0
    if outside.any():
        observed &= ~outside[:, None]
    return observed


_ROWS = 1024  # rows of the (n, K) influence values made at once (a block stays in cache)


def _row_stats(domain: IntArray, *stats: FloatArray) -> tuple[IntArray, list[FloatArray]]:
    """Index of each row into the (D + 1, K) ``stats`` with a zero row appended for rows in
    no domain: gathering ``stat[index]`` is ``_per_row(stat, domain)`` block by block."""
    outside = domain < 0
    if not outside.any():
        return domain, list(stats)
    index = np.where(outside, stats[0].shape[0], domain)
    return index, [np.vstack([a, np.zeros((1, a.shape[1]))]) for a in stats]


def _sums(
    y0: FloatArray,
    obs: FloatArray,
    w: FloatArray,
    ind: sp.csr_matrix,
    executor: Executor | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(est, n_obs, weight sum, 1 / weight sum or 0) per row of the domain indicator ``ind``
    (with ``executor``, the weighted totals on one of its threads meanwhile)."""
    wind = ind.multiply(w[None, :]).tocsr()
    totals = executor.submit(wind.__matmul__, y0) if executor is not None else None
    n_hat = np.asarray(wind @ obs)
    total = np.asarray(wind @ y0 if totals is None else totals.result())
    est = np.divide(total, n_hat, out=np.full_like(total, np.nan), where=n_hat > 0)
    n_obs = np.asarray(ind @ obs)
    inv_n = np.divide(1.0, n_hat, out=np.zeros_like(n_hat), where=n_hat > 0)
    return est, n_obs, n_hat, inv_n


def means(
    y: FloatArray,
    w: FloatArray,
    domain: IntArray,
    n_domains: int,
    u_t: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(est, u, n_obs, weight sum), each (D, K) except u (n, K); with ``u_t`` (K, n), also
    u transposed into it.

    The influence values ``u = (y0 − ȳ_d) · (obs / N̂_d)`` are made in place of ``y0``,
    ``_ROWS`` rows at a time with the domain statistics gathered for those rows only (and
    copied into ``u_t`` while in cache): the same operations on the same numbers as on
    whole (n, K) arrays, without their temporaries of n × K (the time of ``score()``'s
    indicator stage is mostly memory traffic, docs/scoring.md "Speed").
    """
    observed = _observed(y, domain)
    if domain.min(initial=0) >= 0 and observed.all():
        return _complete_means(y, w, domain, n_domains, u_t)
    y0 = np.where(observed, y, 0.0)
    obs = observed.astype(np.float64)
    est, n_obs, n_hat, inv_n = _sums(y0, obs, w, domain_indicator(domain, n_domains))
    row, (centre, scale) = _row_stats(domain, np.nan_to_num(est), inv_n)
    u = y0
    for start in range(0, u.shape[0], _ROWS):
        rows = slice(start, start + _ROWS)
        block = u[rows]
        block -= centre[row[rows]]
        s = scale[row[rows]]
        s *= obs[rows]
        block *= s
        if u_t is not None:
            u_t[:, rows] = block.T
    return est, u, n_obs, n_hat


Means = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def means_and_overall(
    y: FloatArray,
    w: FloatArray,
    domain: IntArray,
    n_domains: int,
    u_t: FloatArray | None = None,
    overall_u_t: FloatArray | None = None,
    executor: Executor | None = None,
) -> tuple[Means, Means]:
    """``means(y, w, domain, n_domains, u_t)`` and ``means`` over all rows as one domain
    (``overall_u_t``), from one pass over the data: the overall is one more row of the
    domain indicator, so every sum is the same sum in the same order. When a row is in no
    domain (it is in the overall) or nothing is missing, ``means`` twice.

    With ``executor`` (score()'s second thread), the influence values' blocks of rows are
    shared by the caller and one thread of it, each taking the next block when free: the
    same operations on the same rows, so the same numbers, in about half the time when the
    thread is idle."""
    observed = ~np.isnan(y)
    if domain.min(initial=0) < 0 or observed.all():
        overall = means(y, w, np.zeros_like(domain), 1, overall_u_t)
        return means(y, w, domain, n_domains, u_t), overall
    n = domain.shape[0]
    y0 = np.where(observed, y, 0.0)
    obs = observed.astype(np.float64)
    ind = sp.csr_matrix(
        (
            np.ones(2 * n),
            (np.concatenate([domain, np.full(n, n_domains)]), np.tile(np.arange(n), 2)),
        ),
        shape=(n_domains + 1, n),
    )
    stats = _sums(y0, obs, w, ind, executor)
    centre, scale = np.nan_to_num(stats[0]), stats[3]
    u_all = np.empty_like(y0)
    u = y0
    blocks = iter(range(0, n, _ROWS))  # taken one at a time by whichever thread is free

    def work() -> None:
        for start in blocks:
            rows = slice(start, start + _ROWS)
            block, block_all, obs_rows = u[rows], u_all[rows], obs[rows]
            np.subtract(block, centre[n_domains], out=block_all)  # before y0 is overwritten
            block_all *= scale[n_domains] * obs_rows
            block -= centre[domain[rows]]
            s = scale[domain[rows]]
            s *= obs_rows
            block *= s
            for out, b in ((u_t, block), (overall_u_t, block_all)):
                if out is not None:
                    out[:, rows] = b.T

    _shared(work, executor)
    est, n_obs, n_hat, _ = (a[:n_domains] for a in stats)
    est_all, n_obs_all, n_hat_all, _ = (a[n_domains:] for a in stats)
    return (est, u, n_obs, n_hat), (est_all, u_all, n_obs_all, n_hat_all)


def _shared(work: Callable[[], None], executor: Executor | None) -> None:
    """``work()`` on the calling thread and, with ``executor``, on one thread of it at the
    same time (``work`` takes its items from an iterator the two share: ``next`` on a
    builtin iterator is atomic under the GIL); returns when both are done, raising the first
    error."""
    helper = executor.submit(work) if executor is not None else None
    try:
        work()
    finally:
        if helper is not None:
            helper.result()


def _complete_means(
    y: FloatArray, w: FloatArray, domain: IntArray, n_domains: int, u_t: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``means`` without missing values: one weight total per domain serves every column."""
    k = y.shape[1]
    wsum: FloatArray = np.bincount(domain, weights=w, minlength=n_domains).astype(np.float64)
    total = np.asarray(domain_indicator(domain, n_domains).multiply(w[None, :]).tocsr() @ y)
    inv = np.divide(1.0, wsum, out=np.zeros_like(wsum), where=wsum > 0)
    est: FloatArray = np.where(wsum[:, None] > 0, total * inv[:, None], np.nan)
    u: FloatArray = np.take(np.nan_to_num(est), domain, axis=0)
    np.subtract(y, u, out=u)
    u *= inv[domain][:, None]
    count = np.bincount(domain, minlength=n_domains).astype(np.float64)
    n_hat: FloatArray = np.repeat(wsum[:, None], k, axis=1)
    n_obs: FloatArray = np.repeat(count[:, None], k, axis=1)
    if u_t is not None:
        u_t[...] = u.T
    return est, u, n_obs, n_hat


def totals(
    y: FloatArray, w: FloatArray, domain: IntArray, n_domains: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(est, u, n_obs, weight sum) for domain totals."""
    observed = ~np.isnan(y) & (domain >= 0)[:, None]
    y0 = np.where(observed, y, 0.0)
    ind = domain_indicator(domain, n_domains)
    est = np.asarray(ind @ (y0 * w[:, None]))
    n_obs = np.asarray(ind @ observed.astype(np.float64))
    n_hat = np.asarray(ind @ (observed * w[:, None]))
    return est, y0, n_obs, n_hat


def ratios(
    num: FloatArray, den: FloatArray, w: FloatArray, domain: IntArray, n_domains: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(est, u, n_obs) for domain ratios Σwy/Σwx, rows with y or x missing dropped."""
    observed = ~np.isnan(num) & ~np.isnan(den) & (domain >= 0)[:, None]
    y0 = np.where(observed, num, 0.0)
    x0 = np.where(observed, den, 0.0)
    ind = domain_indicator(domain, n_domains)
    ty = np.asarray(ind @ (y0 * w[:, None]))
    tx = np.asarray(ind @ (x0 * w[:, None]))
    est = np.divide(ty, tx, out=np.full_like(ty, np.nan), where=tx != 0)
    row_r = _per_row(np.nan_to_num(est), domain)
    row_tx = _per_row(tx, domain)
    u = np.divide(y0 - row_r * x0, row_tx, out=np.zeros_like(y0), where=observed & (row_tx != 0))
    n_obs = np.asarray(ind @ observed.astype(np.float64))
    return est, u, n_obs


def srs_variance_of_mean(
    y: FloatArray, w: FloatArray, domain: IntArray, n_domains: int, est: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """R's ``deff`` denominator: ``s² (N̂ − n) / (N̂ n)`` with ``s² = n/(n−1) Σw(y−ȳ)²/Σw``.

    ``n`` counts observed rows with non-zero weight. Returns (v_srs of the mean, N̂).
    """
    observed = ~np.isnan(y) & (domain >= 0)[:, None]
    y0 = np.where(observed, y, 0.0)
    ind = domain_indicator(domain, n_domains)
    wm = observed * w[:, None]
    n_hat = np.asarray(ind @ wm)
    n = np.asarray(ind @ (observed & (w != 0)[:, None]).astype(np.float64))
    dev = np.where(observed, y0 - _per_row(np.nan_to_num(est), domain), 0.0)
    ss = np.asarray(ind @ (wm * dev * dev))
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = n / (n - 1) * ss / n_hat
        v = s2 * (n_hat - n) / (n_hat * n)
    return v, n_hat
