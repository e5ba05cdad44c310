"""Design effects of every level of the index, and the counts behind them.

A level's design effect is its variance over that of simple random sampling of as many
respondents with replacement (R's ``svymean(deff="replace")``), computed from the level's
influence values (docs/scoring.md, "Defaults, and why"). Used by ``score`` and
``Prepared.score`` (prepared.py, rescore.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scoring.design.estimators import domain_indicator
from scoring.index.levels import finite
from scoring.index.structure import IndexStructure

FloatArray = NDArray[np.float64]


def has_value(flags: NDArray[np.bool_], st: IndexStructure) -> FloatArray:
    """Whether each respondent has a value on at least one input of each sub-dimension,
    dimension and the aggregate (n, S + D + 1), as 0/1 floats, from ``flags`` (K, n): the
    indicators' observed values, transposed (each "any" runs over contiguous rows)."""
    member = st.membership() != 0  # (K, S)
    sub_dim = st.subdimension_to_dimension() != 0  # (S, D)
    s, d = member.shape[1], sub_dim.shape[1]
    any_t = np.empty((s + d + 1, flags.shape[1]), dtype=bool)
    for j in range(s):
        np.logical_or.reduce(flags[member[:, j]], axis=0, out=any_t[j])
    for j in range(d):
        np.logical_or.reduce(any_t[:s][sub_dim[:, j]], axis=0, out=any_t[s + j])
    np.logical_or.reduce(any_t[s : s + d], axis=0, out=any_t[-1])
    levels: FloatArray = np.array(any_t.T, dtype=np.float64, order="C")
    return levels


def respondent_counts(has: FloatArray, domain: NDArray[np.intp], d: int) -> FloatArray:
    """Respondents with a value on at least one input of each code, per province + national;
    ``has`` from :func:`has_value`."""
    per = np.asarray(domain_indicator(domain, d) @ has)
    return np.vstack([per, has.sum(axis=0, keepdims=True)])


def design_effects(
    var: FloatArray,
    u_level: FloatArray,
    w: FloatArray,
    has: FloatArray,
    domain: NDArray[np.intp] | None,
    d: int,
    *,
    n: FloatArray | None = None,
) -> FloatArray:
    """Design effects (D, C): the variance over that of simple random sampling of as many
    respondents *with replacement* (R's ``svymean(deff="replace")``; Kish's deff).

    For a mean, R's SRS variance is ``s²/n`` with ``s² = n/(n−1) Σ w (y − ȳ)² / Σ w``;
    with the influence values ``u = (y − ȳ)/N̂`` that is ``N̂ Σ w u² / (n − 1)``, which
    extends to every level (``u`` of a level is the same combination of the indicators'),
    ``n`` and ``N̂`` counting the respondents with a value on one of the level's inputs
    (``n``: those counts when the caller has them; they are whole numbers).
    """
    dom = np.zeros(len(w), dtype=np.intp) if domain is None else domain
    ind_w = domain_indicator(dom, d, w)  # sums of w · x per domain
    wu2 = np.asarray(ind_w @ np.square(finite(u_level)))
    if n is None:
        positive = w > 0
        n = np.asarray(domain_indicator(dom, d) @ (has * positive[:, None]))
    n_hat = np.asarray(ind_w @ has)
    with np.errstate(divide="ignore", invalid="ignore"):
        v_srs = n_hat * wu2 / (n - 1)
        out: FloatArray = np.where((n > 1) & (v_srs > 0), var / v_srs, np.nan)
    return out


def province_and_national_deff(
    var: FloatArray,
    u: tuple[FloatArray, FloatArray],
    w: FloatArray,
    has: FloatArray,
    domain: NDArray[np.intp],
    d: int,
    counts: FloatArray,
) -> FloatArray:
    """:func:`design_effects` of the province rows and the national row (``u``: their
    influence values) of one block of codes; ``counts`` (rows, codes): respondents with a
    value, which are ``n`` when every weight is positive."""
    n = counts if bool((w > 0).all()) else None
    # row-major, as the sparse sums read it (the indicators' flags come transposed, and a
    # column-major product took 3.8 ms of the 4.4 ms of both calls on the bench survey)
    has = np.ascontiguousarray(has)
    return np.vstack(
        [
            design_effects(var[:d], u[0], w, has, domain, d, n=None if n is None else n[:d]),
            design_effects(var[d:], u[1], w, has, None, 1, n=None if n is None else n[d:]),
        ]
    )
