"""Published years derived on the 34 provinces of 2025 (population-weighted, not official)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import compare, derived_published, score_published
from survey.errors import NotFound
from survey.geography.history import (
    DERIVED_LABEL,
    POPULATION_FILE,
    derive_subdimensions,
    derived_subdimensions,
    population_weights,
)
from survey.published import subdimensions


def test_weights() -> None:
    w = population_weights()
    assert len(w) == 63
    np.testing.assert_allclose(w.groupby("new")["weight"].sum(), 1.0)
    pop = pd.read_csv(POPULATION_FILE).set_index("province")["population"]
    hp = w.set_index("former").loc[["P19", "P20"]]
    np.testing.assert_allclose(hp["weight"], pop[["P19", "P20"]] / pop[["P19", "P20"]].sum())


@pytest.mark.parametrize("year", [2018, 2021, 2024])
def test_derived_scores_are_population_weighted_means(year: int) -> None:
    pub = subdimensions(year).set_index("province")
    der = derived_subdimensions(year).set_index("province")
    assert len(der) == 34 and list(der.columns) == list(pub.columns)
    # unchanged provinces keep their published scores exactly
    pd.testing.assert_series_equal(
        der.loc["N04"], pub.loc["P03"], check_names=False, check_exact=False, rtol=1e-12
    )
    # Hải Phòng = Hải Phòng (P20) and Hải Dương (P19), by population
    w = population_weights().set_index("former")["weight"]
    expect = w["P20"] * pub.loc["P20"] + w["P19"] * pub.loc["P19"]
    np.testing.assert_allclose(der.loc["N31"].to_numpy(float), expect.to_numpy(float))
    # the aggregate is linear: derived aggregate = weighted mean of the published aggregates
    st = "papi-2018" if year == 2018 else "papi-2019" if year <= 2020 else "papi-2021"
    agg = score_published(pub.reset_index(), st).composite.set_index("province")["est"]
    dagg = derived_published(year).composite.set_index("province")["est"]
    if not np.isnan(agg[["P20", "P19"]]).any():
        assert dagg["N31"] == pytest.approx(w["P20"] * agg["P20"] + w["P19"] * agg["P19"])


def test_a_missing_former_value_leaves_the_new_one_missing() -> None:
    # 2018: Đồng Tháp (P56) was not scored on D2 and D4; it merged into the new Đồng Tháp
    der = derived_subdimensions(2018).set_index("province")
    pub = subdimensions(2018).set_index("province")
    gaps = pub.columns[pub.loc["P56"].isna()]
    assert len(gaps) and der.loc["N82", gaps].isna().all()
    table = pd.DataFrame({"province": ["P19", "P20"], "SC11": [1.0, np.nan]})
    out = derive_subdimensions(table).set_index("province")["SC11"]
    assert np.isnan(out["N31"])
    with pytest.raises(NotFound, match="not former provinces"):
        derive_subdimensions(pd.DataFrame({"province": ["N31"], "SC11": [1.0]}))


def test_derived_scores_are_labelled_and_ranked_over_34() -> None:
    d = derived_published(2024)
    assert d.method == "derived"
    assert any(DERIVED_LABEL in n for n in d.notes)
    assert any("no known uncertainty" in n for n in d.notes)
    comp = d.composite
    assert set(comp["province"]) - {"VN"} <= {p for p in comp["province"] if p.startswith("N")}
    assert comp["rank"].max() == comp["rank"].notna().sum() <= 34
    # a comparison treats the derived side as a fixed reference, like published scores
    c = compare(d, d).composite
    assert (c["est"].dropna() == 0).all()


def test_calibration_targets_use_the_scored_parts() -> None:
    # 2024: Vĩnh Phúc (P17) was not scored, so Phú Thọ (N25) has no derived history, but the
    # simulator's targets average its two scored parts
    assert derived_subdimensions(2024).set_index("province").loc["N25"].isna().all()
    part = derived_subdimensions(2024, complete=False).set_index("province")
    pub = subdimensions(2024).set_index("province")
    w = population_weights().set_index("former")["population"]
    expect = (w["P16"] * pub.loc["P16"] + w["P11"] * pub.loc["P11"]) / (w["P16"] + w["P11"])
    np.testing.assert_allclose(part.loc["N25"].to_numpy(float), expect.to_numpy(float))
    assert part.notna().any(axis=1).all()
