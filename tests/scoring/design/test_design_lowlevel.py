"""The low-level vectorised API the index scorer uses, the bootstrap, and design errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring import SurveyDesign, replicate_variance
from survey.errors import DesignError


@pytest.fixture(scope="module")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")


def test_domain_means_and_taylor_variance_match_the_frame(dclus1: SurveyDesign) -> None:
    cols = ["api00", "api99", "acs.46"]
    dom, labels = dclus1.domain_codes("stype")
    est, u, n_obs, df = dclus1.domain_means(dclus1.values(cols), dom)
    var = dclus1.taylor_variance(u, dom)
    frame = dclus1.mean(cols, by="stype")
    np.testing.assert_allclose(est.T.ravel(), frame["est"], rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(var).T.ravel(), frame["se"], rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(n_obs.T.ravel(), frame["n"])
    np.testing.assert_array_equal(np.tile(df, 3), frame["df"])
    assert list(labels["stype"]) == ["E", "H", "M"]


def test_missing_values_are_never_zero(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    y = dclus1.values(["acs.k3"])
    est, _, n_obs, _ = dclus1.domain_means(y)
    zero_filled, _, _, _ = dclus1.domain_means(np.nan_to_num(y))
    np.testing.assert_allclose(est[0, 0], golden["clus1_na"]["mean"]["est"], rtol=1e-9)
    assert n_obs[0, 0] == golden["clus1_na"]["n"] and zero_filled[0, 0] < est[0, 0] * 0.9


def test_rows_outside_every_domain_keep_the_full_design(dclus1: SurveyDesign) -> None:
    dom, _ = dclus1.domain_codes("stype")
    only_e = np.where(dom == 0, 0, -1)
    y = dclus1.values(["api00"])
    est_e, u_e, _, df_e = dclus1.domain_means(y, only_e, 1)
    est_all, u_all, _, df_all = dclus1.domain_means(y, dom)
    np.testing.assert_allclose(est_e[0], est_all[0])
    np.testing.assert_allclose(
        dclus1.taylor_variance(u_e, only_e, 1)[0], dclus1.taylor_variance(u_all, dom)[0]
    )
    assert df_e[0] == df_all[0]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", ["missing", "complete", "outside"])
def test_domain_and_overall_means_are_the_two_domain_means_bit_for_bit(
    dclus1: SurveyDesign, case: str, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass for provinces and the nation gives exactly what two passes give (the same
    sums in the same order), the influence values transposed into ``u_t`` included; with a
    second thread sharing the blocks of rows (score()'s), the same bytes."""
    from concurrent.futures import ThreadPoolExecutor

    from scoring.design import estimators

    monkeypatch.setattr(estimators, "_ROWS", 16)  # 183 rows: a dozen blocks to share
    y = dclus1.values(["api00", "acs.k3", "acs.46", "api99"])
    if case == "complete":
        y = np.nan_to_num(y)
    dom, _ = dclus1.domain_codes("stype")
    if case == "outside":
        dom = np.where(np.arange(dom.shape[0]) % 7 == 0, -1, dom)
    u_t, overall_u_t = np.full(y.shape[::-1], np.nan), np.full(y.shape[::-1], np.nan)
    with ThreadPoolExecutor(max_workers=1) as pool:
        by, overall = dclus1.domain_and_overall_means(
            y,
            dom,
            3,
            u_t=u_t,
            overall_u_t=overall_u_t,
            executor=pool if threads == 2 else None,
        )
    for got, want in ((by, dclus1.domain_means(y, dom, 3)), (overall, dclus1.domain_means(y))):
        for a, b in zip(got, want, strict=True):
            assert a.shape == b.shape and a.tobytes() == b.tobytes()
    assert u_t.tobytes() == np.ascontiguousarray(by[1].T).tobytes()
    assert overall_u_t.tobytes() == np.ascontiguousarray(overall[1].T).tobytes()
    assert np.isnan(y).any() == (case != "complete")


def test_domain_totals(dclus1: SurveyDesign) -> None:
    dom, _ = dclus1.domain_codes("stype")
    est, u, _, _ = dclus1.domain_totals(dclus1.values(["enroll"]), dom)
    frame = dclus1.total("enroll", by="stype")
    np.testing.assert_allclose(est[:, 0], frame["est"])
    np.testing.assert_allclose(np.sqrt(dclus1.taylor_variance(u, dom)[:, 0]), frame["se"])


