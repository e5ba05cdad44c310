"""``prepare(...).score(drop=...)`` is ``score`` on the questionnaire without the dropped
indicators and sub-dimensions: the console's what-if rescoring (scoring.index.pipeline)
agrees with the one home of the scores, number for number, notes and provenance included."""

from __future__ import annotations

from typing import Any

import pytest

from scoring import score
from scoring.index.pipeline import prepare, without
from survey.errors import ScoringError
from tests.scoring.index.score_snapshot import BASE, document, survey

DROPS: tuple[tuple[str, ...], ...] = (
    (),
    ("SC11_01",),  # one indicator
    ("SC12",),  # a sub-dimension
    ("SC11_01", "SC23", "SC61_02"),  # indicators and a sub-dimension together
)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"weighted": False},
        {"share_correction": True, "ci_dist": "normal", "min_share": 1.0},
        {"variance": "bootstrap", "replicates": 40, "rng": 5},
    ],
    ids=["weighted", "unweighted", "share_corrected", "bootstrap"],
)
def test_prepared_score_equals_score_on_the_reduced_questionnaire(options: dict[str, Any]) -> None:
    frame, q = survey("papi")
    kw = BASE | options
    prepared = prepare(frame, q, **kw)
    for drop in DROPS:
        expected = document(score(frame, without(q, drop), **kw))
        assert document(prepared.score(drop=drop)) == expected, drop


def test_prepared_score_can_change_the_variance_method() -> None:
    frame, q = survey("papi")
    prepared = prepare(frame, q, **BASE)
    kw = BASE | {"variance": "jkn"}
    expected = document(score(frame, without(q, ("SC12",)), **kw))
    assert document(prepared.score(drop=("SC12",), variance="jkn")) == expected


def test_dropping_a_whole_subdimension_by_its_indicators_is_refused() -> None:
    frame, q = survey("papi")
    sub = q.structure.dimensions[0].subdimensions[0]
    with pytest.raises(ScoringError, match="drop the sub-dimension itself"):
        prepare(frame, q, **BASE).score(drop=tuple(i.code for i in sub.indicators))


def test_prepared_score_agrees_when_answer_columns_are_absent() -> None:
    frame, q = survey("papi")
    first = q.structure.indicators[0]
    item = first.item or (first.items or [None])[0] or (first.criteria or [])[0].item
    partial = frame.drop(columns=[str(item)])
    prepared = prepare(partial, q, **BASE)
    for drop in DROPS:
        expected = document(score(partial, without(q, drop), **BASE))
        assert document(prepared.score(drop=drop)) == expected, drop
