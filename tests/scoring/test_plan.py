"""scoring.plan: nested variance components recovered from data with known components, the
prediction's arithmetic, and the design search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.plan import Components, Design, Place, Target, nested_components, plan, predict
from survey.errors import ScoringError
from survey.sampling import load_frame


def test_nested_components_recover_known_variances() -> None:
    gen = np.random.default_rng(5)
    places, communes, villages, people = 200, 6, 3, 12
    sd = {"commune": 0.6, "village": 0.9, "respondent": 3.0}
    p = np.repeat(np.arange(places), communes * villages * people)
    c = np.repeat(np.arange(places * communes), villages * people)
    v = np.repeat(np.arange(places * communes * villages), people)
    e = (
        gen.normal(0, sd["commune"], places * communes)[c]
        + gen.normal(0, sd["village"], places * communes * villages)[v]
        + gen.normal(0, sd["respondent"], len(v))
    )
    groups = pd.DataFrame({"province": p, "district": p, "commune": c, "village": v})
    comps, dfs = nested_components(e[:, None], groups)
    assert dfs[0] == 0  # one district per place: nothing to estimate
    assert comps[1, 0] == pytest.approx(0.36, rel=0.15)
    assert comps[2, 0] == pytest.approx(0.81, rel=0.15)
    assert comps[3, 0] == pytest.approx(9.0, rel=0.03)


def test_predict_is_the_formula() -> None:
    var = np.array([[0.0, 0.0], [0.4, 1.0], [0.8, 2.0], [9.0, 20.0]])
    comps = Components(("D1", "PAPI"), var, (0, 10, 10, 100), "test")
    d = Design(1, 8, 2, 12)
    pred = predict(comps, d, weighting=1.5)
    v = 1.5 * (1.0 / 8 + 2.0 / 16 + 20.0 / 192)
    t = stats.t.ppf(0.975, 7)
    assert pred.median["PAPI"] == pytest.approx(t * np.sqrt(v * stats.chi2.ppf(0.5, 7) / 7))
    assert pred.low["PAPI"] < pred.median["PAPI"] < pred.high["PAPI"]
    assert pred.enumerator_days == pytest.approx(192 / 6)
    with pytest.raises(ScoringError, match="no degrees of freedom"):
        predict(comps, Design(1, 1, 2, 12))


def test_target_needs_a_number() -> None:
    with pytest.raises(ScoringError, match="no target"):
        Target()
    with pytest.raises(ScoringError, match="positive"):
        Target(aggregate=-1.0)


def test_plan_proposes_only_designs_that_reach_the_target() -> None:
    var = np.array([[0.0, 0.0], [0.1, 0.3], [0.2, 1.0], [2.0, 14.0]])
    comps = Components(("D1", "PAPI"), var, (0, 10, 10, 100), "test")
    frame = load_frame().pilot("P01-D03")
    place = Place("P01-D03", True, 1, 20, 24, frame)
    result = plan(place, Target(aggregate=1.2), comps, designs=4)
    assert 1 <= len(result.designs) <= 4
    for pred in result.designs:
        assert pred.median["PAPI"] <= 1.2 and pred.design.psus >= 4
        smaller = Design(1, pred.design.communes - 1, pred.design.villages, pred.design.interviews)
        if smaller.psus >= 4:
            from scoring.plan import weighting_effect

            worse = predict(comps, smaller, weighting=weighting_effect(frame, smaller))
            assert worse.median["PAPI"] > 1.2  # the fewest communes that reach it
    unreachable = plan(place, Target(aggregate=0.01), comps)
    assert unreachable.designs == () and unreachable.notes