def test_replicate_weights_and_variance_reproduce_the_design(dclus1: SurveyDesign) -> None:
    w, scale, rscale, mse = dclus1.replicate_weights_and_scales("jk1")
    y = dclus1.values(["api00"])[:, 0]
    theta = (y @ w) / w.sum(axis=0)
    full = float(y @ dclus1.weights / dclus1.weights.sum())
    se = np.sqrt(replicate_variance(theta, full, scale, rscale, mse))
    np.testing.assert_allclose(se, dclus1.replicates("jk1").mean("api00")["se"][0])
    mse_se = np.sqrt(replicate_variance(theta, full, scale, rscale, True))
    assert mse_se >= se


def test_rao_wu_multiplicities(apistrat: pd.DataFrame) -> None:
    d = SurveyDesign(apistrat, weights="pw", strata="stype", psu="snum")
    w, scale, rscale, _ = d.replicate_weights_and_scales("bootstrap", replicates=200, rng=7)
    m = w / d.weights[:, None]
    strata = apistrat["stype"].to_numpy()
    for s in ("E", "H", "M"):
        n_h = int((strata == s).sum())
        # n_h − 1 draws rescaled by n_h/(n_h − 1): multipliers sum to n_h in every replicate
        np.testing.assert_allclose(m[strata == s].sum(axis=0), n_h)
    assert scale == pytest.approx(1 / 199) and rscale.shape == (200,)
    again, _, _, _ = d.replicate_weights_and_scales("bootstrap", replicates=200, rng=7)
    np.testing.assert_array_equal(w, again)
    other, _, _, _ = d.replicate_weights_and_scales("bootstrap", replicates=200, rng=8)
    assert not np.array_equal(w, other)


@pytest.mark.slow
def test_bootstrap_se_agrees_with_taylor_within_monte_carlo_error(apiclus1: pd.DataFrame) -> None:
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum")  # with replacement, as Rao–Wu
    taylor = d.mean(["api00", "api99"], by="stype")
    boot = d.replicates("bootstrap", replicates=4000, rng=2024).mean(["api00", "api99"], by="stype")
    ratio = boot["se"].to_numpy() / taylor["se"].to_numpy()
    # relative Monte Carlo sd of a bootstrap SE with B = 4000 is about 1/sqrt(2B) ≈ 1.1%
    assert np.all(np.abs(ratio - 1) < 0.06), ratio
    np.testing.assert_allclose(boot["est"], taylor["est"])


def test_errors_name_the_problem(apiclus1: pd.DataFrame, paired: pd.DataFrame) -> None:
    with pytest.raises(DesignError, match="'nope'"):
        SurveyDesign(apiclus1, weights="pw", psu="nope")
    with pytest.raises(DesignError, match="one fpc column per stage"):
        SurveyDesign(apiclus1, weights="pw", psu=["dnum", "snum"], fpc="fpc")
    with pytest.raises(DesignError, match="lonely_psu"):
        SurveyDesign(apiclus1, weights="pw", psu="dnum", lonely_psu="average")
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    with pytest.raises(DesignError, match="exactly 2 PSUs"):
        SurveyDesign(paired, weights="pw", strata="stype", psu="ppsu").replicates("brr")
    with pytest.raises(DesignError, match="JK1"):
        SurveyDesign(paired, weights="pw", strata="stype", psu="ppsu").replicates("jk1")
    with pytest.raises(DesignError, match="no population count"):
        d.poststratify("stype", {"E": 4421.0, "H": 755.0})
    with pytest.raises(DesignError, match="inconsistent"):
        d.rake({"stype": {"E": 10.0, "H": 10.0, "M": 10.0}, "sch.wide": {"No": 1.0, "Yes": 1.0}})
    with pytest.raises(DesignError, match="did not converge in 1 iterations"):
        d.rake(
            {
                "stype": {"E": 4421.0, "H": 755.0, "M": 1018.0},
                "sch.wide": {"No": 1072, "Yes": 5122},
            },
            max_iter=1,
        )
    with pytest.raises(DesignError, match="unknown"):
        d.replicates("sdr")


def test_fpc_as_sampling_fraction_equals_population_count(apiclus1: pd.DataFrame) -> None:
    frac = apiclus1.assign(f=15 / apiclus1["fpc"])  # 15 sampled districts of fpc
    a = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc").mean("api00")
    b = SurveyDesign(frac, weights="pw", psu="dnum", fpc="f").mean("api00")
    pd.testing.assert_frame_equal(a, b)


