"""Replicate weights and calibration agree with R's survey package to 1e-6 (relative).

Golden values: tests/golden/survey_golden.json (tests/golden/make_golden.R).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring import SurveyDesign
from tests.scoring.design.golden_checks import check, close

POP_TYPES = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE = {"No": 1072.0, "Yes": 5122.0}
GREG_TOTALS = {"(Intercept)": 6194.0, "api99": 3914069.0}


@pytest.fixture(scope="module")
def dclus1(apiclus1: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")


def test_jk1(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["jk1"]
    jk = dclus1.replicates("jk1")
    close(jk.scale, ref["scale"])
    check(jk.mean(["api00", "api99"]), ref["mean"])
    check(jk.total("enroll"), ref["total"])
    check(jk.ratio("api00", "api99"), ref["ratio"])
    check(jk.mean("api00", by="stype"), ref["by"])
    check(jk.mean("acs.k3"), ref["na_mean"])
    check(jk.mean("acs.46", by="sch.wide"), ref["na_by"])
    check(jk.ratio("acs.k3", "api99"), ref["na_ratio"])


def test_with_replicates_takes_the_weight_matrix(
    dclus1: SurveyDesign, golden: dict[str, Any]
) -> None:
    jk = dclus1.replicates("jk1")
    y = jk.data["api00"].to_numpy(dtype=float)
    x = jk.data["api99"].to_numpy(dtype=float)
    res = jk.with_replicates(lambda w: (y @ w) / (x @ w))
    close(res.est, golden["jk1"]["with_replicates"]["est"])
    close(res.se, golden["jk1"]["with_replicates"]["se"])
    assert res.replicates.shape == (jk.n_replicates,)


def test_jk1_without_fpc(apiclus1: pd.DataFrame, golden: dict[str, Any]) -> None:
    jk = SurveyDesign(apiclus1, weights="pw", psu="dnum").replicates("jk1")
    close(jk.scale, golden["jk1_nofpc"]["scale"])
    check(jk.mean("api00"), golden["jk1_nofpc"]["mean"])


def test_jkn(apistrat: pd.DataFrame, golden: dict[str, Any]) -> None:
    ref = golden["jkn"]
    jk = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc").replicates("jkn")
    check(jk.mean(["api00", "enroll"]), ref["mean"])
    check(jk.total("enroll"), ref["total"])
    check(jk.mean("api00", by="sch.wide"), ref["by"])


def test_brr_and_fay(paired: pd.DataFrame, golden: dict[str, Any]) -> None:
    d = SurveyDesign(paired, weights="pw", strata="pstrat", psu="ppsu")
    check(d.mean(["api00", "api99"]), golden["brr"]["taylor_mean"])
    brr = d.replicates("brr")
    assert brr.n_replicates == golden["brr"]["n_replicates"]
    check(brr.mean(["api00", "api99"]), golden["brr"]["mean"])
    check(brr.total("enroll"), golden["brr"]["total"])
    check(brr.ratio("api00", "api99"), golden["brr"]["ratio"])
    given = d.replicates("brr", hadamard=np.array(golden["brr"]["hadamard"]))
    check(given.mean(["api00", "api99"]), golden["brr"]["mean"])
    fay = d.replicates("fay", rho=0.3)
    check(fay.mean(["api00", "api99"]), golden["fay"]["mean"])
    check(fay.total("enroll"), golden["fay"]["total"])


def test_poststratify(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["poststratify"]
    ps = dclus1.poststratify("stype", POP_TYPES)
    check(ps.mean("api00"), ref["mean"])
    check(ps.total("enroll"), ref["total"])
    check(ps.mean("api00", by="sch.wide"), ref["by"])
    assert dclus1.calibration_history == ()  # the original design is untouched
    assert ps.calibration_history[0].kind == "poststratify"


def test_rake_tight_epsilon(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["rake"]
    rk = dclus1.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, epsilon=1e-10)
    close(rk.weights, ref["w"], rtol=1e-8)
    check(rk.mean("api00"), ref["mean"])
    check(rk.total("enroll"), ref["total"])
    check(rk.mean("api00"), ref["rake_mean"])  # R's rake() backfitting SE coincides
    record = rk.calibration_history[-1]
    assert record.kind == "rake" and record.converged and 1 < record.iterations < 100
    assert record.max_error < 1e-6


def test_greg(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["greg"]
    g = dclus1.calibrate(["(Intercept)", "api99"], GREG_TOTALS)
    close(g.weights, ref["w"], rtol=1e-9)
    check(g.mean("api00"), ref["mean"])
    check(g.total("enroll"), ref["total"])
    check(g.mean("api00", by="stype"), ref["by"])
    totals = {"stype=E": 4421.0, "stype=H": 755.0, "stype=M": 1018.0, "api99": 3914069.0}
    g2 = dclus1.calibrate(["stype", "api99"], totals)
    check(g2.mean("api00"), golden["greg_cat"]["mean"])
    check(g2.total("enroll"), golden["greg_cat"]["total"])


def test_recalibrated_replicates(dclus1: SurveyDesign, golden: dict[str, Any]) -> None:
    ref = golden["jk1_calibrated"]
    jk = dclus1.replicates("jk1")
    check(jk.poststratify("stype", POP_TYPES).mean("api00"), ref["poststratify"])
    margins = {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}
    check(jk.rake(margins).mean("api00"), ref["rake"])
    check(jk.calibrate(["(Intercept)", "api99"], GREG_TOTALS).mean("api00"), ref["greg"])
    # calibrating first and replicating afterwards re-calibrates every replicate too
    check(
        dclus1.poststratify("stype", POP_TYPES).replicates("jk1").mean("api00"), ref["poststratify"]
    )
    check(dclus1.rake(margins).replicates("jk1").mean("api00"), ref["rake"])
