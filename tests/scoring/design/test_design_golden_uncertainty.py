"""R-compatible defaults (issue 15), against tests/golden/uncertainty_golden.json written by
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
