"""What changed since the previous year (or survey), for one province.

The differences, their tests and flags are those of :func:`scoring.index.compare` (the rule
``papi report`` uses for its comparison): ``a − b`` with ``se = sqrt(se_a² + se_b²)``,
Welch–Satterthwaite df, p-values adjusted across the provinces of each code (Holm by
default), and PAPI's own rule, a change of more than 5% of the earlier score. A change is
*beyond noise* when the adjusted test is significant; where neither side carries standard
errors (published scores) there is no test and PAPI's 5% rule decides, as in the report.

Only like is compared with like. A sub-dimension is compared when it exists in both years
in the same dimension with the same number of sibling sub-dimensions ``k`` (its published
value is ``S / k``, so a change of ``k``, e.g. D5 losing Construction Permits in 2021,
changes its scale). A dimension is compared when it is made of the same sub-dimensions. An
indicator is compared when both results have it in the same sub-dimension (and, when the
caller passes the questionnaires' definitions, with the same definition). Everything else
is listed as not compared, with the reason. The aggregate is always compared (it is on
8–80 in every year since 2018); the dimensions whose definition changed are named with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.brief.field import structure_of
from scoring.index.compare import compare
from scoring.index.results import COMPOSITE_CODE, IndexScores


@dataclass(frozen=True, eq=False)
class Changes:
    """What changed for one province between two results.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``tier, code, before, after, change, change_pct, lci, uci, p_adj,
        significant, more_than_5pct, beyond_noise``.
    not_compared : pandas.DataFrame
        ``tier, code, reason`` of what could not be compared.
    adjust : str
        The p-value adjustment (``scoring.compare``).
    tested : bool
        Whether at least one side has standard errors (a design-based test).
    changed_dimensions : tuple of str
        Dimensions whose change is beyond noise.
    """

    table: pd.DataFrame
    not_compared: pd.DataFrame
    adjust: str
    tested: bool  # standard errors on at least one side: design-based test available
    changed_dimensions: tuple[str, ...]


def _k(scores: IndexScores) -> dict[str, tuple[str, int]]:
    st = structure_of(scores)
    k = st.k()
    return {
        s: (d, int(n))
        for s, d, n in zip(st.subdimensions, st.subdimension_dimension, k, strict=True)
    }


def _members(scores: IndexScores) -> dict[str, tuple[str, ...]]:
    st = structure_of(scores)
    out: dict[str, list[str]] = {}
    for s, d in zip(st.subdimensions, st.subdimension_dimension, strict=True):
        out.setdefault(d, []).append(s)
    return {d: tuple(v) for d, v in out.items()}


def province_changes(
    current: IndexScores,
    previous: IndexScores,
    province: str,
    *,
    adjust: str = "holm",
    definitions: tuple[Mapping[str, object], Mapping[str, object]] | None = None,
) -> Changes:
    """Changes of ``province`` from ``previous`` to ``current`` at every comparable level.

    ``definitions``: optional ``(current, previous)`` maps indicator code → definition
    (anything comparable with ``==``); an indicator whose definition differs is not compared.

    Parameters
    ----------
    current, previous : IndexScores
        The later and the earlier result.
    province : str
        The province's code.
    adjust : str, default "holm"
        The p-value adjustment (``scoring.compare``).
    definitions : tuple of two mappings or None, default None
        See above.

    Returns
    -------
    Changes
        The comparison table and what was not compared.
    """
    cmp = compare(current, previous, confidence=current.confidence, adjust=adjust)
    skipped: list[tuple[str, str, str]] = []
    keep: dict[str, set[str]] = {}
    k_a, k_b = _k(current), _k(previous)
    subs = set()
    for s in sorted(set(k_a) | set(k_b)):
        if s not in k_b:
            skipped.append(("subdimensions", s, "new"))
        elif s not in k_a:
            skipped.append(("subdimensions", s, "dropped"))
        elif k_a[s] != k_b[s]:
            skipped.append(("subdimensions", s, "rescaled"))
        else:
            subs.add(s)
    keep["subdimensions"] = subs
    m_a, m_b = _members(current), _members(previous)
    dims = set()
    changed = []
    for d in sorted(set(m_a) | set(m_b)):
        if d not in m_b:
            skipped.append(("dimensions", d, "new"))
        elif d not in m_a:
            skipped.append(("dimensions", d, "dropped"))
        elif m_a[d] != m_b[d]:
            skipped.append(("dimensions", d, "redefined"))
            changed.append(d)
        else:
            dims.add(d)
    keep["dimensions"] = dims
    keep["composite"] = {COMPOSITE_CODE}
    ind_a = set(
        zip(current.indicators["indicator"], current.indicators["subdimension"], strict=True)
    )
    ind_b = set(
        zip(previous.indicators["indicator"], previous.indicators["subdimension"], strict=True)
    )
    inds = set()
    for code, sub in sorted(ind_a | ind_b):
        if (code, sub) not in ind_b:
            skipped.append(("indicators", code, "new"))
        elif (code, sub) not in ind_a:
            skipped.append(("indicators", code, "dropped"))
        elif definitions is not None and definitions[0].get(code) != definitions[1].get(code):
            skipped.append(("indicators", code, "redefined"))
        else:
            inds.add(code)
    keep["indicators"] = inds
    parts = []
    for tier in ("composite", "dimensions", "subdimensions", "indicators"):
        frame = getattr(cmp, tier)
        rows = frame[(frame["province"] == province) & frame["code"].isin(keep[tier])]
        parts.append(rows.assign(tier=tier))
    table = pd.concat(parts, ignore_index=True)
    significant = table["significant"].astype("boolean")
    five = table["more_than_5pct"].astype("boolean")
    table = pd.DataFrame(
        {
            "tier": table["tier"],
            "code": table["code"],
            "before": table["est_b"],
            "after": table["est_a"],
            "change": table["est"],
            "change_pct": 100.0 * table["change"],
            "lci": table["lci"],
            "uci": table["uci"],
            "p_adj": table["p_adj"],
            "significant": significant,
            "more_than_5pct": five,
            "beyond_noise": significant.fillna(five),
        }
    )
    tested = bool(np.isfinite(table["p_adj"].to_numpy(dtype=np.float64, na_value=np.nan)).any())
    # a skipped code is reported only if the province has a score on the side that has it
    not_compared = pd.DataFrame(skipped, columns=["tier", "code", "reason"])
    return Changes(table, not_compared, adjust, tested, tuple(changed))
