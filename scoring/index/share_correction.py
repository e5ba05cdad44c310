"""The PSU-share corrected Taylor variance, the default of weighted Taylor scores.

R's with-replacement formula is biased low when a stratum's PSUs carry unequal shares of its
weight (a certainty capital beside PPS districts); ``share_corrected_variance`` is unbiased
under equal-variance PSU means and equals R's formula with equal shares (docs/scoring.md,
"Why the default corrects for PSU shares"; docs/simulation.md, "Variance units"). Whether
it applies to a design, and the note when the default leaves it off, live here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.design.design import SurveyDesign
from scoring.design.structure import codes as integer_codes
from scoring.design.taylor import group_sum
from survey.errors import ScoringError

FloatArray = NDArray[np.float64]


def share_corrected_variance(
    u: FloatArray,
    w: FloatArray,
    stratum: NDArray[np.intp],
    unit: NDArray[np.intp],
    domain: NDArray[np.intp],
    d: int,
    *,
    wu: FloatArray | None = None,
) -> FloatArray:
    """Variance (d, C) of the domain totals of ``w · u`` with the PSU-share correction.

    The with-replacement formula ``n/(n−1) Σ (z_i − z̄)²`` over a stratum's PSU totals
    ``z_i`` is unbiased when the PSUs carry equal shares of the weight. With shares ``s_i``
    (a certainty capital holding 12% of a province's weight and two PPS districts 44% each),
    and PSU means that vary independently with equal variance, its expectation is about
    0.82 of the variance (docs/simulation.md, "Variance units"). The corrected estimator
    ``S₂/(1 − S₂) Σ_i e_i² / s_i`` with ``S₂ = Σ s_i²`` and ``e_i = z_i − s_i Σ_j z_j`` is
    unbiased under that model, and with equal shares it is the usual formula. Strata with
    one PSU contribute 0. Each stratum must lie within one domain (the caller checks).
    ``wu``: the weighted values ``w · u`` to sum in place of ``u * w`` (a post-stratified
    design's residuals, ``SurveyDesign.calibration_residuals``); ``w`` still gives the shares.
    """
    n_units = int(unit.max()) + 1
    n_strata = int(stratum.max()) + 1
    # w · u summed per PSU in the sparse product (its products are those of u * w: no copy)
    z = group_sum(unit, u, n_units, weights=w) if wu is None else group_sum(unit, wu, n_units)
    big_w = np.bincount(unit, w, minlength=n_units)
    unit_stratum = np.zeros(n_units, dtype=np.intp)
    unit_stratum[unit] = stratum
    w_h = np.bincount(unit_stratum, big_w, minlength=n_strata)
    share = np.divide(big_w, w_h[unit_stratum], out=np.zeros(n_units), where=w_h[unit_stratum] > 0)
    e = z - share[:, None] * group_sum(unit_stratum, z, n_strata)[unit_stratum]
    s2 = np.bincount(unit_stratum, share**2, minlength=n_strata)
    psus = np.bincount(unit_stratum, big_w > 0, minlength=n_strata)
    factor = np.divide(s2, 1.0 - s2, out=np.zeros(n_strata), where=(psus > 1) & (s2 < 1))
    ratio = np.divide(e**2, share[:, None], out=np.zeros_like(e), where=share[:, None] > 0)
    v_h = factor[:, None] * group_sum(unit_stratum, ratio, n_strata)
    stratum_domain = np.zeros(n_strata, dtype=np.intp)
    stratum_domain[stratum] = domain
    out: FloatArray = group_sum(stratum_domain, v_h, d)
    return out


@dataclass(frozen=True)
class Strata:
    """What the correction and the frame's notes read of the design columns, from one
    factorisation of each: the rows' stratum codes and PSU codes (sorted labels), and per
    stratum the number of distinct provinces and of PSUs (``None`` without a PSU column).
    Built by :func:`strata_of`; the counts are pandas' ``groupby(strata)[col].nunique()``
    (the design columns have no missing values: ``check_for_scoring``)."""

    stratum: NDArray[np.intp]  # (n,)
    unit: NDArray[np.intp] | None  # (n,) the (stratum, PSU) pairs' codes
    provinces: NDArray[np.intp]  # (S,)
    psus: NDArray[np.intp] | None  # (S,)


def strata_of(
    frame: pd.DataFrame, strata: str | None, psu: str | None, domain: NDArray[np.intp]
) -> Strata | None:
    """:class:`Strata` of a frame whose rows are in the provinces ``domain`` (codes);
    ``None`` without strata."""
    if strata is None:
        return None
    stratum = integer_codes(frame[strata].astype("str"))[0]
    n_strata = int(stratum.max()) + 1 if stratum.size else 0
    n_domains = int(domain.max()) + 1 if domain.size else 1
    pairs = np.unique(stratum.astype(np.int64) * n_domains + domain)
    provinces = np.bincount(pairs // n_domains, minlength=n_strata).astype(np.intp)
    if psu is None:
        return Strata(stratum, None, provinces, None)
    unit = integer_codes(frame.loc[:, [strata, psu]].astype("str"))[0]
    stratum_of_unit = np.zeros(int(unit.max()) + 1 if unit.size else 0, dtype=np.intp)
    stratum_of_unit[unit] = stratum
    psus = np.bincount(stratum_of_unit, minlength=n_strata).astype(np.intp)
    return Strata(stratum, unit, provinces, psus)


def share_correction_misfit(strata: str | None, facts: Strata | None) -> str | None:
    """Why the PSU-share correction does not fit a design (``None``: it fits): it needs
    strata and PSUs, every stratum inside one province, and two PSUs in every stratum;
    ``facts``: :func:`strata_of` the frame."""
    if facts is None or facts.psus is None:
        return "strata and PSUs (the columns `stratum`/`province` and `psu`/`district`)"
    if (facts.provinces > 1).any():
        return f"every stratum inside one province; {strata!r} spans several"
    if (facts.psus < 2).any():
        return f"two PSUs in every stratum; a stratum of {strata!r} has one"
    return None


def share_units(facts: Strata | None) -> tuple[NDArray[np.intp], NDArray[np.intp]] | None:
    """Stratum and PSU codes of each row for ``share_corrected_variance`` (``None``
    without strata or PSUs)."""
    if facts is None or facts.unit is None:
        return None
    return facts.stratum, facts.unit


def share_corrected(
    misfit: str | None,
    units: tuple[NDArray[np.intp], NDArray[np.intp]] | None,
    design: SurveyDesign,
    blocks: Sequence[tuple[FloatArray, FloatArray]],
    domain: NDArray[np.intp],
    d: int,
) -> FloatArray:
    """Province and national rows of ``share_corrected_variance`` of the influence values
    ``blocks`` ((provinces, national) pairs of column blocks; each column is its own
    variance, so the blocks are never joined); strata must nest in provinces; ``misfit``:
    ``share_correction_misfit`` of the frame, ``units``: its ``share_units``."""
    if misfit is not None:
        raise ScoringError(
            f"share_correction needs {misfit}. Score with share_correction=False",
            code="share_correction_design",
        )
    assert units is not None
    stratum, unit = units
    w = design.weights
    national = np.zeros_like(domain)
    # a calibrated design sums its residuals; an uncalibrated one's are w · u, which the
    # PSU sums form themselves (no (n, C) copy)
    calibrated = bool(design.calibration_history)
    parts = [
        (
            share_corrected_variance(
                u,
                w,
                stratum,
                unit,
                domain,
                d,
                wu=design.calibration_residuals(u) if calibrated else None,
            ),
            share_corrected_variance(
                u_n,
                w,
                stratum,
                unit,
                national,
                1,
                wu=design.calibration_residuals(u_n) if calibrated else None,
            ),
        )
        for u, u_n in blocks
    ]
    out: FloatArray = np.vstack(
        [np.hstack([p for p, _ in parts]), np.hstack([n for _, n in parts])]
    )
    return out


def share_choice(
    asked: bool | None,
    misfit: str | None,
    *,
    weighted: bool,
    variance: str,
) -> tuple[bool, list[str]]:
    """Whether the PSU-share correction applies, and a note when the default left it off
    for a weighted Taylor design it does not fit."""
    if asked is not None:
        return asked, []
    if not weighted or variance != "taylor":
        return False, []
    if misfit is None:
        return True, []
    return False, [
        f"the Taylor variance is R's with-replacement formula, without the PSU-share "
        f"correction of weighted scores (it needs {misfit}): where a province's PSUs carry "
        "unequal shares of its weight the SEs are biased low (docs/scoring.md, Coverage)"
    ]
