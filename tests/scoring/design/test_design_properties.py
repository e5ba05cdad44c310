"""Properties of the design-based estimators (hypothesis) and negative controls.

- scaling every weight by c changes no mean and no SE;
- permuting rows changes nothing;
- a stratum whose PSUs are identical contributes zero variance;
- frequency-weight and iid SEs are not survey SEs (docs/variance.md "Traps").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.weightstats import DescrStatsW

from scoring import SurveyDesign


@st.composite
def designs(draw: st.DrawFn) -> pd.DataFrame:
    n_strata = draw(st.integers(1, 4))
    rows = []
    for h in range(n_strata):
        for p in range(draw(st.integers(2, 4))):
            for _ in range(draw(st.integers(1, 4))):
                rows.append(
                    (
                        h,
                        f"{h}-{p}",
                        draw(st.floats(0.5, 50.0)),
                        draw(st.floats(-10, 10)),
                        draw(st.sampled_from(["a", "b"])),
                    )
                )
    return pd.DataFrame(rows, columns=["h", "psu", "w", "y", "g"])


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(df=designs(), c=st.floats(0.01, 100.0))
def test_scaling_weights_changes_no_mean_and_no_se(df: pd.DataFrame, c: float) -> None:
    base = SurveyDesign(df, weights="w", strata="h", psu="psu").mean("y", by="g")
    scaled = SurveyDesign(df.assign(w=df["w"] * c), weights="w", strata="h", psu="psu")
    other = scaled.mean("y", by="g")
    np.testing.assert_allclose(other["est"], base["est"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(other["se"], base["se"], rtol=1e-7, atol=1e-10)


@SETTINGS
@given(df=designs(), seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_changes_nothing(df: pd.DataFrame, seed: int) -> None:
    perm = df.sample(frac=1.0, random_state=np.random.RandomState(seed % 2**31))
    a = SurveyDesign(df, weights="w", strata="h", psu="psu")
    b = SurveyDesign(perm, weights="w", strata="h", psu="psu")
    for fa, fb in [(a.mean("y", by="g"), b.mean("y", by="g")), (a.total("y"), b.total("y"))]:
        pd.testing.assert_frame_equal(fa, fb, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(df=designs(), copies=st.integers(2, 5), y=st.floats(-5, 5), w=st.floats(1, 10))
def test_a_stratum_of_identical_psus_adds_no_variance(
    df: pd.DataFrame, copies: int, y: float, w: float
) -> None:
    twin = pd.DataFrame(
        {"h": 99, "psu": [f"t{i}" for i in range(copies)], "w": w, "y": y, "g": "a"}
    )
    both = pd.concat([df, twin], ignore_index=True)
    with_twin = SurveyDesign(both, weights="w", strata="h", psu="psu").total("y")
    without = SurveyDesign(df, weights="w", strata="h", psu="psu").total("y")
    np.testing.assert_allclose(with_twin["se"], without["se"], rtol=1e-9, atol=1e-9)
    # and the means' variance sums PSU deviations that are identical within the twin stratum
    d = SurveyDesign(both, weights="w", strata="h", psu="psu")
    _, u, _, _ = d.domain_means(both[["y"]].to_numpy())
    z = (u[:, 0] * both["w"].to_numpy())[both["h"].to_numpy() == 99]
    assert np.ptp(z) < 1e-12


@SETTINGS
@given(df=designs())
def test_ci_contains_the_estimate(df: pd.DataFrame) -> None:
    m = SurveyDesign(df, weights="w", strata="h", psu="psu").mean("y", by="g", ci_dist="normal")
    ok = m.dropna(subset=["se"])
    assert (ok["lci"] <= ok["est"] + 1e-12).all() and (ok["est"] <= ok["uci"] + 1e-12).all()


def test_frequency_weight_and_iid_ses_are_not_survey_ses(apiclus1: pd.DataFrame) -> None:
    y = apiclus1["api00"].to_numpy(dtype=float)
    w = apiclus1["pw"].to_numpy(dtype=float)
    design_se = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc").mean("api00")["se"][0]
    freq_se = DescrStatsW(y, weights=w).std_mean  # weights read as frequencies
    iid_se = DescrStatsW(y, weights=w * len(w) / w.sum()).std_mean  # iid, normalised weights
    assert round(design_se, 2) == 23.54
    assert round(freq_se, 2) == 1.34
    assert round(iid_se, 2) == 7.82
    assert design_se / freq_se > 10 and design_se / iid_se > 2


def test_no_stratum_single_psu_design_is_refused(apiclus1: pd.DataFrame) -> None:
    from survey.errors import DesignError

    with pytest.raises(DesignError):
        SurveyDesign(apiclus1.assign(one=1), weights="pw", psu="one")


@SETTINGS
@given(df=designs())
def test_a_certainty_stratum_contributes_nothing(df: pd.DataFrame) -> None:
    """fpc equal to the number of sampled PSUs (f = 1): no first-stage variance there."""
    n_h = df.groupby("h")["psu"].nunique()
    certain = df.assign(N=np.where(df["h"] == 0, df["h"].map(n_h), 10_000.0))
    full = SurveyDesign(certain, weights="w", strata="h", psu="psu", fpc="N").total("y")
    rest = certain[certain["h"] != 0]
    if rest.empty:
        assert full["se"][0] == 0.0
        return
    others = SurveyDesign(rest, weights="w", strata="h", psu="psu", fpc="N").total("y")
    np.testing.assert_allclose(full["se"], others["se"], rtol=1e-9, atol=1e-9)
