"""``prepare(...).score(drop=...)`` is ``score`` on the questionnaire without the dropped
indicators and sub-dimensions: the console's what-if rescoring (scoring.index.prepared)
agrees with the one home of the scores, number for number, notes and provenance included."""

from __future__ import annotations

from typing import Any

import pytest

from scoring import score
from scoring.index.prepared import prepare, without
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


@pytest.mark.parametrize(
    "options",
    [{}, {"share_correction": None}, {"variance": "bootstrap", "replicates": 40, "rng": 5}],
    ids=["taylor", "share_correction_default", "bootstrap"],
)
def test_score_is_the_same_on_one_thread_and_on_two(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    """With two CPUs score() runs the design columns' work, the indicators' statistics and
    rank blocks on a second thread; with one, all of it in turn: the same tables and notes."""
    from scoring.index import threads

    frame, q = survey("papi")
    kw = BASE | options
    runs = []
    for workers in (2, 1):
        monkeypatch.setattr(threads, "default_workers", lambda w=workers: w)
        runs.append(document(score(frame, q, **kw)))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_errors_come_in_the_order_of_the_stages(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The design's error (here: post-strata asked for but missing) surfaces from the second
    thread; when the indicator values fail too, theirs comes first, as it would in turn."""
    from scoring.index import prepared, threads

    frame, q = survey("papi")
    monkeypatch.setattr(threads, "default_workers", lambda: workers)
    broken = frame.drop(columns="design_weight")
    with pytest.raises(ScoringError) as info:
        prepare(broken, q, **(BASE | {"poststratified": True}))
    assert info.value.code == "poststrata_unavailable"

    def fails(*_: Any) -> None:
        raise ValueError("indicator values failed")

    monkeypatch.setattr(prepared, "indicator_values_t", fails)
    with pytest.raises(ValueError, match="indicator values failed"):
        prepare(broken, q, **(BASE | {"poststratified": True}))
