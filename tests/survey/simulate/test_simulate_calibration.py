"""Scoring simulated surveys: calibration to the published year and honest CI coverage.

These tests close the loop simulator → ``scoring.score`` → truth. The coverage study runs
many independent surveys of a handful of provinces in one vectorised pass: a frame of
independent copies of the provinces (``Frame.replicated``) is exactly that, because provinces
are independent strata of the design and independent streams of the simulator.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_helpers import covered, replicated

from scoring import IndexScores, score
from survey.published import subdimensions
from survey.questionnaire.schema import Questionnaire
from survey.simulate import SimulatedSurvey, simulate

COVERAGE_PROVINCES = ["P04", "P26", "P31", "P38"]  # three small provinces and a medium one
MIN_N = 10  # scoring suppresses an indicator with fewer respondents (default min_n)


@pytest.fixture(scope="module")
def national_2023(papi_2021: Questionnaire) -> tuple[SimulatedSurvey, IndexScores]:
    """A national 2023 survey with the bundled questionnaire, scored with default settings."""
    sim = simulate(2023, rng=7, questionnaire=papi_2021)
    return sim, score(sim.responses, papi_2021)


def test_every_indicator_is_estimable_in_every_province(
    national_2023: tuple[SimulatedSurvey, IndexScores],
) -> None:
    """Skip logic and eligibility of the bundled questionnaire leave every indicator at least
    MIN_N respondents with a value in every province of a national survey (scoring suppresses
    an indicator below 10), so every scored province gets every level, the aggregate too."""
    sim, scores = national_2023
    per_province = scores.indicators.loc[scores.indicators["province"] != "VN"]
    n = per_province.pivot(index="province", columns="indicator", values="n")
    assert n.shape == (61, len(sim.questionnaire.structure.indicators))
    assert n.min().min() >= MIN_N, n.min().sort_values().head()
    composite = scores.composite.set_index("province").drop(index="VN")
    assert composite["est"].notna().all(), composite.index[composite["est"].isna()].tolist()


@pytest.mark.parametrize("year", [2018, 2020, 2021])
def test_every_bundled_questionnaire_scores_every_province(year: int) -> None:
    """papi-2018, papi-2019 (2020 survey) and papi-2021 (2021 levels): no indicator is
    suppressed anywhere, so every province scored that year gets its aggregate."""
    sim = simulate(year, rng=3)
    scores = score(sim.responses, sim.questionnaire)
    ind = scores.indicators.loc[scores.indicators["province"] != "VN"]
    assert ind["n"].min() >= MIN_N, ind.nsmallest(3, "n")[["province", "indicator", "n"]]
    composite = scores.composite.loc[scores.composite["province"] != "VN"]
    assert len(composite) == sim.responses["province"].nunique()
    assert composite["est"].notna().all()


def test_simulated_2023_covers_the_published_aggregates(
    national_2023: tuple[SimulatedSurvey, IndexScores],
) -> None:
    """A national 2023 survey: each province's 95% CI covers its published aggregate."""
    _, scores = national_2023
    pub = subdimensions(2023).set_index("province")
    agg = scores.composite.set_index("province").drop(index="VN")
    published = pub.loc[agg.index].sum(axis=1)
    assert len(agg) == 61  # P14 and P47 were not scored in 2023
    covered = (agg["lci"] <= published) & (published <= agg["uci"])
    assert covered.mean() >= 0.90, covered[~covered]
    # the national mean of the provincial aggregates is near the published 42.4
    assert agg["est"].mean() == pytest.approx(published.mean(), abs=0.5)


def test_subdimension_estimates_cover_the_truth(
    national_2023: tuple[SimulatedSurvey, IndexScores],
) -> None:
    """Every sub-dimension of every province is estimated and covers its truth about 95% of
    the time (one national survey: 61 provinces x 28 sub-dimensions)."""
    sim, scores = national_2023
    hits = covered(sim, scores)
    for tier, ok in hits.items():
        assert not np.isnan(ok).any(), tier
    assert hits["subdimensions"].mean() >= 0.90


@pytest.fixture(scope="module")
def coverage_survey(papi_2021: Questionnaire) -> SimulatedSurvey:
    frame, targets = replicated(COVERAGE_PROVINCES, 200, 2023)
    return simulate(2023, rng=2023, frame=frame, targets=targets, questionnaire=papi_2021)


def coverage_rates(sim: SimulatedSurvey, q: Questionnaire, variance: str) -> dict[str, float]:
    scores = score(sim.responses, q, variance=variance, replicates=100, rng=1)
    return {tier: float(np.nanmean(v)) for tier, v in covered(sim, scores).items()}


@pytest.mark.slow
@pytest.mark.parametrize("variance", ["taylor", "bootstrap"])
def test_ci_coverage_over_200_surveys(
    coverage_survey: SimulatedSurvey, papi_2021: Questionnaire, variance: str
) -> None:
    """200 independent surveys of four provinces: 95% CIs cover the truth 93-97% of the time
    for sub-dimensions, dimensions and the aggregate (weighted estimates, the default;
    bootstrap: Rao-Wu with 100 replicates to keep CI time down)."""
    rates = coverage_rates(coverage_survey, papi_2021, variance)
    for rate in rates.values():
        assert 0.93 <= rate <= 0.97, rates
