"""Design weights (Horvitz-Thompson) and post-stratification."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.errors import SamplingError
from survey.sampling import (
    age_group,
    design_weights,
    load_frame,
    poststratification_targets,
    poststratify,
    select_sample,
)


def test_horvitz_thompson_total_is_unbiased() -> None:
    """Σ adults / (π_d π_c π_v) over many samples averages to the frame's adult total."""
    frame = load_frame().subset(["P04", "P31"])
    truth = frame.villages.groupby("province")["adults"].sum()
    est = []
    for seed in range(200):
        v = select_sample(frame, rng=seed).villages
        p = v["prob_district"] * v["prob_commune"] * v["prob_village"]
        est.append((v["adults"] / p).groupby(v["province"]).sum())
    e = pd.concat(est, axis=1)
    z = (e.mean(axis=1) - truth) / (e.std(axis=1) / np.sqrt(e.shape[1]))
    assert (z.abs() < 4).all(), z


def test_design_weights_and_errors() -> None:
    df = pd.DataFrame(
        {"prob_district": [1.0, 0.5], "prob_commune": [1.0, 0.2], "prob_village": [0.5, 1.0],
         "prob_person": [0.1, 0.02]}
    )  # fmt: skip
    np.testing.assert_allclose(design_weights(df), [20.0, 500.0])
    with pytest.raises(SamplingError):
        design_weights(df.drop(columns="prob_person"))
    with pytest.raises(SamplingError):
        design_weights(df.assign(prob_person=0.0))


def test_age_groups() -> None:
    got = age_group(np.array([18, 29, 30, 59, 60, 70, 71, 17])).tolist()
    assert got[:6] == ["18-29", "18-29", "30-39", "50-59", "60-70", "60-70"]
    assert pd.isna(got[6]) and pd.isna(got[7])


def test_poststratified_weights_hit_targets() -> None:
    frame = load_frame()
    targets = poststratification_targets(frame, ["P04", "P31"])
    rng = np.random.default_rng(0)
    n = 400
    r = pd.DataFrame(
        {
            "province": rng.choice(["P04", "P31"], n),
            "sex": rng.choice([1, 2], n, p=[0.4, 0.6]),
            "age_group": rng.choice(list(targets["age_group"].unique()), n),
            "design_weight": rng.uniform(100, 900, n),
        }
    )
    w = poststratify(r, targets)
    got = w.groupby([r["province"], r["sex"], r["age_group"]]).sum()
    want = targets.set_index(["province", "sex", "age_group"])["population"]
    np.testing.assert_allclose(got.to_numpy(), want[got.index].to_numpy())
    # scaling the design weights leaves post-stratified weights unchanged
    w2 = poststratify(r.assign(design_weight=r["design_weight"] * 7.5), targets)
    np.testing.assert_allclose(w, w2)


def test_empty_cell_is_collapsed_keeping_province_total() -> None:
    frame = load_frame()
    targets = poststratification_targets(frame, ["P04"])
    r = pd.DataFrame(
        {"province": "P04", "sex": [1, 2, 2], "age_group": ["18-29", "30-39", "60-70"],
         "design_weight": [10.0, 20.0, 30.0]}
    )  # fmt: skip
    w = poststratify(r, targets)
    assert w.sum() == pytest.approx(targets["population"].sum())
    assert (w > 0).all()
