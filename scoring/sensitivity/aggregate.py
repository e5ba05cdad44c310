"""Weighted aggregation of children into parents, vectorised over runs.

Inputs ``x`` of shape ``(runs | 1, provinces, children)``, raw weights ``w`` of shape
``(runs, children)`` (0 = dropped) and a 0/1 membership matrix ``(children, parents)``.
Formulas (docs/variance.md, "Composite indicators and sensitivity"; OECD/JRC Handbook 2008, §6; COINr's ``a_amean``, ``a_gmean``,
``a_genmean``, ``a_copeland``), the weights renormalised within each parent:

- arithmetic ``Σ w x / Σ w`` — one batched matrix product for all runs;
- geometric ``exp(Σ w log x / Σ w)``; generalised ``(Σ w x^p / Σ w)^(1/p)``;
- Copeland (Munda & Nardo 2009, *Applied Economics* 41(12)): outranking
  ``O[a,b] = Σ_{j: x_aj > x_bj} w_j + ½ Σ_{ties} w_j`` over ``Σ w``, score
  ``Σ_b sign(O[a,b] − ½)`` = ``Σ_b sign(Σ_j w_j sign(x_aj − x_bj))``.

Written here rather than taken from COINr (R) or a Python port because the Monte Carlo needs
every run at once as one array operation. PAPI's suppression rule holds: a parent is missing
for a province when one of its (non-dropped) children is missing there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scoring.sensitivity.spec import Aggregation

FloatArray = NDArray[np.float64]


def aggregate(x: FloatArray, w: FloatArray, membership: FloatArray, how: Aggregation) -> FloatArray:
    """Parents ``(runs, provinces, parents)`` from children ``x`` with raw weights ``w``."""
    missing = np.isnan(x)
    used = w > 0
    if how.method == "copeland":
        out = _copeland(np.where(missing, np.nan, x), w, membership)
    elif how.method == "arithmetic":
        out = _wmean(np.where(missing, 0.0, x), w, membership)
    elif how.method == "geometric":
        out = np.exp(_wmean(np.log(np.where(missing, 1.0, x)), w, membership))
    else:
        p = float(how.p or 1.0)
        out = _wmean(np.where(missing, 1.0, x) ** p, w, membership) ** (1.0 / p)
    parent_missing = (missing & used[:, None, :]).astype(np.float64) @ membership > 0
    return np.where(parent_missing, np.nan, out)


def _wmean(x: FloatArray, w: FloatArray, membership: FloatArray) -> FloatArray:
    wm = w[:, :, None] * membership[None, :, :]  # (runs, children, parents)
    den = w @ membership  # (runs, parents)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.matmul(x, wm) / den[:, None, :], dtype=np.float64)


def _copeland(x: FloatArray, w: FloatArray, membership: FloatArray) -> FloatArray:
    runs, provinces = w.shape[0], x.shape[1]
    out = np.empty((runs, provinces, membership.shape[1]))
    xb = np.broadcast_to(x, (runs, *x.shape[1:]))
    for g in range(membership.shape[1]):  # few parents (≤ 8 dimensions)
        outrank = np.zeros((runs, provinces, provinces))
        for j in np.flatnonzero(membership[:, g]):  # few children per parent
            col = xb[:, :, j]
            diff = np.nan_to_num(np.sign(col[:, :, None] - col[:, None, :]))
            outrank += w[:, j, None, None] * diff
        out[:, :, g] = np.sign(outrank).sum(axis=2)
    return out
