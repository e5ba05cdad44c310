"""Scoring simulated surveys: calibration to the published year and honest CI coverage.

These tests close the loop simulator → ``scoring.score`` → truth. The coverage study runs
many independent surveys of a handful of provinces in one vectorised pass: a frame of
independent copies of the provinces (``Frame.replicated``) is exactly that, because provinces
are independent strata of the design and independent streams of the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_helpers import replicated

from scoring import score
from survey.loader import load_questionnaire
from survey.published import subdimensions
from survey.schema import Questionnaire
from survey.simulate import SimulatedSurvey, simulate

COVERAGE_PROVINCES = ["P04", "P26", "P31", "P38"]  # three small provinces and a medium one
TIERS = {"subdimensions": "subdimension", "dimensions": "dimension", "composite": None}


def _covered(sim: SimulatedSurvey, scores: object) -> dict[str, np.ndarray]:
    """For each tier, whether each province's CI covers its true (expected) score."""
    truth = sim.truth_at("province").set_index(["unit", "code"])["value"]
    out = {}
    for tier, key in TIERS.items():
        t = getattr(scores, tier)
        t = t.loc[t["province"].isin(sim.responses["province"].unique())]
        codes = t[key] if key else pd.Series("PAPI", index=t.index)
        want = truth.reindex(pd.MultiIndex.from_arrays([t["province"], codes])).to_numpy()
        assert not np.isnan(want).any()
        ok = (t["lci"].to_numpy() <= want) & (want <= t["uci"].to_numpy())
        out[tier] = np.where(t["est"].isna().to_numpy(), np.nan, ok)
    return out


def test_simulated_2023_covers_the_published_aggregates(flat_2021: Questionnaire) -> None:
    """A national 2023 survey: each province's 95% CI covers its published aggregate."""
    sim = simulate(2023, rng=7, questionnaire=flat_2021)
    scores = score(sim.responses, flat_2021)
    pub = subdimensions(2023).set_index("province")
    agg = scores.composite.set_index("province").drop(index="VN")
    published = pub.loc[agg.index].sum(axis=1)
    assert len(agg) == 61  # P14 and P47 were not scored in 2023
    covered = (agg["lci"] <= published) & (published <= agg["uci"])
    assert covered.mean() >= 0.90, covered[~covered]
    # the national mean of the provincial aggregates is near the published 42.4
    assert agg["est"].mean() == pytest.approx(published.mean(), abs=0.5)


def test_bundled_questionnaire_covers_where_estimable() -> None:
    """With the bundled questionnaire's skip logic some indicators have few eligible
    respondents and scoring suppresses them (see sim_helpers.flat_questionnaire); every
    estimate it does give covers the published score about 95% of the time."""
    q = load_questionnaire("papi-2021")
    sim = simulate(2023, rng=8, questionnaire=q)
    covered = _covered(sim, score(sim.responses, q))
    subs, aggs = covered["subdimensions"], covered["composite"]
    assert (~np.isnan(subs)).mean() > 0.95
    assert np.nanmean(subs) >= 0.90
    assert (~np.isnan(aggs)).mean() > 0.5  # SC32 (D3) is suppressed in about a quarter
    assert np.nanmean(aggs) >= 0.85  # a smaller set of provinces: a looser bound


@pytest.fixture(scope="module")
def coverage_survey(flat_2021: Questionnaire) -> SimulatedSurvey:
    frame, targets = replicated(COVERAGE_PROVINCES, 200, 2023)
    return simulate(2023, rng=2023, frame=frame, targets=targets, questionnaire=flat_2021)


def coverage_rates(sim: SimulatedSurvey, q: Questionnaire, ci: str) -> dict[str, float]:
    scores = score(sim.responses, q, ci=ci, replicates=100, rng=1)
    return {tier: float(np.nanmean(v)) for tier, v in _covered(sim, scores).items()}


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["taylor", "bootstrap"])
def test_ci_coverage_over_200_surveys(
    coverage_survey: SimulatedSurvey, flat_2021: Questionnaire, ci: str
) -> None:
    """200 independent surveys of four provinces: 95% CIs cover the truth 93-97% of the time
    for sub-dimensions, dimensions and the aggregate (weighted estimates, the default;
    bootstrap: Rao-Wu with 100 replicates to keep CI time down)."""
    rates = coverage_rates(coverage_survey, flat_2021, ci)
    for rate in rates.values():
        assert 0.93 <= rate <= 0.97, rates
