"""``compare(a, b)``: differences between two index results, province by province.

Use it for two years (``a`` the later, ``b`` the earlier) or a local pilot against its
province's published scores (``b = score_published(...)``, which has no standard errors).

- Difference ``a − b`` with ``se = sqrt(se_a² + se_b²)``: the two surveys are independent
  samples, so their covariance is zero. A published side carries no SE and is treated as a
  fixed reference (its variance contributes 0), and so is a published year derived on the
  2025 provinces (``method = "derived"``, scoring.index.derived): its own error is not known,
  the interval counts the other side only, and the derived scores' notes say so. Two sides
  without SE give no test.
- Degrees of freedom: Welch–Satterthwaite ``(v_a + v_b)² / (v_a²/df_a + v_b²/df_b)`` from the
  two design df (Korn & Graubard 1999, §5.2); a side without df counts as infinite (normal).
- Two-sided p-value and a ``confidence`` CI from Student's t with those df.
- PAPI's own rule (docs/method.md "Year-on-year change"): a change of more than 5% of the earlier score ``b``
  is called significant; reported as ``more_than_5pct`` alongside the design-based test.
- Multiple comparisons: across the provinces of each code (one family per indicator,
  sub-dimension, dimension, and the aggregate), ``statsmodels.stats.multitest.multipletests``
  with ``adjust`` (Holm by default, any statsmodels method, or ``"none"``). Only the
  p-values are adjusted (``p_adj``, and ``significant`` = ``p_adj < 1 − confidence``); the
  intervals ``lci``/``uci`` are unadjusted, one at a time. Each table's ``attrs`` records
  this (``adjust``, ``confidence``, ``intervals="unadjusted"``, and ``reference_published`` when
  ``b`` is published scores, whose own sampling error is unknown and counted as zero), so
  a report can state what it shows.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from scoring.index.results import COMPOSITE_CODE, KEYS, TIERS, IndexScores
from survey.errors import ScoringError

PAPI_CHANGE_THRESHOLD = 0.05
# sides without a standard error taken as fixed references: published scores, and published
# scores derived on the 2025 provinces (scoring.index.derived), whose uncertainty is unknown
FIXED_METHODS = ("published", "derived")

COMPARE_COLUMNS = (
    "province",
    "code",
    "est_a",
    "est_b",
    "est",
    "se",
    "lci",
    "uci",
    "df",
    "p",
    "p_adj",
    "significant",
    "change",
    "more_than_5pct",
)


@dataclass(frozen=True, eq=False)
class IndexComparison:
    """Differences ``a − b`` per level; each table has :data:`COMPARE_COLUMNS`.

    ``code`` is the level key (indicator, SC.., D.., or ``PAPI`` for the composite);
    ``change`` is ``(a − b) / |b|``; ``significant`` is ``p_adj < 1 − confidence``.

    Attributes
    ----------
    indicators, subdimensions, dimensions, composite : pandas.DataFrame
        The differences of each tier (:data:`COMPARE_COLUMNS`).
    confidence : float
        The confidence level of the intervals.
    adjust : str
        The p-value adjustment.
    method_a, method_b : str
        ``IndexScores.method`` of ``a`` and ``b``.
    """

    indicators: pd.DataFrame
    subdimensions: pd.DataFrame
    dimensions: pd.DataFrame
    composite: pd.DataFrame
    confidence: float
    adjust: str
    method_a: str
    method_b: str

    def to_frame(self) -> pd.DataFrame:
        parts = [getattr(self, t).assign(tier=t) for t in TIERS]
        out: pd.DataFrame = pd.concat(parts, ignore_index=True)
        return out.loc[:, ["tier", *COMPARE_COLUMNS]]


def _side(scores: IndexScores, tier: str) -> pd.DataFrame:
    key = KEYS[tier]
    frame = scores.tier(tier)
    code = frame[key] if key else pd.Series(COMPOSITE_CODE, index=frame.index)
    out = pd.DataFrame(
        {
            "province": frame["province"].astype("str"),
            "code": code.astype("str"),
            "est": frame["est"],
            "se": frame["se"],
            "df": frame["df"],
        }
    )
    if scores.method in FIXED_METHODS:
        out["se"] = out["se"].fillna(0.0)
    return out


def _adjust(p: pd.Series, codes: pd.Series, method: str) -> pd.Series:
    out = pd.Series(np.nan, index=p.index)
    if method == "none":
        return p.copy()
    # statsmodels' Holm branch calls gc.collect() on every call (~70 ms in a large process,
    # once per code); freezing the existing heap first makes that collection trivial.
    gc.freeze()
    try:
        for _, idx in p.groupby(codes).groups.items():
            values = p.loc[idx]
            ok = values.notna()
            if ok.any():
                adjusted = multipletests(values[ok].to_numpy(), method=method)[1]
                out.loc[values.index[ok]] = adjusted
    finally:
        gc.unfreeze()
    return out


def _compare_tier(a: IndexScores, b: IndexScores, tier: str, confidence: float, adjust: str) -> Any:
    m = _side(a, tier).merge(_side(b, tier), on=["province", "code"], suffixes=("_a", "_b"))
    diff = m["est_a"] - m["est_b"]
    va, vb = m["se_a"] ** 2, m["se_b"] ** 2
    var = va + vb
    se = var.where(var > 0) ** 0.5
    dfa = m["df_a"].where(va > 0, np.inf).fillna(np.inf)
    dfb = m["df_b"].where(vb > 0, np.inf).fillna(np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = var**2 / (va**2 / dfa + vb**2 / dfb)
    df = df.where(np.isfinite(df) | se.isna(), np.inf)
    q = stats.t.ppf(0.5 + confidence / 2, df)
    p = pd.Series(2 * stats.t.sf(np.abs(diff / se), df), index=m.index)
    p_adj = _adjust(p, m["code"], adjust)
    change = diff / m["est_b"].abs()
    out = pd.DataFrame(
        {
            "province": m["province"],
            "code": m["code"],
            "est_a": m["est_a"],
            "est_b": m["est_b"],
            "est": diff,
            "se": se,
            "lci": diff - q * se,
            "uci": diff + q * se,
            "df": df.where(se.notna()),
            "p": p,
            "p_adj": p_adj,
            "significant": (p_adj < 1 - confidence).where(p_adj.notna()).astype("boolean"),
            "change": change,
            "more_than_5pct": (change.abs() > PAPI_CHANGE_THRESHOLD)
            .where(change.notna())
            .astype("boolean"),
        }
    )
    return out.loc[:, list(COMPARE_COLUMNS)].reset_index(drop=True)


def compare(
    a: IndexScores, b: IndexScores, *, confidence: float = 0.95, adjust: str = "holm"
) -> IndexComparison:
    """Province-by-province differences ``a − b`` at every level both results have.

    Parameters
    ----------
    a, b : IndexScores
        The two results (a pilot and a published year, two survey rounds, …).
    confidence : float, default 0.95
        Confidence level of the difference's interval; ``significant`` is
        ``p_adj < 1 − confidence``.
    adjust : str, default "holm"
        A ``statsmodels.stats.multitest.multipletests`` method (``holm``, ``bonferroni``,
        ``fdr_bh``, …) or ``"none"``; families are the provinces of one code.

    Returns
    -------
    IndexComparison
        One table of differences per tier.

    Raises
    ------
    ScoringError
        A confidence level outside (0, 1) or an unknown ``adjust``.
    """
    if not 0 < confidence < 1:
        raise ScoringError(
            f"confidence = {confidence}; expected a confidence level in (0, 1), e.g. 0.95"
        )
    known = {"none", "bonferroni", "sidak", "holm-sidak", "holm", "simes-hochberg", "hommel"}
    known |= {"fdr_bh", "fdr_by", "fdr_tsbh", "fdr_tsbky"}
    if adjust not in known:
        raise ScoringError(
            f"unknown adjustment {adjust!r}; expected one of {', '.join(sorted(known))}",
            code="unknown_adjustment",
        )
    tables = {t: _compare_tier(a, b, t, confidence, adjust) for t in TIERS}
    for table in tables.values():
        table.attrs.update(
            {
                "adjust": adjust,
                "confidence": confidence,
                "intervals": "unadjusted",
                "reference_published": b.method == "published",
            }
        )
    return IndexComparison(
        **tables, confidence=confidence, adjust=adjust, method_a=a.method, method_b=b.method
    )
