"""score(): arithmetic, suppression, national row, replicate machinery, errors, JSON."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import IndexScores, score
from scoring.index.indicators import indicator_values
from scoring.index.rank_counts import rank_uncertainty
from scoring.index.structure import IndexStructure
from scoring.index.uncertainty import replicate_domain_means
from survey import load_questionnaire
from survey.errors import ScoringError
from survey.questionnaire.schema import Questionnaire
from tests.scoring.index.simdata import simulate_responses

MINI = Path(__file__).resolve().parent / "fixtures" / "index-mini.yaml"


@cache
def _q() -> Questionnaire:
    return load_questionnaire(MINI)


@cache
def _data() -> pd.DataFrame:
    return simulate_responses(_q(), provinces=5, districts=4, villages=2, per_village=10, rng=3)


def test_levels_follow_papi_arithmetic() -> None:
    s = score(_data(), _q(), weighted=False)
    st = IndexStructure.from_questionnaire(_q())
    x = s.indicators.pivot(index="province", columns="indicator", values="est")
    low = np.array([g[0] for g in st.goalposts])
    high = np.array([g[1] for g in st.goalposts])
    r = 1 + 9 * (x.loc[:, list(st.indicators)] - low) / (high - low)
    np.testing.assert_allclose(
        r.to_numpy(),
        s.indicators.pivot(index="province", columns="indicator", values="rescaled")
        .loc[:, list(st.indicators)]
        .to_numpy(),
    )
    sub = s.subdimensions.pivot(index="province", columns="subdimension", values="est")
    np.testing.assert_allclose(sub["SC11"], r[["SC11_01", "SC11_02"]].mean(axis=1) / 2)
    np.testing.assert_allclose(sub["SC22"], r["SC22_01"] / 2)
    dims = s.dimensions.pivot(index="province", columns="dimension", values="est")
    np.testing.assert_allclose(dims["D1"], sub["SC11"] + sub["SC12"])
    comp = s.composite.set_index("province")["est"]
    np.testing.assert_allclose(comp, dims.sum(axis=1).loc[comp.index])


def test_unweighted_means_and_national_row_are_pooled_sample_means() -> None:
    data = _data()
    s = score(data, _q(), weighted=False)
    codes, y, _ = indicator_values(data, _q())
    ind = s.indicators.set_index(["province", "indicator"])
    frame = pd.DataFrame(y, columns=codes).assign(province=data["province"].to_numpy())
    by_province = frame.groupby("province").mean()
    for code in codes:
        np.testing.assert_allclose(
            ind.xs(code, level="indicator")["est"].drop("VN"), by_province[code]
        )
        assert ind.loc[("VN", code), "est"] == pytest.approx(np.nanmean(frame[code]))
        assert ind.loc[("VN", code), "n"] == (~np.isnan(frame[code])).sum()
    assert s.composite.set_index("province").loc["VN", "rank"] is pd.NA


def test_constant_weights_equal_unweighted() -> None:
    data = _data().assign(weight=3.0)
    a = score(data, _q(), weighted=True).to_frame()
    b = score(data, _q(), weighted=False).to_frame()
    np.testing.assert_allclose(a["est"], b["est"])
    np.testing.assert_allclose(a["se"], b["se"])


def test_suppression_propagates_and_unranks() -> None:
    data = _data().copy()
    few = (data["province"] == "P02") & (data["q100"] == 1)
    data.loc[few.to_numpy().nonzero()[0][5:], "q100"] = 0  # P02: 5 eligible respondents
    s = score(data, _q(), min_n=10, min_share=1.0)
    ind = s.indicators.set_index(["province", "indicator"])
    assert np.isnan(ind.loc[("P02", "SC11_01"), "est"])
    assert ind.loc[("P02", "SC11_01"), "n"] <= 5
    assert not np.isnan(ind.loc[("P02", "SC11_02"), "est"])
    sub = s.subdimensions.set_index(["province", "subdimension"])
    assert np.isnan(sub.loc[("P02", "SC11"), "est"]) and np.isnan(sub.loc[("P02", "SC11"), "se"])
    assert not np.isnan(sub.loc[("P02", "SC21"), "est"])
    dims = s.dimensions.set_index(["province", "dimension"])
    assert np.isnan(dims.loc[("P02", "D1"), "est"]) and pd.isna(dims.loc[("P02", "D1"), "rank"])
    assert not np.isnan(dims.loc[("P02", "D2"), "est"])
    comp = s.composite.set_index("province")
    assert np.isnan(comp.loc["P02", "est"]) and pd.isna(comp.loc["P02", "group"])
    assert comp["rank"].max() == 4  # four provinces remain ranked
    boot = score(data, _q(), variance="bootstrap", replicates=200, min_share=1.0)
    assert np.isnan(boot.composite.set_index("province").loc["P02", "se"])
    assert pd.isna(boot.composite.set_index("province").loc["P02", "rank_lci"])


def test_available_case_subdimension_and_its_taylor_se() -> None:
    """SC11 = r(SC11_02) / 2 when SC11_01 is suppressed (1 of 2 indicators = min_share);
    its SE is then the SE of that indicator times 9/(U − L)/2."""
    data = _data().copy()
    few = (data["province"] == "P02") & (data["q100"] == 1)
    data.loc[few.to_numpy().nonzero()[0][5:], "q100"] = 0
    s = score(data, _q(), min_n=10)
    ind = s.indicators.set_index(["province", "indicator"]).loc["P02"]
    sub = s.subdimensions.set_index(["province", "subdimension"]).loc[("P02", "SC11")]
    assert np.isnan(ind.loc["SC11_01", "est"])
    assert sub["est"] == pytest.approx(ind.loc["SC11_02", "rescaled"] / 2)
    assert sub["se"] == pytest.approx(ind.loc["SC11_02", "se"] * 9 / 2)
    assert not np.isnan(s.composite.set_index("province").loc["P02", "est"])
    assert any("available indicators" in note for note in s.notes)


@pytest.mark.parametrize("method", ["jkn", "bootstrap"])
def test_replicate_ses_are_close_to_taylor(method: str) -> None:
    taylor = score(_data(), _q(), variance="taylor").to_frame()
    rep = score(_data(), _q(), variance=method, replicates=1500, rng=1).to_frame()
    np.testing.assert_allclose(rep["est"], taylor["est"])
    ratio = (rep["se"] / taylor["se"]).to_numpy()
    assert np.nanmedian(np.abs(ratio - 1)) < 0.1
    assert rep["rank_lci"].notna().sum() > 0


def _brute_force(w_rep: np.ndarray, y: np.ndarray, domain: np.ndarray, d: int) -> np.ndarray:
    out = np.full((w_rep.shape[1], d + 1, y.shape[1]), np.nan)
    for r in range(w_rep.shape[1]):
        for g in range(d + 1):
            rows = domain == g if g < d else np.ones_like(domain, dtype=bool)
            for k in range(y.shape[1]):
                ok = rows & ~np.isnan(y[:, k])
                if w_rep[ok, r].sum() > 0:
                    out[r, g, k] = (w_rep[ok, r] * y[ok, k]).sum() / w_rep[ok, r].sum()
    return out


@pytest.mark.parametrize("factorised", [True, False])
def test_replicate_domain_means_against_a_loop(factorised: bool) -> None:
    gen = np.random.default_rng(5)
    n, d = 60, 3
    domain = np.repeat(np.arange(d), n // d)
    psu = np.repeat(np.arange(12), 5)
    w = gen.uniform(1, 3, n)
    y = np.where(gen.random((n, 4)) < 0.2, np.nan, gen.normal(size=(n, 4)))
    factors = gen.poisson(1.0, (12, 7)).astype(float)
    w_rep = w[:, None] * factors[psu]
    if not factorised:  # a per-respondent perturbation: the fallback path
        w_rep = w_rep * gen.uniform(0.5, 1.5, w_rep.shape)
    got = replicate_domain_means(w_rep, w, y, domain, d, psu, factorised=False)
    np.testing.assert_allclose(got, _brute_force(w_rep, y, domain, d))


def test_rank_uncertainty_of_well_separated_units() -> None:
    reps = np.array([10.0, 20.0, 30.0, 40.0, np.nan])[None, :, None] + np.random.default_rng(
        0
    ).normal(0, 0.01, (500, 5, 1))
    reps[:, 4] = 99.0  # the national row is never ranked
    ranked = np.array([True, True, True, True, False])
    low, high, probs = rank_uncertainty(reps, ranked, 0.95)
    np.testing.assert_array_equal(low[:4, 0], [4, 3, 2, 1])
    np.testing.assert_array_equal(high[:4, 0], [4, 3, 2, 1])
    assert np.isnan(low[4, 0]) and np.isnan(probs[4, 0]).all()
    np.testing.assert_array_equal(probs[:4, 0].argmax(axis=1), [3, 2, 1, 0])
    np.testing.assert_allclose(probs[:4, 0].sum(axis=1), 1.0)


def test_errors_name_the_fix() -> None:
    with pytest.raises(ScoringError, match="--unweighted") as info:
        score(_data().drop(columns=["weight"]), _q())
    assert info.value.code == "weight_column_missing"
    assert score(_data().drop(columns=["weight"]), _q(), weighted=False).weighted is False
    with pytest.raises(ScoringError) as info:
        score(_data().drop(columns=["province"]), _q())
    assert info.value.code == "province_column_missing"
    with pytest.raises(ScoringError) as info:
        score(_data(), _q(), variance="delta")
    assert info.value.code == "unknown_variance_method"


def test_province_codes_are_text_and_a_category_keeps_them() -> None:
    data = _data()
    numeric = data.assign(province=data["province"].astype("category").cat.codes.astype("int64"))
    with pytest.raises(ScoringError, match="merge the scores back") as info:
        score(numeric, _q())
    assert info.value.code == "province_not_text"
    # a categorical (or string) province scores, and the result merges back onto the data
    s = score(data.assign(province=data["province"].astype("category")), _q(), min_n=1)
    merged = data.merge(s.composite[["province", "est"]], on="province", how="left")
    assert merged["est"].notna().all()


def test_design_column_fallbacks_and_json() -> None:
    data = _data().drop(columns=["stratum", "psu"])
    s = score(data, _q())  # strata=province, psu=district
    t = score(_data(), _q())
    pd.testing.assert_frame_equal(s.to_frame(), t.to_frame())
    back = IndexScores.from_json(s.to_json())
    pd.testing.assert_frame_equal(back.to_frame(), s.to_frame())
    assert (back.method, back.confidence, back.weighted, back.structure) == (
        "taylor",
        0.95,
        True,
        "index-mini",
    )


def test_a_share_of_zero_gets_the_exact_binomial_interval() -> None:
    """p = 0 with se = 0: Korn–Graubard falls back to n* = n (Clopper–Pearson)."""
    from scipy import stats

    data = _data().assign(q202=lambda f: np.where(f["province"] == "P01", 0.0, f["q202"]))
    ind = score(data, _q()).indicators.set_index(["province", "indicator"])
    row = ind.loc[("P01", "SC22_01")]
    assert row["est"] == 0 and row["se"] == 0 and row["lci"] == 0
    n, df = float(row["n"]), float(row["df"])
    n_star = n * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    assert row["uci"] == pytest.approx(stats.beta.ppf(0.975, 1, n_star))
    assert 0 < row["uci"] < 0.2


@pytest.mark.parametrize("kept", [1, 3, 4])
def test_a_pilot_of_fewer_than_four_provinces_gets_no_groups(kept: int) -> None:
    data = _data()
    some = sorted(data["province"].unique())[:kept]
    result = score(data[data["province"].isin(some)], _q(), rng=0, replicates=50)
    comp = result.composite.set_index("province").drop(index="VN")
    assert len(comp) == kept and comp["est"].notna().all()
    groups_note = [n for n in result.notes if "performance groups" in n]
    if kept < 4:
        assert comp["group"].isna().all() and comp["p_high"].isna().all()
        assert len(groups_note) == 1 and f"only {kept} province" in groups_note[0]
        ranks_note = any(n.startswith("rank intervals") for n in result.notes)
        assert ranks_note == (kept > 1)  # one province: nothing is ranked
    else:
        assert comp["group"].notna().all() and not groups_note
        assert comp[["p_high", "p_high_average", "p_low_average", "p_low"]].sum(
            axis=1
        ).to_numpy() == pytest.approx(1.0)


def test_a_province_with_two_psus_is_noted_as_one_degree_of_freedom() -> None:
    data = _data()
    p1 = data["province"] == "P01"
    two = sorted(data.loc[p1, "psu"].unique())[:2]
    thin = data[~p1 | data["psu"].isin(two)]
    result = score(thin, _q(), rng=0, replicates=50)
    comp = result.composite.set_index("province")
    assert comp.loc["P01", "df"] == 1 and (comp.drop(index=["P01", "VN"])["df"] > 1).all()
    (note,) = [n for n in result.notes if "1 degree of freedom" in n]
    assert "1 province(s) (P01)" in note
    assert not any("degree of freedom" in n for n in score(data, _q(), rng=0).notes)


def _group_probs(
    est: np.ndarray, se: np.ndarray, df: np.ndarray, dist: str, posterior: bool = True
) -> np.ndarray:
    """Group shares (P, 4) of 200,000 draws from the reported est, se and df: the
    empirical-Bayes posterior draws, or (``posterior=False``) ``est + se · T``."""
    from scoring.design.results import reference_draws
    from scoring.index.groups import group_codes
    from scoring.index.uncertainty import posterior_draws

    if posterior:
        draws = posterior_draws(est[:, None], se[:, None], df, dist, 200_000, 9)[..., 0]
    else:
        draws = reference_draws(est[:, None], se[:, None], df[:, None], dist, 200_000, 9)[..., 0]
    codes = group_codes(draws, axis=1)
    return np.stack([(codes == g).mean(axis=0) for g in range(4)], axis=1)


def test_group_probabilities_agree_with_the_reported_scores() -> None:
    """Group probabilities are those of the empirical-Bayes posterior draws given the
    reported est, se and df (t on the province's 2 df here): recomputed from them they
    match to Monte Carlo error; the normal alternative, and draws centred on the
    estimates (est + se · T), would not."""
    data = simulate_responses(_q(), provinces=8, districts=3, villages=2, per_village=10, rng=5)
    s = score(data, _q(), replicates=4000, rng=4)
    comp = s.composite.loc[s.composite["province"] != "VN"]
    assert (comp["df"] == 2).all()
    est, se, df = (comp[c].to_numpy(np.float64) for c in ("est", "se", "df"))
    got = comp[["p_high", "p_high_average", "p_low_average", "p_low"]].to_numpy(np.float64)
    want = _group_probs(est, se, df, "t")
    np.testing.assert_allclose(got, want, atol=0.035)
    assert np.abs(_group_probs(est, se, df, "normal") - want).max() > 0.07  # the test has power
    assert np.abs(_group_probs(est, se, df, "t", posterior=False) - want).max() > 0.07
    assert any("Student t" in n for n in s.notes)
    boot = score(data, _q(), variance="bootstrap", replicates=4000, rng=4).composite
    boot = boot.loc[boot["province"] != "VN"]
    b_est, b_se = boot["est"].to_numpy(np.float64), boot["se"].to_numpy(np.float64)
    b_got = boot[["p_high", "p_high_average", "p_low_average", "p_low"]].to_numpy(np.float64)
    np.testing.assert_allclose(b_got, _group_probs(b_est, b_se, df, "t"), atol=0.035)


def _rank_intervals(
    est: np.ndarray, se: np.ndarray, df: np.ndarray, posterior: bool = True
) -> np.ndarray:
    """95% rank intervals (P, 2) from 200,000 draws of the reported est, se and df (t): the
    empirical-Bayes posterior draws, or (``posterior=False``) ``est + se · T``."""
    from scoring.design.results import reference_draws
    from scoring.index.groups import ranks
    from scoring.index.uncertainty import posterior_draws

    if posterior:
        draws = posterior_draws(est[:, None], se[:, None], df, "t", 200_000, 9)[..., 0]
    else:
        draws = reference_draws(est[:, None], se[:, None], df[:, None], "t", 200_000, 9)[..., 0]
    r = ranks(draws, axis=1)
    return np.stack([np.quantile(r, 0.025, axis=0), np.quantile(r, 0.975, axis=0)], axis=1)


def test_rank_intervals_agree_with_the_reported_scores_and_the_group_probabilities() -> None:
    """Rank intervals come from the same draws as the group probabilities: the empirical-Bayes
    posterior given the reported est, se and df, its sampling error Student t on the
    province's 2 df as the CIs. Recomputed from the reported numbers they match to Monte
    Carlo error (a rank either way at the edge); draws centred on the estimates would not."""
    data = simulate_responses(_q(), provinces=8, districts=3, villages=2, per_village=10, rng=5)
    for variance in ("taylor", "bootstrap"):
        s = score(data, _q(), variance=variance, replicates=4000, rng=4)
        comp = s.composite.loc[s.composite["province"] != "VN"]
        est, se, df = (comp[c].to_numpy(np.float64) for c in ("est", "se", "df"))
        got = comp[["rank_lci", "rank_uci"]].to_numpy(np.float64)
        want = _rank_intervals(est, se, df)
        assert np.abs(got - want).max() <= 1, (got, want)
        assert np.abs(got - want).mean() < 0.25, (got, want)
    old = _rank_intervals(est, se, df, posterior=False)
    assert np.abs(old - want).sum() >= 3  # the test has power


def test_post_stratification_in_the_variance_on_request() -> None:
    from survey.simulate import simulate

    sim = simulate(2021, rng=3, provinces=["P05"])
    s = score(sim.responses, "papi-2021", poststratified=True)
    assert any("post-stratification" in n for n in s.notes)
    fixed = score(sim.responses, "papi-2021")
    assert not any("post-stratification" in n for n in fixed.notes)
    np.testing.assert_allclose(s.composite["est"], fixed.composite["est"])
    assert not np.allclose(s.composite["se"], fixed.composite["se"])
    with pytest.raises(ScoringError, match="design_weight") as info:
        score(sim.responses.drop(columns="design_weight"), "papi-2021", poststratified=True)
    assert info.value.code == "poststrata_unavailable"


def test_design_effects_are_r_deffs_with_replacement() -> None:
    """deff of an indicator = R's svymean(deff=TRUE) (our SurveyDesign, golden-tested)
    times (N̂ − n)/N̂, i.e. R's deff="replace"; every level has one, the national row too."""
    from scoring import SurveyDesign

    data = _data()
    s = score(data, _q(), share_correction=False)  # R's variance formula
    codes, y, _ = indicator_values(data, _q())
    ind = s.indicators.set_index(["province", "indicator"])
    for j in (0, 3):
        frame = data.assign(y=y[:, j])
        m = SurveyDesign(frame, weights="weight", strata="stratum", psu="psu").mean(
            "y", by="province", deff=True
        )
        ok = ~np.isnan(y[:, j])
        n_hat = frame[ok].groupby("province")["weight"].sum()
        n = frame[ok].groupby("province").size()
        want = m.set_index("province")["deff"] * (n_hat - n) / n_hat
        got = ind.xs(codes[j], level="indicator")["deff"].drop("VN")
        np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-9)
    assert s.composite["deff"].notna().all() and (s.composite["deff"] > 0).all()
    assert s.dimensions["deff"].notna().all()
    # a respondent of weight 0 counts in no design effect's n: its flags are read again
    zero = data.assign(weight=data["weight"].where(data.index != data.index[0], 0.0))
    z = score(zero, _q(), share_correction=False).indicators.set_index(["province", "indicator"])
    frame = zero.assign(y=y[:, 0])
    ok = ~np.isnan(y[:, 0]) & (frame["weight"] > 0).to_numpy()
    m = SurveyDesign(frame, weights="weight", strata="stratum", psu="psu").mean(
        "y", by="province", deff=True
    )
    n_hat = frame[ok].groupby("province")["weight"].sum()
    n = frame[ok].groupby("province").size()
    want = m.set_index("province")["deff"] * (n_hat - n) / n_hat
    got = z.xs(codes[0], level="indicator")["deff"].drop("VN")
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-9)


