"""scoring.plan: nested variance components recovered from data with known components, the
prediction's arithmetic, the weighting effect of each level against the variance of a
weighted mean measured on the drawn weights, and the design search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.plan import (
    LEVELS,
    Components,
    Design,
    Place,
    Target,
    nested_components,
    plan,
    predict,
    weighting_effects,
)
from survey.errors import ScoringError
from survey.rng import as_generator
from survey.sampling import PAPI_RULES, load_frame, select_sample


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


def test_predict_divides_each_component_by_its_own_weighting_effect() -> None:
    var = np.array([[0.5], [0.4], [0.8], [9.0]])
    comps = Components(("PAPI",), var, (10, 10, 10, 100), "test")
    d = Design(6, 2, 2, 16)
    f = np.array([1.1, 1.7, 2.5, 2.5])
    v = 1.1 * 0.5 / 6 + 1.7 * 0.4 / 12 + 2.5 * 0.8 / 24 + 2.5 * 9.0 / 384
    t = stats.t.ppf(0.975, 5)
    expected = t * np.sqrt(v * stats.chi2.ppf(0.5, 5) / 5)
    assert predict(comps, d, weighting=f).median["PAPI"] == pytest.approx(expected)
    # one number is the same factor at every level
    same = predict(comps, d, weighting=np.full(4, 1.5)).median["PAPI"]
    assert predict(comps, d, weighting=1.5).median["PAPI"] == pytest.approx(same)


@pytest.mark.parametrize(
    ("code", "design"), [("P20", Design(6, 2, 2, 16)), ("P01-D03", Design(1, 6, 2, 16))]
)
def test_weighting_effects_give_the_variance_of_the_weighted_mean(
    code: str, design: Design
) -> None:
    """Nested effects drawn on one sample's units: the variance of the weighted mean (the
    weights of that sample) is Σ_l f_l σ²_l / n_l with the effects of that one draw."""
    base = load_frame()
    frame = base.pilot(code) if design.districts == 1 else base.subset([code])
    f = weighting_effects(frame, design, draws=1, rng=3)
    rules = PAPI_RULES.with_sizes(
        districts=None if design.districts == 1 else design.districts,
        communes=design.communes,
        villages=design.villages,
        interviews=design.interviews,
    )
    v = select_sample(frame, rng=as_generator(3), rules=rules).villages
    w_village = v["adults"] / (v["prob_district"] * v["prob_commune"] * v["prob_village"])
    k = design.interviews
    w = np.repeat(w_village.to_numpy(np.float64) / k, k)  # one weight per interview
    sd = {"district": 0.7, "commune": 0.5, "village": 0.6, "respondent": 2.0}
    gen = np.random.default_rng(8)
    reps = 20_000
    e = gen.normal(0, sd["respondent"], (reps, len(w)))
    for level in LEVELS[:-1]:
        unit, n_units = pd.factorize(v[level])
        e += gen.normal(0, sd[level], (reps, len(n_units)))[:, np.repeat(unit, k)]
    measured = float(np.var(e @ w / w.sum()))
    d, c, m = design.districts, design.communes, design.villages
    counts = (d, d * c, d * c * m, d * c * m * k)
    # (a pilot's one district shifts every interview alike: f = 1, n = 1, its whole variance;
    # the pilot's truth is that district's own score, so predict leaves the term out)
    model = sum(f[i] * sd[lvl] ** 2 / counts[i] for i, lvl in enumerate(LEVELS))
    assert f[-1] == pytest.approx(f[2])  # equal interviews per village
    assert measured == pytest.approx(model, rel=0.04)


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
            worse = predict(comps, smaller, weighting=weighting_effects(frame, smaller))
            assert worse.median["PAPI"] > 1.2  # the fewest communes that reach it
    unreachable = plan(place, Target(aggregate=0.01), comps)
    assert unreachable.designs == () and unreachable.notes


def test_a_province_plan_notes_designs_that_take_most_districts() -> None:
    var = np.array([[0.1, 0.8], [0.05, 0.5], [0.05, 0.6], [1.0, 11.0]])
    comps = Components(("D1", "PAPI"), var, (10, 10, 10, 100), "test")
    place = Place("P31", False, 9, 4, 16, load_frame().subset(["P31"]))
    loose = plan(place, Target(aggregate=2.0), comps, weighted=False)
    assert loose.designs and all(p.design.districts < 6 for p in loose.designs)
    assert not loose.notes
    tight = plan(place, Target(aggregate=0.75), comps, weighted=False)
    crowded = [i for i, p in enumerate(tight.designs, 1) if p.design.districts >= 6]
    assert crowded and tight.notes
    assert tight.notes[-1].startswith("design") and f"#{crowded[0]}" in tight.notes[-1]
    assert "two thirds or more of the province's 9 districts" in tight.notes[-1]
