"""Published PAPI years on the 34 provinces of 2025, as derived (not official) index scores.

``derived_published(2024)`` scores the population-weighted sub-dimension figures of
``survey.geography.history`` like published ones (dimensions and aggregate by sums; ranks and
performance groups over the 34 new provinces), with ``method = "derived"`` and notes that name
the derivation and say that its uncertainty is not known. ``compare(survey, derived)`` then
treats the derived side as a fixed reference, as it does published scores (compare.py).

``derive_scores(scores)`` does the same for any result on the 63 former provinces that has
standard errors (an earlier survey scored with ``papi score``): estimates are the same
population-weighted means, and since the former provinces' samples are independent strata,
``se = sqrt(Σ w² se²)`` with Satterthwaite df ``(Σ w² se²)² / Σ (w² se²)² / df`` (Korn &
Graubard 1999, §5.2); so a comparison with it counts the uncertainty of both sides. Ranks and
groups of such derived results are left empty (their uncertainty would need the replicates).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from scoring.index.published import StructureLike, score_published
from scoring.index.results import KEYS, NATIONAL, TIERS, IndexScores, normalise
from survey.errors import ScoringError
from survey.geography.history import (
    DERIVED_LABEL,
    DERIVED_UNCERTAINTY,
    derivation_note,
    derived_subdimensions,
    population_weights,
)

DERIVED_METHOD = "derived"


def structure_of_year(year: int) -> str:
    """The questionnaire structure of a published year: 2018, 2019–2020, 2021 on."""
    return "papi-2018" if year == 2018 else "papi-2019" if year <= 2020 else "papi-2021"


def derived_published(
    year: int, structure: StructureLike = None, *, confidence: float = 0.95
) -> IndexScores:
    """Published ``year`` (2018–2024) on the 34 new provinces: derived, not official.

    Parameters
    ----------
    year : int
        A published year, 2018–2024.
    structure : Questionnaire, str, IndexStructure, mapping or None, default None
        The index structure; ``None``: the year's questionnaire.
    confidence : float, default 0.95
        Confidence level of the intervals that carry the derivation's uncertainty.

    Returns
    -------
    IndexScores
        ``method="derived"``, with notes saying how and how uncertain.
    """
    scores = score_published(
        derived_subdimensions(year),
        structure if structure is not None else structure_of_year(year),
        confidence=confidence,
    )
    return replace(
        scores,
        method=DERIVED_METHOD,
        notes=(*scores.notes, derivation_note(year), DERIVED_UNCERTAINTY),
    )


DERIVED_SE_NOTE = (
    "standard errors of the derived figures combine the former provinces' (independent "
    "strata): se = sqrt(sum of w² se²), Satterthwaite df; ranks and groups are not derived"
)


def _derive_tier(
    frame: pd.DataFrame, tier: str, w: pd.DataFrame, confidence: float
) -> pd.DataFrame:
    key = KEYS[tier]
    keys = [key] if key else []
    t = frame.loc[frame["province"] != NATIONAL].merge(
        w, left_on="province", right_on="former", how="inner"
    )
    t["wv"] = (t["weight"] * t["se"]) ** 2
    t["wv_df"] = t["wv"] ** 2 / t["df"]
    t["west"] = t["weight"] * t["est"]
    t["ok"] = t["est"].notna()
    t["se_ok"] = t["se"].notna() & t["df"].notna()
    g = t.groupby(["new", *keys], sort=True)
    out = g.agg(
        est=("west", "sum"),
        var=("wv", "sum"),
        var_df=("wv_df", "sum"),
        ok=("ok", "sum"),
        se_ok=("se_ok", "sum"),
        n=("n", "sum"),
    ).reset_index()
    size = w.groupby("new").size()
    complete = out["ok"].to_numpy() == size.reindex(out["new"]).to_numpy()
    known = out["se_ok"].to_numpy() == size.reindex(out["new"]).to_numpy()
    out["est"] = out["est"].where(complete)
    out["se"] = np.sqrt(out["var"]).where(complete & known)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["df"] = (out["var"] ** 2 / out["var_df"]).where(out["se"] > 0)
    q = stats.t.ppf(0.5 + confidence / 2, out["df"])
    out["lci"] = out["est"] - q * out["se"]
    out["uci"] = out["est"] + q * out["se"]
    out = out.rename(columns={"new": "province"})
    return normalise(out, tier)


def derive_scores(scores: IndexScores) -> IndexScores:
    """``scores`` of (some of) the 63 former provinces on the 34 new ones (see the module
    doc); a new province gets a figure where all its former provinces have one."""
    w = population_weights().loc[:, ["former", "new", "weight"]]
    provinces = set(scores.composite["province"]) | set(scores.dimensions["province"])
    if not provinces & set(w["former"]):
        raise ScoringError(
            "the scores have no former province (P01…P63); only 2018-geography results can be "
            "derived on the 2025 provinces",
            code="province_not_found",
        )
    tiers = [_derive_tier(scores.tier(t), t, w, scores.confidence) for t in TIERS]
    return replace(
        scores,
        indicators=tiers[0],
        subdimensions=tiers[1],
        dimensions=tiers[2],
        composite=tiers[3],
        method=DERIVED_METHOD if scores.method == "published" else scores.method,
        notes=(
            *scores.notes,
            f"{DERIVED_LABEL} ({scores.method} scores; weights: 2019 census population)",
            DERIVED_SE_NOTE,
        ),
    )
