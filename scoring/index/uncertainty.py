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

Written for speed (docs/scoring.md, "Speed"): score() never holds the (draws × provinces ×
codes) draws. :func:`posterior_rank_uncertainty` makes them in blocks of ``DRAW_BLOCK``
draws, each block from its own generator (a child of the score's seed), and turns each block
at once into rank and group histograms, which add up over blocks. The blocks are taken from
a shared counter by whichever thread is free (:class:`PosteriorRanks`: a background thread
from the start, score()'s own thread once its other work is done), since numpy's random
draws, sorts and array arithmetic release the GIL. The generators belong to the blocks, not
to the threads, and the histograms are whole numbers, so the results are the same for any
number of threads. The sampling variances' gamma variates, one per draw, province and code,
come from ``scoring.index.gamma.gamma_shared``: exactly Γ(ν/2) per cell, their candidates
shared across codes as the rows' normals are (every output is read per code).
:func:`posterior_draws` gives the same draws whole, from the same block generators.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from scoring.design.taylor import group_sum
from scoring.index import threads
from scoring.index.gamma import GammaShapes, gamma_shared
from scoring.index.rank_counts import (
    BlockCounts,
    block_counts,
    rank_groups,
    read_intervals,
)
from survey.errors import DesignError
from survey.rng import RngLike, spawn

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

DRAW_BLOCK = 128
"""Draws per block of :func:`posterior_draws` (128 × 60 provinces × 37 codes: about 2.3 MB
per array). A block costs about a hundred numpy calls, and two threads hand the GIL over at
each: on the bench survey the rank stage alone took 42 ms on two threads (53 on one) with
blocks of 32 draws, 29 ms (48) with 64; inside ``score()``, whose other work shares the
threads, a median of 107.9 ms with blocks of 64 against 104.3 with 128, and in a second run
101.2, 100.5, 102.8 and 107.7 ms with 100, 128, 200 and 250 (calls alternating, 2026-12-06,
two cores). Each block has its own generator, so this fixes the random numbers: changing it
changes the draws."""


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


@dataclass(frozen=True)
class _Posterior:
    """What :func:`posterior_draws`' model needs per cell, transposed to (codes, rows): a
    block of draws is then (draws, codes, rows), rows last and contiguous, as the rank and
    group histograms read them (no copy, and the sums over rows run along memory)."""

    est: FloatArray  # (C, P) the estimates, NaN rows kept
    x: FloatArray  # (C, P) the estimates, 0 where NaN
    ok: NDArray[np.bool_]  # (C, P) rows with an estimate
    se2: FloatArray  # (C, P) the (moderated) se², 0 where NaN
    shape: GammaShapes | None  # (C, P) ν/2, ν each cell's moderated df (ci_dist="t"; 1/2 if ∞)
    scale: FloatArray  # (C, P) se² ν/2: the sampling variance is se² ν/χ²_ν = scale/Γ(ν/2)
    infinite: NDArray[np.bool_]  # (C, P) infinite df: the variance is se², no χ² scale
    tau_df: FloatArray  # (C, 1) n − 1 (at least 1): the df of the drawn τ² + mean(se²)
    s2: FloatArray  # (C, 1) the sample variance of the estimates
    mean_v: FloatArray  # (C, 1) mean se² (unmoderated, as between_variance)

    def block(self, gen: np.random.Generator, size: int) -> FloatArray:
        """``size`` draws (size, C, P) from ``gen``: the sampling variances' χ² (one per
        cell, ``ci_dist="t"``; drawn as ``χ²_ν = 2 Γ(ν/2)``, numpy's own definition, so that
        ``se² ν/χ²_ν`` is one division; by ``gamma.gamma_shared``, whose candidates are
        shared across codes as the rows' normals are), then τ²'s χ² (one per code), μ's
        normal (one per draw), then one normal per row, in that order; the arithmetic in
        place on three arrays."""
        c, p = self.est.shape
        shape = self.shape
        v = np.empty(0) if shape is None else gamma_shared(gen, shape, size)
        chi_n = gen.chisquare(self.tau_df, size=(size, c, 1))
        mu_noise = gen.standard_normal((size, 1, 1))
        z = gen.standard_normal((size, 1, p))
        if shape is None:  # ci_dist="normal": the sampling variance is se² itself
            v = np.repeat(self.se2[None], size, axis=0)
        else:  # the sampling variance of each draw, se² ν/χ²_ν
            np.divide(self.scale, v, out=v)
            if self.infinite.any():
                v[:, self.infinite] = self.se2[self.infinite]
        # τ² + mean(se²) from its scaled inverse χ² on n − 1 df, minus mean(se²), floored
        tau2 = np.maximum(self.tau_df * self.s2 / chi_n - self.mean_v, _floor(self.mean_v))
        prec = np.add(tau2, v)  # τ² + v
        np.divide(1.0, prec, out=prec)  # the precisions
        if not self.ok.all():
            prec[:, ~self.ok] = 0.0
        prec_sum = np.maximum(prec.sum(axis=-1, keepdims=True), 1e-300)
        work = np.multiply(prec, self.x)
        mu = work.sum(axis=-1, keepdims=True) / prec_sum
        mu += mu_noise / np.sqrt(prec_sum)
        shrink = np.multiply(prec, tau2, out=prec)  # B = τ²/(τ² + v)
        theta = np.subtract(self.est, mu, out=work)
        np.multiply(shrink, theta, out=theta)
        np.add(mu, theta, out=theta)  # μ + B (est − μ)
        spread = np.multiply(shrink, v, out=v)
        np.sqrt(spread, out=spread)  # √(B v)
        np.multiply(spread, z, out=spread)
        out: FloatArray = np.add(theta, spread, out=theta)
        return out


def _posterior(est: FloatArray, se: FloatArray, df: FloatArray, ci_dist: str) -> _Posterior:
    """The model of :func:`posterior_draws` for estimates and SEs (P, C) and df (P,)."""
    if ci_dist not in ("t", "normal"):
        raise DesignError(
            f"ci_dist={ci_dist!r} is not a CI distribution; expected 't' or 'normal'."
        )
    p = est.shape[0]
    nu = np.asarray(df, dtype=np.float64).reshape(-1)
    if nu.shape != (p,):
        raise DesignError(f"df must hold one value per row ({p}), got shape {np.shape(df)}.")
    shape = None
    infinite = np.zeros(se.shape[::-1], dtype=bool)
    se_m = se
    if ci_dist == "t":  # the sampling variance from the SEs moderated across provinces
        se_m, nu_m = moderated_variance(se, np.broadcast_to(nu[:, None], se.shape))
        safe = np.where(nu_m >= 1, nu_m, 1.0).T
        infinite = ~np.isfinite(safe)
        shape = GammaShapes.of(np.where(infinite, 1.0, safe) / 2.0)
    n, s2, mean_v = _moments(est, se)
    ok = np.isfinite(est)
    se2 = np.ascontiguousarray((np.nan_to_num(se_m) ** 2).T)
    return _Posterior(
        est=np.ascontiguousarray(est.T),
        x=np.ascontiguousarray(np.where(ok, est, 0.0).T),
        ok=np.ascontiguousarray(ok.T),
        se2=se2,
        shape=shape,
        scale=se2 if shape is None else se2 * shape.shape,
        infinite=infinite,
        tau_df=np.maximum(n - 1, 1)[:, None],
        s2=s2[:, None],
        mean_v=mean_v[:, None],
    )


def _blocks(draws: int, rng: RngLike) -> list[tuple[slice, np.random.Generator]]:
    """The blocks of ``DRAW_BLOCK`` draws (the last one shorter) and their generators, the
    children of ``rng``'s seed (``survey.rng.spawn``): block ``b`` draws the same numbers
    whoever computes it, and whenever."""
    starts = range(0, draws, DRAW_BLOCK)
    gens = spawn(rng, len(starts))
    return [(slice(lo, min(lo + DRAW_BLOCK, draws)), g) for lo, g in zip(starts, gens, strict=True)]


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
    by column.

    The draws come in blocks of ``DRAW_BLOCK`` (128): block ``b`` (draws ``128 b`` to
    ``128 b + 127``) draws its random numbers from its own generator, the ``b``-th child of
    ``rng``'s seed (``survey.rng.spawn``). These are the draws that
    :func:`posterior_rank_uncertainty` counts block by block, on several threads; the same
    ``rng`` gives the same draws here and there, whatever the number of threads.

    Parameters
    ----------
    est, se : ndarray (P, C)
        Estimates and standard errors of each row (province) and column (code).
    df : ndarray (P,)
        Design degrees of freedom of each row (``np.inf``: normal).
    ci_dist : {"t", "normal"}
        The CIs' distribution: ``"t"`` moderates the SEs across rows and draws each cell's
        sampling variance on its moderated df; ``"normal"`` takes ``se²`` as it is.
    draws : int
        Number of draws.
    rng : int, Generator, SeedSequence or None
        The seed; the blocks' generators are its children.

    Returns
    -------
    ndarray (draws, P, C)
        The draws; rows with a NaN estimate are NaN.
    """
    model = _posterior(est, se, df, ci_dist)
    out: FloatArray = np.empty((draws, *se.shape))
    for sl, gen in _blocks(draws, rng):
        out[sl] = model.block(gen, sl.stop - sl.start).transpose(0, 2, 1)
    return out


class PosteriorRanks:
    """:func:`posterior_rank_uncertainty` started on background threads while the caller
    does other work; :meth:`result` then makes the calling thread one more worker on the
    blocks still waiting, and reads the intervals off the summed histograms.

    The blocks are taken one at a time from a shared counter by whichever thread is free
    (``background`` threads from the start, the caller from :meth:`result`), so no core
    waits while another has two threads; each block's numbers come from its own generator
    and the histograms are whole numbers, added up by each thread as its blocks come
    (``_Tally``), so the result is the same, bit for bit, for any number of threads and
    whoever computed which block. With ``executor``, the ``background`` workers are queued
    on it (``score()`` passes its second thread, busy first with the indicators'
    statistics) instead of threads of their own.
    """

    def __init__(
        self,
        est: FloatArray,
        se: FloatArray,
        df: FloatArray,
        ci_dist: str,
        draws: int,
        rng: RngLike,
        confidence: float,
        *,
        background: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        self._model = _posterior(est, se, df, ci_dist)
        self._blocks = _blocks(draws, rng)
        self._tallies: list[_Tally] = []  # one per thread that took part
        self._next = 0
        self._lock = threading.Lock()
        self._shape = se.shape
        self._confidence = confidence
        n = threads.default_workers() - 1 if background is None else background
        n = max(0, min(n, len(self._blocks)))
        # the caller's executor (its threads may first finish other work queued on them),
        # else threads of our own, shut down once the counts are in
        self._pool = ThreadPoolExecutor(max_workers=n) if n and executor is None else None
        runner = executor if executor is not None else self._pool
        self._running = [runner.submit(self._work) for _ in range(n)] if runner else []

    def _take(self) -> int | None:
        with self._lock:
            i = self._next
            if i >= len(self._blocks):
                return None
            self._next = i + 1
            return i

    def _work(self) -> None:
        tally = _Tally(self._model.est.shape)
        with self._lock:
            self._tallies.append(tally)
        while (i := self._take()) is not None:
            sl, gen = self._blocks[i]
            tally.add(block_counts(self._model.block(gen, sl.stop - sl.start)))

    def cancel(self) -> None:
        """Leave the blocks not yet started (the caller failed and needs no result)."""
        with self._lock:
            self._next = len(self._blocks)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def counts(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The rank and group histograms (C, P, P + 1) and (C, P, 4), the caller helping."""
        try:
            self._work()
            for f in self._running:
                f.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
        done = sum(t.blocks for t in self._tallies)
        if done != len(self._blocks):
            raise RuntimeError(f"{len(self._blocks) - done} blocks of rank draws were not computed")
        return _Tally.total(self._model.est.shape, self._tallies)

    def result(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """rank_lci, rank_uci (P, C) and group shares (P, C, 4), as
        :func:`posterior_rank_uncertainty` returns them."""
        counts, g_counts = self.counts()
        p, c = self._shape
        return read_intervals(counts, g_counts, np.arange(p), (p, c), self._confidence)


class _Tally:
    """The histograms of the blocks one thread computed, added up as they come (so that
    nothing is left to add once the last block is done). Blocks that took the shortcut add
    their rank histograms per number of values per code (the same in every block of
    score()'s draws), and their groups are read off each sum once (:meth:`total`), not once
    per block. Counts are whole numbers: the totals do not depend on which thread added
    which block."""

    def __init__(self, shape: tuple[int, int]) -> None:
        c, p = shape
        self.ranks = np.zeros((c, p, p + 1), dtype=np.int64)  # blocks without the shortcut
        self.groups = np.zeros((c, p, 4), dtype=np.int64)
        self.shortcut: dict[bytes, tuple[IntArray, NDArray[np.int64]]] = {}  # n -> ranks
        self.blocks = 0

    def add(self, part: BlockCounts) -> None:
        rank_counts, group_counts, n_values = part
        if n_values is not None and group_counts is None:
            key = n_values.tobytes()
            if key in self.shortcut:
                np.add(self.shortcut[key][1], rank_counts, out=self.shortcut[key][1])
            else:  # the block's own array, from now on this sum
                self.shortcut[key] = (n_values, rank_counts)
        else:
            np.add(self.ranks, rank_counts, out=self.ranks)
            if group_counts is not None:
                np.add(self.groups, group_counts, out=self.groups)
        self.blocks += 1

    @staticmethod
    def total(
        shape: tuple[int, int], tallies: Iterable[_Tally]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The rank and group histograms (C, P, P + 1) and (C, P, 4) of all ``tallies``."""
        c, p = shape
        ranks = np.zeros((c, p, p + 1), dtype=np.int64)
        groups = np.zeros((c, p, 4), dtype=np.int64)
        shortcut: dict[bytes, tuple[IntArray, NDArray[np.int64]]] = {}
        for tally in tallies:
            ranks += tally.ranks
            groups += tally.groups
            for key, (n_values, rank_counts) in tally.shortcut.items():
                if key in shortcut:
                    shortcut[key][1][...] += rank_counts
                else:
                    shortcut[key] = (n_values, rank_counts.copy())
        for n_values, rank_counts in shortcut.values():
            ranks += rank_counts
            groups += rank_groups(rank_counts, n_values)
        return ranks, groups


def posterior_rank_uncertainty(
    est: FloatArray,
    se: FloatArray,
    df: FloatArray,
    ci_dist: str,
    draws: int,
    rng: RngLike,
    confidence: float,
    *,
    workers: int | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``rank_counts.rank_uncertainty(posterior_draws(est, se, df, ci_dist, draws, rng), every row,
    confidence)``, without the (draws, P, C) array: rank_lci, rank_uci (P, C) and group
    shares (P, C, 4).

    Each block of ``DRAW_BLOCK`` draws is made from its own generator and turned at once into
    its rank and group histograms (``scoring.index.rank_counts.block_counts``: the shortcut
    where it holds for the block, else every draw's ranks); histograms add up over blocks.
    The blocks are shared by ``workers`` threads, the caller one of them
    (:class:`PosteriorRanks`; numpy's random draws, sorts and array arithmetic release the
    GIL). Each block's numbers come from its own generator and counts are whole numbers, so
    the result is the same, bit for bit, for any number of threads and any order in which the
    blocks finish.

    Parameters
    ----------
    est, se, df, ci_dist, draws, rng
        As :func:`posterior_draws`.
    confidence : float
        Level of the rank intervals.
    workers : int, optional
        Threads; default ``threads.default_workers()``. It changes the time, not the
        result.

    Returns
    -------
    rank_lci, rank_uci : ndarray (P, C)
        The rank intervals; NaN where the estimate is NaN.
    probs : ndarray (P, C, 4)
        The shares of draws in each performance group (high first); NaN without a group.
    """
    n = threads.default_workers() if workers is None else workers
    job = PosteriorRanks(est, se, df, ci_dist, draws, rng, confidence, background=max(n - 1, 0))
    return job.result()
