"""Replicate estimates of every province's indicator means, and rank/group uncertainty.

Replicate means (docs/variance.md, "Replicate weights"): for replicate weights ``W (n × R)``,
``x_rdk = Σ_{j∈d} W_jr m_jk y_jk / Σ_{j∈d} W_jr m_jk`` (m: the value is observed). Every
replicate method of Wolter (2007, ch. 3-5) and Rao & Wu (1988) multiplies the base weight by
a factor that is constant within a first-stage PSU, ``W_jr = w_j F_{psu(j) r}``, so the sums
collapse to PSU (× province) totals ``T_uk = Σ_{j∈u} w_j m_jk y_jk`` and one batched matrix
product per province block, ``(R × units) @ (units × 2K)``, with units padded to the largest
province: no loop over replicates or provinces, and ``R × units × K`` instead of
``R × n × K`` operations. The factorisation is checked on the weights; when it fails (a
design re-calibrated per replicate) the same product runs on respondents instead.

Rank intervals and group probabilities (docs/method.md "Performance groups"; the JRC audit
recipe of docs/variance.md, "Composite indicators and sensitivity"): ranks and performance
groups are recomputed in every draw of the scores, the rank interval is the ``(1 ± confidence)/2``
quantile of the drawn ranks (rounded outwards to whole ranks), the probability of a group
the share of draws in it. Both come from the same draws, :func:`posterior_draws`: the
provinces' true scores given all estimates (empirical Bayes, the sampling error drawn from
the CIs' own distribution, Student t on the province's design df by default), whatever the
variance method, so that a 95% rank interval holds the true rank at least 95% of the time
and a probability of 0.8 means that about 80% of provinces given it are truly in the group
(docs/scoring.md, "Defaults, and why"). Draws centred on the
estimates (``est + se · T``, ``scoring.design.results.reference_draws``) spread every
other province a second time and covered the true rank only 92.8% of the time on national
surveys. Replicate values themselves are not draws of the estimate: jackknife and BRR
replicates are deliberately shrunk or mirrored, and the spread of bootstrap replicates is
``±1.96 se``, not the ``±t_df se`` of the CI (4.30 se for a three-district province), so
ranking them would give rank intervals narrower than the CIs (docs/scoring.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from scoring.design.taylor import group_sum
from scoring.index.groups import MIN_GROUP_UNITS, ranks_and_groups
from survey.errors import DesignError
from survey.rng import RngLike, as_generator

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

DRAW_BLOCK = 32
"""Draws per block of :func:`posterior_draws' arithmetic (32 × 60 provinces × 37 codes:
about 0.5 MB per array, which stays in the CPU's cache)."""


def _padded_block_sums(
    factors: FloatArray, totals: FloatArray, unit_domain: IntArray, n_domains: int
) -> FloatArray:
    """``out[d, r, c] = Σ_{u: domain(u) = d} factors[u, r] · totals[u, c]``, (D, R, C)."""
    order = np.argsort(unit_domain, kind="stable")
    dom = unit_domain[order]
    counts = np.bincount(dom, minlength=n_domains)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(dom.shape[0]) - start[dom]
    width = max(int(counts.max()) if counts.size else 0, 1)
    f_pad = np.zeros((n_domains, factors.shape[1], width))
    t_pad = np.zeros((n_domains, width, totals.shape[1]))
    f_pad[dom, :, pos] = factors[order]
    t_pad[dom, pos] = totals[order]
    out: FloatArray = np.matmul(f_pad, t_pad)
    return out


def replicate_domain_means(
    replicate_weights: FloatArray,
    weights: FloatArray,
    y: FloatArray,
    domain: IntArray,
    n_domains: int,
    psu: IntArray,
    *,
    factorised: bool = False,
) -> FloatArray:
    """Replicate means ``(R, D + 1, K)``: provinces then the pooled (national) row.

    ``psu``: first-stage unit code of each row (any partition finer than the design's PSUs
    works); ``domain``: province code 0..D-1 of each row. ``factorised=True`` asserts that
    ``W = w · F[psu]`` by construction (an uncalibrated design) and skips the check.
    """
    observed = ~np.isnan(y)
    y0 = np.where(observed, y, 0.0)
    both = np.hstack([y0, observed.astype(np.float64)])
    _, unit = np.unique(domain.astype(np.int64) * (int(psu.max()) + 1) + psu, return_inverse=True)
    unit = unit.ravel()
    n_units = int(unit.max()) + 1
    first = np.full(n_units, -1, dtype=np.intp)
    live = np.flatnonzero(weights > 0)
    first[unit[live[::-1]]] = live[::-1]  # the first live row of each unit
    factor = np.zeros((n_units, replicate_weights.shape[1]))
    has = first >= 0
    factor[has] = replicate_weights[first[has]] / weights[first[has], None]
    if factorised or np.allclose(
        replicate_weights, weights[:, None] * factor[unit], rtol=1e-10, atol=1e-12
    ):
        unit_domain = np.zeros(n_units, dtype=np.intp)
        unit_domain[unit] = domain
        totals = group_sum(unit, both * weights[:, None], n_units)
        sums = _padded_block_sums(factor, totals, unit_domain, n_domains)
    else:
        sums = _padded_block_sums(replicate_weights, both, domain.astype(np.intp), n_domains)
    sums = np.concatenate([sums, sums.sum(axis=0, keepdims=True)], axis=0)  # + national
    k = y.shape[1]
    num, den = sums[..., :k], sums[..., k:]
    means = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    out: FloatArray = np.transpose(means, (1, 0, 2))
    return out


def _inverse_cdf(counts: NDArray[np.int64], q: float) -> FloatArray:
    """Smallest rank whose cumulative share reaches ``q`` (type-1 quantile), from counts
    (..., ranks + 1) indexed by rank; NaN where no replicate ranked the unit."""
    cum = np.cumsum(counts, axis=-1)
    total = cum[..., -1:]
    hit = cum >= np.maximum(q * total, 1e-12)
    first = np.argmax(hit, axis=-1).astype(np.float64)
    return np.where(total[..., 0] > 0, first, np.nan)


def _moments(est: FloatArray, se: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per column: rows with an estimate, sample variance of the estimates, mean se²."""
    ok = np.isfinite(est)
    n = ok.sum(axis=0).astype(np.float64)
    v = np.where(ok, np.nan_to_num(se) ** 2, 0.0)
    mean_v = v.sum(axis=0) / np.maximum(n, 1)
    x = np.where(ok, est, 0.0)
    centre = x.sum(axis=0) / np.maximum(n, 1)
    s2 = (np.where(ok, x - centre, 0.0) ** 2).sum(axis=0) / np.maximum(n - 1, 1)
    return n, s2, mean_v


def _floor(mean_v: FloatArray) -> FloatArray:
    return 1e-6 * np.maximum(mean_v, 1e-12)


def between_variance(est: FloatArray, se: FloatArray) -> FloatArray:
    """Spread of the true scores across rows, per column: ``τ² = max(s² − mean(se²), floor)``.

    The method-of-moments (unweighted, Hedges 1983) estimate of the normal–normal model
    ``est_i = θ_i + e_i``, ``e_i ~ (0, se_i²)``, ``θ_i ~ (μ, τ²)``: the sample variance
    ``s²`` of the estimates has expectation ``τ² + mean(se²)``. Unweighted, because the
    SEs of three-district provinces rest on 2 df and inverse-variance weights would let a
    province with a small SE by chance dominate. Rows with a NaN ``est`` take no part;
    the floor (``1e-6 · mean(se²)``) keeps a column whose estimates vary no more than
    their noise from collapsing onto one value (its provinces are then indistinguishable:
    every group about equally likely).
    """
    _, s2, mean_v = _moments(est, se)
    tau2: FloatArray = np.maximum(s2 - mean_v, _floor(mean_v))
    return tau2


MAX_PRIOR_DF = 1000.0
"""Cap of the prior degrees of freedom of :func:`moderated_variance` (SEs that vary no more
than their sampling noise: all but pooled)."""


def _trigamma_inverse(x: FloatArray) -> FloatArray:
    """``y`` with ``trigamma(y) = x`` (x > 0), Newton's method as limma's trigammaInverse."""
    y = 0.5 + 1.0 / x
    for _ in range(50):
        tri = special.polygamma(1, y)
        step = tri * (1.0 - tri / x) / special.polygamma(2, y)
        y = y + step
        if np.all(np.abs(step) < 1e-8 * y):
            break
    out: FloatArray = y
    return out


def moderated_variance(se: FloatArray, df: FloatArray) -> tuple[FloatArray, FloatArray]:
    """SEs and df (P, C) shrunk across rows, per column (Smyth 2004, limma's ``squeezeVar``).

    A three-district province's variance rests on 2 df: by chance it can be a fraction of
    the truth, and its draws then look far more certain than they are. Per column, the
    rows' variances ``se²`` (on ``df`` each) are taken to come from a scaled inverse χ²
    prior with ``d₀`` df and scale ``s₀²``, fitted by moments on the log scale (the
    variance of ``log se²`` beyond the ``trigamma(df/2)`` of its sampling noise gives
    ``d₀``, its mean ``s₀²``); the posterior variance is ``(d₀ s₀² + df se²)/(d₀ + df)``
    on ``d₀ + df`` df. ``d₀`` is capped at ``MAX_PRIOR_DF``; a column with fewer than three
    usable rows (finite, positive SE and ``df ≥ 1``) is returned as it is.
    """
    nu = np.broadcast_to(np.asarray(df, dtype=np.float64), se.shape)
    ok = np.isfinite(se) & (se > 0) & np.isfinite(nu) & (nu >= 1)
    half = np.where(ok, nu, 2.0) / 2.0
    z = np.where(ok, np.log(np.where(ok, se, 1.0) ** 2) - special.digamma(half) + np.log(half), 0.0)
    n = ok.sum(axis=0)
    m = np.maximum(n, 1)
    centre = z.sum(axis=0) / m
    spread = (np.where(ok, z - centre, 0.0) ** 2).sum(axis=0) / np.maximum(n - 1, 1)
    noise = np.where(ok, special.polygamma(1, half), 0.0).sum(axis=0) / m
    excess = spread - noise
    d0 = np.full(excess.shape, MAX_PRIOR_DF)
    room = excess > special.polygamma(1, MAX_PRIOR_DF / 2)
    d0[room] = np.minimum(2.0 * _trigamma_inverse(excess[room]), MAX_PRIOR_DF)
    d0 = np.where(n >= 3, d0, 0.0)
    s0 = np.exp(centre + special.digamma(d0 / 2 + (d0 == 0)) - np.log(d0 / 2 + (d0 == 0)))
    post_df = np.where(ok, nu + d0, nu)
    nu_ok = np.where(ok, nu, 1.0)
    post_var = np.where(ok, (d0 * s0 + nu_ok * np.where(ok, se, 0.0) ** 2) / (d0 + nu_ok), se**2)
    se_out: FloatArray = np.sqrt(post_var)
    return se_out, post_df


def posterior_draws(
    est: FloatArray,
    se: FloatArray,
    df: FloatArray,
    ci_dist: str,
    draws: int,
    rng: RngLike,
) -> FloatArray:
    """Draws ``(draws, P, C)`` of the rows' true scores given all rows' estimates
    (empirical Bayes; the rank intervals and performance-group probabilities, docs/scoring.md
    "Defaults, and why").

    ``est + se · T`` (``scoring.design.results.reference_draws``) is the sampling
    distribution of an estimate around its truth, not the distribution of the truth around
    the estimate: a province whose estimate lies just above a quartile got there partly by
    chance, and is truly in the higher group less often than those draws say. Per column,
    with the normal–normal model of :func:`between_variance`:

    - ``τ²`` is drawn, not plugged in: ``τ² + mean(se²)`` (the expectation of the
      estimates' sample variance ``s²`` over ``n`` rows) as ``(n − 1) s²/χ²_{n−1}``, minus
      ``mean(se²)`` (floored as there): with 21 or 63 provinces the spread of the true
      scores is itself uncertain, and plugging in its estimate made probabilities near 0
      and 1 too extreme;

    - the sampling variance of each row is drawn as ``se² · ν/χ²_ν`` on the row's design df
      ``ν`` (``ci_dist="t"``; ``se²`` with ``ci_dist="normal"``): the scale mixture that makes
      ``est + se · T`` Student t, so the SEs' own uncertainty on 2 df is kept;
    - ``μ ~ N(μ̂, 1/Σ 1/(τ² + v_i))``, ``μ̂`` the precision-weighted mean of the estimates;
    - ``θ_i ~ N(μ + B_i (est_i − μ), B_i v_i)``, ``B_i = τ²/(τ² + v_i)``, the normal–normal
      posterior (Efron & Morris 1975; Morris 1983).

    With ``τ² → ∞`` (provinces far apart) this is ``est + se · T`` on the moderated SEs
    and df (:func:`moderated_variance`; the SEs themselves where they differ far beyond
    their sampling noise). Rows with a NaN
    ``est`` stay NaN and take no part in ``τ²`` or ``μ``; a NaN ``se`` keeps its estimate.
    One normal variate per row and draw is shared by the row's columns, as
    ``reference_draws(common_columns=True)`` does (the variance draws are one per cell, on
    the cell's moderated df): each column's law is exact, and statistics are computed column
    by column. The variates are drawn first, in the order they always were; the arithmetic
    then runs on blocks of ``DRAW_BLOCK`` draws that stay in the CPU's cache: the same
    operations on the same numbers as on the whole array, in less time.
    """
    if ci_dist not in ("t", "normal"):
        raise DesignError(
            f"ci_dist={ci_dist!r} is not a CI distribution; expected 't' or 'normal'."
        )
    gen = as_generator(rng)
    p = est.shape[0]
    nu = np.asarray(df, dtype=np.float64).reshape(-1)
    if nu.shape != (p,):
        raise DesignError(f"df must hold one value per row ({p}), got shape {np.shape(df)}.")
    shape = (draws, *se.shape)
    safe = finite = None
    if ci_dist == "t":  # the sampling variance from the SEs moderated across provinces
        se_m, nu_m = moderated_variance(se, np.broadcast_to(nu[:, None], se.shape))
        safe = np.where(nu_m >= 1, nu_m, 1.0)
        finite = np.isfinite(safe)
        v = gen.chisquare(np.where(finite, safe, 1.0), size=shape)
    else:
        se_m, v = se, np.ones(shape)
    n, s2, mean_v = _moments(est, se)
    # τ² drawn too: the total variance τ² + mean(se²) from its scaled inverse χ² on n − 1 df
    chi_n = gen.chisquare(np.maximum(n - 1, 1), size=(draws, 1, n.shape[0]))
    tau2 = np.maximum(np.maximum(n - 1, 1) * s2 / chi_n - mean_v, _floor(mean_v))
    mu_noise = gen.standard_normal((draws, 1, 1))
    z = gen.standard_normal((draws, p, 1))
    se2 = np.nan_to_num(se_m) ** 2
    ok = np.isfinite(est)
    x = np.where(ok, est, 0.0)[None]
    out: FloatArray = np.empty(shape)
    for lo in range(0, draws, DRAW_BLOCK):  # every variate is drawn: the arithmetic by block
        sl = slice(lo, min(lo + DRAW_BLOCK, draws))
        vb = v[sl]  # the χ² variates (or ones), overwritten by the block's arithmetic
        if safe is not None and finite is not None:
            np.divide(safe, vb, out=vb)  # the scale ν/χ²_ν
            if not finite.all():
                vb[:, ~finite] = 1.0
        np.multiply(se2[None], vb, out=vb)  # the sampling variance of each draw
        total = np.add(tau2[sl], vb)  # τ² + v
        work = np.divide(1.0, total)  # the precisions
        if not ok.all():
            work[:, ~ok] = 0.0
        prec_sum = np.maximum(work.sum(axis=1, keepdims=True), 1e-300)
        np.multiply(work, x, out=work)
        mu = work.sum(axis=1, keepdims=True) / prec_sum
        mu = mu + mu_noise[sl] / np.sqrt(prec_sum)
        shrink = np.divide(tau2[sl], total, out=total)
        theta = np.subtract(est[None], mu, out=work)
        np.multiply(shrink, theta, out=theta)
        np.add(mu, theta, out=theta)
        spread = np.multiply(shrink, vb, out=vb)
        np.sqrt(spread, out=spread)
        np.multiply(spread, z[sl], out=spread)
        np.add(theta, spread, out=out[sl])
    return out


def _exact_counts(values: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rank and group histograms (C, m, m + 1) and (C, m, 4) of draws ``values`` (R, C, m)
    (provinces last), from every draw's ranks and groups (groups.ranks_and_groups): the
    rule itself, for any values (ties, NaN, infinities)."""
    _, c, m = values.shape
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


def _percentiles_separate(ascending: FloatArray, n: IntArray) -> bool:
    """Whether each row's P25/P50/P75 (type 7, groups.py) lies where ``_group_of_rank``
    assumes. ``ascending`` (R, C, m): the negated values sorted ascending (values descending),
    the ``n`` (C,) valid ones first, no ties among them. Interpolation can round a percentile
    onto a neighbouring value; then the shortcut does not hold."""
    code = np.flatnonzero(n >= MIN_GROUP_UNITS)  # the others get no group whatever their values
    top = n[code] - 1

    def at(asc: IntArray) -> FloatArray:  # ascending index of the values -> value (R, codes)
        out: FloatArray = -ascending[:, code, np.clip(top - asc, 0, ascending.shape[-1] - 1)]
        return out

    ok = True
    for q, strict in ((0.25, False), (0.5, False), (0.75, True)):
        h = (top * q)[None, :]  # (n - 1) q
        lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
        v_lo, v_hi = at(lo[0]), at(hi[0])
        p = v_lo + (h - lo) * (v_hi - v_lo)  # as groups._percentiles_last
        if strict:  # x > P75 exactly from ascending index floor(h) + 1
            ok &= bool(np.all((lo + 1 > top) | (at(lo[0] + 1) > p)) and np.all(v_lo <= p))
        else:  # x >= P exactly from ascending index ceil(h)
            ok &= bool(np.all(v_hi >= p) and np.all((hi < 1) | (at(hi[0] - 1) < p)))
    return ok


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
    r, c, m = values.shape
    # ascending sort of the negated values = descending values; one contiguous copy
    neg = np.negative(values, out=np.empty(values.shape))
    nan = np.isnan(neg)
    n_row = m - nan.sum(axis=-1)  # (R, C)
    n = n_row[0]
    if not np.array_equal(n_row, np.broadcast_to(n, n_row.shape)):
        return None
    gaps = n < m
    if gaps.any():  # missing last (numpy's vectorised sorts fall back to slow ones on NaN)
        if np.isinf(neg).any():
            return None
        np.copyto(neg, np.inf, where=nan)
    order = np.argsort(neg, axis=-1)  # any kind: ties are excluded below
    ascending = neg
    ascending.sort(axis=-1)
    # equal neighbours among the valid values (the +inf fill of a gap repeats m - n times)
    fill_pairs = r * int(np.maximum(m - n - 1, 0).sum())
    if m > 1 and np.count_nonzero(ascending[..., 1:] == ascending[..., :-1]) > fill_pairs:
        return None
    if not _percentiles_separate(ascending, n):
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
    counts = counts.reshape(c, m, top)
    group = _group_of_rank(n, m)  # (C, m + 1)
    one_hot = (group[:, :, None] == np.arange(4)[None, None, :]).astype(np.int64)
    g_counts: NDArray[np.int64] = np.einsum("cpr,crg->cpg", counts, one_hot)
    return counts, g_counts


def _counts_of(values: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rank and group histograms of draws ``values`` (R, C, m): ``_fast_counts`` where its
    shortcut holds, else ``_exact_counts``."""
    fast = _fast_counts(values) if values.shape[-1] else None
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
    (``_exact_counts``); both give the same counts (tests/scoring/index/test_index_score.py).
    """
    _, p, c = reps.shape
    rows = np.flatnonzero(ranked)
    counts, g_counts = _counts_of(_ranked_block(reps, rows))
    tail = (1.0 - confidence) / 2.0
    low = np.full((p, c), np.nan)
    high = np.full((p, c), np.nan)
    low[rows] = _inverse_cdf(counts, tail).T
    high[rows] = _inverse_cdf(counts, 1.0 - tail).T
    g = g_counts.astype(np.float64)
    g_total = g.sum(axis=-1, keepdims=True)
    probs = np.full((p, c, 4), np.nan)
    probs[rows] = np.transpose(
        np.divide(g, g_total, out=np.full_like(g, np.nan), where=g_total > 0), (1, 0, 2)
    )
    return low, high, probs
