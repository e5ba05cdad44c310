"""Stage sizes other than PAPI's (``SelectionRules.with_sizes``; ``papi sample``/``papi
simulate`` --districts, --communes, --villages, --interviews): exact probabilities, every unit
taken when a parent has fewer than asked, PAPI's defaults untouched, the simulator's aliases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.errors import SamplingError
from survey.sampling import (
    PAPI_RULES,
    Frame,
    SelectionRules,
    inclusion_probabilities,
    load_frame,
    select_residents,
    select_sample,
)
from survey.sampling.papi import list_sizes
from survey.simulate import simulate


@pytest.fixture(scope="module")
def frame() -> Frame:
    return load_frame()


def test_list_sizes_keep_papi_ratios() -> None:
    assert list_sizes(16) == (20, 10) and list_sizes(24) == (30, 15)
    assert list_sizes(10) == (13, 7) and list_sizes(1) == (2, 1)
    rules = PAPI_RULES.with_sizes(interviews=40)
    assert rules.target == {"small": 40, "medium": 40, "large": 40}
    assert rules.residents == dict.fromkeys(rules.target, 50)
    assert rules.reserves == dict.fromkeys(rules.target, 25)


def test_with_sizes_counts_the_seats() -> None:
    assert PAPI_RULES.with_sizes() == PAPI_RULES == SelectionRules()
    assert PAPI_RULES.with_sizes(communes=2, villages=2) == PAPI_RULES
    rules = PAPI_RULES.with_sizes(districts=4, communes=8, villages=3)
    assert rules.extra_districts == {"small": 3, "medium": 3, "large": 3}
    assert (rules.extra_communes, rules.extra_villages) == (7, 2)
    assert rules.target == PAPI_RULES.target  # interviews not given: PAPI's 16 / 24


@pytest.mark.parametrize(
    ("sizes", "says"),
    [
        ({"communes": 0}, "communes must be a whole number >= 1"),
        ({"villages": 0}, "villages must be a whole number >= 1"),
        ({"districts": 1}, "districts must be a whole number >= 2"),
        ({"interviews": 0}, "interviews must be a whole number >= 1"),
        ({"communes": 2.5}, "communes must be a whole number"),
        ({"villages": True}, "villages must be a whole number"),
    ],
)
def test_with_sizes_rejects_bad_sizes(sizes: dict[str, object], says: str) -> None:
    with pytest.raises(SamplingError, match=says) as err:
        PAPI_RULES.with_sizes(**sizes)  # type: ignore[arg-type]
    assert err.value.code == "invalid_rules"


def test_rules_are_validated() -> None:
    with pytest.raises(SamplingError, match="extra_communes"):
        SelectionRules(extra_communes=-1)
    with pytest.raises(SamplingError, match="lacks size classes"):
        SelectionRules(extra_districts={"small": 2})
    with pytest.raises(SamplingError, match="below the target"):
        SelectionRules(residents={"small": 10, "medium": 20, "large": 30})


def test_pilot_with_eight_communes(frame: Frame) -> None:
    """P01-D03 (20 communes): the seat plus 7 by πps, each with 3 villages; the stated
    probabilities are the exact πps ones, conditional on the stage above."""
    pilot = frame.pilot("P01-D03")
    s = select_sample(pilot, rng=4, rules=PAPI_RULES.with_sizes(communes=8, villages=3))
    v = s.villages
    assert s.pilot and v["commune"].nunique() == 8 and len(v) == 24
    assert (v["stratum"] == "P01-D03").all() and (v["psu"] == v["commune"]).all()
    assert set(v.groupby("commune")["village"].size()) == {3}
    assert (v.loc[v["district_seat"], "prob_commune"] == 1).all()
    assert (v.loc[v["commune_seat"], "prob_village"] == 1).all()
    c = pilot.communes().set_index("commune")
    others = c.loc[~c["district_seat"]]
    pi = pd.Series(
        inclusion_probabilities(others["population"], [7], np.zeros(len(others), np.int64)),
        index=others.index,
    )
    stated = v.drop_duplicates("commune").set_index("commune")["prob_commune"]
    drawn = stated.index.difference(c.index[c["district_seat"]])
    np.testing.assert_allclose(stated[drawn], pi[drawn])
    villages = pilot.villages.set_index("village")
    for commune, g in v.groupby("commune"):
        pool = villages.loc[(villages["commune"] == commune) & ~villages["commune_seat"]]
        want = inclusion_probabilities(
            pool["population"], [min(2, len(pool))], np.zeros(len(pool), np.int64)
        )
        got = g.loc[~g["commune_seat"]].set_index("village")["prob_village"]
        np.testing.assert_allclose(got, pd.Series(want, index=pool.index)[got.index])
    lists = select_residents(s, rng=4)
    assert len(lists) == 24 * 45  # Ha Noi is large: 30 + 15 per village


def test_asking_for_more_units_than_exist_takes_them_all(frame: Frame) -> None:
    pilot = frame.pilot("P04-D02")  # 12 communes
    rules = PAPI_RULES.with_sizes(communes=50, villages=50)
    v = select_sample(pilot, rng=1, rules=rules).villages
    assert len(v) == len(pilot.villages)  # every commune, every village
    assert (v[["prob_district", "prob_commune", "prob_village"]] == 1).all().all()
    # a province asked for more districts than it has: all of them, each with certainty
    p04 = frame.subset(["P04"])
    n = p04.districts().shape[0]
    w = select_sample(p04, rng=1, rules=PAPI_RULES.with_sizes(districts=n + 5)).villages
    assert w["district"].nunique() == n and (w["prob_district"] == 1).all()
    assert (w["stratum"] == "P04").all() and (w["psu"] == w["district"]).all()


def test_larger_stages_select_at_stated_probability(frame: Frame) -> None:
    """300 independent pilots of P01-D03 with 13 communes (the seat plus 12 of 19 by πps:
    C13, the largest, reaches π = 1 and is taken with certainty, the rest recomputed):
    chi-square of the selection counts against the stated probabilities."""
    reps = 300
    copies = frame.pilot("P01-D03").replicated(reps)
    v = select_sample(copies, rng=9, rules=PAPI_RULES.with_sizes(communes=13)).villages
    v = v.assign(base=v["commune"].str.replace(r"^P01\.\d+", "P01", regex=True))
    firsts = v.drop_duplicates("commune")
    assert (firsts.groupby("province").size() == 13).all()
    pi = firsts.groupby("base")["prob_commune"].agg(["min", "max", "size"])
    assert (pi["max"] - pi["min"] < 1e-12).all()  # the same π in every copy
    assert pi.loc["P01-D03-C13", "min"] == 1.0 and pi.loc["P01-D03-C13", "size"] == reps
    free = pi.loc[pi["min"] < 1]
    expected = reps * free["min"]
    observed = free["size"]
    assert observed.sum() == pytest.approx(expected.sum())
    assert stats.chisquare(observed, expected).pvalue > 0.001


def test_a_one_district_sample_needs_two_communes(frame: Frame) -> None:
    with pytest.raises(SamplingError, match="at least 2 communes") as err:
        select_sample(frame.pilot("P01-D03"), rng=1, rules=PAPI_RULES.with_sizes(communes=1))
    assert err.value.code == "too_few_psus"
    # in a province survey the districts are the PSUs: one commune each is fine
    v = select_sample(frame.subset(["P04"]), rng=1, rules=PAPI_RULES.with_sizes(communes=1))
    assert (v.villages.groupby("district")["commune"].nunique() == 1).all()


def test_village_lists_too_long_for_a_village(frame: Frame) -> None:
    with pytest.raises(SamplingError, match="--interviews") as err:
        select_sample(frame.pilot("P28-D07"), rng=7, rules=PAPI_RULES.with_sizes(interviews=100))
    assert err.value.code == "village_too_small"


def test_simulate_takes_rules_and_interviews() -> None:
    rules = PAPI_RULES.with_sizes(communes=8)
    sim = simulate(2023, rng=1, pilot="P01-D03", rules=rules)
    r = sim.responses
    assert r["psu"].nunique() == 8 and (r["stratum"] == "P01-D03").all()
    assert len(r) == 16 * 24 and r["village"].nunique() == 16
    assert sim.sample.rules == rules
    # the district's truth is the pilot's target; the province's is the published level
    assert sim.truth_at("district")["unit"].unique().tolist() == ["P01-D03"]
    # respondents_per_village is interviews' older name: the same survey
    a = simulate(2023, rng=5, pilot="P31-D02", interviews=20)
    b = simulate(2023, rng=5, pilot="P31-D02", respondents_per_village=20)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    assert (a.sample.villages["target"] == 20).all()
    assert (a.sample.villages["residents"] == 25).all()
    with pytest.raises(SamplingError, match="same setting"):
        simulate(2023, rng=5, pilot="P31-D02", interviews=20, respondents_per_village=16)


def test_default_rules_give_the_papi_survey() -> None:
    """PAPI_RULES passed explicitly, or sizes equal to PAPI's, change nothing."""
    plain = simulate(2023, rng=7, provinces=["P04"]).responses
    same = simulate(
        2023, rng=7, provinces=["P04"], rules=PAPI_RULES.with_sizes(communes=2, villages=2)
    ).responses
    pd.testing.assert_frame_equal(plain, same)
