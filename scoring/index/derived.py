"""Published PAPI years on the 34 provinces of 2025, as derived (not official) index scores.

``derived_published(2024)`` scores the population-weighted sub-dimension figures of
``survey.geography.history`` like published ones (dimensions and aggregate by sums; ranks and
performance groups over the 34 new provinces), with ``method = "derived"`` and notes that name
the derivation and say that its uncertainty is not known. ``compare(survey, derived)`` then
treats the derived side as a fixed reference, as it does published scores (compare.py).
"""

from __future__ import annotations

from dataclasses import replace

from scoring.index.published import StructureLike, score_published
from scoring.index.results import IndexScores
from survey.geography.history import DERIVED_UNCERTAINTY, derivation_note, derived_subdimensions

DERIVED_METHOD = "derived"


def structure_of_year(year: int) -> str:
    """The questionnaire structure of a published year: 2018, 2019–2020, 2021 on."""
    return "papi-2018" if year == 2018 else "papi-2019" if year <= 2020 else "papi-2021"


def derived_published(
    year: int, structure: StructureLike = None, *, level: float = 0.95
) -> IndexScores:
    """Published ``year`` (2018–2024) on the 34 new provinces: derived, not official."""
    scores = score_published(
        derived_subdimensions(year),
        structure if structure is not None else structure_of_year(year),
        level=level,
    )
    return replace(
        scores,
        method=DERIVED_METHOD,
        notes=(*scores.notes, derivation_note(year), DERIVED_UNCERTAINTY),
    )