def test_docs_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    text = (root / "docs" / "design.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    here = Path.cwd()
    os.chdir(root)
    try:
        exec(compile(block.group(1), "docs/design.md", "exec"), {})
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert "644.169399" in out and "23.542241" in out


def test_replicates_where_a_domain_is_empty_are_left_out(apiclus1: pd.DataFrame) -> None:
    two = apiclus1["dnum"].unique()[:2]
    data = apiclus1.assign(dom=np.where(apiclus1["dnum"].isin(two), "in", "out"))
    boot = SurveyDesign(data, weights="pw", psu="dnum").replicates("bootstrap", 300, rng=3)
    got = boot.mean("api00", by="dom")
    w = boot.replicate_weights()
    y = data["api00"].to_numpy(dtype=float)
    inside = (data["dom"] == "in").to_numpy()
    with np.errstate(invalid="ignore"):
        theta = (y[inside] @ w[inside]) / w[inside].sum(axis=0)
    ok = ~np.isnan(theta)
    assert 0 < (~ok).sum() < 100  # some replicates draw neither of the domain's two PSUs
    manual = boot.scale * np.sum((theta[ok] - theta[ok].mean()) ** 2)
    np.testing.assert_allclose(got["se"][0], np.sqrt(manual))
    assert np.isfinite(got["se"]).all()


def test_post_strata_nested_in_domains_take_the_compact_path(
    dclus1: SurveyDesign, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cells inside one domain keep each residual inside it; the general path agrees."""
    from scoring.design.taylor import CalibrationStep

    data = dclus1.data
    pop = {
        (s, w): float(n) * 1.05
        for (s, w), n in data.groupby(["stype", "sch.wide"])["pw"].sum().items()
    }
    ps = dclus1.poststratify(["stype", "sch.wide"], pop)
    dom, _ = ps.domain_codes("stype")
    assert all(step.nested_in(dom) for step in ps._steps)
    compact = ps.mean(["api00", "acs.k3"], by="stype")
    monkeypatch.setattr(CalibrationStep, "nested_in", lambda self, domain: False)
    general = ps.mean(["api00", "acs.k3"], by="stype")
    pd.testing.assert_frame_equal(compact, general, rtol=1e-10)


def test_bootstrap_leaves_certainty_strata_alone(apistrat: pd.DataFrame) -> None:
    n_e = int((apistrat["stype"] == "E").sum())
    data = apistrat.assign(N=np.where(apistrat["stype"] == "E", n_e, 10_000))
    d = SurveyDesign(data, weights="pw", strata="stype", fpc="N")
    w, _, _, _ = d.replicate_weights_and_scales("bootstrap", replicates=50, rng=1)
    certain = (data["stype"] == "E").to_numpy()
    np.testing.assert_array_equal(w[certain], np.repeat(d.weights[certain, None], 50, axis=1))
    assert not np.allclose(w[~certain], d.weights[~certain, None])


def test_several_by_columns_form_their_interaction(dclus1: SurveyDesign) -> None:
    two = dclus1.mean("api00", by=["stype", "sch.wide"])
    data = dclus1.data.assign(both=dclus1.data["stype"] + "." + dclus1.data["sch.wide"])
    one = SurveyDesign(data, weights="pw", psu="dnum", fpc="fpc").mean("api00", by="both")
    # one column per `by` column (as R's svyby), in the order of their interaction
    assert list(two["stype"] + "." + two["sch.wide"]) == list(one["both"])
    np.testing.assert_allclose(two["se"], one["se"])


def _frames_to_code() -> list[pd.DataFrame]:
    gen = np.random.default_rng(11)
    n = 500
    text = gen.choice(["P10", "P02", "P01", "b", "A", "Ä"], n)
    ints = gen.integers(-3, 12, n)
    return [
        pd.DataFrame({"s": text, "u": ints}),
        pd.DataFrame({"s": ints, "u": ints.astype("str")}),  # numeric first, text second
        pd.DataFrame({"s": text.astype(object), "u": gen.normal(size=n).round(1)}),
        pd.DataFrame({"a": ints % 2, "b": ints % 3, "c": text}),  # three columns
        pd.DataFrame({"s": text, "u": np.where(ints > 9, np.nan, ints)}),  # missing values
        pd.DataFrame({"s": pd.array(ints, dtype="Int64"), "u": text}),
        pd.DataFrame(  # categories in their own order, one unused
            {
                "s": pd.Categorical(text, categories=["b", "P10", "A", "Ä", "P02", "P01", "z"]),
                "u": ints % 2 == 0,
            }
        ),
        pd.DataFrame({"s": text[:0], "u": ints[:0]}),  # no rows
    ]


@pytest.mark.parametrize("frame", _frames_to_code())
def test_interaction_codes_are_the_groupby_numbers(frame: pd.DataFrame) -> None:
    from scoring.design.structure import codes

    code, labels = codes(frame)
    expected = frame.groupby(list(frame.columns), sort=True, dropna=False).ngroup()
    np.testing.assert_array_equal(code, expected.to_numpy())
    assert code.dtype == np.intp and len(labels) == (int(code.max()) + 1 if len(code) else 0)
