"""What a report compares with when given a published year (``--previous-published``).

A survey in the 63-province geography compares with that year's published scores; a survey of
the 34 provinces of 2025 compares with the year derived on them (``scoring.derived_published``:
population-weighted means of the former provinces, a derived figure, not an official one).
The comparison section is then titled and annotated so ("derived, not official", how it was
derived, and that its own uncertainty is not known). One home for the choice: ``papi report``
and ``papi demo`` both call ``previous_published``.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.reporting.i18n import labels
from scoring import IndexScores, derived_published, score_published
from scoring.index.derived import derive_scores, structure_of_year
from survey.geography import geography_of
from survey.published import subdimensions


@dataclass(frozen=True)
class Previous:
    """The scores to compare with, the comparison's title and its notes."""

    scores: IndexScores
    title: str
    notes: tuple[str, ...] = ()
    derived: bool = False


def _codes(scores: IndexScores) -> list[str]:
    return [str(p) for t in (scores.composite, scores.dimensions) for p in t["province"]]


def previous_scores(current: IndexScores, earlier: IndexScores, lang: str = "en") -> Previous:
    """Earlier results (``--previous``) as the comparison of ``current``: as they are, or,
    for a 2025-geography survey and earlier results on the 63 former provinces, derived on
    the 34 (``scoring.index.derived.derive_scores``: their standard errors carried over)."""
    L = labels(lang)
    if geography_of(_codes(current)) == "2025" and geography_of(_codes(earlier)) == "2018":
        derived = derive_scores(earlier)
        return Previous(
            scores=derived,
            title=L["changes_vs_derived_results"],
            notes=derived.notes[len(earlier.notes) :],
            derived=True,
        )
    return Previous(scores=earlier, title=L["changes"])


def previous_published(current: IndexScores, year: int, lang: str = "en") -> Previous:
    """Published ``year`` in the geography of ``current``'s provinces (see the module doc)."""
    L = labels(lang)
    if geography_of(_codes(current)) == "2025":
        scores = derived_published(year, structure_of_year(year))
        return Previous(
            scores=scores,
            title=L["changes_vs_derived"].format(year=year),
            notes=scores.notes,
            derived=True,
        )
    return Previous(
        scores=score_published(subdimensions(year), structure=structure_of_year(year)),
        title=f"{L['changes_vs']} {year}",
    )
