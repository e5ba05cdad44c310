"""scoring.SurveyDesign agrees with R's survey package to 1e-6 (relative).

Golden values: tests/golden/survey_golden.json, written by tests/golden/make_golden.R (R
survey 4.1; each entry records the R call that produced it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from scoring import SurveyDesign
from tests.scoring.design.golden_checks import check, close


@pytest.fixture(scope="module")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dstrat(apistrat: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus2(apiclus2: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apiclus2, weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_readme_example(apiclus1: pd.DataFrame) -> None:
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    row = d.mean("api00").iloc[0]
    assert round(row["est"], 2) == 644.17
    assert round(row["se"], 2) == 23.54


def test_cluster_means_totals_ratio_deff_df(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    m = dclus1.mean(["api00", "api99"], deff=True)
    check(m, golden["clus1_mean"])
    close(m["deff"], golden["clus1_mean"]["deff"])
    assert (m["df"] == golden["clus1_mean"]["df"]).all()
    t = dclus1.total(["enroll", "api00"], deff=True)
    check(t, golden["clus1_total"])
    close(t["deff"], golden["clus1_total"]["deff"])
    check(dclus1.ratio("api00", "api99"), golden["clus1_ratio"])


def test_confidence_intervals(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["clus1_ci"]
    t90 = dclus1.mean(["api00", "api99"], confidence=0.9)
    close(t90["lci"], ref["t90_lci"])
    close(t90["uci"], ref["t90_uci"])
    assert t90.attrs["ci_dist"] == "t" and t90.attrs["confidence"] == 0.9
    n95 = dclus1.mean(["api00", "api99"], ci_dist="normal")
    close(n95["lci"], ref["n95_lci"])
    close(n95["uci"], ref["n95_uci"])


def test_no_fpc(apiclus1: pd.DataFrame, golden: dict[str, Any]) -> None:
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum")
    m = d.mean(["api00", "api99"])
    check(m, golden["clus1_nofpc_mean"])
    assert d.design_df == golden["clus1_nofpc_mean"]["df"]


def test_item_nonresponse_is_available_cases(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["clus1_na"]
    m = dclus1.mean("acs.k3")
    check(m, ref["mean"])
    assert m["n"].iloc[0] == ref["n"]
    check(dclus1.total("acs.k3"), ref["total"])
    by = dclus1.mean("acs.46", by="sch.wide")
    assert list(by["sch.wide"]) == golden["clus1_by_na"]["domain"]
    check(by, golden["clus1_by_na"])


def test_domains_svyby(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["clus1_by_mean"]
    m = dclus1.mean(["api00", "api99"], by="stype", deff=True)
    assert list(m["stype"][:3]) == ref["domain"]
    check(m, ref)
    close(m["deff"], ref["deff"])
    close(m["df"][:3], ref["df"])
    check(dclus1.total("enroll", by="stype"), golden["clus1_by_total"])
    check(dclus1.ratio("api00", "api99", by="stype"), golden["clus1_by_ratio"])


def test_stratified_element_sample(dstrat: SurveyDesign, golden: dict[str, Any]) -> None:
    check(dstrat.mean(["api00", "enroll"]), golden["strat_mean"])
    assert dstrat.design_df == golden["strat_mean"]["df"]
    check(dstrat.total("enroll"), golden["strat_total"])
    by = dstrat.mean("api00", by="sch.wide")
    check(by, golden["strat_by_mean"])
    close(by["df"], golden["strat_by_mean"]["df"])


def test_two_stage_with_fpcs(dclus2: SurveyDesign, golden: dict[str, Any]) -> None:
    m = dclus2.mean(["api00", "enroll"])
    check(m, golden["clus2_mean"])
    assert dclus2.design_df == golden["clus2_mean"]["df"]
    check(dclus2.total("api00"), golden["clus2_total"])
    check(dclus2.mean("api00", by="stype"), golden["clus2_by_mean"])


def test_two_stage_without_fpc_is_ultimate_cluster(
    apiclus2: pd.DataFrame, golden: dict[str, Any]
) -> None:
    d = SurveyDesign(apiclus2, weights="pw", psu=["dnum", "snum"])
    check(d.mean("api00"), golden["clus2_nofpc_mean"])


@pytest.mark.parametrize("policy", ["adjust", "remove", "certainty"])
def test_lonely_psu_policies(lonely: pd.DataFrame, golden: dict[str, Any], policy: str) -> None:
    ref = golden["lonely"][policy]
    d = SurveyDesign(lonely, weights="pw", strata="lstrat", psu="dnum", lonely_psu=policy)
    check(d.mean("api00"), ref["mean"])
    check(d.total("enroll"), ref["total"])
    check(d.replicates("jkn").mean("api00"), ref["jkn_mean"])


def test_lonely_psu_fails_by_default(lonely: pd.DataFrame, golden: dict[str, Any]) -> None:
    from survey.errors import DesignError

    assert golden["lonely"]["fail_errors"]
    with pytest.raises(DesignError) as err:
        SurveyDesign(lonely, weights="pw", strata="lstrat", psu="dnum")
    assert err.value.code == "lonely_psu"
    assert "lonely_psu=" in str(err.value)
