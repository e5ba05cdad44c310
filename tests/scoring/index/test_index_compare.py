"""compare(): differences, SEs, p-values, PAPI's 5% rule and Holm adjustment."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from scoring import compare, score_published
from scoring.index.results import IndexScores
from survey import published
from survey.errors import ScoringError


def _with_se(s: IndexScores, se: float, df: float) -> IndexScores:
    frames = {
        t: getattr(s, t).assign(se=se, df=df) for t in ("subdimensions", "dimensions", "composite")
    }
    return dataclasses.replace(s, **frames, method="taylor")


def test_two_published_years_give_differences_and_the_5pct_flag() -> None:
    a = score_published(published.subdimensions(2023))
    b = score_published(published.subdimensions(2022))
    c = compare(a, b)
    comp = c.composite.set_index("province")
    a_est = a.composite.set_index("province")["est"]
    b_est = b.composite.set_index("province")["est"]
    np.testing.assert_allclose(comp["est"], (a_est - b_est).loc[comp.index])
    change = (a_est - b_est) / b_est.abs()
    flag = comp["more_than_5pct"].dropna()
    assert flag.tolist() == (change.loc[flag.index].abs() > 0.05).tolist()
    assert comp["p"].isna().all()  # neither side has a standard error
    assert set(c.dimensions["code"]) == {f"D{i}" for i in range(1, 9)}
    # SC52 existed in 2019 only: the 2022-2019 comparison keeps the shared sub-dimensions
    c19 = compare(b, score_published(published.subdimensions(2019)))
    assert "SC52" not in set(c19.subdimensions["code"])


def test_pilot_against_published_uses_the_pilot_se_only() -> None:
    pub = score_published(published.subdimensions(2023))
    pilot = _with_se(score_published(published.subdimensions(2024)), se=0.4, df=12.0)
    pilot = dataclasses.replace(
        pilot, composite=pilot.composite[pilot.composite["province"] == "P20"]
    )
    c = compare(pilot, pub, confidence=0.9)
    row = c.composite.iloc[0]
    assert len(c.composite) == 1 and row["province"] == "P20"
    assert row["se"] == pytest.approx(0.4)
    assert row["df"] == pytest.approx(12.0)
    t = row["est"] / 0.4
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(t), 12))
    q = stats.t.ppf(0.95, 12)
    assert row["lci"] == pytest.approx(row["est"] - q * 0.4)
    assert row["uci"] == pytest.approx(row["est"] + q * 0.4)
    assert row["p_adj"] == pytest.approx(row["p"])  # a family of one


def test_two_surveys_satterthwaite_and_holm() -> None:
    a = _with_se(score_published(published.subdimensions(2023)), se=0.3, df=10.0)
    b = _with_se(score_published(published.subdimensions(2021)), se=0.4, df=30.0)
    c = compare(a, b)
    d1 = c.dimensions[c.dimensions["code"] == "D1"].dropna(subset=["p"])
    va, vb = 0.09, 0.16
    df = (va + vb) ** 2 / (va**2 / 10 + vb**2 / 30)
    np.testing.assert_allclose(d1["se"], 0.5)
    np.testing.assert_allclose(d1["df"], df)
    np.testing.assert_allclose(d1["p"], 2 * stats.t.sf(np.abs(d1["est"] / 0.5), df))
    np.testing.assert_allclose(d1["p_adj"], multipletests(d1["p"], method="holm")[1])
    assert (d1["significant"] == (d1["p_adj"] < 0.05)).all()
    none = compare(a, b, adjust="none").dimensions
    pd.testing.assert_series_equal(none["p_adj"], none["p"], check_names=False)


def test_bad_arguments() -> None:
    s = score_published(published.subdimensions(2023))
    with pytest.raises(ScoringError) as info:
        compare(s, s, adjust="tukey")
    assert info.value.code == "unknown_adjustment"
    with pytest.raises(ScoringError):
        compare(s, s, confidence=95)


def test_a_simulated_pilot_against_the_published_year_it_was_calibrated_to() -> None:
    """A survey simulated from the published 2023 scores of two provinces should rarely
    differ significantly from them: the truth of the simulation is the published value."""
    from scoring import score
    from survey.simulate import simulate

    sim = simulate(2023, rng=5, provinces=["P20", "P31"])
    pilot = score(sim.responses, sim.questionnaire, weighted=False)
    c = compare(pilot, score_published(published.subdimensions(2023)))
    dims = c.dimensions
    assert set(dims["province"]) == {"P20", "P31"}
    assert dims["se"].notna().all() and (dims["df"] > 0).all()
    assert (dims["p_adj"] >= dims["p"]).all()
    assert dims["significant"].mean() <= 0.25
    assert set(c.composite["province"]) <= {"P20", "P31"}
