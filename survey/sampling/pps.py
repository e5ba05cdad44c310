"""Probability-proportional-to-size selection without replacement, grouped and vectorised.

Inclusion probabilities (Särndal, Swensson & Wretman 1992, *Model Assisted Survey Sampling*,
§3.6): a fixed-size πps design of ``n`` units from sizes ``x`` has ``π_i = n x_i / Σ x``. A unit
whose ``π_i`` would reach 1 is taken with certainty, removed, and the probabilities of the others
recomputed with ``n`` reduced by one (repeated until no new certainty unit appears); units with a
size of zero are never selected.

Selection: systematic πps on a random ordering of the units (Hartley & Rao 1962; Madow 1949):
the units are put in a random order, the cumulated probabilities ``C_i`` laid on ``[0, n')``, and
the units covering the points ``u, u + 1, …, u + n' − 1`` (``u ~ U(0, 1)``) are selected. Each
unit is then selected with probability exactly ``π_i`` and the sample size is exactly ``n``; the
random order makes every pair's joint probability positive.

Written here rather than taken from a library because we need it grouped (thousands of districts,
communes or villages, each group with its own ``n``, all at once, no Python loop over groups) and
with per-group random streams supplied by the caller; ``samplics`` and R's ``sampling`` work one
population at a time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from survey.errors import SamplingError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-12


def inclusion_probabilities(
    sizes: npt.ArrayLike, n: npt.ArrayLike, groups: npt.ArrayLike
) -> FloatArray:
    """Exact first-order inclusion probabilities of a πps sample of ``n[g]`` units in each group.

    Units whose probability reaches 1 are certainty units (π = 1).

    Parameters
    ----------
    sizes : array_like
        One positive (or zero) size per unit.
    n : array_like
        The sample size of each group (length ``G``), capped at the number of units with a
        positive size.
    groups : array_like
        The unit's group as an integer ``0..G-1``.

    Returns
    -------
    numpy.ndarray
        π of every unit.

    Raises
    ------
    SamplingError
        Shapes that differ, a negative or non-finite size, or a group outside ``0..G-1``.
    """
    x = np.asarray(sizes, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    want = np.asarray(n, dtype=np.float64)
    if x.shape != g.shape:
        raise SamplingError(f"sizes ({x.shape}) and groups ({g.shape}) must have the same shape")
    if np.any(~np.isfinite(x)) or np.any(x < 0):
        raise SamplingError(
            "unit sizes must be finite and non-negative; fix the frame's populations"
        )
    n_groups = len(want)
    if g.size and (g.min() < 0 or g.max() >= n_groups):
        raise SamplingError(f"group ids must lie in 0..{n_groups - 1}")
    positive = np.bincount(g, weights=(x > 0).astype(np.float64), minlength=n_groups)
    want = np.minimum(want, positive)
    certain = np.zeros(x.shape, dtype=bool)
    pi = np.zeros_like(x)
    while True:
        rest = np.where(certain, 0.0, x)
        total = np.bincount(g, weights=rest, minlength=n_groups)
        n_cert = np.bincount(g, weights=certain.astype(np.float64), minlength=n_groups)
        left = want - n_cert
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, left / total, 0.0)
        pi = np.where(certain, 1.0, rest * scale[g])
        new = (~certain) & (pi >= 1.0 - _EPS)
        if not new.any():
            return np.clip(pi, 0.0, 1.0)
        certain |= new


def systematic_pps(
    sizes: npt.ArrayLike,
    n: npt.ArrayLike,
    groups: npt.ArrayLike,
    order_keys: npt.ArrayLike,
    starts: npt.ArrayLike,
) -> tuple[BoolArray, FloatArray]:
    """Select ``n[g]`` units per group by randomised systematic πps; return (selected, π).

    Passing the random numbers in, rather than a generator, lets callers draw them from
    per-province streams so that a province's sample never depends on which others are drawn.

    Parameters
    ----------
    sizes, n, groups : array_like
        As in :func:`inclusion_probabilities`.
    order_keys : array_like
        One U(0,1) per unit: the random order.
    starts : array_like
        One U(0,1) per group: the random start.

    Returns
    -------
    selected : numpy.ndarray of bool
        Whether each unit is drawn.
    pi : numpy.ndarray
        Its inclusion probability.

    Raises
    ------
    SamplingError
        Keys or starts of the wrong length (and the errors of
        :func:`inclusion_probabilities`).
    """
    x = np.asarray(sizes, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    keys = np.asarray(order_keys, dtype=np.float64)
    u = np.asarray(starts, dtype=np.float64)
    pi = inclusion_probabilities(x, n, g)
    if keys.shape != x.shape or len(u) != len(np.asarray(n)):
        raise SamplingError("need one order key per unit and one start per group")
    certain = pi >= 1.0 - _EPS
    p = np.where(certain, 0.0, pi)
    order = np.lexsort((keys, g))
    g_sorted = g[order]
    cum = np.cumsum(p[order])
    # cumulated probability within each group: subtract the total of the groups before it
    group_total = np.bincount(g_sorted, weights=p[order], minlength=len(u))
    offsets = np.concatenate(([0.0], np.cumsum(group_total)[:-1]))
    upper = cum - offsets[g_sorted]
    lower = upper - p[order]
    # normalise so that each group's cumulated probability ends exactly at its integer n'
    n_left = np.round(group_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(group_total > 0, n_left / group_total, 0.0)
    upper *= norm[g_sorted]
    lower *= norm[g_sorted]
    start = u[g_sorted]
    hits = np.floor(upper - start) - np.floor(lower - start)
    chosen = np.zeros(x.shape, dtype=bool)
    chosen[order] = hits > 0.5
    return chosen | certain, pi