def test_share_corrected_variance() -> None:
    """Equal PSU shares: the usual with-replacement variance (R's); unequal shares: the
    model-unbiased S2/(1-S2) sum e^2/s by hand; strata spanning provinces are refused."""
    from scoring.index.share_correction import share_corrected_variance

    data = _data().assign(weight=1.0)  # 4 districts x 20 respondents: equal shares
    a = score(data, _q(), share_correction=True).to_frame()
    b = score(data, _q(), share_correction=False).to_frame()
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-12)
    # one stratum, three PSUs with weights 1, 2, 5 and PSU totals z = (3, -1, -2)
    w = np.array([1.0, 2.0, 5.0])
    u = np.array([[3.0], [-0.5], [-0.4]])
    zero = np.zeros(3, dtype=np.intp)
    got = share_corrected_variance(u, w, zero, np.arange(3), zero, 1)[0, 0]
    s = w / w.sum()
    z = u[:, 0] * w
    e = z - s * z.sum()
    s2 = (s**2).sum()
    assert got == pytest.approx(s2 / (1 - s2) * (e**2 / s).sum())
    crossing = _data().assign(stratum="all")
    with pytest.raises(ScoringError, match="inside one province"):
        score(crossing, _q(), share_correction=True)


def test_share_correction_is_the_default_of_weighted_taylor_scores() -> None:
    """Default (``share_correction=None``): corrected for weighted Taylor scores whose design
    fits, R's formula for unweighted scores, and R's formula with a note for a design it
    does not fit (a stratum spanning provinces); the provenance records what was used."""
    data = _data()
    default = score(data, _q())
    on = score(data, _q(), share_correction=True)
    off = score(data, _q(), share_correction=False)
    assert default.provenance.share_correction is True
    np.testing.assert_allclose(default.to_frame()["se"], on.to_frame()["se"], rtol=1e-12)
    assert not np.allclose(default.composite["se"], off.composite["se"])  # shares differ here
    unweighted = score(data, _q(), weighted=False)
    assert unweighted.provenance.share_correction is False
    crossing = score(data.assign(stratum="all"), _q())
    assert crossing.provenance.share_correction is False
    assert any("PSU-share correction" in n and "inside one province" in n for n in crossing.notes)
    plain = score(data.assign(stratum="all"), _q(), share_correction=False)
    np.testing.assert_allclose(crossing.to_frame()["se"], plain.to_frame()["se"], rtol=1e-12)


