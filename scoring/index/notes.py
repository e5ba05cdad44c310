"""The notes an ``IndexScores`` carries: what a reader of the tables must know about how
they were made (the rank draws, absent items, suppression), about the sample's shape (too
few provinces for groups, variances on 1 degree of freedom) and about the design's strata.
Written by ``score`` (rescore.py and frame_design.py); each text is the one home of its rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.index.groups import MIN_GROUP_UNITS
from scoring.index.levels import AggregationWeights
from scoring.index.share_correction import Strata
from scoring.index.structure import IndexStructure

FloatArray = NDArray[np.float64]


def score_notes(
    st: IndexStructure,
    ci_dist: str,
    replicates: int,
    absent: tuple[str, ...],
    n_obs: FloatArray,
    min_n: int,
    weights: AggregationWeights,
    ranked: int,
) -> list[str]:
    """What a reader of the tables must know: rank-draw method, absent items, suppression.
    ``ranked``: provinces with an aggregate score (with fewer than 2 nothing is ranked)."""
    notes = []
    if ranked >= 2:
        law = "Student t on the province's design df" if ci_dist == "t" else "standard normal"
        notes.append(
            f"rank intervals and group probabilities from {replicates} draws of the "
            "provinces' true scores given all estimates (empirical Bayes: shrunk towards "
            f"the mean, SEs moderated across provinces, sampling error {law} as in the CIs)"
        )
    if absent:
        notes.append(f"item columns absent from the responses (indicators missing): {absent}")
    thin = (n_obs < min_n).sum(axis=0)
    if thin.any():
        worst = np.argsort(-thin, kind="stable")[: min(8, int((thin > 0).sum()))]
        listed = ", ".join(f"{st.indicators[j]} ({thin[j]})" for j in worst)
        notes.append(
            f"{int(thin.sum())} province × indicator cells have fewer than min_n={min_n} "
            "respondents with a value and are suppressed; "
            f"most affected (number of provinces): {listed}"
        )
        has_gap = ((weights.w[:-1] == 0).astype(np.float64) @ st.membership()) > 0
        partial = int((has_gap & weights.scored[:-1]).sum())
        unscored = int((~weights.scored[:-1]).sum())
        notes.append(
            f"{partial} province sub-dimension scores are means of their available indicators; "
            f"{unscored} are missing (fewer than min_share of their indicators scored)"
        )
    return notes


def _listed(items: Sequence[object], most: int = 8) -> str:
    return ", ".join(map(str, items[:most])) + (", …" if len(items) > most else "")


def design_notes(
    provinces: Sequence[object],
    df: FloatArray,
    scored: int,
    ci_dist: str,
) -> list[str]:
    """What the sample's shape means for groups and CIs: too few provinces for quartiles,
    variances on 1 degree of freedom (the frame's own notes: ``frame_notes``)."""
    notes = []
    if 0 < scored < MIN_GROUP_UNITS:
        notes.append(
            f"only {scored} province{' has' if scored == 1 else 's have'} an aggregate score: "
            "performance groups are quartiles among the scored provinces and need at least "
            f"{MIN_GROUP_UNITS}, so none is assigned; compare with the published scores instead "
            "(papi report --previous-published YEAR; survey.published in Python)"
        )
    thin_df = [str(p) for p, f in zip(provinces, df, strict=True) if f == 1]
    if thin_df and ci_dist == "t":
        notes.append(
            f"{len(thin_df)} province(s) ({_listed(thin_df)}) have 2 PSUs in one stratum: their "
            "standard errors rest on 1 degree of freedom, so the CIs (Student t, 12.7 × se) "
            "are very wide and the SE of a sum such as the aggregate can be far off by "
            "chance; sample more clusters (papi sample --communes N for a pilot)"
        )
    return notes


def frame_notes(
    responses: pd.DataFrame,
    strata: str | None,
    psu: str | None,
    lonely_psu: str,
    facts: Strata | None,
) -> list[str]:
    """What the design's strata mean for the draws and SEs: strata spanning provinces,
    strata with a lone PSU under an R lonely-PSU option; ``facts``: the frame's
    ``share_correction.strata_of``."""
    notes = []
    if strata and strata != "province" and facts is not None:
        shared = facts.provinces > 1
        if shared.any():
            notes.append(
                f"{int(shared.sum())} stratum/strata span several provinces: the rank "
                "draws treat provinces as independent, which holds only when every stratum "
                "lies in one province"
            )
    if lonely_psu != "fail" and strata and psu:
        per_stratum = responses.groupby(strata, sort=True, observed=True)[psu].nunique()
        lonely = list(per_stratum.index[per_stratum == 1])
        if lonely:
            notes.append(
                f"{len(lonely)} stratum/strata have one PSU ({_listed(lonely)}); with "
                f"lonely_psu={lonely_psu!r} they add no variance of their own, so a province "
                "that is such a stratum gets a standard error near 0: cluster on a lower stage "
                "(--psu commune; psu='commune' in Python) to measure it"
            )
    return notes
