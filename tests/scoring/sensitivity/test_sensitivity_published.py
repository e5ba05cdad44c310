"""The audit on the real published scores: PAPI's own choices reproduce the published
index and ranks; fixed choices collapse every interval; perturbed ones behave."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from scoring import score_published
from scoring.sensitivity import (
    Design,
    Spec,
    default_audit,
    one_at_a_time,
    published_input,
    run_sensitivity,
    uncertainty,
)
from survey.published import subdimensions


@pytest.fixture(scope="module")
def sub2023() -> pd.DataFrame:
    return subdimensions(2023)


@pytest.fixture(scope="module")
def fixed(sub2023: pd.DataFrame) -> pd.DataFrame:
    res = uncertainty(Design(published_input(sub2023), Spec()), runs=50, rng=1)
    return res.provinces


def published_aggregate(sub: pd.DataFrame) -> pd.Series:
    """PAPI = Σ of the published sub-dimension scores (docs/method.md "Arithmetic")."""
    return sub.set_index("province").sum(axis=1, min_count=1)


def test_papi_choices_reproduce_published_scores_and_ranks(
    sub2023: pd.DataFrame, fixed: pd.DataFrame
) -> None:
    agg = fixed[fixed["output"] == "PAPI"].set_index("province")
    pub = published_aggregate(sub2023)
    np.testing.assert_allclose(agg["nominal_score"], pub.loc[agg.index], rtol=1e-12)
    ranked = pub.notna()
    expect = rankdata(-pub[ranked].round(9), method="min")
    np.testing.assert_array_equal(agg.loc[ranked, "nominal_rank"], expect)
    assert agg.loc[~ranked, "nominal_rank"].isna().all()
    assert sorted(agg.index[~ranked]) == ["P14", "P47"]  # not scored in 2023
    # and the same as the index module's reading of the published scores
    comp = score_published(sub2023).composite.set_index("province")
    np.testing.assert_array_equal(
        agg.loc[ranked, "nominal_rank"], comp.loc[agg.index[ranked], "rank"]
    )
    groups = agg.loc[ranked, "nominal_group"]
    assert groups.tolist() == comp.loc[agg.index[ranked], "group"].tolist()


def test_papi_choices_reproduce_published_dimensions(
    sub2023: pd.DataFrame, fixed: pd.DataFrame
) -> None:
    hanoi = fixed[(fixed["province"] == "P01") & (fixed["output"] == "D6")]
    assert hanoi["nominal_score"].item() == pytest.approx(7.8486, abs=5e-5)  # published README
    dims = score_published(sub2023).dimensions
    for d, frame in fixed[fixed["output"] != "PAPI"].groupby("output"):
        ref = dims[dims["dimension"] == d].set_index("province").loc[frame["province"]]
        np.testing.assert_allclose(frame["nominal_score"], ref["est"], rtol=1e-12)
        np.testing.assert_array_equal(frame["nominal_rank"], ref["rank"])


def test_hai_phong_2018() -> None:
    res = uncertainty(Design(published_input(subdimensions(2018)), Spec()), runs=2)
    row = res.provinces.query("output == 'PAPI' and province == 'P20'")
    assert row["nominal_score"].item() == pytest.approx(42.8005, abs=5e-5)


def test_fixed_choices_collapse_the_intervals(fixed: pd.DataFrame) -> None:
    scored = fixed[fixed["nominal_rank"].notna()]
    for col in ("median_rank", "rank_q05", "rank_q95"):
        np.testing.assert_array_equal(scored[col], scored["nominal_rank"])
    assert (scored["mean_abs_shift"] == 0).all()
    p = scored[["p_high", "p_high_average", "p_low_average", "p_low"]].to_numpy()
    labels = np.array(["high", "high-average", "low-average", "low"])
    assert (p.max(axis=1) == 1).all()
    assert (labels[p.argmax(axis=1)] == scored["nominal_group"]).all()
    agg = scored[scored["output"] == "PAPI"]
    assert agg["nominal_group"].value_counts().to_dict() == {
        "high": 15, "high-average": 16, "low-average": 15, "low": 15
    }  # fmt: skip  # 61 scored provinces


def test_default_audit_is_reproducible_and_coherent(sub2023: pd.DataFrame) -> None:
    design = Design(published_input(sub2023), default_audit(microdata=False))
    a = uncertainty(design, runs=300, rng=5)
    b = uncertainty(design, runs=300, rng=5)
    pd.testing.assert_frame_equal(a.provinces, b.provinces)
    pr = a.provinces[a.provinces["nominal_rank"].notna()]
    assert (pr["rank_q05"] <= pr["median_rank"]).all()
    assert (pr["median_rank"] <= pr["rank_q95"]).all()
    assert pr["rank_q05"].min() >= 1 and pr["rank_q95"].max() <= 61
    p = pr[["p_high", "p_high_average", "p_low_average", "p_low"]].sum(axis=1)
    np.testing.assert_allclose(p, 1)
    overall = a.overall.set_index("output")
    assert 0 < overall.loc["PAPI", "mean_abs_shift"] < 20
    assert 0 <= overall.loc["PAPI", "p_top_group_changed"] <= 1
    # the mean absolute shift over all provinces and runs is the mean of the province means
    agg = pr[pr["output"] == "PAPI"]
    assert overall.loc["PAPI", "mean_abs_shift"] == pytest.approx(agg["mean_abs_shift"].mean())


def test_weight_noise_alone_moves_ranks_a_little(sub2023: pd.DataFrame) -> None:
    design = Design(published_input(sub2023), Spec.parse({"weights": {"noise": 0.25}}))
    small = uncertainty(design, runs=400, rng=2).overall.set_index("output")
    design = Design(published_input(sub2023), Spec.parse({"weights": {"noise": 0.75}}))
    large = uncertainty(design, runs=400, rng=2).overall.set_index("output")
    assert 0 < small.loc["PAPI", "mean_abs_shift"] < large.loc["PAPI", "mean_abs_shift"]


def test_one_at_a_time_matches_a_direct_recomputation(sub2023: pd.DataFrame) -> None:
    data = published_input(sub2023)
    oat = one_at_a_time(Design(data, Spec()))
    s = sub2023.set_index("province")
    dims = {d: [c for c in s.columns if c[2] == d[1]] for d in [f"D{i}" for i in range(1, 9)]}
    pub = published_aggregate(sub2023)
    r0 = pd.Series(rankdata(-pub.round(9), method="min", nan_policy="omit"), index=pub.index)

    def ranks_of(total: pd.Series) -> pd.Series:
        return pd.Series(rankdata(-total.round(9), method="min", nan_policy="omit"), total.index)

    # drop SC11: D1 becomes the mean of the other three S = sub·k
    d1 = (s[["SC12", "SC13", "SC14"]] * 4).mean(axis=1)
    total = pub - s[dims["D1"]].sum(axis=1) + d1
    np.testing.assert_array_equal(oat.shifts["SC11"].dropna(), (ranks_of(total) - r0).dropna())
    # drop D5: the mean of the other seven dimensions (x 8: the ranks do not care)
    total = pub - s[dims["D5"]].sum(axis=1)
    np.testing.assert_array_equal(oat.shifts["D5"].dropna(), (ranks_of(total) - r0).dropna())
    assert len(oat.summary) == 28 + 8
    row = oat.summary.set_index("dropped").loc["D5"]
    assert row["mean_abs_shift"] == pytest.approx((ranks_of(total) - r0).abs().mean())


def test_run_sensitivity_json(sub2023: pd.DataFrame) -> None:
    res = run_sensitivity(
        published_input(sub2023, names={"P01": "Hanoi"}),
        default_audit(microdata=False),
        runs=200,
        sobol_n=64,
        rng=3,
    )
    doc = json.loads(json.dumps(res.to_json(), allow_nan=False))
    assert {"provinces", "sobol", "oat", "diagnostics", "overall", "spec"} <= set(doc)
    first = doc["provinces"][0]
    assert first["province"] == "P01" and first["name"] == "Hanoi"
    assert set(first) >= {
        "province", "name", "nominal_rank", "median_rank", "rank_q05", "rank_q95",
        "mean_abs_shift", "p_group",
    }  # fmt: skip
    assert set(first["p_group"]) == {"high", "high-average", "low-average", "low"}
    assert [s["factor"] for s in doc["sobol"]] == list(res.factors)
    assert all(set(s) == {"output", "factor", "S1", "S1_ci", "ST", "ST_ci"} for s in doc["sobol"])
    assert doc["sobol_runs"] == 64 * (len(res.factors) + 2)
    assert len(doc["oat"]) == 36 and "rank_changes" in doc["oat"][0]
    assert {"alpha", "pca", "correlation_flags"} == set(doc["diagnostics"])
    assert Spec.parse(doc["spec"]) == res.spec


def test_alternative_choices_rebuild_the_index_as_defined(sub2023: pd.DataFrame) -> None:
    spec = Spec.parse(
        {
            "normalisation": ["goalposts", "minmax"],
            "aggregation": {"index": ["arithmetic", "geometric", "copeland"]},
            "weights": {"schemes": ["equal", "pca"]},
            "exclusion": {"mode": "random", "level": "subdimension", "k": 3},
        }
    )
    design = Design(published_input(sub2023), spec)
    s = sub2023.set_index("province").dropna()
    k = np.array([sum(c2[2] == c[2] for c2 in s.columns) for c in s.columns])
    big_s = s * k
    by_dim = [[c for c in s.columns if c[2] == str(d)] for d in range(1, 9)]

    def run(norm: int, agg: int) -> np.ndarray:
        c = design.nominal()
        c = replace(c, norm=np.array([norm]), agg=(c.agg[0], np.array([agg])))
        out = design.evaluate(c).aggregate[0]
        return out[~np.isnan(out)]

    dims = np.column_stack([big_s[cols].mean(axis=1) for cols in by_dim])
    # Copeland over the dimensions with equal weights (Munda & Nardo 2009)
    sign = np.sign(dims[:, None, :] - dims[None, :, :]).sum(axis=2)
    np.testing.assert_array_equal(run(0, 2), np.sign(sign).sum(axis=1))
    # min-max across provinces onto 1..10, then 8 x the geometric mean of the dimensions
    mm = 1 + 9 * (big_s - big_s.min()) / (big_s.max() - big_s.min())
    dims_mm = np.column_stack([mm[cols].mean(axis=1) for cols in by_dim])
    np.testing.assert_allclose(run(1, 1), 8 * np.exp(np.log(dims_mm).mean(axis=1)))
    # every random exclusion of 3 sub-dimensions leaves each dimension a sub-dimension
    sets = design.exclusion_sets[:, :28]
    assert sets.sum(axis=1).tolist() == [3] * len(sets)
    owner = np.array([c[2] for c in design.data.leaves])
    for d in "12345678":
        assert (~sets[:, owner == d]).any(axis=1).all()


def test_province_order_does_not_matter(sub2023: pd.DataFrame) -> None:
    spec = default_audit(microdata=False)
    shuffled = sub2023.sample(frac=1.0, random_state=4)
    a = uncertainty(Design(published_input(sub2023), spec), runs=200, rng=8).provinces
    b = uncertainty(Design(published_input(shuffled), spec), runs=200, rng=8).provinces
    key = ["output", "province"]
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )


def test_pca_weights_are_squared_first_loadings(sub2023: pd.DataFrame) -> None:
    data = published_input(sub2023)
    w = Design(data, Spec.parse({"weights": {"schemes": ["pca"]}})).schemes[0]
    s = sub2023.set_index("province").dropna()
    cols = [c for c in s.columns if c[2] == "2"]
    vals, vecs = np.linalg.eigh(np.corrcoef(s[cols].to_numpy(), rowvar=False))
    first = vecs[:, np.argmax(vals)]
    idx = [data.leaves.index(c) for c in cols]
    np.testing.assert_allclose(w[idx], first**2 / np.sum(first**2), rtol=1e-8)


SPECS = st.fixed_dictionaries(
    {
        "normalisation": st.lists(
            st.sampled_from(["goalposts", "minmax", "rank"]), min_size=1, max_size=3, unique=True
        ),
        "aggregation": st.fixed_dictionaries(
            {
                "dimension": st.lists(
                    st.sampled_from(["arithmetic", "geometric", "generalised:2"]),
                    min_size=1, max_size=2, unique=True,
                ),
                "index": st.lists(
                    st.sampled_from(["arithmetic", "geometric", "copeland"]),
                    min_size=1, max_size=2, unique=True,
                ),
            }
        ),
        "weights": st.fixed_dictionaries(
            {"schemes": st.sampled_from([["equal"], ["equal", "pca"]]), "noise": st.sampled_from([0.0, 0.3])}
        ),
        "exclusion": st.sampled_from(
            [{"mode": "none"}, {"mode": "one_at_a_time", "level": "dimension"},
             {"mode": "random", "level": "subdimension", "k": 2}]
        ),
    }
)  # fmt: skip


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(SPECS)
def test_any_spec_gives_coherent_rank_statistics(sub2023: pd.DataFrame, doc: dict) -> None:  # type: ignore[type-arg]
    design = Design(published_input(sub2023), Spec.parse(doc))
    res = uncertainty(design, runs=60, rng=0)
    pr = res.provinces[res.provinces["nominal_rank"].notna()]
    assert (pr["rank_q05"] <= pr["median_rank"]).all() and (
        pr["median_rank"] <= pr["rank_q95"]
    ).all()
    assert pr["rank_q05"].min() >= 1 and pr["rank_q95"].max() <= 61
    p = pr[["p_high", "p_high_average", "p_low_average", "p_low"]].sum(axis=1)
    np.testing.assert_allclose(p, 1)
    firsts = (doc["normalisation"][0], *(a[0] for a in doc["aggregation"].values()))
    if firsts == ("goalposts", "arithmetic", "arithmetic"):  # PAPI's choices are nominal
        agg = pr[pr["output"] == "PAPI"].set_index("province")["nominal_score"]
        pub = published_aggregate(sub2023)
        np.testing.assert_allclose(agg, pub.loc[agg.index], rtol=1e-12)
    if not design.factors:
        assert (pr["mean_abs_shift"] == 0).all()