def test_share_correction_of_post_stratified_scores_sums_their_residuals() -> None:
    """With ``poststratified=True`` the corrected variance sums the PSU totals of the
    post-stratification residuals (SurveyDesign.calibration_residuals): with the correction
    off the same residuals give R's postStratify variance; on, a different one."""
    from survey.simulate import simulate

    sim = simulate(2021, rng=3, provinces=["P05", "P12"])
    ps_on = score(sim.responses, "papi-2021", poststratified=True, share_correction=True)
    ps_off = score(sim.responses, "papi-2021", poststratified=True, share_correction=False)
    fixed_on = score(sim.responses, "papi-2021", share_correction=True)
    assert ps_on.provenance.share_correction and ps_on.provenance.poststratified
    for other in (ps_off, fixed_on):
        assert not np.allclose(ps_on.subdimensions["se"], other.subdimensions["se"])


def test_strata_facts_are_pandas_counts_and_decide_the_share_correction() -> None:
    """``share_correction.strata_of`` counts provinces and PSUs per stratum as pandas'
    ``groupby(...).nunique()`` does, and the correction's fit and the frame's notes follow
    from those counts: a stratum across two provinces, a stratum with one PSU."""
    from scoring.design.structure import codes
    from scoring.index.share_correction import share_correction_misfit, strata_of

    data = _data().copy()
    domain = codes(data["province"].astype("str"))[0]
    facts = strata_of(data, "stratum", "psu", domain)
    assert facts is not None and facts.psus is not None
    by = data.groupby("stratum", sort=True, observed=True)
    assert facts.provinces.tolist() == by["province"].nunique().tolist()
    assert facts.psus.tolist() == by["psu"].nunique().tolist()
    assert share_correction_misfit("stratum", facts) is None
    assert share_correction_misfit("stratum", strata_of(data, "stratum", None, domain)) == (
        "strata and PSUs (the columns `stratum`/`province` and `psu`/`district`)"
    )

    # one stratum across the first two provinces: the draws' independence is noted, the
    # correction does not fit (an error when asked for, off with a note by default)
    across = data.assign(stratum=data["stratum"].where(data["province"] != "P02", "P01"))
    s = score(across, _q(), strata="stratum")
    assert any("1 stratum/strata span several provinces" in n for n in s.notes)
    assert not s.provenance.share_correction
    with pytest.raises(ScoringError, match="every stratum inside one province") as info:
        score(across, _q(), strata="stratum", share_correction=True)
    assert info.value.code == "share_correction_design"

    # a stratum of one PSU (lonely_psu="adjust" lets the design stand): noted, no correction
    first = data["stratum"] == data["stratum"].iloc[0]
    lonely = data.assign(psu=data["psu"].where(~first, data["psu"].iloc[0]))
    s = score(lonely, _q(), lonely_psu="adjust")
    assert any("have one PSU" in n for n in s.notes)
    with pytest.raises(ScoringError, match="two PSUs in every stratum"):
        score(lonely, _q(), lonely_psu="adjust", share_correction=True)
