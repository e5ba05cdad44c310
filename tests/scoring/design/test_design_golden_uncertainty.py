"""R-compatible uncertainty defaults (docs/scoring.md "Defaults, and why"), against tests/golden/uncertainty_golden.json written by
tests/golden/make_golden_uncertainty.R (R survey; each entry records its R call)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring import SurveyDesign
from tests.scoring.design.conftest import GOLDEN


@pytest.fixture(scope="module")
def ref() -> dict[str, Any]:
    out: dict[str, Any] = json.loads((GOLDEN / "uncertainty_golden.json").read_text())
    return out


def test_weights_from_the_fpc_as_r(ref: dict[str, Any]) -> None:
    """svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284) without weights: R derives the
    weights from the fpc (total 15080, SE 2274); unit weights gave 653."""
    mu = pd.read_csv(GOLDEN / "mu284.csv")
    d = SurveyDesign(mu, psu=["id1", "id2"], fpc=["n1", "n2"])
    g = ref["mu284"]
    np.testing.assert_allclose(d.weights, g["weights"], rtol=1e-12)
    t = d.total("y1").iloc[0]
    assert t["est"] == pytest.approx(g["total"], rel=1e-9)
    assert t["se"] == pytest.approx(float(np.ravel(g["total_se"])[0]), rel=1e-6)
    m = d.mean("y1", deff=True).iloc[0]
    assert m["est"] == pytest.approx(g["mean"], rel=1e-9)
    assert m["se"] == pytest.approx(float(np.ravel(g["mean_se"])[0]), rel=1e-6)
    assert m["deff"] == pytest.approx(float(np.ravel(g["mean_deff"])[0]), rel=1e-6)


def test_no_fpc_and_no_weights_means_unit_weights() -> None:
    mu = pd.read_csv(GOLDEN / "mu284.csv")
    assert (SurveyDesign(mu, psu="id1").weights == 1.0).all()


def test_scores_on_post_stratified_weights_carry_the_post_stratification(
    ref: dict[str, Any],
) -> None:
    """score(poststratified=True)'s design (scoring.index.frame_design.analysis_design)
    re-creates the post-stratification of ``weight`` from ``design_weight``, so indicator
    means and SEs
    are R's ``svyby(..., postStratify(design, ~province+sex+age_group, pop), svymean)``;
    treating ``weight`` as fixed gives R's fixed-weight SEs instead (different numbers)."""
    from scoring.design.structure import codes as integer_codes
    from scoring.index.frame_design import analysis_design

    pp = pd.read_csv(GOLDEN / "papi_poststrat.csv")
    g = ref["papi_poststrat"]
    domain, provinces = integer_codes(pp["province"].astype("str"))
    for label in ("poststratified", "fixed"):
        ps = label == "poststratified"
        design, notes = analysis_design(pp, "stratum", "psu", "weight", True, "fail", ps)
        assert bool(notes) == (label == "poststratified")
        for y in ("y0", "y2", "y9"):
            est, u, _, _ = design.domain_means(pp[y].to_numpy(np.float64), domain, len(provinces))
            se = np.sqrt(design.taylor_variance(u, domain, len(provinces)))[:, 0]
            assert list(provinces) == g[label][y]["province"]
            np.testing.assert_allclose(est[:, 0], g[label][y]["est"], rtol=1e-9)
            np.testing.assert_allclose(se, g[label][y]["se"], rtol=1e-6)


def test_default_hadamard_is_rs(ref: dict[str, Any]) -> None:
    """BRR's default matrix is R's survey:::hadamard(n) for n = 1..100 strata (it was
    Sylvester's, which differs from R's for most n and moved BRR SEs by 2-5%)."""
    from scoring.design.replicates import default_hadamard

    g = ref["hadamard"]
    for n, which in zip(g["n"], g["which"], strict=True):
        want = np.array([[int(c) for c in row] for row in g["matrix"][which - 1]])
        got = default_hadamard(n)
        assert got.shape == want.shape and (got == want).all(), n


def test_calibration_residuals_are_what_the_taylor_variance_sums() -> None:
    """SurveyDesign.calibration_residuals (used by score's PSU-share correction of
    post-stratified scores): their with-replacement variance over PSU totals, written out,
    is the design's own (R-golden) post-stratified Taylor variance."""
    from scoring.design.structure import codes as integer_codes
    from scoring.index.frame_design import analysis_design

    pp = pd.read_csv(GOLDEN / "papi_poststrat.csv")
    design, _ = analysis_design(pp, "stratum", "psu", "weight", True, "fail", True)
    _, u, _, _ = design.domain_means(pp["y2"].to_numpy(np.float64), None)
    res = design.calibration_residuals(u)[:, 0]
    assert not np.allclose(res, u[:, 0] * design.weights)  # the residualisation does something
    unit = integer_codes(pp.loc[:, ["stratum", "psu"]].astype("str"))[0]
    z = pd.Series(res).groupby(unit).sum()
    stratum = pp.groupby(unit)["stratum"].first()
    by = z.groupby(stratum)
    want = float(
        (by.count() / (by.count() - 1) * by.apply(lambda v: ((v - v.mean()) ** 2).sum())).sum()
    )
    assert design.taylor_variance(u)[0, 0] == pytest.approx(want, rel=1e-10)
