"""Domain columns of a result keep the input's dtype, so that a result merges back onto the
data it came from (an int64 province used to come back as strings and a merge silently
matched nothing)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import ReplicateDesign, SurveyDesign


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 240
    prov = np.repeat(np.array([7, 12, 31], dtype=np.int64), n // 3)
    return pd.DataFrame(
        {
            "prov": prov,
            "psu": np.arange(n) // 10,
            "w": rng.uniform(1, 3, n),
            "y": rng.normal(size=n),
            "x": rng.uniform(1, 2, n),
            "sex": np.tile(np.array(["f", "m"]), n // 2),
        }
    )


def _designs(data: pd.DataFrame) -> list[SurveyDesign | ReplicateDesign]:
    taylor = SurveyDesign(data, weights="w", strata="prov", psu="psu")
    return [taylor, taylor.replicates("jkn")]


DTYPES = {
    "int64": lambda s: s.astype(np.int64),
    "category": lambda s: s.astype("category"),
    "string": lambda s: s.astype("string"),
    "object": lambda s: s.astype(str).astype(object),
}


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("estimator", ["mean", "total", "ratio"])
def test_a_domain_column_keeps_its_dtype_and_merges_back(dtype: str, estimator: str) -> None:
    data = _data().assign(prov=lambda d: DTYPES[dtype](d["prov"]))
    for design in _designs(data):
        if estimator == "ratio":
            out = design.ratio("y", "x", by="prov")
        else:
            out = getattr(design, estimator)("y", by="prov")
        assert out["prov"].dtype == data["prov"].dtype, (type(design).__name__, estimator)
        merged = data.merge(out[["prov", "est"]], on="prov", how="left", validate="m:1")
        assert merged["est"].notna().all()
        assert len(out) == data["prov"].nunique()


def test_several_by_columns_each_keep_their_dtype() -> None:
    data = _data().assign(sex=lambda d: d["sex"].astype("category"))
    out = SurveyDesign(data, weights="w", strata="prov", psu="psu").mean(
        ["y", "x"], by=["prov", "sex"]
    )
    assert out["prov"].dtype == np.int64 and isinstance(out["sex"].dtype, pd.CategoricalDtype)
    assert len(out) == 2 * 3 * 2  # variables × provinces × sexes
    merged = data.merge(out.query("variable == 'y'")[["prov", "sex", "est"]], on=["prov", "sex"])
    assert len(merged) == len(data) and merged["est"].notna().all()
    by_hand = data.groupby(["prov", "sex"], observed=True).apply(
        lambda g: np.average(g["y"], weights=g["w"]), include_groups=False
    )
    got = out.query("variable == 'y'").set_index(["prov", "sex"])["est"]
    np.testing.assert_allclose(got.to_numpy(), by_hand.to_numpy(), rtol=1e-12)


def test_rows_missing_a_domain_value_are_in_no_domain() -> None:
    data = _data().astype({"prov": "Int64"})
    data.loc[:5, "prov"] = pd.NA
    out = SurveyDesign(data, weights="w", strata="psu").mean("y", by="prov")
    assert out["prov"].dtype == "Int64" and out["prov"].notna().all()
    assert int(out["n"].sum()) == len(data) - 6
