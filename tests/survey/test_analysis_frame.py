"""The respondent-frame contract (survey.respondents.analysis_frame): age groups, defaults, weights, and
one clear error naming the column and rows of a bad frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import score
from survey.errors import ScoringError
from survey.questionnaire.loader import load_questionnaire
from survey.respondents.analysis_frame import (
    CONTRACT_COLUMNS,
    FrameError,
    analysis_weight,
    check_for_scoring,
    conform,
    design_columns,
    validate,
)
from survey.sampling import load_frame, poststratification_targets, poststratify
from survey.sampling.weights import age_group
from survey.simulate import simulate


def _rows(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "submission_id": [f"s{i}" for i in range(n)],
            "province": ["P01"] * (n // 2) + ["P02"] * (n - n // 2),
            "district": [f"P0{1 + i * 2 // n}-D0{i % 2 + 1}" for i in range(n)],
            "prob_district": 0.5,
            "prob_commune": 0.4,
            "prob_village": 0.25,
            "prob_person": rng.uniform(0.01, 0.02, n),
            "sex": [1, 2] * (n // 2),
            "age": rng.integers(18, 71, n),
        }
    )


def test_age_groups_leave_ages_outside_18_70_and_special_codes_missing() -> None:
    got = age_group([18, 29, 30, 59, 60, 70, 71, 95, 17, -8, None]).tolist()
    assert got[:6] == ["18-29", "18-29", "30-39", "50-59", "60-70", "60-70"]
    assert all(pd.isna(v) for v in got[6:])  # never "60-70" for 71+ (the old export did)


def test_conform_fills_defaults_and_derives_the_weights() -> None:
    rows = _rows()
    out = conform(rows)
    assert list(out.columns[:16]) == [c for c in CONTRACT_COLUMNS if c in out.columns][:16]
    assert (out["stratum"] == out["province"]).all() and (out["psu"] == out["district"]).all()
    np.testing.assert_allclose(
        out["design_weight"], 1 / (0.5 * 0.4 * 0.25 * rows["prob_person"]), rtol=1e-15
    )
    targets = poststratification_targets(load_frame(), ["P01", "P02"])
    np.testing.assert_allclose(
        out["weight"], poststratify(out.astype({"sex": int}), targets), rtol=1e-15
    )
    assert str(out["sex"].dtype) == "Int64" and out["age_group"].notna().all()
    # a row that falls in no post-stratification cell has no weight (not a wrong one)
    odd = conform(rows.assign(age=[30, 75, 40, 50, 60, 20]))
    assert odd["weight"].isna().tolist() == [False, True, False, False, False, False]


def test_a_given_design_weight_must_agree_with_its_probabilities() -> None:
    rows = _rows().assign(design_weight=1 / (0.5 * 0.4 * 0.25 * _rows()["prob_person"]))
    rows.loc[[1, 4], "design_weight"] *= 2
    with pytest.raises(FrameError) as info:
        conform(rows)
    assert "'design_weight'" in info.value.message and "(rows 1, 4)" in info.value.message
    assert [p.pointer for p in info.value.problems] == ["/1/design_weight", "/4/design_weight"]
    # without probabilities a given design weight is kept
    kept = conform(_rows().drop(columns=["prob_person"]).assign(design_weight=100.0))
    assert (kept["design_weight"] == 100.0).all()


def test_a_bad_frame_gets_one_error_naming_each_column_and_its_rows() -> None:
    out = conform(_rows())
    out.loc[2, "prob_village"] = 1.5
    out.loc[[0, 3], "weight"] = -1.0
    with pytest.raises(FrameError) as info:
        validate(out)
    msg = info.value.message
    assert "'prob_village'" in msg and "(rows 2)" in msg
    assert "'weight'" in msg and "(rows 0, 3)" in msg
    assert {p.pointer for p in info.value.problems} >= {"/2/prob_village", "/0/weight", "/3/weight"}
    assert info.value.code == "frame_invalid"


def test_score_names_the_rows_without_a_weight() -> None:
    sim = simulate(2021, rng=2, provinces=["P01", "P02"], respondents_per_village=3)
    data = sim.responses.copy()
    data.loc[[5, 17], "weight"] = np.nan
    with pytest.raises(FrameError) as info:
        score(data, load_questionnaire("papi-2021"))
    assert "'weight'" in info.value.message and "(rows 5, 17)" in info.value.message
    assert "--unweighted" in info.value.message
    assert [p.pointer for p in info.value.problems] == ["/5/weight", "/17/weight"]
    data.loc[3, "psu"] = None
    with pytest.raises(FrameError, match=r"'psu'.*\(rows 3\)"):
        score(data, load_questionnaire("papi-2021"), weighted=False)


def test_an_unweightable_frame_says_to_use_the_design_weights() -> None:
    frame = conform(_rows().assign(province="X9"))  # a province without margins
    assert frame["weight"].isna().all() and frame["design_weight"].notna().all()
    with pytest.raises(ScoringError, match="weights='design_weight'") as info:
        check_for_scoring(frame, strata="stratum", psu="psu", weights="weight", weighted=True)
    assert info.value.code == "weights_missing"
    check_for_scoring(frame, strata="stratum", psu="psu", weights="design_weight", weighted=True)


def test_design_column_defaults() -> None:
    frame = pd.DataFrame(columns=["province", "district"])
    assert design_columns(frame) == ("province", "district")
    assert design_columns(frame.assign(stratum=[], psu=[])) == ("stratum", "psu")
    assert design_columns(pd.DataFrame(columns=["province"])) == ("province", None)


def test_analysis_weight_without_demographics_is_missing() -> None:
    w = analysis_weight(conform(_rows()).drop(columns=["sex"]))
    assert w.isna().all()


def _scoring_frames() -> list[tuple[str, pd.DataFrame]]:
    base = pd.DataFrame(
        {
            "province": ["P01", "P01", "P02", "P02"],
            "stratum": ["P01", "P01", "P02", "P02"],
            "psu": ["a", "b", "c", "d"],
            "weight": [1.0, 2.0, 0.0, 3.5],
        }
    )
    cases = [("good", base)]
    for name, column, value in [
        ("nan weight", "weight", np.nan),
        ("negative weight", "weight", -1.0),
        ("infinite weight", "weight", np.inf),
        ("missing psu", "psu", None),
        ("missing province", "province", None),
        ("missing stratum", "stratum", None),
    ]:
        bad = base.copy()
        bad.loc[1, column] = value
        cases.append((name, bad))
    cases.append(("int weights", base.assign(weight=[1, 2, 0, 3])))
    cases.append(("text weights", base.assign(weight=["1", "2", "x", "3"])))
    cases.append(("bool weights", base.assign(weight=[True, True, False, True])))
    cases.append(("no stratum", base.drop(columns="stratum")))
    return cases


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize(("name", "frame"), _scoring_frames())
def test_the_fast_scoring_check_agrees_with_the_pandera_rule(
    name: str, frame: pd.DataFrame, weighted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_for_scoring answers the common case with array operations and builds pandera's
    detailed error only when that says no: both must accept exactly the same frames."""
    from survey.respondents import analysis_frame

    kw = {"strata": "stratum", "psu": "psu", "weights": "weight", "weighted": weighted}

    def verdict() -> bool:
        try:
            check_for_scoring(frame, **kw)  # type: ignore[arg-type]
        except (FrameError, ScoringError):
            return False
        return True

    fast = verdict()
    monkeypatch.setattr(analysis_frame, "_scoring_columns_pass", lambda *a: False)
    assert fast == verdict(), name
