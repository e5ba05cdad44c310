"""Replicate weights and the replicate variance.

``v = scale · Σ_r rscale_r (θ_r − θ̄)²`` with ``θ̄`` the mean of the replicates (R's
default, ``mse=False``) or the full-sample estimate (``mse=True``) (Wolter 2007 ch. 3-5;
Lumley 2010 sec. 2.5; R's ``svrVar``). Multipliers are built per first-stage PSU (U x R)
and weights are ``w_k · m_{psu(k), r}``:

- JK1 (unstratified): replicate r drops PSU r, others × n/(n−1); scale (n−1)/n × (1 − f).
- JKn: replicate (h, i) drops PSU i of stratum h, others in h × n_h/(n_h−1);
  rscale (n_h−1)/n_h × (1 − f_h); certainty strata give no replicate (R's ``jknweights``).
- BRR / Fay (McCarthy 1969; Judkins 1990): strata of exactly 2 PSUs; row ``1+h`` of a 0/1
  Hadamard matrix picks the half-sample; factors 2−ρ and ρ; scale 1/(R (1−ρ)²). The
  default matrix is R's ``survey:::hadamard(n)`` (``scoring.design.hadamard``), so BRR and
  Fay reproduce R replicate by replicate; another can be passed as ``hadamard=`` (linear
  estimators agree for any: a full-orthogonal-balance set gives Σ_h (z_h1 − z_h2)²/4).
- Rao–Wu (1988) rescaling bootstrap with m_h = n_h − 1 (R's ``subbootstrap``): draw
  n_h − 1 PSUs with replacement in each stratum; ``m = count · n_h/(n_h−1)``; scale
  1/(B−1). All B × n_psu multiplicities come from one vectorised draw on a seeded
  Generator. Strata with one PSU, and certainty strata (fpc = n_h), keep multiplier 1
  (no variance contribution; R's ``subbootstrap`` ignores fpcs and would resample them).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from scoring.design.hadamard import r_hadamard
from scoring.design.structure import FloatArray, IntArray, Stage
from survey.errors import DesignError
from survey.rng import DEFAULT_REPLICATES, RngLike, as_generator

Method = Literal["jk1", "jkn", "bootstrap", "brr", "fay"]

METHODS: tuple[str, ...] = ("jk1", "jkn", "bootstrap", "brr", "fay")


def _fraction_kept(stage: Stage) -> FloatArray:
    """1 − n/N per group (1 without fpc)."""
    pop = stage.pop_group
    out: FloatArray = np.where(
        np.isinf(pop), 1.0, (pop - stage.n_group) / np.where(np.isinf(pop), 1.0, pop)
    )
    return out


def psu_order(stage: Stage) -> IntArray:
    """First-appearance rank of each PSU (R orders PSUs by their first row)."""
    first = np.full(stage.n_units, stage.unit.shape[0], dtype=np.intp)
    np.minimum.at(first, stage.unit, np.arange(stage.unit.shape[0]))
    return first


def jk1(stage: Stage) -> tuple[FloatArray, float, FloatArray]:
    if stage.n_groups != 1:
        raise DesignError(
            "JK1 is for unstratified designs (R: 'Can't use JK1 for a stratified design'); "
            "use method='jkn'."
        )
    u = stage.n_units
    mult = np.full((u, u), u / (u - 1.0))
    np.fill_diagonal(mult, 0.0)
    scale = float(_fraction_kept(stage)[0]) * (u - 1.0) / u
    return mult, scale, np.ones(u)


def jkn(stage: Stage, lonely: str) -> tuple[FloatArray, float, FloatArray]:
    n_g = stage.n_group
    keep = _fraction_kept(stage)
    groups = stage.unit_group
    eligible = (n_g[groups] > 1) & (keep[groups] > 0)
    reps = np.flatnonzero(eligible)
    g_r = groups[reps]
    same = groups[:, None] == g_r[None, :]
    mult = np.where(same, (n_g[g_r] / np.maximum(n_g[g_r] - 1.0, 1.0))[None, :], 1.0)
    mult[reps, np.arange(reps.shape[0])] = 0.0
    rscale = (n_g[g_r] - 1.0) / n_g[g_r] * keep[g_r]
    lonely_groups = np.flatnonzero((n_g == 1) & (keep > 0))
    if lonely == "adjust" and lonely_groups.shape[0]:
        h = float(stage.n_groups)
        extra = np.where(groups[:, None] == lonely_groups[None, :], 0.0, h / (h - 1.0))
        mult = np.hstack([mult, extra])
        rscale = np.concatenate([rscale, np.full(lonely_groups.shape[0], (h - 1.0) / h)])
    if mult.shape[1] == 0:
        raise DesignError("JKn: every stratum is sampled with certainty; there is no variance.")
    return mult, 1.0, rscale


def default_hadamard(n_strata: int) -> NDArray[np.int_]:
    """R's 0/1 Hadamard matrix for ``n_strata`` strata (``survey:::hadamard``; at least
    ``n_strata + 1`` rows, row 0 never used)."""
    return r_hadamard(n_strata)


def brr(
    stage: Stage, rho: float, hadamard: NDArray[np.int_] | None
) -> tuple[FloatArray, float, FloatArray]:
    if np.any(stage.n_group != 2):
        bad = [stage.group_labels[g] for g in np.flatnonzero(stage.n_group != 2)][:5]
        raise DesignError(
            f"BRR/Fay need exactly 2 PSUs per stratum; strata {bad} differ. Pair PSUs into "
            "variance strata, or use method='jkn' or 'bootstrap'."
        )
    if not 0 <= rho < 1:
        raise DesignError(f"Fay's rho={rho} must be in [0, 1).")
    h01 = default_hadamard(stage.n_groups) if hadamard is None else _as01(hadamard)
    if h01.shape[0] < stage.n_groups + 1:
        raise DesignError(f"hadamard matrix needs at least {stage.n_groups + 1} rows.")
    order = psu_order(stage)
    sort = np.lexsort((order, stage.unit_group))
    is_first = np.zeros(stage.n_units, dtype=bool)
    is_first[sort[0::2]] = True
    pick = h01[1 + stage.unit_group, :] == 1  # (U, R): first PSU in the half-sample
    mult = np.where(pick == is_first[:, None], 2.0 - rho, rho)
    r = h01.shape[1]
    return mult, 1.0 / (r * (1.0 - rho) ** 2), np.ones(r)


def _as01(matrix: NDArray[np.int_]) -> NDArray[np.int_]:
    values = np.unique(matrix)
    if values.shape[0] != 2:
        raise DesignError("hadamard matrix must have exactly two distinct values (0/1 or ±1).")
    out: NDArray[np.int_] = (np.asarray(matrix) == values[1]).astype(np.int_)
    return out


def rao_wu(stage: Stage, replicates: int, rng: RngLike) -> tuple[FloatArray, float, FloatArray]:
    """Rao–Wu (n_h − 1) bootstrap multipliers for all replicates in one draw (U x B)."""
    if replicates < 2:
        raise DesignError(f"bootstrap needs at least 2 replicates, got {replicates}.")
    gen = as_generator(rng)
    n_g = stage.n_group.astype(np.intp)
    sort = np.argsort(stage.unit_group, kind="stable")  # PSUs grouped by stratum
    start = np.concatenate([[0], np.cumsum(n_g)[:-1]])
    draws_g = np.maximum(n_g - 1, 0)
    slot_group = np.repeat(np.arange(n_g.shape[0]), draws_g)  # one slot per draw
    picks = start[slot_group] + (
        gen.random((replicates, slot_group.shape[0])) * n_g[slot_group]
    ).astype(np.intp)
    flat = (np.arange(replicates)[:, None] * stage.n_units + sort[picks]).ravel()
    counts = np.bincount(flat, minlength=replicates * stage.n_units).reshape(
        replicates, stage.n_units
    )
    ng_u = n_g[stage.unit_group].astype(np.float64)
    resampled = (ng_u > 1) & (_fraction_kept(stage)[stage.unit_group] > 0)
    mult = np.where(resampled[None, :], counts * ng_u / np.maximum(ng_u - 1.0, 1.0), 1.0)
    return mult.T.copy(), 1.0 / (replicates - 1.0), np.ones(replicates)


def multipliers(
    method: str,
    stage: Stage,
    *,
    replicates: int | None,
    rng: RngLike,
    rho: float | None,
    hadamard: NDArray[np.int_] | None,
    lonely: str,
) -> tuple[FloatArray, float, FloatArray]:
    """PSU multipliers (U x R), scale and rscale (R,) for ``method``."""
    if method == "jk1":
        return jk1(stage)
    if method == "jkn":
        return jkn(stage, lonely)
    if method == "bootstrap":
        return rao_wu(stage, DEFAULT_REPLICATES if replicates is None else replicates, rng)
    if method in ("brr", "fay"):
        return brr(stage, 0.0 if method == "brr" else (0.5 if rho is None else rho), hadamard)
    raise DesignError(
        f"replicate method {method!r} is unknown; expected one of {', '.join(METHODS)}."
    )


def variance_last_axis(
    reps: FloatArray, theta_full: FloatArray | float, scale: float, rscale: FloatArray, mse: bool
) -> FloatArray:
    """``replicate_variance`` for finite replicates on the last axis (no NaN check)."""
    if mse:
        centre = np.asarray(theta_full, dtype=np.float64)
    elif np.all(rscale > 0):
        centre = reps.mean(axis=-1)
    else:
        centre = reps[..., rscale > 0].mean(axis=-1)
    dev = reps - centre[..., None]
    if np.all(rscale == rscale[0]):
        out: FloatArray = scale * float(rscale[0]) * np.einsum("...r,...r->...", dev, dev)
        return out
    dev *= dev
    return np.asarray(scale * (dev @ rscale), dtype=np.float64)


def replicate_variance(
    theta_reps: FloatArray,
    theta_full: FloatArray | float,
    scale: float,
    rscale: FloatArray,
    mse: bool = False,
    axis: int = 0,
) -> FloatArray:
    """``scale Σ_r rscale_r (θ_r − θ̄)²`` over ``axis`` (default the first: ``(R, ...)``).

    Replicates giving NaN (an empty domain in that replicate) are left out, as R's
    ``svrVar`` does with ``na.action``.

    Parameters
    ----------
    theta_reps : numpy.ndarray
        The replicate estimates, replicates along ``axis``.
    theta_full : numpy.ndarray or float
        The full-sample estimate (the centre with ``mse=True``).
    scale : float
        The overall scale (``SurveyDesign.replicate_weights_and_scales`` gives it).
    rscale : numpy.ndarray
        One scale per replicate, shape (R,).
    mse : bool, default False
        Centre on the full-sample estimate instead of the replicates' mean.
    axis : int, default 0
        The replicates' axis.

    Returns
    -------
    numpy.ndarray
        The variance, ``theta_reps``' shape without ``axis``.
    """
    reps = np.asarray(theta_reps, dtype=np.float64)
    rs_flat = np.asarray(rscale, dtype=np.float64)
    if axis in (-1, reps.ndim - 1) and reps.ndim > 1:
        if not np.isnan(reps).any():
            return variance_last_axis(reps, theta_full, scale, rs_flat, mse)
        reps = np.moveaxis(reps, -1, 0)
    elif axis != 0:
        reps = np.moveaxis(reps, axis, 0)
    rs = rs_flat.reshape((-1,) + (1,) * (reps.ndim - 1))
    ok = ~np.isnan(reps)
    if mse:
        centre = np.asarray(theta_full, dtype=np.float64)
    else:
        use = ok & (rs > 0)
        centre = np.sum(np.where(use, reps, 0.0), axis=0) / np.sum(use, axis=0)
    dev = np.where(ok, reps - centre, 0.0)
    out: FloatArray = scale * np.sum(rs * dev * dev, axis=0)
    return out
