"""The two-tier design (2025 geography): the derived frame, counts, probabilities, chi-square."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.errors import SamplingError
from survey.geography import crosswalk, vintage
from survey.sampling import Frame, inclusion_probabilities, load_frame, select_sample
from survey.sampling.two_tier import (
    TWO_TIER_RULES,
    communes_per_province,
    frame_for,
    rules_for,
    two_tier_frame,
)


@pytest.fixture(scope="module")
def frame() -> Frame:
    return frame_for("2025")


def test_derived_frame_has_the_2025_geography(frame: Frame) -> None:
    v = frame.villages
    old = load_frame()
    assert list(frame.provinces["province"]) == vintage("2025").codes
    # every village kept, with its population, and its former province recorded
    assert len(v) == len(old.villages)
    assert int(v["population"].sum()) == int(old.villages["population"].sum())
    merged = v.merge(old.villages[["village", "province"]], on="village", suffixes=("", "_old"))
    assert (merged["former_province"] == merged["province_old"]).all()
    cw = crosswalk().set_index("former")["new"]
    assert (merged["province"] == merged["former_province"].map(cw)).all()
    # as many communes as the official list (the synthetic frame has enough in each)
    official = vintage("2025").units.groupby("province").size()
    per = v.groupby("province")["commune"].nunique()
    assert (per == official.reindex(per.index)).all() and per.sum() == 3321
    # no district stage: each commune is its own "district"; a commune lies in one former
    # province, so former provinces are unions of PSUs
    assert (v["district"] == v["commune"]).all()
    assert (v.groupby("commune")["former_province"].nunique() == 1).all()
    # one seat ward per province, in the former province that holds the seat
    seats = v.loc[v["capital"]].drop_duplicates("commune")
    assert seats["province"].is_unique and len(seats) == 34
    seat_former = crosswalk().set_index("former")["seat"]
    assert seat_former.reindex(seats["former_province"]).all()
    # post-stratification targets add up over former provinces
    assert np.isclose(frame.poststrata["population"].sum(), old.poststrata["population"].sum())


def test_two_tier_sample_counts_and_variance_units(frame: Frame) -> None:
    v = select_sample(frame, rng=7, rules=TWO_TIER_RULES).villages
    classes = frame.provinces.set_index("province")["size_class"]
    per = v.groupby("province").agg(communes=("commune", "nunique"), villages=("village", "size"))
    expect = classes.map({"small": 6, "medium": 12, "large": 12})
    assert (per["communes"] == expect.reindex(per.index)).all()
    assert (per["villages"] == 2 * per["communes"]).all()
    assert (v["stratum"] == v["province"]).all() and (v["psu"] == v["commune"]).all()
    assert v["prob_commune"].eq(1.0).all()
    assert v.loc[v["capital"], "prob_district"].eq(1.0).all()
    assert v.groupby("province")["capital"].any().all()
    assert "former_province" in v.columns and v["former_province"].str.match(r"P\d\d").all()


def test_stated_probabilities_are_exact_pps(frame: Frame) -> None:
    v = select_sample(frame, rng=3, rules=TWO_TIER_RULES).villages
    c = frame.communes()
    c = c.loc[(c["province"] == "N31") & ~c["district"].isin(v.loc[v["capital"], "district"])]
    pi = inclusion_probabilities(c["population"], [11], np.zeros(len(c), dtype=np.int64))
    stated = pd.Series(pi, index=c["commune"])
    got = v.loc[(v["province"] == "N31") & ~v["capital"]].drop_duplicates("commune")
    np.testing.assert_allclose(got["prob_district"], stated[got["commune"]].to_numpy())


def _chi_square_ok(counts: np.ndarray, pi: np.ndarray, reps: int) -> bool:
    free = (pi > 0) & (pi < 1)
    obs, exp = counts[free], reps * pi[free]
    return bool(stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 0.001)


def test_communes_selected_at_stated_probability(frame: Frame) -> None:
    """Chi-square over seeds: communes of N12 (small, 5 by πps) and N31 (medium, 11 by πps);
    the seat ward always taken; villages of the seat ward at their conditional probability."""
    sub = frame.subset(["N12", "N31"])
    reps = 300
    draws = pd.concat(
        [select_sample(sub, rng=seed, rules=TWO_TIER_RULES).villages for seed in range(reps)]
    )
    c = sub.communes().set_index("commune")
    vil = sub.villages.set_index("village")
    n_c = draws.groupby("commune")["village"].size() / 2
    n_v = draws.groupby("village").size()
    for prov, n in (("N12", 5), ("N31", 11)):
        cap = sub.villages.loc[(sub.villages["province"] == prov) & sub.villages["capital"]]
        seat = str(cap["commune"].iloc[0])
        o = c.loc[(c["province"] == prov) & (c.index != seat)]
        p = inclusion_probabilities(o["population"], [n], np.zeros(len(o), dtype=np.int64))
        assert _chi_square_ok(n_c.reindex(o.index, fill_value=0).to_numpy(), p, reps)
        assert n_c[seat] == reps
        vv = vil.loc[(vil["commune"] == seat) & ~vil["commune_seat"]]
        pv = vv["population"].to_numpy() / vv["population"].sum()
        assert _chi_square_ok(n_v.reindex(vv.index, fill_value=0).to_numpy(), pv, reps)
        assert n_v[vil.index[(vil["commune"] == seat) & vil["commune_seat"]][0]] == reps


def test_rules_and_errors() -> None:
    assert rules_for("2025") is TWO_TIER_RULES and rules_for(2024).extra_districts["small"] == 2
    assert communes_per_province(TWO_TIER_RULES, 8).extra_districts == dict.fromkeys(
        ("small", "medium", "large"), 7
    )
    with pytest.raises(SamplingError, match=">= 2"):
        communes_per_province(TWO_TIER_RULES, 1)
    with pytest.raises(SamplingError, match="not 2018 provinces"):
        two_tier_frame(frame_for("2025"))
