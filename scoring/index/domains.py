"""A 2025-geography survey broken down by former province: continuity with 2018–2024.

A new province of 2025 was formed from one to three former provinces. Each village of a
two-tier sample records the former province it lies in (``former_province``, carried from the
frame; docs/geography.md), and every commune — the PSU — lies in one former province, so the
former provinces are domains of the survey's design. ``score_former_provinces`` scores them as
such: the design is unchanged (strata = the new provinces, PSUs = the communes, the same
weights), only the domain column changes (Lumley 2010, *Complex Surveys*, §2.3: domain
estimates use the full design, not a subset of it). A former province reached by few
communes has wide intervals and few degrees of freedom; ranks and groups over these domains
are not PAPI's (which ranks the 34 new provinces) and are to be read as descriptive.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from scoring.index.pipeline import score
from scoring.index.results import IndexScores
from survey.errors import ScoringError
from survey.questionnaire.schema import Questionnaire

DOMAIN_NOTE = (
    "domains: the former provinces (until June 2025) within the 2025 survey's design (strata "
    "= new provinces, PSUs = communes); ranks and groups among them are descriptive only"
)


def score_former_provinces(
    responses: pd.DataFrame, questionnaire: Questionnaire | str, **options: Any
) -> IndexScores:
    """Scores of each former province as a domain of a 2025-geography survey; ``options`` go
    to ``scoring.score`` (``variance``, ``replicates``, ``weighted``, …; ``strata`` is the survey's
    ``stratum``, else its ``province``)."""
    if "former_province" not in responses.columns:
        raise ScoringError(
            "the responses have no `former_province` column; a 2025-geography sample records "
            "it per village (papi sample --geography 2025 writes it): join it on `village`",
            code="former_province_missing",
        )
    missing = responses["former_province"].isna()
    if missing.any():
        raise ScoringError(
            f"{int(missing.sum())} respondents have no former_province (e.g. village "
            f"{responses.loc[missing, 'village'].iloc[0]!r} if present); every village of a "
            "2025 sample lies in one former province",
            code="former_province_missing",
        )
    r = responses.copy()
    if "stratum" not in r.columns:
        r["stratum"] = r["province"]
    r["province"] = r["former_province"].astype(str)
    options.setdefault("strata", "stratum")
    scores = score(r, questionnaire, **options)
    return replace(scores, notes=(*scores.notes, DOMAIN_NOTE))
