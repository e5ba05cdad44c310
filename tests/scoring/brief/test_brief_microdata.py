"""The brief on a survey's own scores: indicator decomposition, probabilities, pilots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring import IndexScores, score, score_published
from scoring.brief import REFERENCES, Field, build_brief, decompose, reference
from scoring.brief.gaps import indicator_terms
from scoring.brief.targets import placement_probability
from scoring.index.structure import IndexStructure
from survey import load_questionnaire, published
from survey.errors import NotFound, ScoringError
from tests.scoring.index.simdata import simulate_responses

MINI = Path(__file__).resolve().parents[1] / "index" / "fixtures" / "index-mini.yaml"


@pytest.fixture(scope="module")
def mini() -> tuple[IndexScores, IndexStructure]:
    q = load_questionnaire(MINI)
    frame = simulate_responses(q, provinces=8, districts=3, rng=5)
    # min_n high enough that some province × indicator cells are suppressed: those
    # sub-dimensions are means of their available indicators (different weights)
    return score(frame, q, min_n=25, replicates=200), IndexStructure.from_questionnaire(q)


def test_indicator_terms_add_up_to_the_subdimension_scores(
    mini: tuple[IndexScores, IndexStructure],
) -> None:
    """Agreement with score(): Σ_i w_i r_i over a sub-dimension's indicators is its score."""
    scores, st = mini
    rows, terms = indicator_terms(scores, st)
    sums = terms @ st.membership()
    wide = scores.subdimensions.pivot(index="province", columns="subdimension", values="est")
    est = wide.reindex(index=rows, columns=list(st.subdimensions)).to_numpy()
    assert np.isfinite(est).all()
    np.testing.assert_allclose(sums, est, rtol=0, atol=1e-12)
    r = scores.indicators.pivot(index="province", columns="indicator", values="rescaled")
    assert r.isna().to_numpy().any(), "the fixture should exercise suppressed indicators"


def test_indicator_decomposition_is_exact_for_every_province(
    mini: tuple[IndexScores, IndexStructure],
) -> None:
    scores, st = mini
    field = Field.from_scores(scores, "P01", structure=st)
    terms = indicator_terms(scores, st)
    for province in field.provinces:
        f = field.at(province)
        for key in REFERENCES:
            ref = reference(f, key)
            if ref is None:
                continue
            gap = decompose(f, ref, terms=terms)
            assert gap.indicators is not None
            assert abs(gap.indicators["contribution"].sum() - gap.total) <= 1e-9
            per_sub = gap.indicators.groupby("subdimension")["contribution"].sum()
            subs = gap.subdimensions.set_index("subdimension")["contribution"]
            np.testing.assert_allclose(per_sub.loc[subs.index], subs, atol=1e-12)
            # ranked by the points they would recover
            assert gap.indicators["contribution"].is_monotonic_decreasing


def test_brief_with_uncertainty(mini: tuple[IndexScores, IndexStructure]) -> None:
    scores, st = mini
    field = Field.from_scores(scores, "P03", structure=st)
    brief = build_brief(field, scores=scores, draws=2000, rng=1)
    assert brief.uncertain
    row = scores.composite.set_index("province").loc["P03"]
    assert brief.standing.lci == pytest.approx(row["lci"])
    assert brief.standing.rank_lci == row["rank_lci"]
    assert brief.standing.group_probabilities is not None
    for p in brief.plans:
        assert p.probability is not None and p.probability_now is not None
        assert p.probability > p.probability_now
        assert 0.3 < p.probability < 0.75  # just reaching the threshold: about even odds


def test_placement_probability_without_uncertainty_is_the_rule() -> None:
    est = np.array([40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0])
    se = np.zeros_like(est)
    assert placement_probability(est, se, 0, "low-average") == 0.0
    assert placement_probability(est, se, 0, "low-average", shift=5.0) == 1.0
    # a large SE on the subject alone: about half the draws land above a far boundary
    se[0] = 50.0
    p = placement_probability(est, se, 0, "high", shift=6.0, draws=4000, rng=3)
    assert 0.4 < p < 0.6


def test_pilot_is_placed_in_its_provinces_published_field() -> None:
    q = load_questionnaire("papi-2021")
    frame = simulate_responses(q, provinces=1, districts=3, villages=2, per_village=12, rng=2)
    pilot = score(frame, q, min_n=3, min_share=0.01, replicates=100)
    year = 2023
    pub = score_published(published.subdimensions(year), "papi-2021")
    field = Field.pilot_in(pub, pilot, "P01")
    assert field.substituted and len(field.provinces) == pub.composite["est"].notna().sum()
    row = pilot.subdimensions[pilot.subdimensions["province"] == "P01"]
    np.testing.assert_allclose(field.sub[field.subject], row["est"], atol=1e-12)
    brief = build_brief(field, scores=pilot, previous=pub, current=pilot, rng=0)
    assert brief.standing.score == pytest.approx(
        float(pilot.composite.set_index("province")["est"]["P01"]), abs=1e-9
    )
    assert np.isfinite(brief.standing.rank_lci)  # drawn: the pilot carries SEs
    assert brief.changes is not None and brief.changes.tested  # pilot SE vs published
    with pytest.raises(ScoringError, match="same questionnaire"):
        Field.pilot_in(score_published(published.subdimensions(2018), "papi-2018"), pilot, "P01")


def test_unknown_or_unscored_province() -> None:
    pub = score_published(published.subdimensions(2018), "papi-2018")
    with pytest.raises(NotFound):
        Field.from_scores(pub, "P99")
    with pytest.raises(ScoringError, match="no aggregate"):
        Field.from_scores(pub, "P14")  # Quang Ninh 2018: no D2/D4, no aggregate


def test_points_for_80_percent_are_exact_on_the_same_draws() -> None:
    from scoring.brief.targets import order_statistic, points_for_probability, threshold

    rng = np.random.default_rng(4)
    for m in (7, 30, 60, 62):
        for target in ("high", "high-average", "low-average", "top10"):
            k, strict = order_statistic(m, target)
            for _ in range(5):
                others = rng.normal(42, 2, m)
                t = threshold(others, target)
                if k < 0:  # fewer than 10 others: always in the top 10
                    assert t.value == -np.inf and target == "top10" and m < 10
                else:
                    assert t.value == np.sort(others)[k] and t.strict == strict
    est = rng.normal(42, 1.5, 20)
    se = rng.uniform(0.2, 0.8, 20)
    for target in ("high", "top10"):
        need = points_for_probability(est, se, 3, target, 0.8, draws=3000, rng=9)
        hit = placement_probability(est, se, 3, target, need, draws=3000, rng=9)
        miss = placement_probability(est, se, 3, target, need - 1e-7, draws=3000, rng=9)
        assert hit >= 0.8 > miss


def test_an_indicator_whose_definition_changed_is_not_compared(
    mini: tuple[IndexScores, IndexStructure],
) -> None:
    from scoring.brief import province_changes

    scores, _ = mini
    same = {"SC11_01": "share q101", "SC22_01": "share q105"}
    changed = {"SC11_01": "share q101 codes [1, 2]", "SC22_01": "share q105"}
    c = province_changes(scores, scores, "P01", definitions=(changed, same))
    skipped = c.not_compared[c.not_compared["tier"] == "indicators"]
    assert skipped.to_dict("records") == [
        {"tier": "indicators", "code": "SC11_01", "reason": "redefined"}
    ]
    compared = set(c.table.loc[c.table["tier"] == "indicators", "code"])
    assert "SC11_01" not in compared and "SC22_01" in compared
    assert (c.table["change"] == 0).all()  # a result against itself
